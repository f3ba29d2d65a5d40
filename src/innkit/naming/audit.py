"""``audit``: hold each row of a table of drug names against what the name itself says.

A curator's table states facts (source, target, format, kind, year) that the name's letters
often claim too: ``-ci-`` says cardiovascular, ``-zu-`` humanized, ``-mig`` multi-specific, a name
without a source substem was coined after April 2017. Each rule here compares one column with
the decoding (and the spelling with the FDA UNII list); a row's columns are also held against
each other (a payload word against the format, the status against its own source's words) and
against the whole table (a year against the years of the names with neighbouring INN numbers,
which WHO assigns in the order it proposes names). The facts the rules use live in tables under
``innkit/data`` (``audit_eras.tsv``, ``antigen_classes.tsv``, ``audit_formats.tsv``,
``audit_conjugates.tsv``, ``audit_kinds.tsv``), and contradictions that were investigated and
stand are recorded, with their reason, in ``audit_exceptions.tsv``.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..decoder.antibody import source_agrees
from ..decoder.decode import decode
from ..decoder.modifiers import classify_modifier
from ..errors import InnkitError
from ..files.textfiles import FileProblem, TextFileError, read_text_file
from ..models import Decoding, Result
from ..registry import Registry, get_registry
from ..rules.core import Rules
from ..rules.lists import numbering
from ..rules.tables import ERAS, Tables
from ..vocab import AntibodyFormat, Confidence, Kind, NameType

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A table of names larger than this is not a curator's table; refuse it rather than stall."""
_NAME_WORD = re.compile(r"^[a-z]+$")
NEIGHBOURS = 5
"""INN numbers on each side whose years give the expected year of a name (WHO numbers names in
the order it proposes them, two lists a year)."""
YEAR_SLACK = 2
"""Years a name may lie from the median year of its neighbours: a list's names span a year, and
a year taken from the recommended list (a year or two later) is off by one or two."""
LIST_SLACK = 1
"""Years a proposal year may lie from the year of its proposed list: a list that appeared at the
turn of a year is dated either way by secondary sources (Thera-SAbDab's years)."""
_PHASE_STATUS = re.compile(r"phase/status:\s*([^|]*)", re.IGNORECASE)


class Check(StrEnum):
    """The rules, one per column a table may have."""

    YEAR = "year"
    TARGET = "target"
    SOURCE = "source"
    FORMAT = "format"
    KIND = "kind"
    SPELLING = "spelling"
    NUMBER = "number"  # the year against the years of neighbouring INN numbers
    CONJUGATE = "conjugate"  # the format against the second word (payload, chelator ...)
    STATUS = "status"  # the status against its own words and its source's
    CATEGORY = "category"  # the target category against the name's target substem
    LIST = "list"  # the year against the WHO list numbers (inn_lists.tsv)


class Status(StrEnum):
    """The development states a status cell begins with."""

    APPROVED = "approved"
    INVESTIGATIONAL = "investigational"
    DISCONTINUED = "discontinued"


COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("name", "inn"),
    "source": ("source",),
    "target": ("target", "target_antigen", "antigen"),
    "format": ("format",),
    "kind": ("kind", "type"),
    "year": ("year",),
    "second_word": ("second_word", "conjugate_word"),
    "status": ("status",),
    "inn_number": ("inn_number", "inn_no"),
    "target_category": ("target_category",),
    "notes": ("notes",),
    "proposed_list": ("proposed_list", "pl"),
    "recommended_list": ("recommended_list", "rl"),
}
"""Header names accepted for each column (compared lower-case, spaces as underscores)."""


class AuditInputError(InnkitError, ValueError):
    """The file cannot be audited (missing, not CSV, no name column): ``hint`` says the fix."""


@dataclass(frozen=True, slots=True)
class Contradiction(Result):
    """One fact of a row that the name contradicts, and why."""

    line: int  # line of the row in the file (the header is line 1)
    name: str
    check: Check
    column: str
    value: str  # what the table says
    expected: str  # what the name says
    reason: str
    rule: str  # the data row the rule comes from
    kept: str | None = None  # the recorded reason it stands (audit_exceptions.tsv), if any


