"""Finding candidate names in text fast: one pass of compiled pattern sets over the whole text.

The patterns come from the data tables (antibody stems, WHO suffix stems) and the registry
(known names the stem patterns would miss, and the FDA UNII names). Hyperscan runs them at C
speed when it is installed; the standard ``re`` module runs the same patterns otherwise, and
serves as the reference the fast path is tested against.

Known names are not one big regular expression (Hyperscan refuses patterns past a length
limit, which a user registry of a thousand brand names exceeds): each name is its own literal
in a literal database, so any number of names works. Compiling ~90,000 literals takes seconds,
so the compiled databases are kept on disk (see :func:`load_scanner`), keyed by everything
they are built from, checked when read, written atomically; a fresh process loads them in
milliseconds and never builds the name lists at all.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import platform
import re
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .registry import Registry
    from .tables import Tables

ANTIBODY, STRONG_STEM, WEAK_STEM, KNOWN, SUBSTANCE = 0, 1, 2, 3, 4
"""Pattern ids: antibody-stem words, words ending in a strong WHO stem, words ending in a weak
or short stem, known names that no stem pattern catches, and names of the FDA UNII list."""

_WORD_TAIL = r"[a-z][a-z0-9]*"
_WORD = re.compile(r"[A-Za-z0-9_]+")
_EDGE = "A-Za-z0-9_"
_MULTI_BASE = 1 << 20
"""Hyperscan ids of multi-word known names start here (stem patterns keep ids 0 to 2)."""
KNOWN_SPAN = 200
"""Characters before a match searched for the start of a multi-word known name."""


# Scanners return (start, -end, pattern id): sorted as plain tuples, matches come by start and,
# at one start, longest first (a whole name before its first word).
MIN_WEAK_WORD = 7
"""Shortest word the standard level reads by a weak or three-letter stem."""


def _alternation(parts: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(parts), key=lambda p: (-len(p), p)))


def _phrase(name: str) -> str:
    """A multi-word name as a regular expression: any run of white space between its words."""
    return r"\s+".join(re.escape(w) for w in name.split())


def stem_patterns(tables: Tables, leniency: str = "standard") -> dict[int, str]:
    """The stem regular expressions of one leniency level (see ``annotate.LENIENCY_LEVELS``)."""
    antibody_stems = [s.stem for s in tables.parse_stems]
    patterns = {ANTIBODY: rf"\b{_WORD_TAIL}(?:{_alternation(antibody_stems)})\b"}
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
    return patterns


@dataclass(frozen=True)
class PatternSet:
    """What one scan looks for: stem regular expressions by pattern id, the known names no
    stem pattern catches, and the FDA UNII names (both lower case, matched as whole words)."""

    patterns: dict[int, str]
    known: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    leniency: str = field(default="standard", compare=False)

    @classmethod
    def build(cls, tables: Tables, registry: Registry, leniency: str = "standard") -> PatternSet:
        """Patterns for one leniency level (see ``annotate.LENIENCY_LEVELS``)."""
        patterns = stem_patterns(tables, leniency)
        caught = re.compile(rf"^(?:{patterns[ANTIBODY]})$", re.IGNORECASE | re.ASCII)
        # Known names whose first word no stem pattern catches (muromonab, brand names, codes);
        # second words of caught names are picked up when a mention is extended.
        others = sorted({e.full_name.lower() for e in registry.entries()})
        known = tuple(n for n in others if n.isascii() and n.split()
                      and not caught.match(n.split()[0]))
        substances: tuple[str, ...] = ()
        if leniency != "strict":
            substances = substance_names(registry, caught)
        return cls(patterns, known, substances, leniency)


def substance_names(registry: Registry, caught: re.Pattern[str]) -> tuple[str, ...]:
    """FDA UNII names worth a dictionary scan: at least five letters, not English words (an
    English dictionary word is read as English), not already found by the antibody pattern."""
    from .english import english_words

    english = english_words()
    keep = set()
    for entry in registry.substance_names():
        name = entry.name
        words = name.split()
        if (len(name) >= 5 and name.isascii() and all(w.isalpha() for w in words)
                and not (len(words) == 1 and name in english)
                and not caught.match(words[0])):
            keep.add(name)
    return tuple(sorted(keep))


def _glued(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a longer word (a word character touching either side)?"""
    return ((start > 0 and _word_char(text[start - 1]))
            or (end < len(text) and _word_char(text[end])))


