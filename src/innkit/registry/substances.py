"""The substance layer: every FDA UNII name (all five types) mapped to the substance it denotes.

The UNII list (about a million rows) is turned, when a release is made, into one index file
shipped in the package (``data/unii_index.bin.zst``, built by ``tools/build_unii_index.py``).
On first use it is expanded once into the user's cache folder (a streamed zstd decompression
and one sort of each map's hashes, well under a second), and every process then maps that file
into memory: look-ups are a hash and a binary search, nothing is loaded, and the web server and
its workers share the same pages. ``innkit data update FILE`` builds an index
from a newer UNII download in the cache folder, which is then used instead of the shipped one.

The file: a magic line, a JSON header (schema, the list's provenance and counts, and where
each section lies), then the sections, each 8-byte aligned. A key-to-rows map is four
sections: the rows (in key order) and their offsets, the sorted 32-bit CRCs of the keys, and
the row each CRC gives (keys that share a CRC sit side by side and are told apart by the key
each row starts with).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import io
import json
import mmap
import re
import struct
import sys
import threading
import time
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from ..files.atomic import atomic_output
from ..files.cache import (
    CacheDbError,
    CacheFolderError,
    DbFault,
    Kept,
    cache_folder,
    cached_value,
    prune,
    value_key,
)
from ..files.compressed import zstd
from ..models import _quick_init
from ..vocab import NameType
from .display import display_digest, shown_names
from .keys import name_key
from .languages import language_forms, table_digest
from .names import draw_list

SCHEMA = 15
"""Bump when the index's sections or the way they are filled change."""
MAGIC = b"innkit-unii-index\n"
SHIPPED = "unii_index.bin.zst"
"""The index built from the UNII list when the release was made, in ``innkit/data``."""
UPDATED = "unii-update.idx"
"""The index ``innkit data update FILE`` builds in the cache folder; used when present."""
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
_FIELD, _ROW, _KEY = "\x1f", "\x1e", "\x1d"
_PREFIX_SCAN = 20_000
"""Keys a search as you type looks at, at most: a one-letter query answers from these."""
"""Field, row and key separators inside a section (the UNII list holds none of them)."""
MAPS = ("name", "skeleton", "kind")
"""The key-to-rows maps of an index. Their rows are in key order (the shipped file, packed,
is small that way). The packed file holds each row's key hash in row order (``_row_hashes``,
the last sections); expanding it sorts them into the hashes and slots that find a key."""
ZSTD_LEVEL, ZSTD_WINDOW_LOG = 19, 25
"""How the shipped file is compressed: near xz's size, five times faster to expand; the
32 MB window is the memory a streamed expansion needs."""
_CHUNK = 1 << 20
"""Bytes copied at a time while a packed index is expanded."""


def shipped_file() -> Path | None:
    """The index file shipped in the package, or None in a build of the package without it."""
    path = Path(str(resources.files("innkit").joinpath("data", SHIPPED)))
    return path if path.is_file() else None


def updated_file() -> Path | None:
    """The index ``innkit data update`` built, or None."""
    with contextlib.suppress(CacheFolderError, OSError):
        path = cache_folder() / UPDATED
        if path.is_file():
            return path
    return None


def unii_source() -> Path | None:
    """The file the substance index in use comes from: an updated index in the cache folder,
    else the one shipped in the package; None when there is neither."""
    return updated_file() or shipped_file()


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


@_quick_init  # built per look-up: the fast constructor of the results
@dataclass(frozen=True, slots=True)
class NameRecord:
    """One name of one substance, as the UNII list gives it."""

    name: str  # as written in the list, tags removed (upper case)
    type: NameType
    unii: str
    tags: tuple[str, ...]


@_quick_init
@dataclass(frozen=True, slots=True)
class SubstanceRecord:
    """A substance: its UNII code, the list's preferred name, and the INN of its moiety."""

    unii: str
    name: str  # the UNII display name (upper case)
    inn: str | None  # lower case, without salt or ester words
    names: str = "[]"  # JSON: [[type, [first names], count], ...]


_crc32 = zlib.crc32


