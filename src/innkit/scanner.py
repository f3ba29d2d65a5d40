"""Finding candidate names in text fast: one pass of a compiled pattern set over the whole text.

The patterns come from the data tables (antibody stems, WHO suffix stems) and the registry
(known names the stem patterns would miss). Hyperscan runs them at C speed when it is
installed; the standard ``re`` module runs the same patterns otherwise, and serves as the
reference the fast path is tested against.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass

from .registry import Registry
from .tables import Tables

ANTIBODY, STRONG_STEM, WEAK_STEM, KNOWN, SUBSTANCE = 0, 1, 2, 3, 4
"""Pattern ids: antibody-stem words, words ending in a strong WHO stem, words ending in a weak
or short stem, known names that no stem pattern catches, and names of the FDA UNII list."""

_WORD_TAIL = r"[a-z][a-z0-9]*"
_WORD = re.compile(r"[A-Za-z0-9_]+")


# Scanners return (start, -end, pattern id): sorted as plain tuples, matches come by start and,
# at one start, longest first (a whole name before its first word).
MIN_WEAK_WORD = 7
"""Shortest word the standard level reads by a weak or three-letter stem."""


def _alternation(parts: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(parts), key=lambda p: (-len(p), p)))


@dataclass(frozen=True)
class PatternSet:
    """The regular expressions of one scan, by pattern id, and the literal substance names."""

    patterns: dict[int, str]
    substances: tuple[str, ...] = ()

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
        # Known names of every kind at every level; class phrases are judged out at strict.
        return cls(patterns, substance_names(registry, caught))


def substance_names(registry: Registry, caught: re.Pattern[str]) -> tuple[str, ...]:
    """FDA UNII names worth a dictionary scan: at least five letters, not English words (an
    English dictionary word is read as English), not already found by the antibody pattern."""
    from .english import english_words
    from .names import english_judged

    english = english_words()
    judged = english_judged()  # English words kept as drug names, each with its reason
    keep = set()
    for entry in registry.substance_names():
        name = entry.name
        words = name.split()
        if entry.kind == "class":  # class phrases (NSAIDs, beta-blockers) are English by nature
            if len(name) >= 3 and name.isascii():
                keep.add(name)
            continue
        if entry.kind == "code":  # judged when the list was made (names.py)
            keep.add(name)
            continue
        if (len(name) >= 5 and name.isascii() and all(w.isalpha() for w in words)
                and not (len(words) == 1 and name in english and name not in judged)
                and not caught.match(words[0])):
            keep.add(name)
    return tuple(sorted(keep))


class RegexScanner:
    """The reference scanner: Python's ``re``, one pattern after another."""

    name = "re"

    def __init__(self, patterns: PatternSet) -> None:
        self._compiled = [(pid, re.compile(p, re.IGNORECASE | re.ASCII))
                          for pid, p in patterns.patterns.items()]
        self._substances = frozenset(patterns.substances)
        self._longest = max((len(_WORD.findall(n)) for n in patterns.substances), default=0)

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """(start, -end, pattern id) of every match: by start, longest first."""
        out = [(m.start(), -m.end(), pid) for pid, rx in self._compiled
               for m in rx.finditer(text)]
        if self._substances:
            words = list(_WORD.finditer(text))
            for i, first in enumerate(words):
                for n in range(1, self._longest + 1):
                    if i + n > len(words):
                        break
                    last = words[i + n - 1]
                    phrase = text[first.start():last.end()]
                    if phrase.lower() in self._substances:
                        out.append((first.start(), -last.end(), SUBSTANCE))
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
        self._local = threading.local()
        self._names = patterns.substances
        self._literal = _literal_db(patterns.substances) if patterns.substances else None

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        # Non-ASCII characters become one '?' byte each, so byte offsets equal str offsets
        # (INNs are ASCII; a word with other letters in it is not one).
        data = text.encode("ascii", "replace")
        ends: list[tuple[int, int]] = []
        append = ends.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((end, pid))

        import hyperscan

        # Hyperscan scratch space belongs to one scan at a time: each thread gets its own.
        local = self._local
        if getattr(local, "scratch", None) is None:
            local.scratch = hyperscan.Scratch(self._db)
            local.literal = hyperscan.Scratch(self._literal) if self._literal else None
        self._db.scan(data, match_event_handler=on_match, scratch=local.scratch)
        out = []
        if self._literal is not None:
            names = self._names
            size = len(data)
            wordy = _WORD_BYTE

            def on_name(i: int, start: int, end: int, flags: int, context: object) -> None:
                first = end - len(names[i])
                if (first == 0 or not wordy[data[first - 1]]) and (
                        end == size or not wordy[data[end]]):
                    out.append((first, -end, SUBSTANCE))

            self._literal.scan(data, match_event_handler=on_name, scratch=local.literal)
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
            out.append((start, -end, pid))
        out.sort()
        return out

    def _known_start(self, text: str, end: int) -> int | None:
        m = self._known_tail.search(text, max(0, end - self._known_span), end)
        return m.start() if m else None


def _literal_db(names: tuple[str, ...]):
    """A Hyperscan literal database of the names, compiled once and cached on disk."""
    import hashlib
    import os
    from pathlib import Path

    import hyperscan

    from .atomic import write_atomic

    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    cached = Path(base) / "innkit" / f"hs-names-{hyperscan.__version__}-{digest}.db"
    try:
        present = cached.is_file()
    except OSError:  # a cache folder this user may not read: compile instead
        present = False
    if present:
        try:
            db = hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)  # a loaded database comes without one
            return db
        except Exception:  # a stale or foreign cache file: compile again
            pass
    db = hyperscan.Database()
    db.compile(expressions=[n.encode() for n in names], ids=list(range(len(names))),
               elements=len(names), flags=[hyperscan.HS_FLAG_CASELESS] * len(names),
               literal=True)
    with contextlib.suppress(OSError):
        write_atomic(cached, hyperscan.dumpb(db))
    return db


def make_scanner(patterns: PatternSet, backend: str = "auto"):
    """Hyperscan when it is installed (``auto``), else the ``re`` reference scanner."""
    if backend in ("auto", "hyperscan"):
        try:
            return HyperscanScanner(patterns)
        except ImportError:
            if backend == "hyperscan":
                raise
    return RegexScanner(patterns)