def _word_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


_WORD_CHAR = [_word_char(chr(b)) for b in range(256)]


class RegexScanner:
    """The reference scanner: Python's ``re``, one pattern after another."""

    name = "re"

    def __init__(self, patterns: PatternSet) -> None:
        self._compiled = [(pid, re.compile(p, re.IGNORECASE | re.ASCII))
                          for pid, p in patterns.patterns.items()]
        if patterns.known:
            alternatives = "|".join(_phrase(n) for n in
                                    sorted(patterns.known, key=lambda n: (-len(n), n)))
            self._compiled.append((KNOWN, re.compile(
                rf"(?<![{_EDGE}])(?:{alternatives})(?![{_EDGE}])", re.IGNORECASE | re.ASCII)))
        self._substances = frozenset(patterns.substances)
        self._longest = max((n.count(" ") + 1 for n in patterns.substances), default=0)

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


_WORD_BYTE = _WORD_CHAR
_MASK = bytes(ord("a") if w else ord(" ") for w in _WORD_CHAR)


class HyperscanScanner:
    """The fast scanner: Hyperscan runs every pattern in two passes over the bytes.

    One database holds the stem patterns (and the few known names of several words, whose
    spacing varies); the other every known single-word name and UNII name as a literal. Only
    each literal's length and kind are kept in Python, as a compact array: a hit's text is cut
    from the document itself.
    """

    name = "hyperscan"

    def __init__(self, db, literal, lengths: array.array, known_count: int,
                 multi: tuple[str, ...]) -> None:
        self._db = db
        self._literal = literal
        self._lengths = lengths
        self._known_count = known_count
        self._multi = multi
        self._multi_rx: dict[int, re.Pattern[str]] = {}
        self._local = threading.local()

    # -- building and storing ------------------------------------------------------------
    @classmethod
    def compile(cls, patterns: PatternSet) -> HyperscanScanner:
        import hyperscan

        single = [n for n in patterns.known if " " not in n]
        multi = tuple(n for n in patterns.known if " " in n)
        exprs = dict(patterns.patterns)
        for i, n in enumerate(multi):
            # Any white space between the words; where the match starts is found afterwards.
            exprs[_MULTI_BASE + i] = rf"\b{_phrase(n)}"
        db = hyperscan.Database()
        ids = list(exprs)
        # Without start-of-match tracking the scan runs twice as fast; every pattern starts at
        # a word boundary, so the start is found by stepping back over the word.
        db.compile(expressions=[exprs[i].encode() for i in ids], ids=ids,
                   elements=len(ids), flags=[hyperscan.HS_FLAG_CASELESS] * len(ids))
        literals = [*single, *patterns.substances]
        literal = None
        if literals:
            literal = hyperscan.Database()
            literal.compile(expressions=[n.encode() for n in literals],
                            ids=list(range(len(literals))), elements=len(literals),
                            flags=[hyperscan.HS_FLAG_CASELESS] * len(literals), literal=True)
        lengths = array.array("H", (len(n) for n in literals))
        return cls(db, literal, lengths, len(single), multi)

    def dump(self) -> tuple[bytes, bytes, bytes, dict]:
        """The serialised databases, the length array and the metadata (for the disk cache)."""
        import hyperscan

        meta = {"known_count": self._known_count, "multi": list(self._multi)}
        literal = hyperscan.dumpb(self._literal) if self._literal is not None else b""
        return hyperscan.dumpb(self._db), literal, self._lengths.tobytes(), meta

    @classmethod
    def load(cls, db: bytes, literal: bytes, lengths: bytes, meta: dict) -> HyperscanScanner:
        import hyperscan

        table = array.array("H")
        table.frombytes(lengths)
        return cls(hyperscan.loadb(db, hyperscan.HS_MODE_BLOCK),
                   hyperscan.loadb(literal, hyperscan.HS_MODE_BLOCK) if literal else None,
                   table, int(meta["known_count"]), tuple(meta["multi"]))

    # -- scanning ------------------------------------------------------------------------
    def _scratch(self):
        import hyperscan

        # Hyperscan scratch space belongs to one scan at a time: each thread gets its own.
        local = self._local
        if getattr(local, "scratch", None) is None:
            local.scratch = hyperscan.Scratch(self._db)
            local.literal = hyperscan.Scratch(self._literal) if self._literal else None
        return local.scratch, local.literal

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        # Non-ASCII characters become one '?' byte each, so byte offsets equal str offsets
        # (INNs are ASCII; a word with other letters in it is not one).
        data = text.encode("ascii", "replace")
        scratch, literal_scratch = self._scratch()
        ends: list[tuple[int, int]] = []
        append = ends.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((end, pid))

        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        out: list[tuple[int, int, int]] = []
        if self._literal is not None:
            lengths = self._lengths
            known_count = self._known_count
            size = len(data)
            wordy = _WORD_BYTE
            add = out.append

            def on_name(i: int, start: int, end: int, flags: int, context: object) -> None:
                first = end - lengths[i]
                if (first == 0 or not wordy[data[first - 1]]) and (
                        end == size or not wordy[data[end]]):
                    add((first, -end, KNOWN if i < known_count else SUBSTANCE))

            self._literal.scan(data, match_event_handler=on_name, scratch=literal_scratch)
        starts: dict[int, int] = {}
        # Word characters become "a", the rest " ": where a word starts is then one rfind in C.
        mask = data.translate(_MASK) if ends else b""
        rfind = mask.rfind
        for end, pid in ends:
            if pid >= _MULTI_BASE:  # a known name of several words: find where it starts
                start = self._multi_start(text, pid - _MULTI_BASE, end)
                if start is not None:
                    out.append((start, -end, KNOWN))
                continue
            start = starts.get(end)
            if start is None:
                start = starts[end] = rfind(b" ", 0, end) + 1
            out.append((start, -end, pid))
        out.sort()
        return out

    def _multi_start(self, text: str, index: int, end: int) -> int | None:
        rx = self._multi_rx.get(index)
        if rx is None:
            rx = self._multi_rx[index] = re.compile(rf"(?:{_phrase(self._multi[index])})\Z",
                                                    re.IGNORECASE | re.ASCII)
        m = rx.search(text, max(0, end - KNOWN_SPAN), end)
        if m is None or _glued(text, m.start(), end):
            return None
        return m.start()


