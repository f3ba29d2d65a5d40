"""The user registry: a SQLite file of a team's own names, changed only in whole transactions.

Every change is validated first; an import with a single bad row changes nothing and reports
each problem with its line number. SQLite's transaction makes each change all-or-nothing on
disk; exports are written to a temporary file and renamed into place.

A change cut short (the process killed, the disk full) leaves its rollback journal beside the
file: only a connection that may write can roll it back, so every read first settles such a
journal, and a repair keeps the journal with the old file.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InnkitError
from ..files.atomic import write_atomic
from ..files.cache import connect_readonly, readonly_uri
from .entries import ENTRY_COLUMNS, ENTRY_KINDS, RegistryEntry
from .keys import name_key

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 ()\-.']{0,99}$")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS names (
    key TEXT PRIMARY KEY,
    {", ".join(f"{c} TEXT" for c in ENTRY_COLUMNS)}
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
INSERT OR IGNORE INTO meta VALUES ('schema', '1');
"""
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    name: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.name!r}: {self.reason}" if self.name else \
            f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    replaced: int = 0
    errors: tuple[RowError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors


class StoreError(InnkitError):
    """The user database cannot be read or written; the reason ends with the fix, its hint."""


_REPAIR = ("run `innkit registry repair` to move it aside and rescue its names into a new "
           "file, or move it aside yourself and re-import your names")
_FULL = "free some space on that disk and run the command again"
_WRITABLE = ("make the file and its folder writable (chmod u+w), or copy it elsewhere and point "
             "--user-db at the copy")


def journal_of(path: Path) -> Path:
    """The rollback journal SQLite keeps beside ``path`` while a change is under way."""
    return path.with_name(f"{path.name}-journal")


def _full(exc: BaseException) -> bool:
    return ("full" in str(exc).lower() or
            (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)))


