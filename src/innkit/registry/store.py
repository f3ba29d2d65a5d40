"""The user registry: a SQLite file of a team's own names, changed only in whole transactions.

Every change is validated first; an import with a single bad row changes nothing and reports
each problem with its line number. SQLite's transaction makes each change all-or-nothing on
disk; exports are written to a temporary file and renamed into place.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_atomic
from .core import ENTRY_COLUMNS, ENTRY_KINDS, RegistryEntry, name_key

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


class StoreError(Exception):
    """The user database cannot be read or written; the message names the fix."""


class UserStore:
    """Read and change one user registry file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if not create and not self.path.exists():
            raise StoreError(f"no user registry at {self.path} (add a name to create it)")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.executescript(_SCHEMA) if create else None
            return db
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"cannot open the user registry {self.path}: {exc} "
                             "(check the path and permissions, or set INNKIT_USER_DB)") from exc

    def entries(self) -> list[RegistryEntry]:
        if not self.path.exists():
            return []
        db = self._connect(create=False)
        try:
            rows = db.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM names ORDER BY key")
            return [_entry(dict(r)) for r in rows]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not an innkit user registry: {exc}") from exc
        finally:
            db.close()

    def add(self, entry: RegistryEntry, *, replace: bool = False,
            shipped_keys: Iterable[str] = ()) -> ImportReport:
        """Add one name (validated like an imported row)."""
        row = {c: "" if getattr(entry, c) is None else str(getattr(entry, c))
               for c in ENTRY_COLUMNS}
        return self._apply([(1, row)], replace=replace, shipped_keys=shipped_keys)

    def remove(self, name: str) -> bool:
        db = self._connect(create=False)
        try:
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute("DELETE FROM names WHERE key = ?", (name_key(name),))
            db.execute("COMMIT")
            return cur.rowcount > 0
        finally:
            db.close()

    def import_csv(self, text: str, *, replace: bool = False,
                   shipped_keys: Iterable[str] = ()) -> ImportReport:
        """Import CSV text with a header row; all rows or none."""
        if len(text) > MAX_IMPORT_BYTES:
            return ImportReport(errors=(RowError(1, "", f"file larger than "
                                f"{MAX_IMPORT_BYTES // 1024 // 1024} MB: split it"),))
        reader = csv.DictReader(io.StringIO(text))
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

    def export_csv(self, target: Path | str) -> int:
        """Write every user entry as CSV, atomically; returns the number of rows."""
        entries = self.entries()
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(ENTRY_COLUMNS)
        for e in entries:
            writer.writerow(["" if getattr(e, c) is None else getattr(e, c)
                             for c in ENTRY_COLUMNS])
        write_atomic(target, buffer.getvalue())
        return len(entries)

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
        except sqlite3.DatabaseError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"writing {self.path} failed, nothing was changed: {exc}") from exc
        finally:
            db.close()
        return ImportReport(added=len(clean) - len(clash), replaced=len(clash))


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