def _hash(key: str) -> int:
    """A key's CRC-32: a C call per look-up (the decoder asks per name); the shipped file
    holds one per key, so that the first run computes none."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


class _Rows:
    """Rows of bytes by position: an offsets section and the rows section it points into."""

    def __init__(self, offsets: memoryview, rows: memoryview) -> None:
        self._offsets = offsets
        self._rows = rows

    @property
    def offsets(self) -> memoryview:
        return self._offsets

    @property
    def data(self) -> memoryview:
        return self._rows

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> str:
        return str(self._rows[self._offsets[i]:self._offsets[i + 1]], "utf-8")


class _Map:
    """Rows by key, each row its key, ``_KEY`` and what it holds: the key's hash is searched
    among the sorted hashes (a C-level bisect over the mapped file), which give the row's
    place; the row is then checked against the key (and the next one, where keys share a
    hash)."""

    def __init__(self, hashes: memoryview, slots: memoryview, rows: _Rows) -> None:
        self._hashes = hashes
        self._slots = slots
        self.rows = rows

    def get(self, key: str) -> str | None:
        h = _crc32(key.encode("utf-8", "surrogatepass"))  # _hash, inline: once per look-up
        hashes = self._hashes
        i, end = bisect.bisect_left(hashes, h), len(hashes)
        while i < end and hashes[i] == h:
            found, _, row = self.rows[self._slots[i]].partition(_KEY)
            if found == key:
                return row
            i += 1
        return None


class _Inns:
    """The sorted ``inn, unii, display name`` rows, searched by INN."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> str:
        return self.rows[i].split(_FIELD, 1)[0]


