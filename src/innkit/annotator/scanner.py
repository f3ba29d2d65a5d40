"""Finding candidate names in text fast: one pass of compiled pattern sets over the whole text.

The patterns come from the data tables (antibody stems, WHO suffix stems) and the registry
(known names the stem patterns would miss, and the FDA UNII names). Hyperscan runs them at C
speed when it is installed; the standard ``re`` module runs the same patterns otherwise, and
serves as the reference the fast path is tested against.

Known names are not one big regular expression (Hyperscan refuses patterns past a length
limit, which a user registry of a thousand brand names exceeds): each name is its own literal
in a literal database, so any number of names works. Compiling ~200,000 UNII literals takes
seconds, so the compiled databases are kept on disk (see :func:`load_scanner`), keyed by
everything they are built from, checked when read, written atomically; a fresh process loads
them in milliseconds and never builds the name lists at all.

A process that finds no UNII database on disk (the first run after installing or upgrading)
does not compile one for a small text: it reads the sorted list of the names the database
would hold (kept on disk too; drawn in half a second) and looks each word n-gram of the text
up in it (:class:`NameLookup`), which finds the same names at the same places. It compiles the
database once it has read :data:`SMALL_TEXT` characters, saying so on stderr.

A process that finds both on disk reads the list first too, and the database (tens of
megabytes, a twentieth of a second to read) only once it has read :data:`LOAD_FROM`
characters: a short document never loads it.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..files.cache import (
    Blob,
    CacheFolderError,
    Kept,
    cache_folder,
    cached,
    file_stamp,
    key_hash,
    prune,
    read_blob,
    touch,
)
from ..rules.english import SortedWords
from ..vocab import Leniency
from .abbreviations import well_known

if TYPE_CHECKING:
    from ..registry import Registry
    from ..rules.tables import Tables

ANTIBODY, STRONG_STEM, WEAK_STEM, KNOWN, SUBSTANCE = 0, 1, 2, 3, 4
"""Pattern ids: antibody-stem words, words ending in a strong WHO stem, words ending in a weak
or short stem, known names that no stem pattern catches, and names of the FDA UNII list."""

_WORD_TAIL = r"[a-z][a-z0-9]*"
_WORD = re.compile(r"[A-Za-z0-9_]+")
_EDGE = "A-Za-z0-9_"


# Scanners return (start, -end, pattern id): sorted as plain tuples, matches come by start and,
# at one start, longest first (a whole name before its first word).
MIN_WEAK_WORD = 7
"""Shortest word the standard level reads by a weak or three-letter stem."""


def _alternation(parts: list[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(parts), key=lambda p: (-len(p), p)))


def _phrase(name: str) -> str:
    """A multi-word name as a regular expression: any run of white space between its words."""
    return r"\s+".join(re.escape(w) for w in name.split())


def stem_patterns(tables: Tables, leniency: Leniency | str = Leniency.STANDARD) -> dict[int, str]:
    """The stem regular expressions of one leniency level (see ``innkit.vocab.Leniency``)."""
    antibody_stems = [s.stem for s in tables.parse_stems]
    patterns = {ANTIBODY: rf"\b{_WORD_TAIL}(?:{_alternation(antibody_stems)})\b"}
    strong, weak = [], []
    for core, rows in tables.stems_by_position.get("suffix", {}).items():
        if " " in core or core in antibody_stems or not core.isalpha():
            continue
        solid = len(core) >= 4 and any(not (r.weak or r.deleted) for r in rows)
        (strong if solid else weak).append(core)
    patterns[STRONG_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(strong)})\b"
    if leniency == Leniency.LENIENT:
        patterns[WEAK_STEM] = rf"\b{_WORD_TAIL}(?:{_alternation(weak)})\b"
    elif leniency == Leniency.STANDARD:
        # Two-letter endings (-al, -ol, -ac ...) match half the English language; the
        # standard level keeps three-letter and weak endings on words of seven letters.
        kept = [c for c in weak if len(c) >= 3]
        head = MIN_WEAK_WORD - 3
        patterns[WEAK_STEM] = rf"\b[a-z][a-z0-9]{{{head},}}(?:{_alternation(kept)})\b"
    if leniency == Leniency.STRICT:
        del patterns[STRONG_STEM]
    return patterns


@dataclass(frozen=True)
class PatternSet:
    """What one scan looks for: stem regular expressions by pattern id, the known names no
    stem pattern catches, and the FDA UNII names (both lower case, matched as whole words)."""

    patterns: dict[int, str]
    known: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()
    leniency: Leniency | str = field(default=Leniency.STANDARD, compare=False)

    @classmethod
    def build(cls, tables: Tables, registry: Registry,
              leniency: Leniency | str = Leniency.STANDARD) -> PatternSet:
        """Patterns for one leniency level (see ``innkit.vocab.Leniency``)."""
        patterns = stem_patterns(tables, leniency)
        caught = _caught(patterns)
        # Known names of every kind at every level; class phrases are judged out at strict.
        substances = substance_names(registry, caught, _covered(patterns))
        return cls(patterns, known_names(registry, caught), substances, leniency)


def _caught(patterns: dict[int, str]) -> re.Pattern[str]:
    return re.compile(rf"^(?:{patterns[ANTIBODY]})$", re.IGNORECASE | re.ASCII)


def known_names(registry: Registry, caught: re.Pattern[str]) -> tuple[str, ...]:
    """Known names whose first word no stem pattern catches (muromonab, brand names, codes);
    second words of caught names are picked up when a mention is extended."""
    others = sorted({n.lower() for n in _full_names(registry)} | set(lens_codes(registry)))
    return tuple(n for n in others if n.isascii() and n.split()
                 and not caught.match(n.split()[0]))


def lens_codes(registry: Registry) -> tuple[str, ...]:
    """Payloads and their codes a lens names (calicheamicin, MMAE, DM1, PE38): some too short
    for the UNII layer, some not in it, yet drug mentions in a paper on conjugates; and the
    short forms clinical writing leaves undefined (5-FU) and the hyphenated combination names
    (co-trimoxazole) of text_names.tsv, which the UNII layer's rule (five letters or more,
    letters only) leaves out."""
    codes = {w for w, row in registry.rules.lenses.words.items()
             if row.drug and (row.lens.endswith(" code") or row.lens == "payload")}
    return tuple(sorted(codes | set(well_known(registry.rules))))


def _full_names(registry: Registry) -> list[str]:
    """Every registry entry's full name, read without building the entries where it can be."""
    full_names = getattr(registry, "full_names", None)
    if full_names is not None:
        return full_names()
    return [e.full_name for e in registry.entries()]