@dataclass(frozen=True, slots=True)
class AuditReport(Result):
    """The outcome of an audit: rows read, rows each check applied to, contradictions."""

    source: str
    rows: int
    checked: Mapping[str, int]
    contradictions: tuple[Contradiction, ...]
    columns: tuple[str, ...] = field(default=())

    # the counts beside the contradictions themselves
    _json = ("source", "rows", "columns", ("checked", lambda r: dict(r.checked)),
             ("contradictions_per_check", lambda r: r.counts()),
             ("open", lambda r: len(r.open)), ("kept", lambda r: len(r.kept)), "clean",
             "contradictions")

    @property
    def open(self) -> tuple[Contradiction, ...]:
        """Contradictions nobody has explained yet."""
        return tuple(c for c in self.contradictions if c.kept is None)

    @property
    def kept(self) -> tuple[Contradiction, ...]:
        return tuple(c for c in self.contradictions if c.kept is not None)

    @property
    def clean(self) -> bool:
        return not self.open

    def counts(self) -> dict[str, int]:
        """Contradictions per check."""
        out = {str(c): 0 for c in Check}
        for c in self.contradictions:
            out[str(c.check)] += 1
        return out


# ---------------------------------------------------------------------------------- rule data


@dataclass(frozen=True, slots=True)
class _AntigenGroup:
    group: str
    pattern: re.Pattern[str]
    classes: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class _Rules:
    earliest: Mapping[str, tuple[int, int]]  # era -> (earliest year, line)
    antigens: tuple[_AntigenGroup, ...]
    formats: tuple[tuple[str, str], ...]  # (keyword, means), longest first
    kinds: tuple[tuple[str, str, bool, int], ...]  # (label, means, antibody?, line)
    conjugates: Mapping[str, tuple[tuple[str, ...], int]]  # modifier kind -> (formats, line)
    exceptions: Mapping[tuple[str, str, str], str]  # (name, check, value) -> reason


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(";") if p.strip())


def _word_pattern(alternatives: Iterable[str]) -> re.Pattern[str]:
    """Match any alternative as a whole token (not inside a longer symbol such as TNFRSF4)."""
    body = "|".join(f"(?:{a})" for a in alternatives)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)


def audit_rules(rules: Rules | None = None) -> _Rules:
    """The audit's data tables of ``rules`` (the package's own by default), read once."""
    return (rules or Rules.shipped()).derived(_read_rules)


def _read_rules(rules: Rules) -> _Rules:
    """The audit's data tables of ``rules``."""
    earliest = {}
    for r in rules.read("audit_eras.tsv", ("era", "earliest_year", "evidence")):
        if r["earliest_year"].strip():
            earliest[r["era"]] = (int(r["earliest_year"]), int(r["_line"]))
    antigens = tuple(
        _AntigenGroup(r["group"], _word_pattern(_split(r["patterns"])),
                      _split(r["target_classes"]), int(r["_line"]))
        for r in rules.read("antigen_classes.tsv",
                            ("group", "patterns", "target_classes", "examples", "evidence"))
    )
    formats = tuple(sorted(
        ((r["keyword"].lower(), r["means"])
         for r in rules.read("audit_formats.tsv", ("keyword", "means", "evidence"))),
        key=lambda kv: -len(kv[0])))
    kinds = tuple(sorted(
        ((r["label"].lower(), r["means"], r["antibody"] == "yes", int(r["_line"]))
         for r in rules.read("audit_kinds.tsv", ("label", "means", "antibody", "evidence"))),
        key=lambda k: -len(k[0])))
    conjugates = {
        r["kind"]: (_split(r["formats"]), int(r["_line"]))
        for r in rules.read("audit_conjugates.tsv", ("kind", "formats", "evidence"))
    }
    exceptions = {
        (r["name"].lower(), r["check"], r["value"]): r["reason"]
        for r in rules.read("audit_exceptions.tsv",
                            ("name", "check", "value", "reason", "evidence"))
    }
    return _Rules(earliest, antigens, formats, kinds, conjugates, exceptions)


