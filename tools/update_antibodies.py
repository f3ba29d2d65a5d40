"""Rebuild the WHO facts of ``innkit/data/antibody_inns.tsv`` from the sources, so that a new
WHO list is an hour's work.

Two steps:

``extract NAMES [--numbers LIST]``
    Read a name list of the public repository AndrewCRMartin/namegen (BSD-2-Clause):
    ``abnamedata/abnames_ConsultNN.dat`` (every antibody name WHO selected, through consultation
    NN; names selected at consultation 69 and later are under a ``# Consultation NN`` heading,
    most with their INN number) and optionally ``abnamedata/PL122.txt`` (INN numbers of
    proposed list 122). Writes the facts taken from them to ``tools/data/who_antibody_names.tsv``
    (name, consultation, INN number, conjugate, proposed list), which is kept in the repository
    so that ``apply`` needs no download.

``who_list_facts.tsv`` (by hand)
    Facts read from the descriptions of a published WHO proposed list (targets, format,
    species), one row per antibody. The published list decides: its names become rows, its
    list number replaces one inferred from a consultation (with a note), and a name list
    spelling it differently is recorded in ``antibody_source_variants.tsv``.

``apply [--check]``
    Merge ``tools/data/who_antibody_names.tsv`` into the antibody table: a name the table lacks
    becomes a row; a row gains the INN number, consultation and list numbers the sources give
    and it lacks (list numbers also from its own ``notes``); the year of a new row is the year of
    its proposed list (``inn_lists.tsv``). Facts already in a row are never overwritten: a
    disagreement is reported. Spellings of the source that are not the INN (a name changed
    before publication, or a slip) are listed with their reason in
    ``tools/data/antibody_source_variants.tsv``; a source name one or two letters from a table
    name that is not listed there stops the run, so that no variant becomes a row unnoticed.
    ``--check`` changes nothing and exits 1 when the table differs from what the sources give.

Then run ``innkit data lint --fix`` and ``innkit data audit`` (every new row must pass its
checks, or be recorded in ``audit_exceptions.tsv`` with a reason).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from innkit.rules.lists import Numbering

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "src" / "innkit" / "data" / "antibody_inns.tsv"
EXTRACT = ROOT / "tools" / "data" / "who_antibody_names.tsv"
VARIANTS = ROOT / "tools" / "data" / "antibody_source_variants.tsv"
LIST_FACTS = ROOT / "tools" / "data" / "who_list_facts.tsv"
"""Facts read from the descriptions of a WHO proposed list (target, format, species), by hand:
the list is the primary source, so its list number and spelling win over the name list's."""
SOURCE = "namegen-C{last}"
"""Provenance word of a fact taken from the namegen list through consultation ``last``."""
NEW_COLUMNS = ("consultation", "proposed_list", "recommended_list")

_HEADING = re.compile(r"^#+\s*consu[a-z]*\s*(\d+)", re.IGNORECASE)
_HELD_BACK = re.compile(r"^#\s*not in pl\s*(\d+)", re.IGNORECASE)
_NAME = re.compile(r"^([a-z]+)\s*(?:#(.*))?$")
_OWN_NUMBER = re.compile(r"^\s*(\d{4,5})\*?(?=\s|$|[,/(])")
_CONJUGATE = re.compile(r"(^|[/,(]\s*|\s)(\d{4,5})\s+"
                        r"(?:\d{2,3}[A-Za-z]{1,2}\s+(?:-\s+)?)?([a-z]+)\b")  # 225Ac: a label
_VARIANT_WORDS = frozenset({"alfa", "beta", "gamma", "delta"})
"""Second words of glycoform or sequence variants (``alemtuzumab beta``): no conjugate."""
_NOT_PUBLISHED = re.compile(r"not published", re.IGNORECASE)
_NOTE_WORDS = frozenset({"was", "mine", "subject", "not", "didn", "az", "withdrawn"})
"""Words that may follow a name's own INN number in the source's comments (remarks, not a
substance such as ``12508 beta`` or ``13081 vedotin``)."""
_PL = re.compile(r"proposed INN list (\d+)")
_RL = re.compile(r"recommended list (\d+)")


