"""Decode every antibody INN of shared/data/antibody_inns.csv and report how the decoder fares.

Prints: names decoded as antibodies, counts per era set, ambiguous decodings, and the agreement
between the decoded source substem and the table's source column (names proposed up to 2017),
with each disagreement listed. Per-name results go to benchmarks/results/decode_accuracy.tsv.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file, shared_path

from innkit import decode
from innkit.decoder.antibody import source_agrees
from innkit.rules import Rules


def main() -> int:
    rows = list(csv.DictReader(shared_path("data", "antibody_inns.csv").open(encoding="utf-8")))
    tables = Rules.shipped().tables
    eras: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    ambiguous, irregular, not_antibody, disagreements = [], [], [], []
    compared = agreed = 0
    out = []
    for row in rows:
        d = decode(row["name"])
        kinds[d.kind] += 1
        out.append((row["name"], d.kind, d.segmentation or "", ",".join(d.eras), d.ambiguous,
                    row["source"]))
        if d.kind != "antibody":
            not_antibody.append((row["name"], d.reason))
            continue
        eras["/".join(d.eras) or "pre-scheme"] += 1
        if d.ambiguous:
            ambiguous.append(d.name)
        if d.irregular:
            irregular.append(d.name)
        year = int(row["year"]) if row["year"].isdigit() else None
        if year is not None and year <= 2017 and row["source"]:
            verdict = source_agrees(d.source_substem, row["source"], tables)
            if verdict is None:
                continue
            compared += 1
            agreed += verdict
            if not verdict:
                disagreements.append((row["name"], year, row["source"], d.segmentation,
                                      "FLAG" in row["notes"]))
    with results_file("decode_accuracy.tsv").open("w", encoding="utf-8") as f:
        f.write("name\tkind\tsegmentation\teras\tambiguous\ttable_source\n")
        for item in out:
            f.write("\t".join(map(str, item)) + "\n")
    print(f"antibody INNs in table: {len(rows)}")
    print(f"decoded as antibody: {kinds['antibody']} ({kinds['antibody'] / len(rows):.2%}); "
          f"irregular (exceptions table): {len(irregular)} {irregular}")
    for name, reason in not_antibody:
        print(f"  NOT DECODED {name}: {reason}")
    print("eras (compatible era sets):")
    for key, n in eras.most_common():
        print(f"  {key:<16} {n}")
    print(f"ambiguous decodings: {len(ambiguous)} {ambiguous}")
    rate = agreed / compared if compared else 0.0
    print(f"source agreement (proposed <= 2017, table states a source, name has a species "
          f"source): {agreed}/{compared} = {rate:.2%} (goal >= 99%)")
    for name, year, label, seg, flagged in disagreements:
        why = "flagged in the table: sequence-based class differs from the INN" if flagged \
            else "unexplained"
        print(f"  {name} ({year}): table says {label!r}, name reads {seg} -> {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