def substance_names(registry: Registry, caught: re.Pattern[str],
                    covered: re.Pattern[str] | None = None) -> tuple[str, ...]:
    """FDA UNII names worth a dictionary scan: at least five letters, not English words (an
    English dictionary word is read as English), not already found by the antibody pattern.

    ``covered``: the stem patterns of the scan as one whole-word expression. A one-word name
    they match is found by them at the same place and judged the same way (the registry is
    asked first, whichever pattern found the word), so it need not be a literal as well: the
    literal scan, the slowest part of a pass over the text, gets that much smaller."""
    return _kept(registry, lambda w: caught.match(w) is not None,
                 None if covered is None else lambda w: covered.match(w) is not None)


def _kept(registry: Registry, caught: Callable[[str], bool],
          covered: Callable[[str], bool] | None,
          pairs: list[tuple[str, str]] | None = None) -> tuple[str, ...]:
    """The rule of :func:`substance_names`, with ``caught`` (the antibody pattern matches a
    word whole) and ``covered`` (a stem pattern does) as functions of the word."""
    from ..registry.keys import code_spellings
    from ..rules.english import english_words

    english = english_words()
    judged = registry.english_judged()  # English words kept as drug names, with the reason
    # A dict, not a set: it keeps the order the names come in (the broad list's, sorted), so
    # that sorting them at the end finds them nearly in order already.
    keep: dict[str, None] = {}
    add = keep.setdefault
    for name, kind in _name_kinds(registry) if pairs is None else pairs:
        if kind == "class":  # class phrases (NSAIDs, beta-blockers) are English by nature
            if len(name) >= 3 and name.isascii():
                add(name)
            continue
        if kind == "code":  # judged when the list was made (names.py)
            keep.update(dict.fromkeys(code_spellings(name)))
            continue
        if len(name) < 5 or not name.isascii():
            continue
        words = name.split()
        if len(words) == 1:
            if (words[0].isalpha() and (name not in english or name in judged)
                    and not caught(words[0]) and not (covered is not None and covered(name))):
                add(name)
        elif all(w.isalpha() for w in words) and not caught(words[0]):
            add(name)
    return tuple(sorted(keep))


