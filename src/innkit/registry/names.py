"""The broad list of existing drug names that the scanner and the screen read.

From the substance index (:mod:`innkit.registry.substances`), only drug substances (an INN, a
brand or code, or a pharmacopoeia's name: not organisms, foods or reagents) and names that look
like drug names: each substance's preferred name, official, brand and common names of letters,
spaces and hyphens (one to three words), and research codes (CMC-544, T-DM1). A name that is
also an English word is judged, not vetoed: brands that are English words stay out (Acclaim,
Affirm), everyday words stay out (lead, iron, water, alcohol), and rarer drug words are kept
(aspirin, digoxin, lithium, codeine), each with the reason. The list is cached beside the index
it comes from (a checked blob, see :mod:`innkit.files.cache`) and rebuilt with it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..files.cache import (
    Blob,
    CacheDbError,
    DbFault,
    build_cache_db,
    cache_key,
    connect_readonly,
    open_cache_db,
    read_blob,
    write_blob,
)
from ..vocab import NameType
from .keys import name_key
from .substances import SubstanceIndex

_NAME = re.compile(r"^[a-z][a-z \-]{2,39}$")
_CODE = re.compile(r"^[a-z]{1,6}-?[a-z]{0,3}\d{1,7}[a-z]?$|^[a-z]-[a-z]{2,4}\d$")
_GENE_LIKE = re.compile(r"^(?:cd|il|her|tnf|ifn|egf|vegf|ctla|pd|hla|fgf|tlr|ccr|cxcr)-?\d")
"""Codes that read like gene or protein names in biomedical text (CD20, IL-2): left out."""
KEEP_TYPES = {NameType.BRAND: "brand", NameType.OFFICIAL: "official", NameType.COMMON: "common",
              NameType.CODE: "code"}
EVERYDAY_ZIPF = 4.0
"""Words at least this common in English (Zipf scale, wordfreq: lead 5.2, iron 4.7, alcohol
4.6) are everyday words; rarer English words that are drug names (aspirin 3.3, lithium 3.6,
insulin 3.8) are kept."""
LIST_VERSION = 3
"""Bump when the rules of this module change, so that cached lists are rebuilt."""


def _shaped(value: str, kind: NameType) -> bool:
    if kind is NameType.CODE:
        return (5 <= len(value) <= 12 and bool(_CODE.match(value))
                and not _GENE_LIKE.match(value))
    if kind is NameType.COMMON:  # common names: one or two plain words only
        return bool(_NAME.match(value)) and value.count(" ") <= 1 and len(value) >= 6
    return bool(_NAME.match(value)) and value.count(" ") <= 2


def english_verdict(word: str, kind: str) -> tuple[bool, str]:
    """Keep an English word that is a drug name? The decision and its reason."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word, "en")
    if kind == "brand":
        return False, f"a brand name that is an English word (Zipf {zipf:.1f})"
    if zipf >= EVERYDAY_ZIPF:
        return False, f"an everyday English word (Zipf {zipf:.1f} >= {EVERYDAY_ZIPF})"
    return True, (f"an English word, but a drug name rarer than everyday words "
                  f"(Zipf {zipf:.1f} < {EVERYDAY_ZIPF})")


def short_list(index: SubstanceIndex) -> list[tuple[str, str, str]]:
    """(name, kind, judgement) rows: kind is substance, official, brand, common or code;
    judgement is empty, or why an English word is kept."""
    from ..rules.english import english_words

    english = english_words()
    names: dict[str, str] = {}
    for shown in index.display_names(drugs_only=True):
        value = shown.lower()
        if _shaped(value, NameType.OFFICIAL):
            names.setdefault(value, "substance")
    for name, kind, _unii in index.iter_names(KEEP_TYPES, drugs_only=True):
        value = name.lower()
        if _shaped(value, kind):
            names.setdefault(value, KEEP_TYPES[kind])
    _add_anions(index, names)
    rows = []
    for value, kind in sorted(names.items()):
        note = ""
        if " " not in value and value in english:
            keep, note = english_verdict(value, kind)
            if not keep:
                continue
        rows.append((value, kind, note))
    return rows


_ACID = re.compile(r"^([a-z]{3,})ic acid$")


def _add_anions(index: SubstanceIndex, names: dict[str, str]) -> None:
    """Text names an acid by its anion as often as by the acid (valproate, valproic acid):
    the anion of each "-ic acid" INN goes in the list when the UNII list gives it, of any type,
    to the same substance (VALPROATE is only a systematic name there). Acids that are no INN
    (benzoic, butyric) stay out: their anions are the salt words of other names."""
    for value in [v for v in names if v.endswith("ic acid")]:
        m = _ACID.match(value)
        if m is None:
            continue
        anion = m.group(1) + "ate"
        if anion in names:
            continue
        acid = {s.unii for _n, s in index.lookup(name_key(value)) if s.inn == value}
        if acid and acid & {s.unii for _n, s in index.lookup(name_key(anion))}:
            names[anion] = "common"


def _list_path(index: SubstanceIndex, suffix: str) -> Path:
    return index.path.with_suffix(f".names-{LIST_VERSION}.{suffix}")


_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {}
"""index path -> its short list, read once per process (one index per cache folder)."""