def unii_antibody_words(rules: Rules | None = None) -> dict[str, tuple[str, str]]:
    """First words of UNII official and common names that end in an antibody stem of
    ``rules`` (the package's own by default): word -> (UNII code, display name). Empty without
    the substance index."""
    return (rules or Rules.shipped()).derived(_unii_antibody_words)


def _unii_antibody_words(rules: Rules) -> dict[str, tuple[str, str]]:
    index = get_registry().substance_index()
    if index is None:
        return {}
    stems = tuple(s.stem for s in rules.tables.stems)
    words: dict[str, tuple[str, str]] = {}
    for name, _kind, unii in index.iter_names((NameType.OFFICIAL, NameType.COMMON),
                                              in_list_order=True):
        first = name.lower().split(" ")[0].split("-")[0]
        if first not in words and first.endswith(stems) and _NAME_WORD.match(first):
            found = index.substance(unii)
            words[first] = (unii, found.name if found else unii)
    return words


# ---------------------------------------------------------------------------------- the rules


def _target_classes(d: Decoding, tables: Tables) -> set[str]:
    classes = {r.target_class for r in d.readings if r.target_class}
    ex = tables.exceptions.get(d.name or "")
    if ex is not None and ex.target_form:
        row = tables.target_row(ex.target_era, ex.target_form)
        if row is not None:
            classes.add(row.target_class)
    return classes


def check_year(d: Decoding, year: str, rules: Rules) -> tuple[str, str, str] | None:
    """A name cannot be older than the earliest era its letters fit."""
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", year)
    if not m or not d.eras:
        return None
    bounds = audit_rules(rules).earliest
    floors = [bounds[e] for e in d.eras if e in bounds]
    if len(floors) < len(d.eras):  # an era without a lower bound fits any year
        return None
    first, line = min(floors)
    if int(m.group(1)) >= first:
        return None
    eras = " or ".join(d.eras)
    return (f"{eras} era, from {first}",
            f"the letters fit only the {eras} scheme, in force from {first}, but the year is "
            f"{m.group(1)}", f"audit_eras.tsv line {line}")


def check_target(d: Decoding, target: str, rules: Rules) -> tuple[str, str, str] | None:
    """The target antigen must be one the name's target class is used for."""
    classes = _target_classes(d, rules.tables)
    if not classes or not target.strip():
        return None
    # A multi-specific names one class for several antigens (a tumour antigen and a T-cell
    # co-stimulator): judge only when every antigen is one the table knows.
    matched = []
    for antigen in _split(target):
        groups = [g for g in audit_rules(rules).antigens if g.pattern.search(antigen)]
        if not groups:
            return None
        matched += [g for g in groups if g not in matched]
    allowed = {c for g in matched for c in g.classes}
    if classes & allowed:
        return None
    meaning = d.target_meaning or "/".join(sorted(classes))
    groups = ", ".join(g.group for g in matched)
    return (f"an antigen of class {'/'.join(sorted(classes))}",
            f"-{d.target_substem}- says {meaning}, but {target!r} is among the {groups}, "
            f"which are named {' or '.join(sorted(allowed))}",
            "; ".join(f"antigen_classes.tsv line {g.line}" for g in matched))


def check_source(d: Decoding, source: str, rules: Rules) -> tuple[str, str, str] | None:
    if not source.strip() or not d.source_substem:
        return None
    if source_agrees(d.source_substem, source, rules.tables) is not False:
        return None
    row = rules.tables.source_row(d.source_substem)
    return (d.source_meaning or d.source_substem,
            f"-{d.source_substem}- says {d.source_meaning}, but the source is {source!r}",
            f"source_substems.tsv line {row.line}" if row else "source_substems.tsv")