def _name_kinds(registry: Registry) -> Iterator[tuple[str, str]]:
    """(name, kind) of every broad-layer entry and drug-class phrase (kind ``class``), as
    ``registry.substance_names()`` lists them, read without making an entry of each."""
    if not hasattr(registry, "unii_names") or not hasattr(registry, "substances"):
        for entry in registry.substance_names():
            yield entry.name, entry.kind
        return
    if registry.substances is not None:
        yield from registry.unii_names()
    for phrase in registry.rules.drug_classes.phrases:
        yield phrase, "class"


def _whole_words(db, words: list[str]) -> tuple[set[str], set[str]]:
    """The ``words`` (ASCII letters) that the antibody pattern, and that any pattern, of the
    compiled stem database ``db`` matches whole: one Hyperscan pass over them, one a line.
    Every pattern starts at a word boundary, so a match that ends where its line ends spans
    the line (the word has no boundary inside)."""
    import hyperscan

    data = "\n".join(words).encode("ascii")
    line_at: dict[int, int] = {}
    at = 0
    for i, w in enumerate(words):
        at += len(w)
        line_at[at] = i
        at += 1
    antibody: set[int] = set()
    any_pattern: set[int] = set()

    def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
        i = line_at.get(end)
        if i is not None:
            any_pattern.add(i)
            if pid == ANTIBODY:
                antibody.add(i)

    db.scan(data, match_event_handler=on_match, scratch=hyperscan.Scratch(db))
    return {words[i] for i in antibody}, {words[i] for i in any_pattern}


def _fast_substance_names(registry: Registry, stems_db) -> tuple[str, ...]:
    """:func:`substance_names` for the patterns the stem database ``stems_db`` was compiled
    from, the same names in a fraction of the time: the patterns run once over all the
    words they are asked about (in Hyperscan), not once a word."""
    pairs = list(_name_kinds(registry))
    firsts = set()
    for name, kind in pairs:
        if kind != "class" and kind != "code" and name.isascii():
            words = name.split()
            if words and words[0].isalpha():
                firsts.add(words[0])
    caught, covered = _whole_words(stems_db, sorted(firsts))
    return _kept(registry, caught.__contains__, covered.__contains__, pairs)


class NameLookup:
    """The UNII layer of a scan without its literal database: the names it would hold
    (:func:`substance_names`, a sorted list kept in the cache folder), each word n-gram of
    the text looked up in them by bisection. A name is found where the database would find
    it: a run of whole words, the same letters whatever their case. Compiling the database
    takes seconds; this costs a few microseconds a word, nothing to start."""

    def __init__(self, names: SortedWords) -> None:
        self.names = names
        self._seen: dict[bytes, tuple[bool, bool]] = {}

    def _probe(self, phrase: bytes) -> tuple[bool, bool]:
        """:meth:`SortedWords.probe`, remembered (a text repeats its words)."""
        found = self._seen.get(phrase)
        if found is None:
            if len(self._seen) > 100_000:  # bound the memory of a long stream
                self._seen.clear()
            found = self._seen[phrase] = self.names.probe(phrase)
        return found

    def scan(self, data: bytes, out: list[tuple[int, int, int]]) -> None:
        """Add the UNII names in ``data`` (the text as :class:`HyperscanScanner` reads it:
        ASCII, one byte a character) as (start, -end, SUBSTANCE)."""
        low = data.lower()
        spans = [m.span() for m in _LOWER_WORD.finditer(low)]
        count = len(spans)
        probe = self._probe
        add = out.append
        for i, (start, end) in enumerate(spans):
            last = i
            while True:
                found, longer = probe(low[start:end])
                if found:
                    add((start, -end, SUBSTANCE))
                last += 1
                # A name of more words starts with this phrase: read one more word.
                if not longer or last == count:
                    break
                end = spans[last][1]


