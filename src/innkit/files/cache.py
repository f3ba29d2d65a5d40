"""The disk cache: one folder, one checked file format, one pruning policy, and one way to open
a cached SQLite database.

Everything innkit keeps to start fast (compiled scanner databases, word lists, screening
arrays, the substance index and its name keys) lives in ``$XDG_CACHE_HOME/innkit`` (default
``~/.cache/innkit``). Every file there can be rebuilt from what it was made of, so a reader
never trusts one: a blob is checked (magic, key, lengths, checksum) and read as None when it
is missing, foreign, truncated or damaged; a database is opened read-only and checked (schema,
completeness, size) before use, and checked whole (``PRAGMA quick_check`` and its tables' row
counts against those recorded when it was built) whenever the file is not the one last found
sound. The caller then builds the file again and writes it whole (:mod:`innkit.files.atomic`);
a build that did not complete is never stored; temporary files of writers that are gone are
removed; deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sqlite3
import struct
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InnkitError
from ..version import __version__
from .atomic import abandoned, atomic_sqlite, write_atomic

T = TypeVar("T")

FORMAT = 2
"""The blob layout's version: part of every key, so a new layout is a cache miss, not a
misread (2: a CRC-32 in place of a sha256, which took a short run 4 ms over its 10 MB of
cached files; the check is against damage, and the key says what the file was built from)."""
MAGIC = b"innkit-cache\x00" + bytes([FORMAT])
_DIGEST = 4  # CRC-32, little-endian
_HEAD = struct.Struct("<I")  # length of the JSON header


class CacheFolderError(InnkitError, OSError):
    """The cache folder cannot be made or entered. An OSError too, so that a caller which
    goes on without the cache (building in memory each time) catches it with the rest."""


def cache_folder(*, create: bool = False) -> Path:
    """``$XDG_CACHE_HOME/innkit`` (default ``~/.cache/innkit``): the one place it is worked
    out. ``create``: make it now, or raise :class:`CacheFolderError` saying how to fix it."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError as exc:  # no HOME and no password entry
            raise CacheFolderError(f"no home folder to keep the cache in ({exc})",
                                   "set XDG_CACHE_HOME to a folder you can write") from exc
    folder = Path(base) / "innkit"
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheFolderError(
                f"cannot create the cache folder {folder} ({exc.strerror or exc})",
                "set XDG_CACHE_HOME to a folder you can write") from exc
        prune_temporary(folder)
    return folder


