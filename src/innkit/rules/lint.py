"""One canonical form for every table under ``innkit/data``, so that a diff shows only facts.

A table is canonical when its bytes equal :func:`canonical` of its rows:

- UTF-8 without a byte-order mark, LF line ends, one final newline, no blank lines;
- the header first, its columns in the order the file gives them (readers use names, and
  ``data/README.md`` documents each table's columns in that order), no empty or repeated name;
- every row as wide as the header; no space, tab or line break at either end of a cell;
- written by Python's ``csv`` module with tabs and minimal quoting: a cell that holds a quote
  character is quoted, its quotes doubled (as data/README.md says);
- rows sorted by their key where the table's order carries no meaning (:data:`SORTED_BY`);
  every other table keeps its order, for the reason :data:`ORDER_KEPT` gives.

``innkit data lint`` reports what is not canonical; ``--fix`` rewrites the tables (then
``python -m innkit.rules.manifest`` records their new hashes).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..files.atomic import write_atomic
from .manifest import data_dir

SORTED_BY: dict[str, tuple[str, ...]] = {
    # Read into dictionaries keyed by these columns: the order of the rows means nothing.
    "antibody_inns.tsv": ("name", "second_word"),
    "lenses.tsv": ("word",),
    "modifiers.tsv": ("word",),
    "radiolabels.tsv": ("element",),
    "elements.tsv": ("name",),
    "salts.tsv": ("word",),
    "body_words.tsv": ("kind", "name"),
    "usage_contexts.tsv": ("marks", "side", "word"),
    "text_names.tsv": ("name",),
    "audit_conjugates.tsv": ("kind",),
    "inn_lists.tsv": ("series",),
    "antigen_synonyms.tsv": ("symbol",),
    "chemical_words.tsv": ("word",),
}
"""Tables whose rows are sorted (code point order) by these columns."""

ORDER_KEPT: dict[str, str] = {
    "check_words.tsv": "grouped by claim kind for reading; a phrase in two rows counts for the "
                       "first",
    "eras.tsv": "chronological, oldest first (the decoder's era order)",
    "audit_eras.tsv": "chronological",
    "target_substems.tsv": "by era, then as the scheme lists the substems; readings of equal "
                           "score keep this order",
    "source_substems.tsv": "readings of equal score keep this order",
    "antibody_stems.tsv": "the order messages and the format list show the stems in",
    "g2p_rules.tsv": "rule precedence: the first rule that matches wins",
    "spelling_guidance.tsv": "the first advice that matches is reported",
    "inn_languages.tsv": "rule precedence",
    "confusables.tsv": "grouped by script, small letters before capitals, as a reader checks",
    "antigen_classes.tsv": "the first group that matches wins",
    "audit_formats.tsv": "keywords of equal length are tried in this order",
    "audit_kinds.tsv": "labels of equal length are tried in this order",
    "modifier_endings.tsv": "endings of equal length are tried in this order",
    "inn_stems.tsv": "as the WHO stem book lists the stems (a stem may have several rows)",
    "biologic_stems.tsv": "as the WHO lists the biologic sub-stems",
    "drug_classes.tsv": "grouped for reading; order not yet reviewed, so it is kept",
    "screen_words.tsv": "grouped by kind for reading; order not yet reviewed, so it is kept",
    "qualifiers.tsv": "grouped for reading; order not yet reviewed, so it is kept",
    "phonemes.tsv": "grouped by class as ALINE lists them",
    "aline.tsv": "grouped by kind as ALINE (Kondrak 2000) lists them",
    "screen_model.tsv": "the measures in the column order of screening's ranking model",
    "exceptions.tsv": "order not yet reviewed, so it is kept",
    "audit_exceptions.tsv": "order not yet reviewed, so it is kept",
}
"""Tables whose row order is kept, and why. A new table must be listed in one of the two."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One way a table differs from its canonical form."""

    table: str
    problem: str
    fixable: bool = True

    def __str__(self) -> str:
        return f"{self.table}: {self.problem}"


def tables(folder: Path | None = None) -> list[Path]:
    return sorted((folder or data_dir()).glob("*.tsv"))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


def canonical(rows: list[list[str]], name: str) -> str:
    """The canonical text of a table's rows (header first)."""
    header, body = rows[0], [[cell.strip() for cell in row] for row in rows[1:] if any(
        cell.strip() for cell in row)]
    header = [cell.strip() for cell in header]
    keys = SORTED_BY.get(name)
    if keys:
        columns = [header.index(k) for k in keys if k in header]
        body.sort(key=lambda row: [row[i] if i < len(row) else "" for i in columns])
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def check(path: Path) -> tuple[list[Finding], str | None]:
    """What is not canonical in one table, and its canonical text (None when the table cannot
    be rewritten safely: not UTF-8, a bad header, rows of the wrong width)."""
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Finding(name, f"not UTF-8 (byte {exc.start}); re-save it as UTF-8", False)], None
    findings = []
    if raw.startswith(b"\xef\xbb\xbf"):
        findings.append(Finding(name, "starts with a byte-order mark"))
    if "\r" in text:
        findings.append(Finding(name, "has CR line ends (use LF)"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = _rows(text)
    if not rows or not any(rows[0]):
        return [*findings, Finding(name, "has no header row", False)], None
    header = [c.strip() for c in rows[0]]
    if "" in header or len(set(header)) != len(header):
        return [*findings, Finding(name, f"header has an empty or repeated column: {header}",
                                   False)], None
    wrong = [n for n, row in enumerate(rows[1:], start=2)
             if any(c.strip() for c in row) and len(row) != len(header)]
    if wrong:
        return [*findings, Finding(name, f"lines {wrong[:5]} do not have {len(header)} fields",
                                   False)], None
    if name not in SORTED_BY and name not in ORDER_KEPT:
        findings.append(Finding(name, "is in neither SORTED_BY nor ORDER_KEPT of "
                                "innkit/datalint.py: say whether its row order matters", False))
    want = canonical(rows, name)
    if want != text:
        findings.append(Finding(name, _first_difference(name, text, want)))
    return findings, want


def _first_difference(name: str, text: str, want: str) -> str:
    have_lines, want_lines = text.split("\n"), want.split("\n")
    if sorted(have_lines) == sorted(want_lines):
        return "rows are not sorted by " + ", ".join(SORTED_BY.get(name, ("their key",)))
    for n, (a, b) in enumerate(zip(have_lines, want_lines, strict=False), start=1):
        if a != b:
            return f"line {n} is not canonical ({_why(a, b)})"
    if len(have_lines) != len(want_lines):
        return "blank lines or a missing final newline"
    return "not canonical"


def _why(have: str, want: str) -> str:
    if have.strip() == "" and want:
        return "blank line"
    if [c.strip() for c in have.split("\t")] == want.split("\t"):
        return "spaces at the edge of a cell"
    return "quoting, spacing or row order differs"


def lint(folder: Path | None = None, *, fix: bool = False) -> list[Finding]:
    """Findings for every table; with ``fix``, the fixable tables are rewritten (atomically)
    and only what could not be fixed is returned."""
    left: list[Finding] = []
    for path in tables(folder):
        findings, want = check(path)
        if fix and want is not None and all(f.fixable for f in findings):
            if findings:
                write_atomic(path, want)
            continue
        left += findings
    return left