_LOWER_WORD = re.compile(rb"[a-z0-9_]+")


def _covered(patterns: dict[int, str]) -> re.Pattern[str]:
    return re.compile(f"^(?:{'|'.join(patterns.values())})$", re.IGNORECASE | re.ASCII)


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


_WORD_BYTE = _WORD_CHAR
_MASK = bytes(ord("a") if w else ord(" ") for w in _WORD_CHAR)


class Literals:
    """One Hyperscan literal database: names matched as whole words, caselessly.

    Ids below ``known_count`` are known names, then ``substance_count`` UNII names, then the
    first words of the known names of several words in ``multi`` (the rest of such a name,
    whose spacing varies, is checked where its first word is found). Python keeps only each
    literal's length, in a compact array: a hit's text is cut from the document itself.
    """

    def __init__(self, db, lengths: array.array, known_count: int, substance_count: int,
                 multi: tuple[str, ...]) -> None:
        self.db = db
        self.lengths = lengths
        self.known_count = known_count
        self.multi_from = known_count + substance_count
        self.multi = multi
        self._multi_rx: dict[int, re.Pattern[str]] = {}

    @classmethod
    def compile(cls, known: tuple[str, ...], substances: tuple[str, ...]) -> Literals | None:
        import hyperscan

        single = [n for n in known if " " not in n]
        multi = tuple(n for n in known if " " in n)
        literals = [*single, *substances, *(n.split()[0] for n in multi)]
        if not literals:
            return None
        db = hyperscan.Database()
        db.compile(expressions=[n.encode() for n in literals], ids=list(range(len(literals))),
                   elements=len(literals),
                   flags=[hyperscan.HS_FLAG_CASELESS] * len(literals), literal=True)
        return cls(db, array.array("H", (len(n) for n in literals)), len(single),
                   len(substances), multi)

    def dump(self) -> tuple[list[bytes], dict]:
        import hyperscan

        return [hyperscan.dumpb(self.db), self.lengths.tobytes()], {
            "known_count": self.known_count,
            "substance_count": self.multi_from - self.known_count, "multi": list(self.multi)}

    @classmethod
    def load(cls, blob: Blob) -> Literals | None:
        """The database stored in ``blob``, or None when Hyperscan cannot read it."""
        sections, meta = blob.sections, blob.meta
        db = _loadb(sections[0])
        if db is None or len(sections) != 2 or len(sections[1]) % 2:
            return None
        lengths = array.array("H")
        lengths.frombytes(sections[1])
        return cls(db, lengths, int(meta["known_count"]), int(meta["substance_count"]),
                   tuple(meta["multi"]))

    def scan(self, text: str, data: bytes, scratch, out: list[tuple[int, int, int]]) -> None:
        lengths = self.lengths
        known_count = self.known_count
        multi_from = self.multi_from
        size = len(data)
        wordy = _WORD_BYTE
        add = out.append
        firsts: list[tuple[int, int]] = []

        def on_name(i: int, start: int, end: int, flags: int, context: object) -> None:
            first = end - lengths[i]
            if first == 0 or not wordy[data[first - 1]]:
                if i >= multi_from:  # the first word of a longer name: checked below
                    firsts.append((i - multi_from, end))
                elif end == size or not wordy[data[end]]:
                    add((first, -end, KNOWN if i < known_count else SUBSTANCE))

        self.db.scan(data, match_event_handler=on_name, scratch=scratch)
        for index, end in firsts:
            found = self._multi_end(text, index, end)
            if found is not None:
                add((end - lengths[multi_from + index], -found, KNOWN))

    def _multi_end(self, text: str, index: int, end: int) -> int | None:
        """Where the known name of several words ``index`` ends, if its other words follow
        its first word (which ends at ``end``), else None."""
        rx = self._multi_rx.get(index)
        if rx is None:
            rest = self.multi[index].split()[1:]
            rx = self._multi_rx[index] = re.compile(
                "".join(rf"\s+{re.escape(w)}" for w in rest), re.IGNORECASE | re.ASCII)
        m = rx.match(text, end)
        if m is None or (m.end() < len(text) and _word_char(text[m.end()])):
            return None
        return m.end()