def _lev(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _stems() -> tuple[str, ...]:
    sys.path.insert(0, str(ROOT / "src"))
    from innkit.rules.core import Rules

    return tuple(s.stem for s in Rules.shipped().tables.stems)


# ---------------------------------------------------------------------------------- extract


@dataclass
class Found:
    name: str
    consultation: str = ""
    inn_number: str = ""
    conjugate: str = ""
    conjugate_number: str = ""
    held_back: str = ""  # why the name is not in its consultation's proposed list
    listed: str = ""  # the proposed list a numbers file gives


def _own_number(comment: str) -> str:
    """The name's own INN number: the first number of the comment, unless a substance word
    follows it (``12508 beta`` is the number of alemtuzumab beta, not of alemtuzumab)."""
    m = _OWN_NUMBER.match(comment)
    if not m:
        return ""
    after = comment[m.end():].strip().split(" ")[0].strip("'").lower()
    word = re.match(r"[a-z]+", after)
    if word and word.group(0) not in _NOTE_WORDS:
        return ""
    return m.group(1)


def _conjugate_word(word: str, separated: bool, stems: tuple[str, ...]) -> bool:
    """Whether a word after an INN number in the source's comments is the second word of a
    conjugate: a payload, chelator or drug the decoder knows, or a long word set off by a
    ``/``, ``,`` or ``(`` (not a remark such as ``12139 is the naked mAb``)."""
    if word in _NOTE_WORDS or word in _VARIANT_WORDS or word.endswith(stems):
        return False
    sys.path.insert(0, str(ROOT / "src"))
    from innkit.decoder.modifiers import classify_modifier
    from innkit.rules.core import Rules

    found = classify_modifier(word, Rules.shipped().tables)
    return found.matched_by is not None or (separated and len(word) >= 7)


def extract(names: Path, numbers: Path | None, stems: tuple[str, ...]) -> list[Found]:
    """The antibody names of a namegen list, with what its comments give."""
    found: dict[str, Found] = {}
    consultation = ""
    held = ""
    for raw in names.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            consultation, held = heading.group(1), ""
            continue
        if _HELD_BACK.match(line):
            held = f"listed under 'Not in PL{_HELD_BACK.match(line).group(1)}'"
            continue
        m = _NAME.match(line)
        if not m or not m.group(1).endswith(stems):
            continue  # a comment, a withdrawn name (commented out), or no antibody
        name, comment = m.group(1), (m.group(2) or "")
        f = found.setdefault(name, Found(name))
        own = _own_number(comment) if consultation else ""
        if consultation and not own and re.match(r"\s*\d", comment):
            continue  # an older name, listed for a new substance made from it (a conjugate)
        f.consultation = f.consultation or consultation
        if consultation:  # numbers of the base list belong to sequence variants as often
            f.inn_number = f.inn_number or own
            for conj in _CONJUGATE.finditer(comment.strip()):
                word = conj.group(3)
                set_off = conj.start() == 0 or bool(conj.group(1).strip())
                if f.conjugate or not _conjugate_word(word, set_off, stems):
                    continue
                f.conjugate, f.conjugate_number = word, conj.group(2)
        if held or _NOT_PUBLISHED.search(comment):
            f.held_back = held or "the source: not published until clinical trials"
    if numbers is not None:
        numbers_list = re.sub(r"\D", "", numbers.stem)
        for raw in numbers.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = raw.split()
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].endswith(stems):
                f = found.setdefault(parts[1], Found(parts[1]))
                if len(parts) == 2:
                    f.inn_number = f.inn_number or parts[0]
                    f.listed = f.listed or numbers_list
                elif not f.conjugate:
                    f.conjugate, f.conjugate_number = parts[2], parts[0]
    # a number the source gives two names is a slip in one of them: neither is taken
    counts = Counter(f.inn_number for f in found.values() if f.inn_number)
    for f in found.values():
        if counts[f.inn_number] > 1:
            f.inn_number = ""
    return sorted(found.values(), key=lambda f: f.name)


EXTRACT_COLUMNS = ("name", "consultation", "inn_number", "proposed_list", "conjugate",
                   "conjugate_number", "note")


def _write_extract(found: list[Found], names: Path, last: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from innkit.rules.lists import numbering

    order = numbering()
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(EXTRACT_COLUMNS)
    for f in found:
        listed = ""
        note = ""
        if f.listed:
            listed = f.listed
        elif f.held_back:
            note = f.held_back
        elif f.consultation:
            listed = str(order.proposed_list(int(f.consultation)) or "")
        w.writerow((f.name, f.consultation, f.inn_number, listed, f.conjugate,
                    f.conjugate_number, note))
    EXTRACT.parent.mkdir(parents=True, exist_ok=True)
    EXTRACT.write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {EXTRACT.name}: {len(found)} antibody names from {names.name} "
          f"(through consultation {last})", file=sys.stderr)


# ---------------------------------------------------------------------------------- apply


def _read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t")
    return list(reader.fieldnames or ()), list(reader)


def _note(notes: str, part: str) -> str:
    return f"{notes} || {part}" if notes else part


def _provenance(cell: str, word: str) -> str:
    parts = [p for p in cell.split("; ") if p]
    return "; ".join(parts if word in parts else [*parts, word])