# -- the disk cache ----------------------------------------------------------------------
_MAGIC = b"innkit-scanner\x00\x02"
CACHE_KEEP = 8
"""Compiled scanners kept in the cache folder (the most recently used; older ones go)."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "innkit"


def _stat_key(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        st = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _english_source() -> str:
    import importlib.util

    spec = importlib.util.find_spec("english_words")
    if spec is None or not spec.submodule_search_locations:
        return "-"
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return ";".join(_stat_key(data / f) for f in ("web2_alpha_lower.pickle",
                                                   "gcide_alpha_lower.pickle"))


def scanner_key(tables: Tables, registry: Registry, leniency: str) -> str:
    """Everything a compiled scanner is built from, digested: the code and library versions,
    the stem patterns, the registry's names, and the sources of the UNII and English lists."""
    import hyperscan

    from . import __version__
    from .names import unii_source

    h = hashlib.sha256()
    for part in (_MAGIC.hex(), __version__, getattr(hyperscan, "__version__", "?"),
                 platform.machine(), leniency,
                 hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
                 json.dumps(stem_patterns(tables, leniency), sort_keys=True),
                 # The substance layer can be switched off for a registry.
                 str(getattr(registry, "_with_substances", True)),
                 _stat_key(unii_source()), _english_source()):
        h.update(part.encode())
        h.update(b"\x00")
    for entry in registry.entries():
        h.update(entry.full_name.encode("utf-8", "replace"))
        h.update(b"\n")
    return h.hexdigest()