class HyperscanScanner:
    """The fast scanner: Hyperscan runs the stem patterns, then each literal database, over
    the bytes of the text.

    The literal databases are kept apart by what they depend on, so that each is compiled (and
    cached) once for its inputs: the UNII names (the same for every registry) and the known
    names of the registry (small unless a user registry is large). ``pending``: the UNII
    layer when no compiled database of it was found: small texts are looked up word by word,
    and the database is compiled once the process has read enough text to be worth it.
    """

    name = "hyperscan"

    def __init__(self, db, layers: list[Literals], pending: PendingLayer | None = None) -> None:
        self._db = db
        # The layers and the pending one change together (one assignment): a scan in
        # another thread sees them before the database is compiled, or after, never half.
        self._state: tuple[list[Literals], PendingLayer | None] = (layers, pending)
        self._local = threading.local()

    @classmethod
    def compile(cls, patterns: PatternSet) -> HyperscanScanner:
        """A scanner for the given patterns (through the disk cache, keyed by the names)."""
        layers = []
        for kind, known, substances in (("known", patterns.known, ()),
                                        ("names", (), patterns.substances)):
            digest = hashlib.sha256("\n".join([*known, "", *substances]).encode()).hexdigest()
            layers.append(_literal_layer(kind, _base_key(kind, digest).hexdigest(),
                                         lambda k=known, s=substances: (k, s)))
        return cls(_stem_db(patterns.patterns), [x for x in layers if x is not None])

    @property
    def _layers(self) -> list[Literals]:
        return self._state[0]

    def _scratch(self, layers: list[Literals]):
        import hyperscan

        # Hyperscan scratch space belongs to one scan at a time: each thread gets its own.
        local = self._local
        if getattr(local, "scratch", None) is None:
            local.scratch = hyperscan.Scratch(self._db)
        if getattr(local, "for_layers", None) is not layers:
            local.layers = [hyperscan.Scratch(x.db) for x in layers]
            local.for_layers = layers
        return local.scratch, local.layers

    def compile_pending(self) -> None:
        """Compile the UNII database now if it is still pending: for a long-lived process (the
        web server's pool) that will read much text, so that no later request waits for it."""
        self._state_for(0, now=True)

    def load_pending(self) -> None:
        """Read the UNII database now if it is pending only because it was not needed yet (it
        is in the cache folder): before forking workers, so that they share its pages. Never
        compiles: a database that cannot be read leaves the look-up in its place."""
        pending = self._state[1]
        if pending is None or pending.read_stored is None:
            return
        with pending.lock:
            layers, now = self._state
            found = pending.read_stored() if now is pending else None
            if found is not None:
                self._state = ([*layers, found] if found else layers, None)

    def _state_for(self, size: int, *, now: bool = False
                   ) -> tuple[list[Literals], PendingLayer | None]:
        """The layers to scan a text of ``size`` characters with: the UNII database compiled
        now (or read, another process having compiled it) when the pending layer is due."""
        layers, pending = self._state
        if pending is not None and (pending.due(size) or now):
            with pending.lock:
                layers, pending = self._state
                if pending is not None:
                    built = pending.compiled()
                    if built is not False:
                        layers = [*layers, built] if built is not None else layers
                        pending = None
                        self._state = (layers, pending)
        return layers, pending

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        # Non-ASCII characters become one '?' byte each, so byte offsets equal str offsets
        # (INNs are ASCII; a word with other letters in it is not one).
        data = text.encode("ascii", "replace")
        layers, pending = self._state_for(len(data))
        scratch, layer_scratch = self._scratch(layers)
        ends: list[tuple[int, int]] = []
        append = ends.append

        def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
            append((end, pid))

        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        out: list[tuple[int, int, int]] = []
        for layer, layer_space in zip(layers, layer_scratch, strict=True):
            layer.scan(text, data, layer_space, out)
        if pending is not None:
            pending.lookup.scan(data, out)
        starts: dict[int, int] = {}
        # Word characters become "a", the rest " ": where a word starts is then one rfind in C.
        mask = data.translate(_MASK) if ends else b""
        rfind = mask.rfind
        for end, pid in ends:
            start = starts.get(end)
            if start is None:
                start = starts[end] = rfind(b" ", 0, end) + 1
            out.append((start, -end, pid))
        out.sort()
        return out


