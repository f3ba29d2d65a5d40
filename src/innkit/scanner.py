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
MIN_WEAK_WORD = 7
"""Shortest word the standard level reads by a weak or three-letter stem."""


def _alternation(parts: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(parts), key=lambda p: (-len(p), p)))


@dataclass(frozen=True)
class PatternSet:
    """The regular expressions of one scan, by pattern id."""

    patterns: dict[int, str]

    @classmethod
    def build(cls, tables: Tables, registry: Registry, leniency: str = "standard") -> PatternSet:
        """Patterns for one leniency level (see ``annotate.LENIENCY_LEVELS``)."""
        antibody_stems = [s.stem for s in tables.parse_stems]
        patterns = {
            ANTIBODY: rf"\b{_WORD_TAIL}(?:{_alternation(antibody_stems)})\b",
        }
        strong, weak = [], []
        for core, rows in tables.stems_by_position.get("suffix", {}).items():
            if " " in core or core in antibody_stems or not core.isalpha():
                continue
            solid = len(core) >= 4 and any(not (r.weak or r.deleted) for r in rows)
            (strong if solid else weak).append(core)
        patterns[STRONG_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(strong)})\b"
        if leniency == "lenient":
            patterns[WEAK_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(weak)})\b"
        elif leniency == "standard":
            # Two-letter endings (-al, -ol, -ac ...) match half the English language; the
            # standard level keeps three-letter and weak endings on words of seven letters.
            kept = [c for c in weak if len(c) >= 3]
            head = MIN_WEAK_WORD - 3
            patterns[WEAK_STEM] = rf"\b[a-z][a-z0-9]{{{head},}}(?:{_alternation(kept)})\b"
        if leniency == "strict":
            del patterns[STRONG_STEM]
        caught = re.compile(rf"^(?:{patterns[ANTIBODY]})$", re.IGNORECASE | re.ASCII)
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
        """(start, pattern id, end) of every match, in order."""
        out = [(m.start(), pid, m.end()) for pid, rx in self._compiled
               for m in rx.finditer(text)]
        out.sort()
        return out


def _word_start(data: bytes, end: int) -> int:
    """Start of the run of ASCII letters and digits that ends at ``end``."""
    start = end
    while start > 0 and _WORD_BYTE[data[start - 1]]:
        start -= 1
    return start


_WORD_BYTE = [chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_") for b in range(256)]


class HyperscanScanner:
    """The fast scanner: Hyperscan runs the whole pattern set in one pass over the bytes."""

    name = "hyperscan"

    def __init__(self, patterns: PatternSet) -> None:
        import hyperscan

        known = patterns.patterns.get(KNOWN)
        self._known_tail = re.compile(rf"(?:{known})\Z" if known else r"(?!)",
                                      re.IGNORECASE | re.ASCII)
        self._known_span = 200

        self._db = hyperscan.Database()
        ids = list(patterns.patterns)
        # Without start-of-match tracking the scan runs twice as fast; every pattern starts at
        # a word boundary, so the start is found by stepping back over the word.
        flags = hyperscan.HS_FLAG_CASELESS
        self._db.compile(
            expressions=[patterns.patterns[i].encode() for i in ids],
            ids=ids, elements=len(ids), flags=[flags] * len(ids),
        )

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        # Non-ASCII characters become one '?' byte each, so byte offsets equal str offsets
        # (INNs are ASCII; a word with other letters in it is not one).
        data = text.encode("ascii", "replace")
        ends: list[tuple[int, int]] = []
        append = ends.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((end, pid))

        self._db.scan(data, match_event_handler=on_match)
        out = []
        starts: dict[int, int] = {}
        word_start = _word_start
        for end, pid in ends:
            start = starts.get(end)
            if start is None:
                start = starts[end] = word_start(data, end)
            if pid == KNOWN:  # multi-word names: find where this one starts
                start = self._known_start(text, end)
                if start is None:
                    continue
            out.append((start, pid, end))
        out.sort()
        return out

    def _known_start(self, text: str, end: int) -> int | None:
        m = self._known_tail.search(text, max(0, end - self._known_span), end)
        return m.start() if m else None


def make_scanner(patterns: PatternSet, backend: str = "auto"):
    """Hyperscan when it is installed (``auto``), else the ``re`` reference scanner."""
    if backend in ("auto", "hyperscan"):
        try:
            return HyperscanScanner(patterns)
        except ImportError:
            if backend == "hyperscan":
                raise
    return RegexScanner(patterns)