class UserStore:
    """Read and change one user registry file."""

    def __init__(self, path: Path | str, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout

    # -- opening, with one message per way a file can be wrong ------------------------------
    def _fault(self, exc: BaseException, writing: bool) -> StoreError:
        text = str(exc)
        low = text.lower()
        if "locked" in low or "busy" in low:
            hint = "wait until it has finished and try again"
            return StoreError(f"the user registry {self.path} is locked by another program "
                              f"({text}); {hint}", hint)
        if _full(exc):
            return StoreError(f"the disk holding the user registry {self.path} is full "
                              f"({text}); {_FULL}", _FULL)
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_IOERR"):
            hint = "check that the disk has free space and works, then run the command again"
            return StoreError(f"the disk failed while {'writing' if writing else 'reading'} "
                              f"the user registry {self.path} ({text}); {hint}", hint)
        if "readonly" in low or "read-only" in low or (
                writing and isinstance(exc, OSError)) or "unable to open" in low:
            return StoreError(f"cannot {'write' if writing else 'read'} the user registry "
                              f"{self.path} ({text}); {_WRITABLE}", _WRITABLE)
        if "not a database" in low or "malformed" in low or "corrupt" in low:
            return StoreError(f"the user registry {self.path} is damaged ({text}); {_REPAIR}",
                              _REPAIR)
        return StoreError(f"the user registry {self.path} cannot be used ({text}); {_REPAIR}",
                          _REPAIR)

    def _check_ours(self, db: sqlite3.Connection) -> None:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "names" in tables:
            cols = {r[1] for r in db.execute("PRAGMA table_info(names)")}
            if {"key", *ENTRY_COLUMNS} <= cols:
                return
        if not tables:
            return
        hint = "point --user-db or INNKIT_USER_DB at another file"
        raise StoreError(f"{self.path} is an SQLite database of another program (tables: "
                         f"{', '.join(sorted(tables))}), not an innkit user registry; {hint} "
                         "(nothing was changed)", hint)

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        """A connection to a checked innkit registry; ``create``: to write (made if absent or
        empty), else read-only."""
        if not create and not self.path.exists():
            raise StoreError(f"no user registry at {self.path} (add a name to create it)",
                             "add a name to create it")
        if not create:
            self.settle()
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            else:
                db = connect_readonly(self.path, timeout=self.timeout, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise self._fault(exc, create) from exc
        try:
            db.row_factory = sqlite3.Row
            self._check_ours(db)
            if create:  # made, or an empty file initialised; read-only, an empty file reads empty
                db.executescript(_SCHEMA)
            return db
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise self._fault(exc, create) from exc

    def settle(self) -> bool:
        """Roll back a change that was cut short, as SQLite does on a connection that may
        write (a read-only one cannot, and fails); True when there was one. A journal that is
        empty or absent is nothing to do."""
        try:
            if journal_of(self.path).stat().st_size == 0:
                return False
        except OSError:
            return False
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls back
            finally:
                db.close()
        except sqlite3.Error as exc:
            low = str(exc).lower()
            if "readonly" in low or "read-only" in low or "unable to open" in low:
                hint = _WRITABLE
                raise StoreError(
                    f"the user registry {self.path} holds a change that was cut short (its "
                    f"journal {journal_of(self.path).name} is beside it), which only a "
                    f"process that may write the file and its folder can roll back ({exc}); "
                    f"{hint}; your names are safe meanwhile", hint) from exc
            raise self._fault(exc, True) from exc
        return True

    def entries(self) -> list[RegistryEntry]:
        if not self.path.exists():
            return []
        db = self._connect(create=False)
        try:
            if not {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE "
                                             "type='table'")}:
                return []  # an empty file: no names yet
            rows = db.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM names ORDER BY key")
            return [_entry(dict(r)) for r in rows]
        except sqlite3.Error as exc:
            raise self._fault(exc, False) from exc
        finally:
            db.close()

    def copy_into(self, db: sqlite3.Connection, insert: str, lead: str = "") -> None:
        """Run ``insert`` (an ``INSERT INTO ... (key, [lead column,] *ENTRY_COLUMNS)``) over
        every name of this file, attached read-only to ``db``: the rows never become Python
        objects. Cells are text, empty for none, the kind defaulted as :meth:`entries` does."""
        if not self.path.exists():
            return
        check = self._connect(create=False)  # the same checks, and messages, as a read
        try:
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE "
                                                  "type='table'")}
        except sqlite3.Error as exc:
            raise self._fault(exc, False) from exc
        finally:
            check.close()
        if not tables:
            return  # an empty file: no names yet
        cells = ", ".join("COALESCE(NULLIF(kind, ''), 'candidate')" if c == "kind"
                          else f"COALESCE(CAST({c} AS TEXT), '')" for c in ENTRY_COLUMNS)
        try:
            db.execute("ATTACH DATABASE ? AS innkit_user", (readonly_uri(self.path),))
            try:
                db.execute(f"{insert} SELECT key, {lead + ', ' if lead else ''}{cells} "
                           "FROM innkit_user.names ORDER BY key")
            finally:
                db.commit()  # a database is detached outside a transaction only
                db.execute("DETACH DATABASE innkit_user")
        except sqlite3.Error as exc:
            raise self._fault(exc, False) from exc

    def repair(self) -> tuple[Path | None, int]:
        """Make the file a working registry again: an empty file is initialised; a change cut
        short is rolled back; a damaged file is moved aside (``NAME.damaged-TIME``, with its
        journal, if any, as ``NAME.damaged-TIME-journal``: nothing is deleted) and every row
        still readable is copied into a new file. Returns (where the old file went, names
        in the registry now)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._connect(create=True).close()
            return None, 0
        try:
            self.settle()
            db = connect_readonly(self.path, timeout=self.timeout)
            try:
                self._check_ours(db)
                ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                db.close()
        except StoreError as exc:
            if exc.hint == _REPAIR:  # damaged past settling: rescue it below
                ok = False
            else:
                raise
        except sqlite3.Error:
            ok = False
        if ok:
            return None, len(self.entries())
        rows = _rescue_copy(self.path)
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}")
        fresh = self.path.with_name(f".{self.path.name}.repairing-{os.getpid()}")
        try:
            fresh.unlink(missing_ok=True)
            db = sqlite3.connect(fresh, isolation_level=None)
            try:
                db.executescript(_SCHEMA)
                db.execute("BEGIN IMMEDIATE")
                cols = ", ".join(ENTRY_COLUMNS)
                db.executemany(f"INSERT OR REPLACE INTO names (key, {cols}) VALUES "
                               f"(?, {', '.join('?' * len(ENTRY_COLUMNS))})",
                               [(name_key(r["name"]), *(r.get(c) or "" for c in ENTRY_COLUMNS))
                                for r in rows])
                db.execute("COMMIT")
            finally:
                db.close()
            os.replace(self.path, aside)  # the old file and its journal stay together
            if journal_of(self.path).exists():
                os.replace(journal_of(self.path), journal_of(aside))
            os.replace(fresh, self.path)
        except (OSError, sqlite3.Error) as exc:
            fresh.unlink(missing_ok=True)
            for leftover in (journal_of(fresh),):
                leftover.unlink(missing_ok=True)
            raise self._fault(exc, True) from exc
        return aside, len(rows)

    def add(self, entry: RegistryEntry, *, replace: bool = False,
            shipped_keys: Iterable[str] = ()) -> ImportReport:
        """Add one name (validated like an imported row)."""
        row = {c: "" if getattr(entry, c) is None else str(getattr(entry, c))
               for c in ENTRY_COLUMNS}
        return self._apply([(1, row)], replace=replace, shipped_keys=shipped_keys)

    def remove(self, name: str) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        db = self._connect(create=True)
        try:
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute("DELETE FROM names WHERE key = ?", (name_key(name),))
            db.execute("COMMIT")
            return cur.rowcount > 0
        except sqlite3.Error as exc:
            raise self._fault(exc, True) from exc
        finally:
            db.close()

    def import_csv(self, text: str, *, replace: bool = False,
                   shipped_keys: Iterable[str] = ()) -> ImportReport:
        """Import CSV text with a header row; all rows or none."""
        if len(text) > MAX_IMPORT_BYTES:
            return ImportReport(errors=(RowError(1, "", f"file larger than "
                                f"{MAX_IMPORT_BYTES // 1024 // 1024} MB: split it"),))
        reader = csv.DictReader(io.StringIO(text))
        try:
            return self._import_rows(reader, replace, shipped_keys)
        except csv.Error as exc:  # a field over the csv module's limit, or broken quoting
            return ImportReport(errors=(RowError(
                reader.line_num, "", f"not readable as CSV ({exc}); a cell is at most 2000 "
                "characters: check the quoting of that row"),))

    def _import_rows(self, reader: csv.DictReader, replace: bool,
                     shipped_keys: Iterable[str]) -> ImportReport:
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "name" not in header:
            return ImportReport(errors=(RowError(1, "", "the header must have a 'name' column "
                                                 f"(known columns: {', '.join(ENTRY_COLUMNS)})"),))
        unknown = [h for h in header if h not in ENTRY_COLUMNS]
        if unknown:
            return ImportReport(errors=(RowError(1, "", f"unknown columns {unknown} (known: "
                                                 f"{', '.join(ENTRY_COLUMNS)})"),))
        rows = []
        for row in reader:
            if None in row:
                rows.append((reader.line_num, {"name": row.get("name") or "", "_extra": "1"}))
                continue
            rows.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}))
        return self._apply(rows, replace=replace, shipped_keys=shipped_keys)

    def csv_text(self) -> tuple[str, int]:
        """Every user entry as CSV (header first, every line ending in CRLF as RFC 4180 has
        it), and the number of rows."""
        entries = self.entries()
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(ENTRY_COLUMNS)
        for e in entries:
            writer.writerow(["" if getattr(e, c) is None else getattr(e, c)
                             for c in ENTRY_COLUMNS])
        return buffer.getvalue(), len(entries)

    def export_csv(self, target: Path | str) -> int:
        """Write every user entry as CSV, atomically; returns the number of rows."""
        text, n = self.csv_text()
        write_atomic(target, text)
        return n

    # -- validation and the single write path ----------------------------------------------
    def _apply(self, rows: list[tuple[int, dict[str, str]]], *, replace: bool,
               shipped_keys: Iterable[str]) -> ImportReport:
        shipped = set(shipped_keys)
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        clean: list[dict[str, str]] = []
        for line, row in rows:
            problems = _validate(row)
            key = name_key(row.get("name", ""))
            if key in seen:
                problems.append(f"duplicate of line {seen[key]} in this file")
            seen.setdefault(key, line)
            kind = row.get("kind") or "candidate"
            if key in shipped and kind in ("candidate", "code"):
                problems.append("already an assigned INN in the shipped registry; a candidate "
                                "or code cannot take its name")
            errors += [RowError(line, row.get("name", ""), p) for p in problems]
            if not problems:
                clean.append({**{c: row.get(c, "") for c in ENTRY_COLUMNS}, "kind": kind})
        if errors:
            return ImportReport(errors=tuple(errors))
        db = self._connect(create=True)
        try:
            db.execute("BEGIN IMMEDIATE")
            existing = {r[0] for r in db.execute("SELECT key FROM names")}
            clash = [RowError(line, row.get("name", ""), "already in the user registry "
                              "(use --replace to overwrite)")
                     for line, row in rows if name_key(row.get("name", "")) in existing]
            if clash and not replace:
                db.execute("ROLLBACK")
                return ImportReport(errors=tuple(clash))
            cols = ", ".join(ENTRY_COLUMNS)
            db.executemany(
                f"INSERT OR REPLACE INTO names (key, {cols}) "
                f"VALUES (?, {', '.join('?' * len(ENTRY_COLUMNS))})",
                [(name_key(r["name"]), *(r[c] for c in ENTRY_COLUMNS)) for r in clean],
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            fault = self._fault(exc, True)
            raise StoreError(f"nothing was changed: {fault}", fault.hint) from exc
        finally:
            db.close()
        return ImportReport(added=len(clean) - len(clash), replaced=len(clash))


def _rescue_copy(path: Path) -> list[dict[str, str]]:
    """:func:`_rescue` of a copy of ``path`` with its journal, which SQLite rolls back there
    (the original and its journal stay as they are): the rows as they were before the change
    that was cut short. Only where that reads nothing, the copy without the journal."""
    with tempfile.TemporaryDirectory(prefix="innkit-rescue-") as folder:
        copy = Path(folder) / "registry.sqlite"
        shutil.copyfile(path, copy)
        if journal_of(path).exists():
            shutil.copyfile(journal_of(path), journal_of(copy))
            rows = _rescue(copy, writable=True)
            if rows:
                return rows
            copy.unlink()
            journal_of(copy).unlink(missing_ok=True)
            shutil.copyfile(path, copy)
        return _rescue(copy, writable=True)


def _rescue(path: Path, *, writable: bool = False) -> list[dict[str, str]]:
    """Every row of ``names`` that can still be read, row by row around the damage;
    ``writable``: a connection that rolls back a journal beside the file (on a copy)."""
    try:
        db = sqlite3.connect(path) if writable else connect_readonly(path)
        db.row_factory = sqlite3.Row
    except sqlite3.Error:
        return []
    rows: dict[str, dict[str, str]] = {}
    try:
        top = db.execute("SELECT max(rowid) FROM names").fetchone()[0] or 0
    except sqlite3.Error:
        top = 0
    try:
        for r in db.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM names"):
            rows.setdefault(name_key(r["name"] or ""), dict(r))
    except sqlite3.Error:
        for rowid in range(1, min(top, 1_000_000) + 1):
            try:
                r = db.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM names WHERE rowid = ?",
                               (rowid,)).fetchone()
            except sqlite3.Error:
                continue
            if r is not None:
                rows.setdefault(name_key(r["name"] or ""), dict(r))
    finally:
        db.close()
    return [r for k, r in rows.items() if k and _NAME.match(r.get("name") or "")]


def _validate(row: dict[str, str]) -> list[str]:
    problems = []
    if row.get("_extra"):
        return ["more fields than the header has columns"]
    name = row.get("name", "")
    if not name:
        problems.append("empty name")
    elif not _NAME.match(name):
        problems.append("a name is 1 to 100 letters, digits, spaces, hyphens, dots or "
                        "parentheses, starting with a letter")
    kind = row.get("kind", "")
    if kind and kind not in ENTRY_KINDS:
        problems.append(f"kind {kind!r} is not one of {', '.join(ENTRY_KINDS)}")
    year = row.get("year", "")
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        problems.append(f"year {year!r} is not a year between 1900 and 2100")
    for col, value in row.items():
        if len(value) > 2000:
            problems.append(f"{col} is longer than 2000 characters")
        if any(ord(c) < 32 for c in value):
            problems.append(f"{col} contains control characters")
    return problems


def _entry(row: dict[str, str]) -> RegistryEntry:
    data: dict = {k: (v or None) for k, v in row.items()}
    data["year"] = int(data["year"]) if data.get("year") else None
    data["kind"] = data.get("kind") or "candidate"
    return RegistryEntry(origin="user", **data)