SMALL_TEXT = 500_000
"""Characters a process reads with the UNII layer looked up word by word (see
:class:`NameLookup`) before it compiles that layer's database. Compiling takes about eight
seconds, once per machine and version (the database is then kept in the cache folder);
looking names up costs a few microseconds a word, about half a second for this much text.
A first ``annotate`` of a paper never waits for the compiler; a book does, once, and every
run after it reads the database in milliseconds."""
LOAD_FROM = 100_000
"""As SMALL_TEXT, where the UNII database is in the cache folder: reading it costs as much as
looking up the names of about this many characters (half a microsecond a character)."""


class PendingLayer:
    """The UNII layer of a scanner whose database was not loaded: the look-up that stands in
    for it, and how to compile it (or, ``stored``, read it from the cache folder) when due."""

    def __init__(self, lookup: NameLookup, compile_layer, lock_name: str,
                 read_stored: Callable[[], Literals | bool | None] | None = None) -> None:
        self.lookup = lookup
        self.lock = threading.Lock()
        self._compile = compile_layer
        self._lock_name = lock_name
        self._read = 0
        self.read_stored = read_stored  # the database is in the cache folder: how to read it

    @property
    def stored(self) -> bool:
        """The database is in the cache folder: read when due, not compiled."""
        return self.read_stored is not None

    def due(self, size: int) -> bool:
        """Whether the database should be compiled (or read) before a text of ``size``
        characters."""
        self._read += size
        return self._read > (LOAD_FROM if self.stored else SMALL_TEXT)

    def compiled(self) -> Literals | bool | None:
        """The compiled layer (None: empty), or False when another process is compiling it
        right now (the look-up goes on; the next text tries again, and then finds it)."""
        with _one_builder(self._lock_name) as mine:
            if not mine:
                return False
            return self._compile()


@contextlib.contextmanager
def _one_builder(name: str) -> Iterator[bool]:
    """Whether this process may build the cached file ``name`` now: not while another
    process holds its lock (two processes of one run that found the cache empty would both
    compile for seconds). Without file locks, or a cache folder to keep one in, it may."""
    try:
        import fcntl

        path = cache_folder(create=True) / f"{name}.lock"
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    except (ImportError, OSError):
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
    finally:
        os.close(fd)


def compile_stems(patterns: dict[int, str]):
    import hyperscan

    ids = list(patterns)
    db = hyperscan.Database()
    # Without start-of-match tracking the scan runs twice as fast; every pattern starts at a
    # word boundary, so the start is found by stepping back over the word.
    db.compile(expressions=[patterns[i].encode() for i in ids], ids=ids, elements=len(ids),
               flags=[hyperscan.HS_FLAG_CASELESS] * len(ids))
    return db


# -- the disk cache ----------------------------------------------------------------------
CACHE_KEPT = Kept("scanner-*.hsdb", keep=12)
"""Compiled databases kept in the cache folder (the most recently used; older ones go)."""
OLD_FORMAT = Kept("hs-names-*.db", keep=0, idle=7 * 86400)
"""Files of an older format, dropped once unused for a week (an older innkit on the same
machine may still read them)."""

SUBSTANCE_RULES = 2
"""The version of ``substance_names``' rules (2: every spelling of a research code); part of
the substance layer's cache key."""


def _list_key() -> str:
    """What the broad name list is made from besides the UNII file: the rules of the list and
    of the substance index, and the class table."""
    from importlib import resources

    from ..registry.languages import table_digest
    from ..registry.names import LIST_VERSION
    from ..registry.substances import SCHEMA

    classes = resources.files("innkit").joinpath("data", "drug_classes.tsv").read_bytes()
    return (f"list{LIST_VERSION}:rules{SUBSTANCE_RULES}:index{SCHEMA}:{table_digest()}:"
            f"{hashlib.sha256(classes).hexdigest()[:12]}")


