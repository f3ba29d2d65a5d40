"""Finding candidate names in text fast: one pass of a compiled pattern set over the whole text.

The patterns come from the data tables (antibody stems, WHO suffix stems) and the registry
(known names the stem patterns would miss). Hyperscan runs them at C speed when it is
installed; the standard ``re`` module runs the same patterns otherwise, and serves as the
reference the fast path is tested against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .registry import Registry
from .tables import Tables

ANTIBODY, STRONG_STEM, WEAK_STEM, KNOWN = 0, 1, 2, 3
"""Pattern ids: antibody-stem words, words ending in a strong WHO stem, words ending in a weak
or short stem, and known names that no stem pattern catches."""

_WORD_TAIL = r"[a-z][a-z0-9]*"


def _alternation(parts: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(parts), key=lambda p: (-len(p), p)))


@dataclass(frozen=True)
class PatternSet:
    """The regular expressions of one scan, by pattern id."""

    patterns: dict[int, str]

    @classmethod
    def build(cls, tables: Tables, registry: Registry) -> PatternSet:
        antibody_stems = [s.stem for s in tables.parse_stems]
        patterns = {
            ANTIBODY: rf"\b{_WORD_TAIL}(?:{_alternation(antibody_stems)})\b",
        }
        strong, weak = [], []
        for core, rows in tables.stems_by_position.get("suffix", {}).items():
            if " " in core or core in antibody_stems or not core.isalpha():
                continue
            solid = len(core) >= 4 and not any(r.weak or r.deleted for r in rows)
            (strong if solid else weak).append(core)
        patterns[STRONG_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(strong)})\b"
        patterns[WEAK_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(weak)})\b"
        caught = re.compile(
            rf"^(?:{patterns[ANTIBODY]}|{patterns[STRONG_STEM]})$", re.IGNORECASE | re.ASCII
        )
        # Known names whose first word no stem pattern catches (muromonab, brand names, codes);
        # second words of caught names are picked up when a mention is extended.
        others = sorted({e.full_name.lower() for e in registry.entries()})
        extra = [n for n in others if n.isascii() and not caught.match(n.split()[0])]
        if extra:
            alternatives = "|".join(
                r"\s+".join(re.escape(w) for w in n.split()) for n in
                sorted(extra, key=lambda n: (-len(n), n)))
            patterns[KNOWN] = rf"\b(?:{alternatives})\b"
        return cls(patterns)


class RegexScanner:
    """The reference scanner: Python's ``re``, one pattern after another."""

    name = "re"

    def __init__(self, patterns: PatternSet) -> None:
        self._compiled = [(pid, re.compile(p, re.IGNORECASE | re.ASCII))
                          for pid, p in patterns.patterns.items()]

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern id, start, end) of every match, in order of start."""
        out = [(pid, m.start(), m.end()) for pid, rx in self._compiled
               for m in rx.finditer(text)]
        out.sort(key=lambda item: (item[1], -item[2], item[0]))
        return out


class HyperscanScanner:
    """The fast scanner: Hyperscan runs the whole pattern set in one pass over the bytes."""

    name = "hyperscan"

    def __init__(self, patterns: PatternSet) -> None:
        import hyperscan

        self._db = hyperscan.Database()
        ids = list(patterns.patterns)
        flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SOM_LEFTMOST
        self._db.compile(
            expressions=[patterns.patterns[i].encode() for i in ids],
            ids=ids, elements=len(ids), flags=[flags] * len(ids),
        )

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        # Non-ASCII characters become one '?' byte each, so byte offsets equal str offsets
        # (INNs are ASCII; a word with other letters in it is not one).
        data = text.encode("ascii", "replace")
        out: list[tuple[int, int, int]] = []
        append = out.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((pid, start, end))

        self._db.scan(data, match_event_handler=on_match)
        out.sort(key=lambda item: (item[1], -item[2], item[0]))
        return out


def make_scanner(patterns: PatternSet, backend: str = "auto"):
    """Hyperscan when it is installed (``auto``), else the ``re`` reference scanner."""
    if backend in ("auto", "hyperscan"):
        try:
            return HyperscanScanner(patterns)
        except ImportError:
            if backend == "hyperscan":
                raise
    return RegexScanner(patterns)