def _cache_path(key: str, leniency: str) -> Path:
    return cache_dir() / f"scanner-{leniency}-{key[:24]}.hsdb"


def read_cached(path: Path, key: str) -> HyperscanScanner | None:
    """The scanner stored at ``path`` if it is whole and was built from ``key``, else None."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        if not blob.startswith(_MAGIC):
            return None
        at = len(_MAGIC)
        (size,) = struct.unpack_from("<I", blob, at)
        header = json.loads(blob[at + 4: at + 4 + size])
        payload = memoryview(blob)[at + 4 + size:]
        sizes = header["sizes"]
        if (header.get("key") != key or len(payload) != sum(sizes)
                or hashlib.sha256(payload).hexdigest() != header["sha256"]):
            return None
        parts, pos = [], 0
        for n in sizes:
            parts.append(bytes(payload[pos:pos + n]))
            pos += n
        return HyperscanScanner.load(parts[0], parts[1], parts[2], header["meta"])
    except Exception:  # a foreign, stale or damaged file: build again
        return None


def write_cached(path: Path, key: str, scanner: HyperscanScanner) -> None:
    from .atomic import write_atomic

    db, literal, lengths, meta = scanner.dump()
    payload = b"".join((db, literal, lengths))
    header = json.dumps({"key": key, "sizes": [len(db), len(literal), len(lengths)],
                         "sha256": hashlib.sha256(payload).hexdigest(), "meta": meta}).encode()
    write_atomic(path, b"".join((_MAGIC, struct.pack("<I", len(header)), header, payload)))
    _prune(path)


def _prune(keep: Path) -> None:
    """Keep the CACHE_KEEP most recently used scanners; drop the rest, and files of the old
    format unused for a week (an older innkit on the same machine may still read them)."""
    import time

    folder = keep.parent
    with contextlib.suppress(OSError):
        for old in folder.glob("hs-names-*.db"):
            if old.stat().st_mtime < time.time() - 7 * 86400:
                old.unlink(missing_ok=True)
        found = []
        for p in folder.glob("scanner-*.hsdb"):
            with contextlib.suppress(OSError):
                found.append((p.stat().st_mtime, p))
        found.sort(reverse=True)
        for _, p in found[CACHE_KEEP:]:
            if p != keep:
                p.unlink(missing_ok=True)


def load_scanner(tables: Tables, registry: Registry, leniency: str = "standard",
                 backend: str = "auto"):
    """The scanner for a registry and leniency level: Hyperscan when it is installed (from the
    disk cache when a database built from the same inputs is there), else ``re``."""
    if backend in ("auto", "hyperscan"):
        try:
            import hyperscan  # noqa: F401
        except ImportError:
            if backend == "hyperscan":
                raise
        else:
            key = scanner_key(tables, registry, leniency)
            path = _cache_path(key, leniency)
            found = read_cached(path, key)
            if found is not None:
                with contextlib.suppress(OSError):
                    os.utime(path)  # most recently used: kept by the pruning
                return found
            scanner = HyperscanScanner.compile(PatternSet.build(tables, registry, leniency))
            with contextlib.suppress(OSError):  # a read-only cache folder: compile each time
                write_cached(path, key, scanner)
            return scanner
    return RegexScanner(PatternSet.build(tables, registry, leniency))


def make_scanner(patterns: PatternSet, backend: str = "auto"):
    """A scanner for given patterns, compiled now: Hyperscan when it is installed (``auto``),
    else the ``re`` reference scanner."""
    if backend in ("auto", "hyperscan"):
        try:
            return HyperscanScanner.compile(patterns)
        except ImportError:
            if backend == "hyperscan":
                raise
    return RegexScanner(patterns)