class SubstanceIndex:
    """Read access to one index file, mapped into memory (shared by every process that maps
    it). Opening checks the file's magic, schema, header and length and raises
    :class:`~innkit.files.cache.CacheDbError` for one that cannot be used."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        if data is None:
            try:
                with path.open("rb") as f:
                    buffer: Any = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except FileNotFoundError:
                raise CacheDbError(path, DbFault.MISSING, "no such file") from None
            except PermissionError as exc:
                raise CacheDbError(path, DbFault.UNREADABLE, exc.strerror or str(exc)) from exc
            except (OSError, ValueError) as exc:  # an empty file cannot be mapped
                raise CacheDbError(path, DbFault.CORRUPT, f"cannot be mapped: {exc}") from exc
        else:
            buffer = data
        self.header, base = _header(path, buffer)
        view = memoryview(buffer)
        parts: dict[str, memoryview] = {}
        for name, (start, size, code) in self.header["sections"].items():
            part = view[base + start:base + start + size]
            parts[name] = part.cast(code) if code != "B" else part
        self.meta: dict[str, Any] = self.header["meta"]
        self.counts: dict[str, int] = dict(self.meta["counts"])
        maps = {m: _Map(parts[f"{m}_hashes"], parts[f"{m}_slots"],
                        _Rows(parts[f"{m}_offsets"], parts[f"{m}s"])) for m in MAPS}
        self._names = maps["name"]
        self._subs = _Rows(parts["substance_offsets"], parts["substances"])
        self._uniis = parts["uniis"]  # the sorted UNII codes, ten bytes each
        self._inns = _Inns(_Rows(parts["inn_offsets"], parts["inns"]))
        self._skeletons = maps["skeleton"]
        self._kinds = maps["kind"]
        self._broad = parts["broad"]
        self._prefixes: dict[str, list[tuple[str, str, str]]] | None = None
        self._sorted_keys: list[str] | None = None

    def _substance_at(self, i: int) -> SubstanceRecord:
        unii, name, inn, _drug, names = self._subs[i].split(_FIELD)
        return SubstanceRecord(unii, name, inn or None, names)

    def lookup(self, key: str) -> list[tuple[NameRecord, SubstanceRecord]]:
        """Every (name, substance) pair whose name has the look-up ``key``."""
        row = self._names.get(key)
        if row is None:
            return []
        types, found = NAME_TYPES, []
        subs = self._subs  # :meth:`_substance_at`, inline: the rows of each name's substance
        offsets, data = subs.offsets, subs.data
        for cells in row.split(_ROW):
            at, name, kind, tags, _spellings, _seq = cells.split(_FIELD)
            i = int(at)
            unii, shown, inn, _drug, names = str(data[offsets[i]:offsets[i + 1]],
                                                 "utf-8").split(_FIELD)
            found.append((NameRecord(name, types[kind], unii,
                                     tuple(tags.split("|")) if tags else ()),
                          SubstanceRecord(unii, shown, inn or None, names)))
        return found

    def starting_with(self, key: str, types: Iterable[NameType],
                      limit: int) -> list[tuple[str, str, str, str | None, str]]:
        """(name, type, UNII, the substance's INN, its name) of up to ``limit`` names of the
        given types whose look-up key starts with ``key``, shortest first (search as you
        type). The keys are sorted once per process, the first time a search needs them."""
        if self._sorted_keys is None:
            names = self._names.rows
            self._sorted_keys = sorted(names[g].partition(_KEY)[0] for g in range(len(names)))
        keys = self._sorted_keys
        wanted = {t.value for t in types}
        found: list[tuple[int, str, tuple[str, str, str, str | None, str]]] = []
        at = bisect.bisect_left(keys, key)
        end = min(len(keys), at + _PREFIX_SCAN)
        while at < end and keys[at].startswith(key):
            for rec, sub in self.lookup(keys[at]):
                if rec.type.value in wanted:
                    found.append((len(keys[at]), keys[at],
                                  (rec.name, rec.type.value, sub.unii, sub.inn, sub.name)))
            at += 1
        found.sort(key=lambda f: (f[0], f[1]))
        return [f[2] for f in found[:limit]]

    def lookup_many(self, keys: Iterable[str]) -> dict[str, list[tuple[NameRecord,
                                                                        SubstanceRecord]]]:
        """:meth:`lookup` of many keys: key -> its (name, substance) pairs."""
        return {k: self.lookup(k) for k in set(keys)}

    def substance(self, unii: str) -> SubstanceRecord | None:
        size = len(self._uniis) // 10
        code = unii.encode("ascii", "replace")
        lo, hi = 0, size
        while lo < hi:  # binary search over the ten-byte codes
            mid = (lo + hi) // 2
            if bytes(self._uniis[mid * 10:mid * 10 + 10]) < code:
                lo = mid + 1
            else:
                hi = mid
        if lo < size and bytes(self._uniis[lo * 10:lo * 10 + 10]) == code:
            return self._substance_at(lo)
        return None

    def substances(self) -> Iterator[SubstanceRecord]:
        """Every substance, by UNII code."""
        for i in range(len(self._subs)):
            yield self._substance_at(i)

    def _substance_rows(self) -> Iterator[list[str]]:
        for i in range(len(self._subs)):
            yield self._subs[i].split(_FIELD)

    def display_names(self, *, drugs_only: bool = False) -> list[str]:
        return [cells[1] for cells in self._substance_rows()
                if not drugs_only or cells[3] == "1"]

    def inn_names(self) -> list[str]:
        """The distinct INNs of every substance's moiety."""
        return list(dict.fromkeys(self._inns[i] for i in range(len(self._inns))))

    def conjugates(self, word: str) -> list[tuple[str, str]]:
        """(INN, UNII) of every substance whose INN is ``word`` and more words (trastuzumab
        emtansine of trastuzumab); one UNII per INN, that of the substance named by it."""
        rows = self._by_prefix().get(word)
        if not rows:  # most words: no INN of more words begins with them
            return []
        best: dict[str, tuple[bool, str]] = {}
        for inn, unii, shown in rows:
            rank = (shown.lower() != inn, unii)
            if inn not in best or rank < best[inn]:
                best[inn] = rank
        return [(inn, best[inn][1]) for inn in sorted(best)]

    def _by_prefix(self) -> dict[str, list[tuple[str, str, str]]]:
        """The INNs of more than one word by each of their leading words (trastuzumab,
        trastuzumab deruxtecan ...), read once from the sorted INN rows (~20,000)."""
        if self._prefixes is None:
            rows = self._inns.rows

            def build() -> dict[str, list[tuple[str, str, str]]]:
                found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
                for i in range(len(rows)):
                    inn, unii, shown = rows[i].split(_FIELD)
                    words = inn.split(" ")
                    for n in range(1, len(words)):
                        found[" ".join(words[:n])].append((inn, unii, shown))
                return dict(found)

            # A small run's 10 ms: kept in the cache folder, keyed by the rows' sections.
            self._prefixes = cached_value("inn-prefixes", value_key(
                "inn-prefixes", rows.offsets.cast("B"), rows.data), build)
        return self._prefixes

    def inns_by_skeleton(self, skeleton: str) -> list[str]:
        """INNs whose spelling folds to ``skeleton`` (see :mod:`innkit.registry.languages`)."""
        row = self._skeletons.get(skeleton)
        return [] if row is None else row.split(_FIELD)

    def kind(self, key: str) -> str | None:
        """The broad-list kind (substance, official, brand, common, code) of the look-up
        ``key``, or None for a name not on the broad list."""
        return self._kinds.get(key)

    def broad_rows(self) -> list[tuple[str, str, str]]:
        """The broad list (see :mod:`innkit.registry.names`): (name, kind, judgement) rows."""
        text = str(self._broad, "utf-8")
        return [tuple(line.split("\t")) for line in text.splitlines()]  # type: ignore[misc]

    def broad_words(self, kinds: Iterable[str]) -> list[str]:
        """The broad list's one-word names of the given kinds, in list order: one pass of a
        compiled pattern over the section, not a tuple per row (a misspelt word's near miss
        needs only these, and a short run should not pay for the whole list)."""
        wanted = sorted(kinds)

        def find() -> list[str]:
            alternatives = "|".join(re.escape(k) for k in wanted)
            pattern = re.compile(rf"^([^\t\n ]+)\t(?:{alternatives})\t", re.MULTILINE)
            return pattern.findall(str(self._broad, "utf-8"))

        # The pass takes a small run's 20 ms: kept in the cache folder, keyed by the section.
        return cached_value("broad-words", value_key("broad-words", *wanted, self._broad), find)

    def iter_names(self, types: Iterable[NameType], *, drugs_only: bool = False,
                   in_list_order: bool = False) -> Iterator[tuple[str, NameType, str]]:
        """(name, type, unii) of every name of the given types, for dictionary scans: by
        look-up key and UNII, or (``in_list_order``) in the order the UNII list gives them."""
        wanted = {t.value for t in types}
        rows = []
        names = self._names.rows
        for g in range(len(names)):
            key, _, row = names[g].partition(_KEY)
            for cells in row.split(_ROW):
                at, name, kind, _tags, spellings, seq = cells.split(_FIELD)
                spellings = spellings or name
                if kind not in wanted:
                    continue
                sub = self._subs[int(at)].split(_FIELD)
                if drugs_only and sub[3] != "1":
                    continue
                rows.append((int(seq) if in_list_order else key, sub[0], spellings, kind))
        rows.sort()
        for _order, unii, spellings, kind in rows:
            for name in spellings.split("|"):
                yield name, NAME_TYPES[kind], unii


def _header(path: Path, buffer: Any, *, packed: bool = False) -> tuple[dict[str, Any], int]:
    """The file's header and where its sections start, after checking its magic, schema,
    form (packed or full) and length."""
    header, base = _read_header(path, buffer, packed=packed)
    size, expected = len(buffer), base + header.get("data_size", 0)
    if size != expected:
        raise CacheDbError(path, DbFault.CORRUPT,
                           "truncated" if size < expected else "longer than written")
    return header, base


def _header_length(path: Path, head: Any) -> int:
    """The header's length, from the file's first ``len(MAGIC) + 4`` bytes (its magic checked)."""
    if len(head) < len(MAGIC) + 4 or bytes(head[:len(MAGIC)]) != MAGIC:
        raise CacheDbError(path, DbFault.CORRUPT, "not an innkit substance index")
    return struct.unpack_from("<I", head, len(MAGIC))[0]


def _read_header(path: Path, buffer: Any, *, packed: bool) -> tuple[dict[str, Any], int]:
    """The header at the start of ``buffer`` (the whole file, or only its start) and where the
    sections start, checked as :func:`_header` does but for the file's length."""
    length = _header_length(path, buffer)
    start = len(MAGIC) + 4
    if len(buffer) < start + length:
        raise CacheDbError(path, DbFault.CORRUPT, "truncated")
    try:
        header = json.loads(bytes(buffer[start:start + length]))
    except ValueError as exc:
        raise CacheDbError(path, DbFault.CORRUPT, "damaged header") from exc
    if not isinstance(header, dict) or header.get("schema") != SCHEMA:
        raise CacheDbError(path, DbFault.CORRUPT, "written by another version")
    if header.get("byteorder") != sys.byteorder:
        raise CacheDbError(path, DbFault.CORRUPT, "written on a machine of another byte order")
    if header.get("packed") is not packed:
        raise CacheDbError(path, DbFault.CORRUPT, "a packed index, to be expanded first"
                           if not packed else "not a packed index")
    if not isinstance(header.get("sections"), dict) or not isinstance(header.get("meta"), dict):
        raise CacheDbError(path, DbFault.CORRUPT, "damaged header")
    return header, _align(start + length)


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
    if " " not in inn:  # an INN of one word has no part that is a name of fewer words
        return False
    words, whole = name.split(" "), inn.split(" ")
    size = len(words)
    return size < len(whole) and any(whole[i:i + size] == words
                                     for i in range(len(whole) - size + 1))


def _inn_of(name: str, salts: frozenset[str], listed: set[str]) -> str:
    """The INN an [INN] name gives: without its salt words where that leaves a listed name."""
    bare = strip_salts(name, salts)
    return bare if bare == name or name_key(bare) in listed else name


def rules_digest(salts: frozenset[str]) -> str:
    """What an index is built from besides the list: the salt words, the language forms and
    the radionuclide symbols of the names as shown."""
    return hashlib.sha256(f"{sorted(salts)}:{table_digest()}:{display_digest()}".encode()
                          ).hexdigest()[:16]


def build_index(source: Path, target: Path, salts: frozenset[str], *,
                provenance: dict[str, str] | None = None, packed: bool = False) -> None:
    """Read the UNII list ``source`` and write the index to ``target`` (whole or not at all;
    ``packed``: without the maps' hashes, as shipped).
    ``provenance``: what is known of the list (its date, where it was downloaded), recorded
    in the index with the list's file name, size and SHA-256."""
    names: dict[tuple[str, str], list] = {}  # (key, unii) -> [name, type, tags, spellings, seq]
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
            names[(key, unii)] = [base, kind, set(tags), {base}, len(names)]
        else:
            if _TYPE_RANK[kind] < _TYPE_RANK[slot[1]]:
                slot[1] = kind
            slot[2].update(tags)
            slot[3].add(base)  # T-DM1 and TDM1: one key, both spellings kept for scans
    # The INN of each substance's moiety: its own [INN] names without salt words, else that of
    # the substance its salt-free preferred or official name denotes.
    # Where a substance has several [INN] names (renamed substances), the one the list also
    # gives as its official name comes first, then the shortest.
    for (_key, unii), (base, kind, tags, _spelled, _seq) in names.items():
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
    uniis = sorted(display)
    if any(len(u) != 10 or not u.isascii() for u in uniis):
        raise ValueError(f"{source} holds UNII codes that are not ten letters and digits")
    at = {u: i for i, u in enumerate(uniis)}
    grouped: dict[str, dict[NameType, list[str]]] = defaultdict(lambda: defaultdict(list))
    for (_key, unii), (base, kind, _tags, _spelled, _seq) in names.items():
        grouped[unii][kind].append(base)
    drugs = {u for (_key, u), (_b, kind, tags, _s, _q) in names.items()
             if u in inn or kind in (NameType.BRAND, NameType.CODE) or tags & DRUG_TAGS}
    by_key: dict[str, list[str]] = defaultdict(list)
    for (key, unii), (base, kind, tags, spelled, seq) in sorted(names.items()):
        spellings = "|".join(sorted(spelled))
        by_key[key].append(_FIELD.join((str(at[unii]), base, kind.value, "|".join(sorted(tags)),
                                        "" if spellings == base else spellings, str(seq))))
    counts: dict[str, int] = defaultdict(int)
    for _base, kind, _tags, _spelled, _seq in names.values():
        counts[kind.value] += 1
    fold = language_forms().skeleton
    skeletons: dict[str, list[str]] = defaultdict(list)
    for skeleton, name in sorted({(name_key(fold(i)), i) for i in inn.values()}):
        skeletons[skeleton].append(name)
    data = source.read_bytes()
    meta = {"source": source.name, "source_bytes": len(data),
            "source_sha256": hashlib.sha256(data).hexdigest(), **(provenance or {}),
            "substances": len(display), "with_inn": len(inn), "counts": dict(counts),
            "rules": rules_digest(salts)}
    sections = {
        **_map_sections("name", {k: _ROW.join(v) for k, v in by_key.items()}),
        "uniis": ("".join(uniis).encode("ascii"), "B"),
        **_row_sections("substance", [
            _FIELD.join((u, display[u], inn.get(u, ""), "1" if u in drugs else "0",
                         _names_cell(grouped.get(u, {})))) for u in uniis]),
        **_row_sections("inn", [_FIELD.join(r) for r in sorted(
            (inn[u], u, display[u]) for u in uniis if u in inn)]),
        **_map_sections("skeleton", {s: _FIELD.join(v) for s, v in skeletons.items()}),
    }
    del names, by_key, grouped
    # The broad list is drawn from the index itself: written once without it, read, and
    # written again whole.
    draft = SubstanceIndex(target, _dump(_hashed({**sections, **_broad_sections([])}), meta))
    rows = draw_list(draft)
    del draft
    whole = {**sections, **_broad_sections(rows)}
    with atomic_output(target, binary=True) as out:
        _write(out, {**whole, **_row_hashed(whole)} if packed else _hashed(whole), meta,
               packed=packed)


def _broad_sections(rows: list[tuple[str, str, str]]) -> dict[str, tuple[bytes, str]]:
    """The broad list's rows, and its kinds by look-up key (where two names share a key, the
    later one in the sorted list wins)."""
    kinds = {name_key(text): kind for text, kind, _note in rows}
    return {"broad": ("".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows).encode("utf-8"), "B"),
            **_map_sections("kind", kinds)}