def _means(value: str, table: Iterable[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    low = value.lower()
    for entry in table:
        if re.search(rf"(?<![a-z]){re.escape(entry[0])}(?![a-z])", low):
            return entry
    return None


def check_format(d: Decoding, fmt: str, rules: Rules) -> tuple[str, str, str] | None:
    """The 2022 stems say the format (antibody_stems.tsv ``format``): -mig multi-specific,
    -ment a fragment."""
    tables = rules.tables
    row = tables.stem_row(d.stem) if d.stem else None
    named = row.format if row is not None else ""
    if not fmt.strip() or not named:
        return None
    low = fmt.lower()
    means = {m for k, m in audit_rules(rules).formats
             if re.search(rf"(?<![a-z]){re.escape(k)}", low)}
    stem = d.stem_meaning or d.stem
    multi, fragment, whole = (AntibodyFormat.MULTISPECIFIC, AntibodyFormat.FRAGMENT,
                              AntibodyFormat.WHOLE)
    if named == multi and multi not in means:
        return ("multi-specific", f"-{d.stem} ({stem}) names multi-specific antibodies, but the "
                f"format is {fmt!r}", f"antibody_stems.tsv ({d.stem})")
    if named != multi and multi in means:
        multi_stem = next((s.stem for s in tables.stems if s.format == multi), "?")
        return ("mono-specific", f"{fmt!r} is multi-specific, which the {ERAS[-1]} scheme names "
                f"-{multi_stem}, not -{d.stem}", f"antibody_stems.tsv ({d.stem})")
    if named == fragment and (fragment not in means or whole in means):
        return ("a fragment", f"-{d.stem} ({stem}) names fragments, but the format is {fmt!r}",
                f"antibody_stems.tsv ({d.stem})")
    return None


def check_kind(d: Decoding, kind: str, rules: Rules) -> tuple[str, str, str] | None:
    """A kind column saying "small molecule" for an antibody name, or "antibody" for a name
    built on a chemical stem."""
    entry = _means(kind, audit_rules(rules).kinds)
    if entry is None:
        return None
    _label, means, antibody_ok, line = entry
    if d.kind == Kind.ANTIBODY and not antibody_ok:
        said = f"{kind!r}" if kind.strip().lower() == means else f"{kind!r} ({means})"
        return ("antibody", f"the name reads {d.segmentation} (-{d.stem}: {d.stem_meaning}), an "
                f"antibody, but the kind is {said}", f"audit_kinds.tsv line {line}")
    if d.kind == Kind.STEM and means == "antibody" and d.stems:
        top = d.stems[0]
        if top.confidence == Confidence.HIGH and top.position == "suffix":
            return (f"-{top.stem.strip('-')} ({top.meaning})",
                    f"the name is built on the stem {top.stem} ({top.meaning}), not on an "
                    f"antibody stem, but the kind is {kind!r}", top.row)
    return None


def check_spelling(name: str, known: set[str], rules: Rules) -> tuple[str, str, str] | None:
    """A name absent from UNII while UNII has a name one or two letters away: UNII probably
    spells it so, unless both are names of the shipped table (two INNs that look alike)."""
    words = unii_antibody_words(rules)
    if not words or name in words or not _NAME_WORD.match(name):
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    for word, dist, _ in process.extract(name, list(words), scorer=Levenshtein.distance,
                                         score_cutoff=2, limit=5):
        if (word in known and name in known) or word[-3:] != name[-3:]:
            continue
        unii, display = words[word]
        return (word, f"not in the UNII list, which has {display} (UNII {unii}), "
                f"{dist} letter{'s' if dist > 1 else ''} away", f"UNII {unii}")
    return None


def check_conjugate(d: Decoding, row: Mapping[str, str], rules: Rules
                    ) -> tuple[str, str, str] | None:
    """A second word that names a payload, chelator, toxin or fused protein makes the molecule a
    conjugate, a radiolabelled antibody or a fusion: the format must say so (tisotumab vedotin is
    no plain "Whole mAb"), and must not claim a drug conjugate for a fused protein."""
    fmt, words = row.get("format", "").strip(), row.get("second_word", "").strip()
    if not fmt or not words:
        return None
    data = audit_rules(rules)
    modifier = classify_modifier(words.lower().split()[0], rules.tables)
    entry = data.conjugates.get(str(modifier.kind))
    if entry is None:
        return None
    allowed, line = entry
    low = fmt.lower()
    means = {m for k, m in data.formats if re.search(rf"(?<![a-z]){re.escape(k)}", low)}
    if means & set(allowed):
        return None
    what = f"{modifier.kind}: {modifier.meaning}" if modifier.meaning else str(modifier.kind)
    return (" or ".join(allowed), f"{words!r} ({what}) makes the molecule "
            f"{' or '.join(allowed)}, but the format is {fmt!r}",
            f"audit_conjugates.tsv line {line}; {modifier.matched_by or 'modifiers'}")


def check_status(d: Decoding, row: Mapping[str, str], rules: Rules
                 ) -> tuple[str, str, str] | None:
    """A status must agree with its own words and with the phase/status its source gave (in
    ``notes``): "investigational (Phase-III; Approved)" says two things."""
    value = row.get("status", "").strip()
    head, _, rest = value.partition(" ")
    try:
        stated = Status(head.lower())
    except ValueError:
        return None
    source = _PHASE_STATUS.search(row.get("notes", ""))
    said = f"{rest} {source.group(1) if source else ''}".lower()
    where = "the status cell and the notes' phase/status" if source else "the status cell"
    if re.search(r"(?<!not )\bapproved\b", said) and stated != Status.APPROVED:
        return (str(Status.APPROVED), f"{where} say approved, but the status begins "
                f"{stated.value!r}", where)
    if "discontinued" in said and stated == Status.INVESTIGATIONAL:
        return (str(Status.DISCONTINUED), f"{where} say discontinued, but the status begins "
                f"{stated.value!r}", where)
    return None


def target_category(d: Decoding, target: str, rules: Rules) -> str:
    """The target category a name says: its target substem's class, narrowed by the antigen
    (antigen_classes.tsv) when the letters allow several; for a name without a target substem
    (a veterinary -vet- name), the antigen's class when its group names only one; else empty."""
    classes = _target_classes(d, rules.tables)
    allowed: set[str] | None = None
    for antigen in _split(target):
        groups = [g for g in audit_rules(rules).antigens if g.pattern.search(antigen)]
        if groups:
            found = {c for g in groups for c in g.classes}
            allowed = found if allowed is None else allowed | found
    if len(classes) > 1 and allowed:
        classes = (classes & allowed) or classes
    if not classes and allowed is not None and len(allowed) == 1:
        classes = allowed
    return "; ".join(sorted(classes))


def check_category(d: Decoding, row: Mapping[str, str], rules: Rules
                   ) -> tuple[str, str, str] | None:
    """A target category must be one the name's target substem says (only categories that are
    target classes of target_substems.tsv are judged)."""
    value = row.get("target_category", "").strip()
    known = {r.target_class for r in rules.tables.targets}
    claimed = set(_split(value))
    classes = _target_classes(d, rules.tables)
    if not claimed or not claimed <= known or not classes or claimed <= classes:
        return None
    return ("/".join(sorted(classes)), f"-{d.target_substem}- says "
            f"{d.target_meaning or '/'.join(sorted(classes))}, but the target category is "
            f"{value!r}", "target_substems.tsv")


def check_list(d: Decoding, row: Mapping[str, str], rules: Rules
               ) -> tuple[str, str, str] | None:
    """The year a name was proposed is the year of its proposed list (give or take
    :data:`LIST_SLACK`), and no later than the year of its recommended list (inn_lists.tsv
    gives each list's year)."""
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", row.get("year", ""))
    if not m:
        return None
    year = int(m.group(1))
    order = numbering(rules)
    proposed, recommended = row.get("proposed_list", ""), row.get("recommended_list", "")
    if proposed.isdigit():
        want = order.year("PL", int(proposed))
        if want is not None and abs(want - year) > LIST_SLACK:
            rule = order.rule("PL", int(proposed))
            return (str(want), f"proposed list {proposed} appeared in {want}, but the year is "
                    f"{year}", f"inn_lists.tsv line {rule.line if rule else '?'}")
    if recommended.isdigit():
        latest = order.year("RL", int(recommended))
        if latest is not None and year > latest:
            rule = order.rule("RL", int(recommended))
            return (f"{latest} or earlier", f"recommended list {recommended} appeared in "
                    f"{latest}, before the year {year} the name is said to be proposed",
                    f"inn_lists.tsv line {rule.line if rule else '?'}")
    return None


def check_numbers(items: list[tuple[int, int]]) -> dict[int, tuple[str, str, str]]:
    """Years out of line with the INN numbers: ``items`` are (INN number, year) of every row
    that has both; a year more than :data:`YEAR_SLACK` from the median year of the
    :data:`NEIGHBOURS` numbers on each side is reported, by the item's index."""
    order = sorted(range(len(items)), key=lambda i: items[i][0])
    out: dict[int, tuple[str, str, str]] = {}
    for pos, i in enumerate(order):
        near = order[max(0, pos - NEIGHBOURS):pos] + order[pos + 1:pos + 1 + NEIGHBOURS]
        if not near:
            continue
        years = [items[j][1] for j in near]
        median = statistics.median(years)
        number, year = items[i]
        if abs(year - median) <= YEAR_SLACK:
            continue
        numbers = sorted(items[j][0] for j in near)
        out[i] = (f"about {median:g}", f"INN {number} lies among names numbered "
                  f"{numbers[0]}-{numbers[-1]}, proposed {min(years)}-{max(years)} (median "
                  f"{median:g}), but the year is {year}", "the table's own INN numbers and years")
    return out


ANTIBODY_RULES = (
    (Check.YEAR, "year", check_year),
    (Check.TARGET, "target", check_target),
    (Check.SOURCE, "source", check_source),
    (Check.FORMAT, "format", check_format),
)
"""The rules that compare a column with an antibody name's decoding."""

ROW_RULES = (
    (Check.CONJUGATE, ("format", "second_word"), check_conjugate),
    (Check.STATUS, ("status",), check_status),
    (Check.CATEGORY, ("target_category",), check_category),
)
"""The rules that hold a row's columns against each other (and the decoding): the check, the
columns it needs filled (the first is the one reported), the rule."""

LIST_RULES = (
    (Check.LIST, ("year",), check_list),
)
"""The rules that hold a year against the WHO list numbers of the row, whatever the name."""


# ---------------------------------------------------------------------------------- reading


_FIXES = {
    FileProblem.MISSING: "give the path of a CSV file",
    FileProblem.UNREADABLE: "give the path of a readable CSV file",
    FileProblem.NOT_A_FILE: "give the path of a CSV file",
    FileProblem.TOO_LARGE: "split the table into smaller files",
    FileProblem.BINARY: "export the table as CSV (UTF-8, comma-separated, header row)",
    FileProblem.NOT_UTF8: "save the table as UTF-8 CSV",
}


def read_rows(path: str | Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The columns found and the rows of a user's CSV (or TSV), keyed by our column names.

    Raises :class:`AuditInputError` for a file that cannot be audited.
    """
    try:
        text = read_text_file(Path(path), max_bytes=MAX_FILE_BYTES, what="a CSV table")
    except TextFileError as exc:
        raise AuditInputError(exc.reason, _FIXES[exc.problem]) from None
    if not text.strip():
        raise AuditInputError(f"{path}: empty file", "add a header row with a name column")
    first = text.splitlines()[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise AuditInputError(f"{path}: not a CSV table ({exc})",
                              "export the table as CSV with a header row") from exc
    keys = [h.strip().lower().replace(" ", "_") for h in header]
    where: dict[str, int] = {}
    for ours, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                where[ours] = keys.index(alias)
                break
    if "name" not in where:
        shown = ", ".join(repr(h) for h in header[:6]) or "none"
        raise AuditInputError(f"{path}: no name column (columns: {shown})",
                              "add a header row whose first column is 'name'")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, {k: (row[i].strip() if i < len(row) else "")
                                        for k, i in where.items()}
        except csv.Error as exc:
            raise AuditInputError(f"{path} line {reader.line_num}: {exc}",
                                  "fix the quoting of that row") from exc

    return list(where), rows()


def shipped_rows(rules: Rules | None = None
                 ) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The antibody table of ``rules`` (the package's own by default), with its columns under
    the audit's names."""
    table = (rules or Rules.shipped()).read(
        "antibody_inns.tsv", ("name", "second_word", "source", "target_antigen",
                              "target_category", "format", "year", "status", "notes",
                              "inn_number", "proposed_list", "recommended_list"))
    cols = ["name", "second_word", "source", "target", "target_category", "format", "year",
            "status", "notes", "inn_number", "proposed_list", "recommended_list"]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for r in table:
            yield int(r["_line"]), {c: r["target_antigen" if c == "target" else c]
                                    for c in cols}

    return cols, rows()


# ---------------------------------------------------------------------------------- audit


def audit_rows(rows: Iterable[tuple[int, Mapping[str, str]]], *, source: str = "",
               columns: Iterable[str] = (), unii: bool = True,
               registry: Registry | None = None) -> AuditReport:
    """Run every check that the row's columns allow; record why known contradictions stand
    (``registry``: the names and rules to decode with, the process-wide one by default)."""
    registry = registry if registry is not None else get_registry()
    rules = registry.rules
    data = audit_rules(rules)
    known = {r["name"] for r in rules.read("antibody_inns.tsv", ("name",))}
    checked = {str(c): 0 for c in Check}
    found: list[Contradiction] = []
    numbered: list[tuple[int, int]] = []
    numbered_rows: list[tuple[int, str, str, str]] = []  # line, name, word, year
    count = 0
    for line, row in rows:  # streamed: only contradictions are kept
        count += 1
        name = row.get("name", "").strip()
        if not name:
            continue
        d = decode(name, registry=registry)
        word = (d.name or name).lower()
        outcomes: list[tuple[Check, str, str, tuple[str, str, str] | None]] = []
        if d.kind == Kind.ANTIBODY:
            for check, column, rule in ANTIBODY_RULES:
                value = row.get(column, "")
                if value:
                    outcomes.append((check, column, value, rule(d, value, rules)))
            if unii and " " not in name.strip():
                outcomes.append((Check.SPELLING, "name", name,
                                 check_spelling(word, known, rules)))
            for check, needs, row_rule in ROW_RULES:
                if all(row.get(c) for c in needs):
                    outcomes.append((check, needs[0], row[needs[0]], row_rule(d, row, rules)))
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", row.get("year", ""))
        number = row.get("inn_number", "").strip()
        if year and number.isdigit():
            numbered.append((int(number), int(year.group(1))))
            numbered_rows.append((line, name, word, row["year"]))
        for check, needs, row_rule in LIST_RULES:
            if all(row.get(c) for c in needs) and (row.get("proposed_list")
                                                   or row.get("recommended_list")):
                outcomes.append((check, needs[0], row[needs[0]], row_rule(d, row, rules)))
        if row.get("kind"):
            outcomes.append((Check.KIND, "kind", row["kind"], check_kind(d, row["kind"], rules)))
        for check, column, value, result in outcomes:
            checked[str(check)] += 1
            if result is None:
                continue
            expected, reason, rule = result
            kept = data.exceptions.get((word, str(check), value))
            found.append(Contradiction(line, name, check, column, value, expected, reason,
                                       rule, kept))
    checked[str(Check.NUMBER)] += len(numbered)
    for i, (expected, reason, rule) in check_numbers(numbered).items():
        line, name, word, value = numbered_rows[i]
        found.append(Contradiction(line, name, Check.NUMBER, "year", value, expected, reason,
                                   rule, data.exceptions.get((word, str(Check.NUMBER), value))))
    found.sort(key=lambda c: c.line)
    return AuditReport(source, count, checked, tuple(found), tuple(columns))


def audit_file(path: str | Path, *, unii: bool = True,
               registry: Registry | None = None) -> AuditReport:
    """Audit a user's CSV table (a ``name`` column and any of source, target, format, kind,
    year)."""
    columns, rows = read_rows(path)
    return audit_rows(rows, source=str(path), columns=columns, unii=unii, registry=registry)


def audit_shipped(*, unii: bool = True, registry: Registry | None = None) -> AuditReport:
    """Audit the antibody table of the registry's rules (the package's own by default); its
    investigated contradictions carry their reason."""
    registry = registry if registry is not None else get_registry()
    columns, rows = shipped_rows(registry.rules)
    return audit_rows(rows, source="innkit/data/antibody_inns.tsv", columns=columns, unii=unii,
                      registry=registry)


__all__ = ["AuditInputError", "AuditReport", "Check", "Contradiction", "Status",
           "audit_file", "audit_rows", "audit_shipped", "target_category"]