def _english_source() -> str:
    import importlib.util

    spec = importlib.util.find_spec("english_words")
    if spec is None or not spec.submodule_search_locations:
        return "-"
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return ";".join(file_stamp(data / f) for f in ("web2_alpha_lower.pickle",
                                                    "gcide_alpha_lower.pickle"))


_CODE_DIGEST: list[str] = []


def _base_key(kind: str, *parts: str) -> hashlib._Hash:
    """A digest started with what every compiled database depends on: this code, Hyperscan's
    and the machine's versions, and the kind of database (innkit's version and the file
    format come with every cache key)."""
    import hyperscan

    if not _CODE_DIGEST:
        _CODE_DIGEST.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    machine = os.uname().machine if hasattr(os, "uname") else os.name
    return key_hash(f"scanner-{kind}", getattr(hyperscan, "__version__", "?"), machine,
                    _CODE_DIGEST[0], *parts)


def _cached(kind: str, key: str, load, build):
    """``load(blob)`` of the database cached for ``key`` (None when Hyperscan rejects it), or
    ``build()`` stored (as ``(object, sections, meta)``) for next time."""
    def build_and_tidy():
        with contextlib.suppress(CacheFolderError):  # a write is coming: old files go first
            prune(cache_folder(), OLD_FORMAT)
        return build()

    return cached(f"scanner-{kind}-{key[:24]}.hsdb", key, CACHE_KEPT, load, build_and_tidy)


def _loadb(data: bytes):
    """A stored Hyperscan database, or None when this build of Hyperscan cannot read it."""
    import hyperscan

    try:
        return hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
    except Exception:  # hyperscan.error, or a database of another build: compile again
        return None


def _stem_db(patterns: dict[int, str]):
    import hyperscan

    text = json.dumps(patterns, sort_keys=True)

    def build():
        db = compile_stems(patterns)
        return db, [hyperscan.dumpb(db)], {}

    return _cached("stems", _base_key("stems", text).hexdigest(),
                   lambda blob: _loadb(blob.sections[0]), build)


def _literal_layer(kind: str, key: str, names, whole=lambda: True):
    """A literal database for ``names()`` (known names, substances), or None when empty.
    ``whole()`` false after ``names()``: an input of the key could not be read (the substance
    index failed to build), so the database is used this once and not stored under the key."""
    def build():
        known, substances = names()
        layer = Literals.compile(known, substances)
        if layer is None:
            return None, [], {"empty": True} if whole() else None
        sections, meta = layer.dump()
        return layer, sections, meta if whole() else None

    def load(blob: Blob) -> Literals | bool | None:
        return False if blob.meta.get("empty") else Literals.load(blob)

    found = _cached(kind, key, load, build)
    return found or None


def load_scanner(tables: Tables, registry: Registry, leniency: Leniency | str = Leniency.STANDARD,
                 backend: str = "auto"):
    """The scanner for a registry and leniency level: Hyperscan when it is installed, its
    databases from the disk cache when ones built from the same inputs are there (else
    compiled and stored; the UNII names' only once the process has read enough text, see
    :data:`SMALL_TEXT`), else the ``re`` reference scanner.

    Each database has its own key: the stem patterns (tables and leniency); the UNII names
    (their source file, the English list, the antibody pattern); the registry's names. A
    cache hit builds no name list at all.
    """
    if backend in ("auto", "hyperscan"):
        try:
            import hyperscan  # noqa: F401
        except ImportError:
            if backend == "hyperscan":
                raise
        else:
            return _hyperscan_scanner(tables, registry, leniency)
    return RegexScanner(PatternSet.build(tables, registry, leniency))