def _categories(rows: list[dict[str, str]]) -> None:
    """Set the target category of the rows the lists made (and fill an empty one) to the class
    the name says (the audit's ``target_category``: the target substem's class, narrowed by
    the antigen)."""
    from innkit.decoder.decode import decode
    from innkit.naming.audit import target_category
    from innkit.registry import Registry
    from innkit.rules.core import Rules

    registry = Registry(None, rules=Rules.shipped(), shipped=False, substances=False)
    for r in rows:
        if not r["target_category"] or "Thera-SAbDab" not in r["provenance"]:
            r["target_category"] = target_category(decode(r["name"], registry=registry),
                                                   r["target_antigen"], registry.rules)


def names_of(facts: list[dict[str, str]]) -> set[str]:
    return {f["name"] for f in facts}


def _list_facts(fact: dict[str, str], by_name: dict[str, dict[str, str]],
                rows: list[dict[str, str]], header: list[str], order: Numbering,
                stats: Counter[str]) -> None:
    """Merge one row of ``who_list_facts.tsv``: empty cells are filled; the list number and its
    year replace those inferred from a consultation, with a note."""
    word = f"WHO-PL{fact['proposed_list']}"
    row = by_name.get(fact["name"])
    if row is None:
        row = {c: "" for c in header}
        row["name"] = fact["name"]
        by_name[fact["name"]] = row
        rows.append(row)
        stats["new rows from a WHO list"] += 1
    for col in ("target_antigen", "format", "source"):
        if not row[col] and fact[col]:
            row[col] = fact[col]
            stats[f"{col} from a WHO list"] += 1
    listed = fact["proposed_list"]
    year = str(order.year("PL", int(listed)) or "")
    if row["proposed_list"] != listed:
        if row["proposed_list"]:
            part = (f"correction: proposed list {listed} ({word}), not {row['proposed_list']} "
                    "as inferred from the consultation")
            row["notes"] = _note(row["notes"], part)
            stats["proposed_list corrected by a WHO list"] += 1
        row["proposed_list"] = listed
    inferred = re.search(r"year = year of proposed list (\d+)", row["notes"])
    if not row["year"] or (inferred and row["year"] != year):
        row["year"] = year
        row["notes"] = re.sub(r"year = year of proposed list \d+",
                              f"year = year of proposed list {listed}", row["notes"])
        if f"year = year of proposed list {listed}" not in row["notes"]:
            row["notes"] = _note(row["notes"], f"year = year of proposed list {listed}")
    if fact["evidence"] and "WHO proposed INN list" not in row["notes"]:
        row["notes"] = _note(row["notes"], f"target, format and source: {fact['evidence']}")
    row["provenance"] = _provenance(row["provenance"], word)


