"""General INN stems: which WHO stem (or biologic sub-stem) a non-antibody name is built on.

Spec section 9.2: match stems by position (suffix, prefix, infix, anywhere); the longest suffix
wins and carries its parent (-teplase < -plase < -ase); generic chemical endings (-ine, -one,
-ol, -ium, -al) are weak; short infix or free-position stems only count when nothing else
matches; stems deleted from the General Principles are reported as historical.
"""

from __future__ import annotations

from .models import StemMatch
from .tables import StemEntry, Tables

MIN_FREE_STEM = 3
"""Infix and free-position stems shorter than this are too common by chance (``ni``, ``io``)."""


def _confidence(entry: StemEntry, matched_length: int) -> str:
    if entry.deleted or entry.weak:
        return "low"
    if entry.position == "suffix" or entry.position == "prefix":
        level = "high" if matched_length >= 4 else "medium"
    else:
        level = "medium" if matched_length >= 4 else "low"
    if entry.confidence in ("medium", "low") and level == "high":
        level = entry.confidence
    return level


def _match(entry: StemEntry, word: str) -> StemMatch:
    return StemMatch(
        stem=entry.stem,
        position=entry.position,
        meaning=entry.meaning or None,
        lineage=entry.lineage,
        confidence=_confidence(entry, len(entry.core)),
        historical=entry.deleted,
        word=word,
        row=entry.ref,
    )


def classify_word(word: str, tables: Tables) -> list[StemMatch]:
    """Every stem the word (or a multi-word name) is built on, strongest first.

    One suffix and one prefix at most (the longest; shorter relatives are reported as parents),
    plus infix and free-position stems.
    """
    found: list[StemMatch] = []
    entries = _longest(tables.suffixes_by_tail.get(word[-2:], ()), word, suffix=True)
    if entries:
        found += [_match(e, word) for e in entries]
    entries = _longest(tables.prefixes_by_head.get(word[:2], ()), word, suffix=False)
    if entries:
        found += [_match(e, word) for e in entries]
    free = []
    for hit in tables.free_stem_pattern.finditer(word):
        core = hit.group(1)
        at = hit.start()
        for entry in tables.free_stems[core]:
            if entry.position == "infix" and (at < 2 or at + len(core) > len(word) - 2):
                continue
            if all(m.stem != entry.stem for m in free):
                free.append(_match(entry, word))
    strong_free = [m for m in free if len(m.stem.strip("-")) >= MIN_FREE_STEM]
    found += strong_free if (found or strong_free) else free
    order = {"high": 0, "medium": 1, "low": 2}
    found.sort(key=lambda m: (order[m.confidence], -len(m.stem)))
    return found


def _longest(candidates: tuple[tuple[str, tuple[StemEntry, ...]], ...], word: str, *,
             suffix: bool) -> tuple[StemEntry, ...] | None:
    """Rows of the longest stem at the word's end (or start); candidates come longest first.

    A stem of five letters or more may stand with any letters beside it, or none (``nonacog
    alfa``, ``epoetin``); shorter ones need at least two letters of their own beside them.
    """
    for core, rows in candidates:
        if (word.endswith(core) if suffix else word.startswith(core)) and (
            len(word) - len(core) >= 2 or len(core) >= 5
        ):
            return rows
    return None