def _row_sections(name: str, rows: list[str]) -> dict[str, tuple[bytes, str]]:
    encoded = [r.encode("utf-8") for r in rows]
    offsets = array("I", [0])
    total = 0
    for r in encoded:
        total += len(r)
        offsets.append(total)
    return {f"{name}_offsets": (offsets.tobytes(), "I"), f"{name}s": (b"".join(encoded), "B")}


def _map_sections(name: str, rows: dict[str, str]) -> dict[str, tuple[bytes, str]]:
    return _row_sections(name, [f"{k}{_KEY}{rows[k]}" for k in sorted(rows)])


def _row_hashed(sections: dict[str, tuple[Any, str]]) -> dict[str, tuple[Any, str]]:
    """Each map's key hashes in row order (what a packed index ships: a loop over every key
    in Python, done when a release is made rather than on first use)."""
    import numpy as np

    out = {}
    for name in MAPS:
        offsets = memoryview(sections[f"{name}_offsets"][0]).cast("B").cast("I")
        rows = bytes(sections[f"{name}s"][0])
        size = len(offsets) - 1
        mark, crc = _KEY.encode(), zlib.crc32
        hashes = np.fromiter((crc(rows[at:rows.index(mark, at)]) for at in offsets[:size]),
                             dtype=np.uint32, count=size)
        out[f"{name}_row_hashes"] = (hashes.tobytes(), "I")
    return out


