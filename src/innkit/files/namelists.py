"""Lists of names from files: one name per line, or a CSV/TSV table with a ``name`` column.

Used by ``innkit screen --against FILE`` and ``--batch FILE``. A file is a table when its
name ends in .csv or .tsv, or when its first line holds a comma or a tab and a column called
``name`` (any case); otherwise each non-blank line is a name and lines starting with ``#``
are comments. Errors name the file, the line and the fix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError
from .textfiles import FileProblem, TextFileError, read_text_file

MAX_BYTES = 64 << 20
"""Largest names file read (64 MiB, about three million names)."""
MAX_NAME_CHARS = 300


@dataclass(frozen=True, slots=True)
class NameList:
    """The names of a file, in order, and what was left out and why."""

    path: str
    names: tuple[str, ...]
    skipped: tuple[tuple[int, str], ...]  # (line, reason)
    column: str | None  # the table column read, or None for one name per line


_FIXES = {
    FileProblem.MISSING: "give a readable file of names",
    FileProblem.UNREADABLE: "give a readable file of names",
    FileProblem.NOT_A_FILE: "give a file of names, one per line",
    FileProblem.TOO_LARGE: "split the list into smaller files",
    FileProblem.BINARY: "give a text file, one name per line, or a CSV",
    FileProblem.NOT_UTF8: "save the file as UTF-8",
}


def _text(path: Path) -> str:
    try:
        return read_text_file(path, max_bytes=MAX_BYTES, what="a list of names")
    except TextFileError as exc:
        raise InvalidInputError(exc.reason, _FIXES[exc.problem]) from None


def read_names(path: str | Path, column: str = "name") -> NameList:
    """The names of a file; raises InvalidInputError (with a hint) when it cannot be read."""
    p = Path(path)
    text = _text(p)
    lines = text.splitlines()
    first = lines[0] if lines else ""
    table = p.suffix.lower() in (".csv", ".tsv") or (
        ("," in first or "\t" in first)
        and column.lower() in (c.strip().lower() for c in first.replace("\t", ",").split(",")))
    names: list[str] = []
    skipped: list[tuple[int, str]] = []
    if table:
        delimiter = "\t" if p.suffix.lower() == ".tsv" or ("\t" in first and "," not in first) \
            else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            return _table(p, reader, column, names, skipped)
        except csv.Error as exc:  # a field over the csv module's limit, or broken quoting
            raise InvalidInputError(
                f"{p} line {reader.line_num}: not readable as a table ({exc})",
                f"check the quoting of that line; a name is at most {MAX_NAME_CHARS} "
                "characters") from None
    for line, raw in enumerate(lines, start=1):
        value = raw.strip()
        if value.startswith("#"):
            continue
        _keep(value, line, names, skipped)
    return NameList(str(p), tuple(names), tuple(skipped), None)


def _table(p: Path, reader, column: str, names: list[str],
           skipped: list[tuple[int, str]]) -> NameList:
    """The names of the ``column`` of a CSV or TSV file."""
    header = next(reader, [])
    lowered = [h.strip().lower() for h in header]
    if column.lower() not in lowered:
        shown = ", ".join(h for h in header[:8]) or "none"
        raise InvalidInputError(f"{p}: no {column!r} column (columns: {shown})",
                                f"add a header row with a column called {column}")
    at = lowered.index(column.lower())
    for line, row in enumerate(reader, start=2):
        value = row[at].strip() if at < len(row) else ""
        _keep(value, line, names, skipped)
    return NameList(str(p), tuple(names), tuple(skipped), header[at])


def _keep(value: str, line: int, names: list[str], skipped: list[tuple[int, str]]) -> None:
    if not value:
        return
    if len(value) > MAX_NAME_CHARS:
        skipped.append((line, f"longer than {MAX_NAME_CHARS} characters"))
        return
    names.append(value)
