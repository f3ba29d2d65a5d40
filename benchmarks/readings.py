"""Count right and wrong readings of the names in benchmarks/data/readings.tsv, by category.

Each row gives a name, what it should read as, and a category. ``expected`` is one of:
``antibody``, ``class`` (a drug class phrase), ``salt`` (an inorganic salt: salt words only),
``stem:-x`` (the WHO stem read first) or ``lens:KIND`` (a word a lens claims: the decoding
says that kind of word and offers no stem but the one its lens row names). A reading is
*right* when it says what the row expects, *unread* when innkit reads nothing (kind unknown,
no lens), and *wrong* otherwise (a stem where a lens should read, another stem first ...).
Per-name results go to benchmarks/results/readings.tsv.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file

from innkit import decode
from innkit.models import Decoding
from innkit.rules import Rules

NAMES = Path(__file__).resolve().parent / "data" / "readings.tsv"


def _said(d: Decoding) -> str:
    return " ".join([d.reason or "", *d.notes])


def judge(d: Decoding, expected: str) -> str:
    """``right``, ``wrong`` or ``unread``."""
    lenses = Rules.shipped().lenses
    if expected in ("antibody", "class"):
        return "right" if d.kind == expected else "wrong"
    if expected == "salt":
        return "right" if "inorganic salt" in _said(d) and not d.stems else "wrong"
    if expected.startswith("stem:"):
        if d.stems:
            return "right" if d.stems[0].stem == expected[5:] else "wrong"
        return "unread" if d.kind == "unknown" else "wrong"
    lens = expected[5:]
    row = lenses.get((d.name or "").lower()) or lenses.get((d.name or "").split(" ")[0])
    said = row is not None and row.lens == lens and f"{lens} (" in _said(d)
    stray = [m for m in d.stems if row is None or m.stem != row.who_stem]
    if said and not stray:
        return "right"
    return "unread" if d.kind == "unknown" and not d.stems and not said else "wrong"


def main() -> int:
    rows = list(csv.DictReader(NAMES.open(encoding="utf-8"), delimiter="\t"))
    counts: dict[str, Counter[str]] = {}
    out = []
    for row in rows:
        d = decode(row["name"])
        verdict = judge(d, row["expected"])
        counts.setdefault(row["category"], Counter())[verdict] += 1
        first = d.stems[0].stem if d.stems else ""
        out.append((row["name"], row["expected"], row["category"], verdict, d.kind, first))
    total: Counter[str] = Counter()
    print(f"{'category':<28} {'names':>5} {'right':>5} {'wrong':>5} {'unread':>6}")
    for category, c in counts.items():
        total.update(c)
        print(f"{category:<28} {sum(c.values()):>5} {c['right']:>5} {c['wrong']:>5} "
              f"{c['unread']:>6}")
    n = sum(total.values())
    print(f"{'all':<28} {n:>5} {total['right']:>5} {total['wrong']:>5} {total['unread']:>6}"
          f"   ({total['right'] / n:.1%} right)")
    for name, expected, _, verdict, kind, first in out:
        if verdict != "right":
            print(f"   {verdict}: {name!r} expected {expected}, read {kind} {first}".rstrip())
    with results_file("readings.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(("name", "expected", "category", "verdict", "kind", "first_stem"))
        writer.writerows(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