def _ordered(row_hashes: Any) -> tuple[bytes, bytes]:
    """The sorted hashes of a map and the row each gives, from its hashes in row order: one
    sort of (hash, row) pairs packed in 64 bits, all distinct, so that keys sharing a hash
    come in row order whatever the sort (four times faster than a stable argsort)."""
    import numpy as np

    hashes = np.frombuffer(row_hashes, dtype=np.uint32)
    pairs = hashes.astype(np.uint64) << np.uint64(32)
    pairs |= np.arange(len(hashes), dtype=np.uint64)
    pairs.sort()
    return ((pairs >> np.uint64(32)).astype(np.uint32).tobytes(),
            pairs.astype(np.uint32).tobytes())


def _hashed(sections: dict[str, tuple[Any, str]]) -> dict[str, tuple[Any, str]]:
    """``sections`` with each map's sorted key hashes and the row each one gives."""
    out = dict(sections)
    for name, (row_hashes, _code) in _row_hashed(sections).items():
        hashes, slots = _ordered(row_hashes)
        out[f"{name.removesuffix('_row_hashes')}_hashes"] = (hashes, "I")
        out[f"{name.removesuffix('_row_hashes')}_slots"] = (slots, "I")
    return out


def _align(n: int) -> int:
    return (n + 7) // 8 * 8


