"""Rules: the curated tables of one folder, each read and indexed once for that folder.

Everything innkit builds from a TSV table belongs to one :class:`Rules` object, never to a
module-level cache, so that two folders never mix: a registry holds its rules, and logic tests
run on small fixture tables (``Rules(folder)``, as python-phonenumbers tests on its own test
metadata) while the package's own tables (``Rules.shipped()``) answer as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
import threading
from collections.abc import Callable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ..errors import DataError
from ..files.cache import (
    CacheFolderError,
    Kept,
    cache_folder,
    cache_key,
    prune,
    read_blob,
    write_blob,
)
from .classes import DrugClasses, read_classes
from .lenses import Lenses, read_lenses
from .tables import (
    EraRow,
    Tables,
    build_tables,
    check_columns,
    parse_columns,
    parse_table,
    read_eras,
)

T = TypeVar("T")

_shipped: Rules | None = None
_shipped_lock = threading.Lock()


class Rules:
    """The tables of ``folder`` (None: the package's own ``innkit/data``), read on first use.

    Each table, and each structure built from the tables, is made once per instance: the
    rules' own (``tables``, ``eras``, ``drug_classes``) as cached properties, and those that
    the layers above build (phonetic tables, usage contexts, the audit's rules ...) through
    :meth:`derived`.
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._derived: dict[Callable[[Rules], object], object] = {}
        self._lock = threading.Lock()

    @classmethod
    def shipped(cls) -> Rules:
        """The package's own tables: one instance per process."""
        global _shipped
        if _shipped is None:
            with _shipped_lock:
                if _shipped is None:
                    _shipped = cls()
        return _shipped

    def __repr__(self) -> str:
        return f"Rules({str(self.folder) if self.folder else 'shipped'})"

    def read_bytes(self, name: str) -> bytes:
        """The bytes of table ``name`` (for a content hash: a cache built from the table)."""
        try:
            if self.folder is None:
                return resources.files("innkit").joinpath("data", name).read_bytes()
            return (self.folder / name).read_bytes()
        except OSError as exc:
            raise DataError(f"data table {name} is missing", "reinstall innkit") from exc

    def digest(self, name: str) -> str:
        """A short content hash of table ``name``."""
        return hashlib.sha256(self.read_bytes(name)).hexdigest()[:12]

    def read(self, name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
        """Rows of table ``name`` as dicts, with their 1-based line number under ``_line``."""
        data = self.read_bytes(name)
        if self.folder is None:
            found = _PARSED.rows(name, data)
            if found is not None:
                columns, rows = found
                check_columns(name, columns, required)
                return rows
        return parse_table(name, data.decode("utf-8"), required)

    @cached_property
    def tables(self) -> Tables:
        """Every table the decoder and annotator use, indexed."""
        return build_tables(self.read)

    @cached_property
    def eras(self) -> dict[str, EraRow]:
        """The antibody scheme's eras (eras.tsv), oldest first."""
        return read_eras(self.read)

    @cached_property
    def drug_classes(self) -> DrugClasses:
        """Drug-class phrases (drug_classes.tsv) and the class each names."""
        return read_classes(self.read)

    @cached_property
    def lenses(self) -> Lenses:
        """What kind of word a word is (lenses.tsv, modifiers.tsv, salts.tsv), before stems."""
        return read_lenses(self.read)

    def derived(self, build: Callable[[Rules], T]) -> T:
        """What ``build`` makes of these rules, made once per instance: the layers above keep
        their structures here (a folder's phonetic tables never answer for another folder)."""
        found = self._derived.get(build)
        if found is None:
            made = build(self)
            with self._lock:
                found = self._derived.setdefault(build, made)
        return found  # type: ignore[return-value]


PARSED_FORMAT = 1
"""The layout of the parsed tables' cache file (part of its key)."""
PARSED_KEPT = Kept("rules-*.bin", keep=2)


class _ParsedTables:
    """The package's own tables as :func:`parse_columns` gives them, kept in the cache folder:
    parsing them costs a small run a tenth of its time (antibody_inns.tsv alone 7 ms), reading
    them back from marshal bytes a fraction of that. Each table's rows are used only while
    its content hash is the one stored with them (an edited table is a miss; the file is
    then made again, once per process), and the file is a checked blob, so marshal reads
    only bytes it wrote. A table that does not parse is not stored: it is parsed where it is
    read, and fails there as it always did."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, tuple[str, bytes]] | None = None  # name -> (digest, rows)
        self._made = False

    @staticmethod
    def _key() -> str:
        return cache_key("rules", str(PARSED_FORMAT), sys.implementation.cache_tag or "-",
                         str(marshal.version))

    @staticmethod
    def _path(key: str) -> Path:
        return cache_folder() / f"rules-{key[:24]}.bin"

    def rows(self, name: str, data: bytes) -> tuple[tuple[str, ...], list[dict[str, str]]] | None:
        """The columns and rows of shipped table ``name`` whose bytes are ``data``, or None
        (parse it)."""
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            if self._tables is None:
                self._tables = self._read()
            found = self._tables.get(name)
            if (found is None or found[0] != digest) and not self._made:
                self._made = True  # one try per process: a read-only folder stays a miss
                self._tables = self._make()
                found = self._tables.get(name)
        if found is None or found[0] != digest:
            return None
        try:
            columns, rows = marshal.loads(found[1])
        except (EOFError, ValueError, TypeError):
            return None
        return tuple(columns), rows

    def _read(self) -> dict[str, tuple[str, bytes]]:
        key = self._key()
        try:
            blob = read_blob(self._path(key), key)
        except CacheFolderError:
            return {}
        if blob is None:
            return {}
        listed = blob.meta.get("tables")
        if not isinstance(listed, list) or len(listed) != len(blob.sections):
            return {}
        try:
            return {name: (digest, rows) for (name, digest), rows in zip(listed, blob.sections,
                                                                          strict=True)}
        except (TypeError, ValueError):
            return {}

    def _make(self) -> dict[str, tuple[str, bytes]]:
        """Every shipped table parsed, stored where the cache folder can be written."""
        folder = Path(str(resources.files("innkit").joinpath("data")))
        tables: dict[str, tuple[str, bytes]] = {}
        with contextlib.suppress(OSError):
            for path in sorted(folder.glob("*.tsv")):
                with contextlib.suppress(OSError, UnicodeDecodeError, DataError):
                    data = path.read_bytes()
                    columns, rows = parse_columns(path.name, data.decode("utf-8"))
                    tables[path.name] = (hashlib.sha256(data).hexdigest(),
                                         marshal.dumps((list(columns), rows)))
        key = self._key()
        with contextlib.suppress(OSError):  # CacheFolderError is one
            where = self._path(key)
            cache_folder(create=True)
            write_blob(where, key, [rows for _, rows in tables.values()],
                       {"tables": [[name, digest] for name, (digest, _) in tables.items()]})
            prune(where.parent, PARSED_KEPT, where)
        return tables


_PARSED = _ParsedTables()


__all__ = ["Rules"]