def prune_temporary(folder: Path) -> int:
    """Remove the temporary files (``.*.tmp``) that writers killed mid-way left in ``folder``
    (see :func:`innkit.files.atomic.abandoned`); how many. Never raises."""
    removed = 0
    with contextlib.suppress(OSError):
        for path in folder.glob(".*.tmp"):
            if abandoned(path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed


def key_hash(kind: str, *parts: str) -> hashlib._Hash:
    """A digest started with what every cached file depends on (innkit's version and the
    blob format) and the file's kind and inputs; update it with more inputs if need be."""
    h = hashlib.sha256()
    for part in (str(FORMAT), __version__, kind, *parts):
        h.update(part.encode("utf-8", "replace"))
        h.update(b"\x00")
    return h


def cache_key(kind: str, *parts: str) -> str:
    """The key (hex) of a cached file of ``kind`` built from ``parts``."""
    return key_hash(kind, *parts).hexdigest()


def file_stamp(path: Path | None) -> str:
    """A file's identity for a key: its path, size and modification time (or that it is
    missing), without reading it."""
    if path is None:
        return "-"
    try:
        st = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


# -- checked blobs -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Blob:
    """What a blob holds: sections of bytes, and the JSON metadata stored with them."""

    sections: tuple[bytes, ...]
    meta: dict[str, Any]


def _checksum(body: bytes | memoryview) -> bytes:
    return zlib.crc32(body).to_bytes(_DIGEST, "little")


def dump_blob(key: str, sections: Sequence[bytes], meta: dict[str, Any]) -> bytes:
    """The file's bytes: magic, the CRC-32 of all that follows, the header's length, the JSON
    header (key, section sizes, meta), then the sections."""
    header = json.dumps({"key": key, "sizes": [len(s) for s in sections], "meta": meta},
                        sort_keys=True).encode()
    body = b"".join((_HEAD.pack(len(header)), header, *sections))
    return b"".join((MAGIC, _checksum(body), body))


def _header_of(head: bytes | memoryview, key: str, length: int
               ) -> tuple[list[int], dict[str, Any]] | None:
    """The section sizes and meta of a blob's JSON header ``head``, if it was stored under
    ``key`` and its sections fill the ``length`` bytes that follow it; else None."""
    try:
        header = json.loads(bytes(head))
        sizes, meta = header["sizes"], header["meta"]
        if (header["key"] != key or not isinstance(meta, dict) or not isinstance(sizes, list)
                or not all(isinstance(n, int) and n >= 0 for n in sizes)
                or sum(sizes) != length):
            return None
    except (ValueError, KeyError, TypeError):
        return None
    return sizes, meta


_START = len(MAGIC) + _DIGEST  # where the checked body starts


def load_blob(data: bytes, key: str) -> Blob | None:
    """The blob in ``data`` if it is whole and was stored under ``key``; else None (never an
    exception: the caller builds the file again)."""
    if not data.startswith(MAGIC) or len(data) < _START + _HEAD.size:
        return None
    body = memoryview(data)[_START:]
    if _checksum(body) != data[len(MAGIC):_START]:
        return None
    (size,) = _HEAD.unpack_from(body)
    at = _HEAD.size + size
    found = _header_of(body[_HEAD.size:at], key, len(body) - at)
    if found is None:
        return None
    sizes, meta = found
    sections = []
    for n in sizes:
        sections.append(bytes(body[at:at + n]))
        at += n
    return Blob(tuple(sections), meta)


def read_blob(path: Path, key: str) -> Blob | None:
    """The blob at ``path`` if it is whole and was stored under ``key``; None for a missing,
    foreign, stale, truncated or damaged file. Each section is read into its own bytes (not
    the file whole, then copied out: a short run reads 10 MB of these)."""
    try:
        with open(path, "rb") as f:
            total = os.fstat(f.fileno()).st_size
            head = f.read(_START + _HEAD.size)
            if len(head) < _START + _HEAD.size or not head.startswith(MAGIC):
                return None
            (size,) = _HEAD.unpack_from(head, _START)
            if _START + _HEAD.size + size > total:
                return None
            text = f.read(size)
            found = _header_of(text, key, total - _START - _HEAD.size - size)
            if found is None:
                return None
            sizes, meta = found
            sections = tuple(f.read(n) for n in sizes)
    except OSError:
        return None
    crc = zlib.crc32(text, zlib.crc32(memoryview(head)[_START:]))
    for section, n in zip(sections, sizes, strict=True):
        if len(section) != n:  # the file shrank while read
            return None
        crc = zlib.crc32(section, crc)
    if crc.to_bytes(_DIGEST, "little") != head[len(MAGIC):_START]:
        return None
    return Blob(sections, meta)


def write_blob(path: Path, key: str, sections: Sequence[bytes], meta: dict[str, Any]) -> None:
    """Store ``sections`` and ``meta`` at ``path`` under ``key``, whole or not at all."""
    write_atomic(path, dump_blob(key, sections, meta))


def touch(path: Path) -> None:
    """Mark a cached file used now (pruning keeps the most recently used); a read-only
    cache folder is no error."""
    with contextlib.suppress(OSError):
        os.utime(path)


# -- pruning -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kept:
    """A kind of cached file and how many of it the folder keeps.

    Files whose names agree up to the first dot are one entry (a database and the files built
    beside it go together). The ``keep`` most recently used entries stay; the others go once
    unused for ``idle`` seconds (another installation sharing the folder may still read its
    own)."""

    pattern: str  # a glob in the cache folder
    keep: int
    idle: float = 0.0


def last_used(path: Path) -> float:
    """When a file was last read or written, as far as the file system tells."""
    st = path.stat()
    return max(st.st_atime, st.st_mtime)


def prune(folder: Path, kind: Kept, spare: Path | None = None) -> None:
    """Remove the entries of ``kind`` in ``folder`` that the policy lets go; ``spare`` (the
    file just written or opened) stays whatever its times say. Never raises."""
    groups: dict[str, list[Path]] = {}
    used: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for path in folder.glob(kind.pattern):
            with contextlib.suppress(OSError):
                entry = path.name.split(".")[0]
                when = last_used(path)
                groups.setdefault(entry, []).append(path)
                used[entry] = max(used.get(entry, when), when)
    own = spare.name.split(".")[0] if spare is not None else None
    newest_first = sorted(groups, key=lambda e: used[e], reverse=True)
    now = time.time()
    for entry in newest_first[kind.keep:]:
        if entry == own or now - used[entry] < kind.idle:
            continue
        for path in groups[entry]:
            with contextlib.suppress(OSError):
                path.unlink()


def cached(name: str, key: str, kind: Kept, load: Callable[[Blob], T | None],
           build: Callable[[], tuple[T, Sequence[bytes], dict[str, Any] | None]]) -> T:
    """``load(blob)`` of the file ``name`` in the cache folder when it is whole, stored under
    ``key`` and accepted by ``load`` (None: rejected); else ``build()`` (the object, its
    sections and meta), stored for next time where the folder can be written. Meta None: the
    build is not what ``key`` stands for (made without an input that failed), used this once
    and never stored."""
    try:
        path: Path | None = cache_folder() / name
    except CacheFolderError:
        path = None
    if path is not None:
        found = read_blob(path, key)
        if found is not None:
            result = load(found)
            if result is not None:
                touch(path)
                return result
    made, sections, meta = build()
    if meta is None:
        return made
    with contextlib.suppress(OSError):  # a read-only cache folder: built again next time
        folder = cache_folder(create=True)
        write_blob(folder / name, key, sections, meta)
        prune(folder, kind, folder / name)
    return made


VALUES_KEPT = 4
"""Files of each kind of :func:`cached_value` kept (the most recently used)."""


def value_key(kind: str, *parts: str | bytes) -> str:
    """The key of a :func:`cached_value`: the kind, its inputs (bytes hashed as they are,
    so that a value drawn from a section of a file is keyed by that section's content) and
    the Python that wrote it (marshal's format is Python's own)."""
    h = key_hash(f"value-{kind}", sys.implementation.cache_tag or "-", str(marshal.version))
    for part in parts:
        h.update(part if isinstance(part, bytes | memoryview) else part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def cached_value(kind: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s value (plain data only: str, bytes, numbers, tuples, lists, dicts, sets),
    kept in the cache folder under ``key`` (see :func:`value_key`), for what is quick to read
    but slow to work out again in every short run (a list drawn from a 3 MB section). The file
    is checked as every blob is, so marshal reads only bytes it wrote."""
    def load(blob: Blob) -> T | None:
        if len(blob.sections) != 1:
            return None
        try:
            return marshal.loads(blob.sections[0])
        except (EOFError, ValueError, TypeError):
            return None

    def make() -> tuple[T, list[bytes], dict[str, Any]]:
        value = build()
        return value, [marshal.dumps(value)], {}

    return cached(f"values-{kind}-{key[:24]}.bin", key, Kept(f"values-{kind}-*.bin",
                                                             keep=VALUES_KEPT), load, make)


# -- cached SQLite databases -------------------------------------------------------------------

class DbFault(StrEnum):
    """Why a cached database cannot be used, which decides what happens to it."""

    MISSING = "missing"  # not there: build it
    CORRUPT = "corrupt"  # damaged, foreign, stale or never finished: remove and rebuild it
    UNREADABLE = "unreadable"  # this user may not read it: only the user can fix that


class CacheDbError(InnkitError):
    """A cached database that cannot be used, with the fault and what was found."""

    def __init__(self, path: Path, fault: DbFault, detail: str) -> None:
        self.path = path
        self.fault = fault
        self.detail = detail
        hint = ("make it readable, or set XDG_CACHE_HOME" if fault is DbFault.UNREADABLE
                else "it is rebuilt on the next run")
        super().__init__(f"{fault}: {detail}", hint)

    @property
    def rebuild(self) -> bool:
        """Whether building the file again cures it (not so for a file this user can't read)."""
        return self.fault is not DbFault.UNREADABLE

    def report(self, what: str, meanwhile: str = "") -> str:
        """The one wording of this fault in a warning about ``what`` (e.g. "substance index"):
        that it is rebuilt, or, for a file that can't be read, the fix (``meanwhile``: how
        innkit goes on until then)."""
        if self.fault is DbFault.UNREADABLE:
            goes_on = f"{meanwhile}; " if meanwhile else ""
            return (f"cannot read the {what} {self.path} ({self.detail}); {goes_on}fix: make "
                    "it readable, or set XDG_CACHE_HOME")
        if self.fault is DbFault.MISSING:
            return f"the {what} {self.path} is missing; building it"
        return f"the {what} {self.path} is unusable ({self.detail}); rebuilding it"


def readonly_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` read-only (escaped: any file name works)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def connect_readonly(path: Path, **options: Any) -> sqlite3.Connection:
    """A read-only connection to the SQLite file ``path`` (``options`` as for connect)."""
    return sqlite3.connect(readonly_uri(path), uri=True, **options)


def _stamp(path: Path) -> str:
    """What changes whenever a file is written: size, times (the change time cannot be set
    back) and inode."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _sound_mark(path: Path) -> Path:
    """Where the stamp of the file last found sound is kept (pruned with the file)."""
    return path.with_name(f"{path.name}.sound")


def _mark_sound(path: Path) -> None:
    with contextlib.suppress(OSError):
        write_atomic(_sound_mark(path), _stamp(path))


def _known_sound(path: Path) -> bool:
    try:
        return _sound_mark(path).read_text() == _stamp(path)
    except (OSError, UnicodeDecodeError):
        return False


def forget_sound(folder: Path) -> None:
    """Have every database of the cache ``folder`` checked whole when next opened (after a
    query found one damaged). Never raises."""
    with contextlib.suppress(OSError):
        for mark in folder.glob("*.sound"):
            with contextlib.suppress(OSError):
                mark.unlink()


def _check_whole(conn: sqlite3.Connection, meta: dict[str, str]) -> str | None:
    """What is wrong with a database read whole (``quick_check``, and the row count of every
    table recorded at build), or None."""
    problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        return " ".join("; ".join(problems).split())  # one line
    for key, value in meta.items():
        if key.startswith("rows:"):
            table = key[5:]
            found = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if str(found) != value:
                return f"{table} holds {found} rows, {value} were written"
    return None


def open_cache_db(path: Path, schema: int) -> tuple[sqlite3.Connection, dict[str, str]]:
    """A read-only connection to a database built by :func:`build_cache_db`, checked quickly
    (its meta table, schema, completeness, and a file as long as its pages), and whole when
    the file is not the one last found sound (see :func:`_check_whole`), and its meta rows;
    else :class:`CacheDbError` saying whether to rebuild it."""
    try:
        on_disk = path.stat().st_size
    except FileNotFoundError:
        raise CacheDbError(path, DbFault.MISSING, "no such file") from None
    except OSError as exc:  # a folder this user may not enter
        raise CacheDbError(path, DbFault.UNREADABLE, exc.strerror or str(exc)) from exc
    if not os.access(path, os.R_OK):
        raise CacheDbError(path, DbFault.UNREADABLE, "permission denied")
    try:
        conn = connect_readonly(path, check_same_thread=False)
    except sqlite3.Error as exc:
        raise CacheDbError(path, DbFault.UNREADABLE, str(exc)) from exc
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        if meta.get("schema") != str(schema) or meta.get("complete") != "yes":
            raise CacheDbError(path, DbFault.CORRUPT,
                               "written by another version, or never finished")
        if on_disk != pages * page:
            raise CacheDbError(path, DbFault.CORRUPT, "truncated" if on_disk < pages * page
                               else "longer than its pages")
        if not _known_sound(path):
            problem = _check_whole(conn, meta)
            if problem is not None:
                raise CacheDbError(path, DbFault.CORRUPT, f"damaged: {problem}")
            _mark_sound(path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CacheDbError(path, DbFault.CORRUPT, f"damaged: {exc}") from exc
    except CacheDbError:
        conn.close()
        raise
    return conn, meta


@contextlib.contextmanager
def build_cache_db(path: Path, schema: int) -> Iterator[sqlite3.Connection]:
    """A new database to fill that replaces ``path`` whole when the block ends (see
    :func:`innkit.files.atomic.atomic_sqlite`), with the ``meta (key, value)`` table that
    :func:`open_cache_db` checks: the block adds its own rows; the row count of every table,
    ``schema`` and ``complete`` are written last. The new file is known sound."""
    with atomic_sqlite(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        yield db
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table' AND name != 'meta'")]
        counts = [(f"rows:{t}", str(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]))
                  for t in tables]
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [*counts, ("schema", str(schema)), ("complete", "yes")])
    _mark_sound(path)