def _write(out: IO[bytes], sections: dict[str, tuple[Any, str]], meta: dict[str, Any], *,
           packed: bool = False) -> None:
    """Magic, the header's length and the header, then the sections (in the order given),
    each 8-byte aligned. ``packed``: a file to ship, whose maps hold their hashes in row order
    and last (see :data:`MAPS`)."""
    layout = _layout({name: (memoryview(data).nbytes, code)
                      for name, (data, code) in sections.items()})
    _write_header(out, layout, meta, packed=packed)
    for name, (data, _code) in sections.items():
        size = layout[name][1]
        out.write(data)
        out.write(bytes(_align(size) - size))


def _layout(sizes: dict[str, tuple[int, str]], at: int = 0) -> dict[str, list[Any]]:
    """Where each section lies ([offset, size, type code]), one after the other from ``at``."""
    layout = {}
    for name, (size, code) in sizes.items():
        layout[name] = [at, size, code]
        at = _align(at + size)
    return layout


def _write_header(out: IO[bytes], layout: dict[str, list[Any]], meta: dict[str, Any], *,
                  packed: bool) -> None:
    """Magic, the header's length and the header, padded to where the sections start."""
    size = max((_align(at + n) for at, n, _code in layout.values()), default=0)
    header = json.dumps({"schema": SCHEMA, "byteorder": sys.byteorder, "data_size": size,
                         "packed": packed, "meta": meta, "sections": layout},
                        sort_keys=True).encode()
    start = _align(len(MAGIC) + 4 + len(header))
    out.write(MAGIC + struct.pack("<I", len(header)) + header)
    out.write(bytes(start - len(MAGIC) - 4 - len(header)))


def _dump(sections: dict[str, tuple[Any, str]], meta: dict[str, Any], *,
          packed: bool = False) -> bytes:
    buffer = io.BytesIO()
    _write(buffer, sections, meta, packed=packed)
    return buffer.getvalue()


def compress(packed: bytes) -> bytes:
    """A packed index as it is shipped: zstd-compressed (see :data:`ZSTD_LEVEL`)."""
    return zstd.compress(packed, options={
        zstd.CompressionParameter.compression_level: ZSTD_LEVEL,
        zstd.CompressionParameter.window_log: ZSTD_WINDOW_LOG,
        zstd.CompressionParameter.enable_long_distance_matching: 1,
        zstd.CompressionParameter.checksum_flag: 1})


def expand(packed: Path, target: Path) -> None:
    """Write the full index (with the maps' sorted hashes) to ``target`` from a packed,
    zstd-compressed one (the shipped file), whole or not at all."""
    with atomic_output(target, binary=True) as out:
        _expand_into(packed, out)