def _stored_rows(blob: Blob | None) -> list[tuple[str, str, str]] | None:
    """The rows of a stored list (tab-separated lines), or None when they do not add up."""
    if blob is None or len(blob.sections) != 1:
        return None
    try:
        lines = blob.sections[0].decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None
    rows = [tuple(line.split("\t")) for line in lines]
    if len(rows) != blob.meta.get("rows") or any(len(r) != 3 for r in rows):
        return None
    return rows  # type: ignore[return-value]


def _rows(index: SubstanceIndex) -> tuple[tuple[str, str, str], ...]:
    """The broad list of ``index``: from the checked file beside it (built with the index's
    key, and pruned with it), else drawn from the index and stored there."""
    found = _ROWS.get(str(index.path))
    if found is not None:
        return found
    path = _list_path(index, "bin")
    key = cache_key("names", str(LIST_VERSION), index.path.name)
    rows = _stored_rows(read_blob(path, key))
    if rows is None:
        rows = short_list(index)
        text = "".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows).encode("utf-8")
        with contextlib.suppress(OSError):  # a read-only cache: read the index again next time
            write_blob(path, key, [text], {"rows": len(rows)})
    found = _ROWS[str(index.path)] = tuple(rows)
    return found


def unii_names(index: SubstanceIndex | None) -> tuple[tuple[str, str], ...]:
    """(name, kind) pairs of the broad list of ``index`` (the registry's substance index, which
    :meth:`innkit.registry.Registry.unii_names` passes); empty without an index."""
    return () if index is None else tuple((a, b) for a, b, _c in _rows(index))


def english_judged(index: SubstanceIndex | None) -> dict[str, str]:
    """English words kept in the list of ``index`` as drug names, with the reason for each."""
    return {} if index is None else {a: c for a, b, c in _rows(index) if c}


KEYS_SCHEMA = 1
"""Bump when the key file's table or the look-up key rule (registry/keys.py) changes."""


class KindIndex:
    """The broad list by look-up key (name key → kind), in an SQLite file beside the list.

    A process asks it for the few names it meets instead of keying all ~130,000 names at
    start-up. Where two names share a key, the later one in the sorted list wins, as a dict
    built from the list would have it. Checked on open (schema, completeness, size): a file
    that cannot be used raises :class:`~innkit.files.cache.CacheDbError`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._local.conn, _meta = open_cache_db(path, KEYS_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_readonly(self.path, check_same_thread=False)
        return conn

    def kind(self, key: str) -> str | None:
        row = self._conn().execute("SELECT kind FROM kinds WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def build(target: Path, rows: tuple[tuple[str, str, str], ...]) -> None:
        """Write the key file whole or not at all."""
        with build_cache_db(target, KEYS_SCHEMA) as db:
            db.execute("CREATE TABLE kinds (key TEXT PRIMARY KEY, kind TEXT NOT NULL) "
                       "WITHOUT ROWID")
            kinds = {name_key(text): kind for text, kind, _note in rows}
            db.executemany("INSERT INTO kinds VALUES (?, ?)", sorted(kinds.items()))
            db.execute("INSERT INTO meta VALUES ('rows', ?)", (str(len(kinds)),))


def open_kinds(path: Path, rows: Callable[[], tuple[tuple[str, str, str], ...]]
               ) -> KindIndex | None:
    """The key file at ``path``; a missing, truncated or foreign one is built again from
    ``rows()``. None when it cannot be read or written."""
    try:
        return KindIndex(path)
    except CacheDbError as exc:
        if not exc.rebuild:
            return None
        if exc.fault is DbFault.CORRUPT:  # one line: a damaged file is never passed over
            with contextlib.suppress(OSError, ValueError):
                print(f"innkit: warning: {exc.report('name key file')}", file=sys.stderr)
    with contextlib.suppress(OSError):
        path.unlink()
    with contextlib.suppress(OSError, sqlite3.Error, CacheDbError):
        KindIndex.build(path, rows())
        return KindIndex(path)
    return None


_kinds_lock = threading.Lock()
_KINDS: dict[str, KindIndex | dict[str, str]] = {}
"""index path -> its key file, opened (or built) once per process."""


def _kind_source(index: SubstanceIndex) -> KindIndex | dict[str, str]:
    """The key file of ``index``'s list, opened (or built once from the list); a dict where it
    cannot be written."""
    path = str(index.path)
    found = _KINDS.get(path)
    if found is not None:
        return found
    with _kinds_lock:
        found = _KINDS.get(path)
        if found is None:
            found = open_kinds(_list_path(index, f"keys-{KEYS_SCHEMA}.sqlite"),
                               lambda: _rows(index))
            if found is None:  # a cache folder this user cannot write
                found = {name_key(text): kind for text, kind in unii_names(index)}
            _KINDS[path] = found
        return found


def broad_kind(index: SubstanceIndex | None, key: str) -> str | None:
    """The kind (substance, official, brand, common, code) of the broad-list name of ``index``
    with the look-up ``key`` (see :func:`innkit.registry.keys.name_key`), or None."""
    if index is None:
        return None
    source = _kind_source(index)
    return source.get(key) if isinstance(source, dict) else source.kind(key)