def _hyperscan_scanner(tables: Tables, registry: Registry,
                       leniency: Leniency | str) -> HyperscanScanner:
    from ..registry.substances import unii_source

    patterns = stem_patterns(tables, leniency)
    antibody = patterns[ANTIBODY]
    layers = []
    h = _base_key("registry", antibody)
    for full_name in _full_names(registry):
        h.update(full_name.encode("utf-8", "replace"))
        h.update(b"\n")
    for code in lens_codes(registry):
        h.update(code.encode("utf-8"))
        h.update(b"\n")
    layers.append(_literal_layer("registry", h.hexdigest(), lambda: (
        known_names(registry, _caught(patterns)), ())))
    # The substance layer (known names of every kind, and the class phrases) is read at every
    # level; it can be switched off for a registry.
    stems = _stem_db(patterns)
    pending = None
    if getattr(registry, "_with_substances", True):
        key = _base_key("unii", json.dumps(patterns, sort_keys=True), file_stamp(unii_source()),
                        _english_source(), _list_key()).hexdigest()

        def whole() -> bool:
            return unii_source() is None or registry.substance_index() is not None

        # Both on disk: the database is read once enough text needs it, the list at once.
        stored = _stored_names(key) if _layer_path("unii", key) is not None else None
        found = _read_layer("unii", key) if stored is None else None
        if found is not None:
            layers.append(found or None)
        else:
            names = stored if stored is not None else _names_list(
                key, lambda: _fast_substance_names(registry, stems), whole)

            def compiled() -> Literals | None:
                def listed() -> tuple[tuple[str, ...], tuple[str, ...]]:
                    _progress("building the scanner's database of UNII names (once; it is "
                              "kept in the cache folder)")
                    return (), tuple(names)

                return _literal_layer("unii", key, listed, whole)

            pending = PendingLayer(NameLookup(names), compiled, f"scanner-unii-{key[:24]}",
                                   None if stored is None else partial(_read_layer, "unii", key))
    return HyperscanScanner(stems, [x for x in layers if x is not None], pending)


NAMES_KEPT = Kept("scanner-*.names", keep=6)
"""The UNII layer's name lists kept in the cache folder (the most recently used)."""


def _names_list(key: str, build, whole) -> SortedWords:
    """The names of the UNII layer (:func:`substance_names`), from the cache folder when a
    list made from the same inputs is there (the same key as the layer's database), else
    ``build()`` and stored (unless ``whole()`` is false: an input could not be read)."""
    def make() -> tuple[SortedWords, list[bytes], dict | None]:
        names = SortedWords.from_sorted(build())
        return names, names.sections(), {} if whole() else None

    return cached(f"scanner-unii-{key[:24]}.names", key, NAMES_KEPT, SortedWords.load, make)


def _stored_names(key: str) -> SortedWords | None:
    """The UNII layer's name list cached for ``key``, or None: read, never built. The
    database beside it is marked used too (a process that reads only the list still needs
    it kept)."""
    try:
        folder = cache_folder()
    except CacheFolderError:
        return None
    path = folder / f"scanner-unii-{key[:24]}.names"
    blob = read_blob(path, key)
    names = None if blob is None else SortedWords.load(blob)
    if names is not None:
        touch(path)
        touch(folder / f"scanner-unii-{key[:24]}.hsdb")
    return names


def _layer_path(kind: str, key: str) -> Path | None:
    """The file of the literal database of ``kind`` for ``key``, if there is one."""
    try:
        path = cache_folder() / f"scanner-{kind}-{key[:24]}.hsdb"
        return path if path.is_file() and os.access(path, os.R_OK) else None
    except (CacheFolderError, OSError):  # a folder this user may not even look into
        return None


def _read_layer(kind: str, key: str) -> Literals | bool | None:
    """The literal database of ``kind`` cached for ``key`` (False: cached as empty), or None
    when there is none this Hyperscan can read: read, never built."""
    try:
        path = cache_folder() / f"scanner-{kind}-{key[:24]}.hsdb"
    except CacheFolderError:
        return None
    blob = read_blob(path, key)
    if blob is None:
        return None
    found = False if blob.meta.get("empty") else Literals.load(blob)
    if found is not None:
        touch(path)
    return found


def _progress(message: str) -> None:
    """Long work says so on stderr first, with or without a terminal."""
    with contextlib.suppress(OSError, ValueError):
        print(f"innkit: {message} ...", file=sys.stderr, flush=True)


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