def _expand_into(packed: Path, out: IO[bytes]) -> None:
    """Stream the full index into ``out`` from the compressed packed file ``packed``: every
    section but the maps' row hashes (the last ones) is copied as it is decompressed, a
    megabyte at a time, so that the 150 MB are never held whole; the row hashes (4 MB) are
    then sorted into each map's hashes and slots. Raises CacheDbError (or the codec's
    errors, EOFError for a cut stream) for a file that is not a whole packed index."""
    with zstd.open(packed, "rb") as f:
        head = _read_exactly(packed, f, len(MAGIC) + 4)
        head += _read_exactly(packed, f, _header_length(packed, head))
        header, base = _read_header(packed, head, packed=True)
        _read_exactly(packed, f, base - len(head))
        layout: dict[str, list[Any]] = header["sections"]
        tails = [f"{name}_row_hashes" for name in MAPS]
        if any(t not in layout for t in tails):
            raise CacheDbError(packed, DbFault.CORRUPT, "a packed index without its hashes")
        cut = min(layout[t][0] for t in tails)
        kept = {n: v for n, v in sorted(layout.items(), key=lambda kv: kv[1][0])
                if n not in tails}
        if any(at + size > cut for at, size, _code in kept.values()):
            raise CacheDbError(packed, DbFault.CORRUPT, "the row hashes are not last")
        full = {**kept, **_layout({f"{name}_{part}": (layout[f"{name}_row_hashes"][1], "I")
                                   for name in MAPS for part in ("hashes", "slots")}, cut)}
        _write_header(out, full, header["meta"], packed=False)
        left = cut
        while left:
            chunk = f.read(min(left, _CHUNK))
            if not chunk:
                raise CacheDbError(packed, DbFault.CORRUPT, "truncated")
            out.write(chunk)
            left -= len(chunk)
        rest = f.read()
        if len(rest) != header.get("data_size", 0) - cut:
            raise CacheDbError(packed, DbFault.CORRUPT, "truncated" if len(rest) <
                               header.get("data_size", 0) - cut else "longer than written")
    for name in MAPS:
        at, size, _code = layout[f"{name}_row_hashes"]
        for part in _ordered(memoryview(rest)[at - cut:at - cut + size]):
            out.write(part)
            out.write(bytes(_align(size) - size))


def _read_exactly(path: Path, f: IO[bytes], size: int) -> bytes:
    data = f.read(size)
    if len(data) != size:
        raise CacheDbError(path, DbFault.CORRUPT, "truncated")
    return data


def _names_cell(by_type: dict[NameType, list[str]]) -> str:
    """A substance's names by type, the first few of each (in the list's order, as shown: a
    decode then only reads them) with the count (for outputs)."""
    cells = []
    for kind in sorted(by_type, key=_TYPE_RANK.__getitem__):
        found = sorted(by_type[kind], key=lambda n: (len(n), n))
        cells.append([kind.value, shown_names(kind, found[:NAMES_PER_TYPE]), len(found)])
    return json.dumps(cells, separators=(",", ":"))


# -- opening -------------------------------------------------------------------------------------

_lock = threading.Lock()
STALE_AFTER = 7 * 24 * 3600
"""Other indexes are removed only when unused this long: another installation (another venv,
another innkit version) may share the cache folder and still be reading its own."""
KEPT = Kept("substances-*", keep=1, idle=STALE_AFTER)
"""The index in use stays; others go once unused for STALE_AFTER."""
OLD_FILES = (Kept("unii-names-*.tsv", keep=0, idle=STALE_AFTER),)
"""Name lists of an older format."""


def open_index(salts: frozenset[str], *, source: Path | None = None,
               quiet: bool = False) -> SubstanceIndex | None:
    """The substance index: the one ``innkit data update`` built, else the shipped one
    (expanded into the cache folder on first use); with ``source`` (a UNII names list), one
    built from that list in the cache folder.

    None (with a warning on stderr) when there is no index, or none can be read: innkit then
    knows only its shipped tables.
    """
    with _lock:
        if source is not None:
            return _from_list(source, salts, quiet)
        found = unii_source()
        if found is None:
            if not quiet:
                _warn(f"the FDA UNII substance index is not installed (innkit/data/{SHIPPED} "
                      "is missing): only the shipped tables are known; fix: reinstall innkit, "
                      "or build one with `innkit data update FILE` from a UNII names list")
            return None
        if found.name == UPDATED:
            try:
                return SubstanceIndex(found)
            except CacheDbError as exc:
                _warn(exc.report("updated substance index", "the shipped one is used") +
                      "; fix: run `innkit data update FILE` again")
                found = shipped_file()
                if found is None:
                    return None
        return _expanded(found, quiet)