def apply(check: bool) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from innkit.rules.lists import numbering

    order = numbering()
    header, rows = _read_tsv(TABLE)
    _, found = _read_tsv(EXTRACT)
    _, variants = _read_tsv(VARIANTS)
    _, listed_facts = _read_tsv(LIST_FACTS) if LIST_FACTS.is_file() else ([], [])
    last = max(int(f["consultation"]) for f in found if f["consultation"])
    source = SOURCE.format(last=last)
    now = order.year("consultation", last) or 0  # the source's own year
    for f in found:  # a list that had not appeared when the source was written
        listed = f["proposed_list"]
        if listed and (order.year("PL", int(listed)) or 0) > now:
            f["proposed_list"] = ""
            f["note"] = (f"selected at INN consultation {f['consultation']} "
                         f"({order.year('consultation', int(f['consultation']))}); to appear "
                         f"in proposed list {listed}, not yet published when the source was "
                         "written")
    for col in NEW_COLUMNS:
        if col not in header:
            header.append(col)
    by_name = {r["name"]: r for r in rows}
    variant_of = {v["source_name"]: v for v in variants}
    stats: Counter[str] = Counter()
    for fact in listed_facts:  # the published list first: it decides spelling and list
        _list_facts(fact, by_name, rows, header, order, stats)
    # a source spelling recorded as a variant is no row of its own
    dropped = [r for r in rows if r["name"] in variant_of
               and r["provenance"] == source and r["name"] not in names_of(listed_facts)]
    for r in dropped:
        rows.remove(r)
        del by_name[r["name"]]
        stats["rows of variant spellings removed"] += 1
    stray = [v["source_name"] for v in variants if v["name"] not in by_name]
    if stray:
        print(f"variants of names not in the table: {', '.join(stray)}: correct "
              f"{VARIANTS.name}", file=sys.stderr)
        return 2
    names = {f["name"] for f in found}
    undecided = []
    for f in found:
        if f["name"] in by_name or f["name"] in variant_of:
            continue
        near = [n for n in by_name if n not in names and n[-3:] == f["name"][-3:]
                and _lev(n, f["name"]) <= 2]
        if near:
            undecided.append(f"{f['name']} (table: {', '.join(near)})")
    if undecided:
        print("source names one or two letters from a table name, not decided in "
              f"{VARIANTS.name}: {'; '.join(undecided)}", file=sys.stderr)
        return 2
    conflicts: list[str] = []
    for r in rows:  # list numbers a row's own notes give
        for col, pattern in (("proposed_list", _PL), ("recommended_list", _RL)):
            m = pattern.search(r.get("notes", ""))
            if m and not r.get(col):
                r[col] = m.group(1)
                stats[f"{col} from notes"] += 1
    for f in found:
        variant = variant_of.get(f["name"])
        row = by_name.get(variant["name"] if variant else f["name"])
        if row is None:
            row = {c: "" for c in header}
            row["name"] = f["name"]
            row["provenance"] = source
            by_name[f["name"]] = row
            rows.append(row)
            stats["new rows"] += 1
            if f["proposed_list"]:
                year = order.year("PL", int(f["proposed_list"]))
                row["year"] = str(year) if year else ""
                row["notes"] = f"year = year of proposed list {f['proposed_list']}"
            else:
                stats["new rows without a published list"] += 1
        where = f"{source} ({variant['source_name']})" if variant else source
        took = []
        for col in ("inn_number", "consultation", "proposed_list"):
            have, give = row.get(col, ""), f[col]
            if not give:
                continue
            if variant and (variant["kind"] == "probable"
                            or (variant["kind"] == "renamed" and col != "inn_number")):
                continue  # the consultation and list of the first name, not of the INN
            if not have:
                row[col] = give
                took.append(col)
            elif have != give:
                conflicts.append(f"{row['name']}: {col} {have} (table) vs {give} ({where})")
        if variant and variant["kind"] == "probable":
            pass
        elif f["conjugate_number"] and f["conjugate"] and f["conjugate"] == row["second_word"]:
            part = f"INN {f['conjugate_number']} is {row['name']} {f['conjugate']} ({source})"
            if part not in row["notes"]:
                row["notes"] = _note(row["notes"], part)
        elif f["conjugate_number"] and f["conjugate"]:
            part = (f"conjugate: {row['name']} {f['conjugate']}, INN {f['conjugate_number']} "
                    f"({source})")
            if part not in row["notes"]:
                row["notes"] = _note(row["notes"], part)
        first_name = variant is not None and variant["kind"] != "spelling"
        if f["note"] and f["note"] not in row["notes"] and not first_name:
            row["notes"] = _note(row["notes"], f"{f['note']} ({source})")
        if variant:
            part = (f"the source ({source}) writes {variant['source_name']}: "
                    f"{variant['reason']}")
            if part not in row["notes"]:
                row["notes"] = _note(row["notes"], part)
        if took or variant:
            row["provenance"] = _provenance(row["provenance"], source)
            for col in took:
                stats[f"{col} added"] += 1
    _categories(rows)
    rows.sort(key=lambda r: (r["name"], r["second_word"]))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, delimiter="\t", lineterminator="\n",
                       quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    w.writerows(rows)
    text = out.getvalue()
    for line in conflicts:
        print(f"kept the table's value: {line}", file=sys.stderr)
    print(", ".join(f"{k} {v}" for k, v in sorted(stats.items())) or "nothing to add",
          file=sys.stderr)
    if check:
        same = text == TABLE.read_text(encoding="utf-8")
        print("the table holds what the sources give" if same else
              "the table differs from what the sources give: run tools/update_antibodies.py "
              "apply", file=sys.stderr)
        return 0 if same else 1
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.name}: {len(rows)} rows; now run `innkit data lint "
          "--fix` and `innkit data audit`", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read the namegen name list into tools/data")
    ex.add_argument("names", type=Path, help="abnamedata/abnames_ConsultNN.dat")
    ex.add_argument("--numbers", type=Path, help="abnamedata/PL122.txt")
    ap = sub.add_parser("apply", help="merge tools/data into the antibody table")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 on a "
                    "difference")
    args = parser.parse_args(argv)
    if args.command == "extract":
        for path in (args.names, args.numbers):
            if path is not None and not path.is_file():
                print(f"update_antibodies: {path}: no such file: give the path of the "
                      "namegen list", file=sys.stderr)
                return 2
        found = extract(args.names, args.numbers, _stems())
        last = max((int(f.consultation) for f in found if f.consultation), default=0)
        _write_extract(found, args.names, str(last))
        return 0
    return apply(args.check)


if __name__ == "__main__":
    sys.exit(main())
