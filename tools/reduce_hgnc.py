"""Rebuild src/innkit/data/antigen_synonyms.tsv from HGNC's complete set, reduced to the
antigens innkit needs: the symbols the table already lists, and every HGNC symbol that a
spelling of ``antibody_inns.tsv``'s ``target_antigen`` column names (as symbol, previous symbol
or alias). The aliases a row holds beyond HGNC's (the names texts use: ``folate receptor
alpha``) are kept.

    python tools/reduce_hgnc.py hgnc_complete_set.txt [--write]

HGNC's file is tab-separated with the columns ``symbol``, ``name``, ``alias_symbol``,
``prev_symbol`` (lists joined by ``|``), CC0. Without ``--write`` the tool prints what would
change.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "innkit" / "data"
TABLE = DATA / "antigen_synonyms.tsv"
EVIDENCE = "V: HGNC complete set (symbol, prev_symbol, alias_symbol, name), CC0"


def _parts(cell: str) -> list[str]:
    return [p.strip().strip('"') for p in cell.split("|") if p.strip().strip('"')]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("hgnc", type=Path, help="hgnc_complete_set.txt")
    ap.add_argument("--write", action="store_true", help="rewrite the table")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from innkit.checker.words import antigen_key, row_antigens

    with TABLE.open(encoding="utf-8", newline="") as f:
        current = {r["symbol"]: r for r in csv.DictReader(f, delimiter="\t")}
    wanted = {antigen_key(s) for s in current}
    with (DATA / "antibody_inns.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            for spellings in row_antigens(row["target_antigen"]):
                wanted.update(antigen_key(s) for s in spellings)
    rows = {}
    with args.hgnc.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            names = [r["symbol"], *_parts(r.get("prev_symbol", "")),
                     *_parts(r.get("alias_symbol", ""))]
            if not any(antigen_key(n) in wanted for n in names[:1] + names[1:]):
                continue
            kept = current.get(r["symbol"])
            extra = [a.strip() for a in kept["aliases"].split(";")] if kept else []
            aliases = list(dict.fromkeys(a for a in names[1:] + extra if a))
            rows[r["symbol"]] = {"symbol": r["symbol"], "aliases": "; ".join(aliases),
                                 "name": r["name"], "evidence": EVIDENCE}
    missing = sorted(set(current) - set(rows))
    print(f"{len(rows)} symbols from HGNC; kept as they are (not in the file): "
          f"{', '.join(missing) or 'none'}")
    for symbol in missing:
        rows[symbol] = current[symbol]
    if args.write:
        with TABLE.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, ("symbol", "aliases", "name", "evidence"), delimiter="\t",
                               lineterminator="\n")
            w.writeheader()
            for symbol in sorted(rows):
                w.writerow(rows[symbol])
        print(f"wrote {TABLE.relative_to(ROOT)}; now run: innkit data lint --fix")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