def _expanded(shipped: Path, quiet: bool) -> SubstanceIndex | None:
    """The shipped index, expanded once into the cache folder and mapped from there; read
    into memory where the folder cannot be written."""
    try:
        stat = shipped.stat()
        ident = f"{shipped.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{SCHEMA}"
        path = cache_folder() / f"substances-{_digest(ident)}.idx"
    except (OSError, CacheFolderError) as exc:
        _warn(f"cannot read the substance index {shipped} ({exc}); only the shipped tables "
              "are known; fix: reinstall innkit")
        return None
    index = _reuse(path, "substance index")
    if index is not None:
        return index
    _progress(f"building the substance index in {path.parent} from the shipped one "
              "(once)", quiet)
    try:
        cache_folder(create=True)
        expand(shipped, path)
        _tidy(path)
        return SubstanceIndex(path)
    except (OSError, ValueError, zstd.ZstdError, EOFError, CacheDbError,
            CacheFolderError) as exc:
        if isinstance(exc, ValueError | zstd.ZstdError | EOFError | CacheDbError):
            _warn(f"the shipped substance index {shipped} is damaged ({exc}); only the "
                  "shipped tables are known; fix: reinstall innkit")
            return None
    try:  # a cache folder this user cannot write: each process expands it into memory
        memory = io.BytesIO()
        _expand_into(shipped, memory)
        return SubstanceIndex(shipped, memory.getbuffer())
    except (OSError, ValueError, zstd.ZstdError, EOFError, CacheDbError) as exc:
        _warn(f"cannot read the shipped substance index {shipped} ({exc}); only the shipped "
              "tables are known; fix: reinstall innkit")
        return None


def _from_list(source: Path, salts: frozenset[str], quiet: bool) -> SubstanceIndex | None:
    """An index built from the UNII names list ``source``, kept in the cache folder."""
    try:
        stat = source.stat()
        ident = (f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{SCHEMA}:"
                 f"{rules_digest(salts)}")
        path = cache_folder() / f"substances-{_digest(ident)}.idx"
    except (OSError, CacheFolderError) as exc:
        _warn(f"cannot read the UNII list {source} or the cache folder ({exc}); only the "
              "shipped tables are known; fix: set XDG_CACHE_HOME to a folder you can write")
        return None
    index = _reuse(path, "substance index")
    if index is not None:
        return index
    _progress(f"building the substance index from {source}", quiet)
    try:
        cache_folder(create=True)
        build_index(source, path, salts)
        _tidy(path)
        return SubstanceIndex(path)
    except CacheFolderError as exc:
        _warn(f"{exc.reason}; only the shipped tables are known; fix: {exc.hint}")
    except (OSError, ValueError, CacheDbError) as exc:
        _warn(f"could not build the substance index in {path.parent} ({exc}); only the "
              "shipped tables are known; fix: make the folder writable or set XDG_CACHE_HOME")
    return None


def _reuse(path: Path, what: str) -> SubstanceIndex | None:
    """The index at ``path`` if it can be used; a damaged one is removed (and said so)."""
    try:
        return SubstanceIndex(path)
    except CacheDbError as exc:
        if exc.fault is not DbFault.MISSING:
            _warn(exc.report(what))
            with contextlib.suppress(OSError):
                path.unlink()
    return None


def _tidy(path: Path) -> None:
    prune(path.parent, KEPT, path)
    for kind in OLD_FILES:
        prune(path.parent, kind)


def _digest(ident: str) -> str:
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def update_index(source: Path, salts: frozenset[str],
                 provenance: dict[str, str] | None = None) -> SubstanceIndex:
    """Build the index from a newer UNII names list into the cache folder, where every later
    run finds it (``innkit data update FILE``). Raises OSError, ValueError or
    :class:`~innkit.files.cache.CacheFolderError` when it cannot be built."""
    target = cache_folder(create=True) / UPDATED
    started = time.perf_counter()
    _progress(f"building the substance index from {source} (about a minute)", False)
    build_index(source, target, salts, provenance=provenance)
    index = SubstanceIndex(target)
    index.meta["build_seconds"] = round(time.perf_counter() - started, 1)
    return index


def revert_index() -> bool:
    """Forget an updated index (the shipped one is used again); whether there was one."""
    path = updated_file()
    if path is None:
        return False
    path.unlink()
    return True


def _progress(message: str, quiet: bool) -> None:
    """Long work says so on stderr first, with or without a terminal."""
    if not quiet:
        with contextlib.suppress(OSError, ValueError):
            print(f"innkit: {message} ...", file=sys.stderr, flush=True)


def _warn(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"innkit: warning: {message}", file=sys.stderr)
