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
    index = tables.stems_by_position
    found: list[StemMatch] = []
    for _core, entries in _longest(index.get("suffix", {}), word, suffix=True):
        found += [_match(e, word) for e in entries]
        break
    for _core, entries in _longest(index.get("prefix", {}), word, suffix=False):
        found += [_match(e, word) for e in entries]
        break
    free = []
    for position in ("infix", "anywhere"):
        for core, entries in index.get(position, {}).items():
            at = word.find(core)
            if at < 0 or (position == "infix" and (at < 2 or at + len(core) > len(word) - 2)):
                continue
            free += [_match(e, word) for e in entries]
    strong_free = [m for m in free if len(m.stem.strip("-")) >= MIN_FREE_STEM]
    found += strong_free if (found or strong_free) else free
    order = {"high": 0, "medium": 1, "low": 2}
    found.sort(key=lambda m: (order[m.confidence], -len(m.stem)))
    return found


def _longest(entries_by_core: dict[str, tuple[StemEntry, ...]], word: str, *, suffix: bool):
    """(core, rows) of stems at the word's end (or start), longest first.

    A stem of five letters or more may stand with any letters beside it, or none (``nonacog
    alfa``, ``epoetin``); shorter ones need at least two letters of their own beside them.
    """
    for length in range(len(word), 0, -1):
        core = word[-length:] if suffix else word[:length]
        rows = entries_by_core.get(core)
        if rows is None:
            continue
        rest = len(word) - length
        if rest >= 2 or length >= 5:
            yield core, rows
