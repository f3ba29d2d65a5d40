"""Look-alike pairs rebuilt from the Tall Man lists in ../shared/data (their groups were lost).

The shared CSVs keep each list's tables but not the rows that grouped confusable names. Tall
Man lettering itself says which names belong together: in each group, the letters written in
lower case are those the names share, the capitals the part where they differ. So two names
of the same table (and, in the Australian Table 3, the same class of medicines) are rebuilt
as a pair when

  (a) they share, written in lower case in both, a beginning and an ending of together at
      least two letters, and every lower-case letter of each lies in that shared beginning or
      ending, but for at most one stray letter (``cARBOplatin`` / ``ciSplatin``); or
  (b) one is a list's comparator, written wholly in lower case (``morphine``), and shares five
      consecutive letters with a name's lower-case part (``HYDROmorphone``).

The FDA list is printed in group order, and the FDA's capitals do not always keep to the
convention, so for it (c) two consecutive entries also pair when they share a lower-case
beginning of two letters or more, or ending of three or more (``glipiZIDE`` / ``glyBURIDE``).
The FDA pairs are then corrected by the rows of ``FDA_CORRECTIONS``, each with its reason,
and written to ``benchmarks/data/lasa_pairs_fda.tsv`` (US public domain: a work of the FDA).
The Australian list is CC BY-NC-ND 4.0, which allows no derivative, so its pairs are rebuilt
at run time from ../shared and never stored in the repository.

Run ``python benchmarks/lasa_pairs.py --write`` to rebuild the FDA file, or without
arguments to print the pairs and the names left unpaired.
"""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, shared_path

FDA_FILE = ROOT / "benchmarks" / "data" / "lasa_pairs_fda.tsv"
FDA_SOURCE = "FDA Name Differentiation Project, Appendix A (content current as of 06/12/2026)"

FDA_CORRECTIONS = (
    ("+", "risperidone", "ropinirole", "one row of the FDA table; the capitals (risperiDONE, "
     "rOPINIRole) share no lower-case letters, so rules (a) and (c) cannot see it"),
    ("+", "medroxyprogesterone", "methyltestosterone", "one row of the FDA table with "
     "methylprednisolone; not consecutive in the CSV"),
    ("+", "hydromorphone", "morphine", "one row of the FDA table; morphine is written without "
     "Tall Man letters and is absent from the CSV"),
    ("-", "miglustat", "mitoxantrone", "consecutive in the CSV and both begin mi-, but in "
     "different rows: mitoXANTRONE's row names no Tall Man partner"),
    ("-", "hydromorphone", "medroxyprogesterone", "consecutive in the CSV and both end -one, "
     "but in different rows (HYDROmorphone's partner is morphine)"),
)


def _shared(x: str, y: str) -> tuple[int, int]:
    head = 0
    while head < min(len(x), len(y)) and x[head] == y[head] and not x[head].isupper():
        head += 1
    tail = 0
    while (tail < min(len(x), len(y)) - head and x[-1 - tail] == y[-1 - tail]
           and not x[-1 - tail].isupper()):
        tail += 1
    return head, tail


def _stray(x: str, head: int, tail: int) -> int:
    return sum(c.islower() for c in x[head:len(x) - tail])


def tall_man_rule(x: str, y: str) -> bool:
    """Rule (a): the lower-case letters are the shared ones (one stray letter allowed)."""
    head, tail = _shared(x, y)
    return head + tail >= 2 and max(_stray(x, head, tail), _stray(y, head, tail)) <= 1


def comparator_rule(comparator: str, y: str) -> bool:
    """Rule (b): a comparator written in lower case, and a name whose lower-case part shares
    five consecutive letters with it."""
    lower = "".join(c if c.islower() else " " for c in y).split()
    return any(part[i:i + 5] in comparator for part in lower for i in range(len(part) - 4))


def adjacent_rule(x: str, y: str) -> bool:
    """Rule (c), for consecutive FDA entries."""
    head, tail = _shared(x, y)
    return head >= 2 or tail >= 3


def _rows(file: str) -> list[dict[str, str]]:
    path = shared_path("data", file)
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _groups(rows: list[dict[str, str]]) -> dict[tuple[str, str], list[dict[str, str]]]:
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        table = r["page_ref"].split(":")[0].strip()
        klass = r["group"] if table == "Table 3" else ""
        groups.setdefault((table, klass), []).append(r)
    return groups


def rebuild(file: str, adjacent: bool) -> list[tuple[str, str, str]]:
    """(name, name, table) pairs rebuilt from one shared list, lower case, sorted, unique."""
    pairs: set[tuple[str, str, str]] = set()
    for (table, klass), rows in _groups(_rows(file)).items():
        label = f"{table} {klass}".strip()
        forms = [(r["form"].strip(), r["flags"] == "comparator") for r in rows]
        for (x, cx), (y, cy) in itertools.combinations(dict.fromkeys(forms), 2):
            if x.lower() == y.lower():
                continue
            if cx or cy:
                ok = comparator_rule(x.lower(), y) if cx else comparator_rule(y.lower(), x)
            else:
                ok = tall_man_rule(x, y)
            if ok:
                pairs.add((*sorted((x.lower(), y.lower())), label))
        if adjacent:
            for (x, _), (y, _) in itertools.pairwise(forms):
                if x.lower() != y.lower() and adjacent_rule(x, y):
                    pairs.add((*sorted((x.lower(), y.lower())), label))
    return sorted(pairs)


def fda_pairs_rebuilt() -> list[tuple[str, str, str, str]]:
    """The FDA pairs with the rule or correction behind each: (a, b, table, how)."""
    pairs = {(a, b): "rules a-c" for a, b, _t in rebuild("lasa_fda_tallman.csv", True)}
    for sign, a, b, reason in FDA_CORRECTIONS:
        key = tuple(sorted((a, b)))
        if sign == "+":
            pairs[key] = f"added: {reason}"
        else:
            pairs.pop(key, None)
    return [(a, b, "FDA Appendix A", how) for (a, b), how in sorted(pairs.items())]


def fda_pairs() -> list[tuple[str, str]]:
    """The FDA pairs from the shipped file (no ../shared needed)."""
    with FDA_FILE.open(encoding="utf-8") as f:
        return [(r["name_a"], r["name_b"]) for r in csv.DictReader(f, delimiter="\t")]


def au_pairs(tables: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """The Australian pairs, rebuilt from ../shared (never stored), optionally of some tables."""
    return [(a, b) for a, b, t in rebuild("lasa_au_tallman.csv", False)
            if tables is None or t.split()[0:2] in [x.split()[0:2] for x in tables]]


def write_fda() -> Path:
    FDA_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = ["name_a\tname_b\tsource\thow"]
    lines += [f"{a}\t{b}\t{FDA_SOURCE}\t{how}" for a, b, _t, how in fda_pairs_rebuilt()]
    FDA_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FDA_FILE


def main() -> int:
    if "--write" in sys.argv:
        print(f"wrote {write_fda()}")
        return 0
    for label, pairs in (("FDA", [(a, b, t) for a, b, t, _h in fda_pairs_rebuilt()]),
                         ("Australia", rebuild("lasa_au_tallman.csv", False))):
        print(f"{label}: {len(pairs)} pairs")
        for a, b, t in pairs:
            print(f"  {t:<28} {a} / {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

# The rules were fixed before innkit was scored on the pairs. They also pair a few names that
# the list may not group (cHLORPROMAZine / SERTRALine share only "-ne" and a stray c): such
# pairs count against every scorer alike, so recall figures are, if anything, low.
