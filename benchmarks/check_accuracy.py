"""How well ``innkit check`` finds and judges claims, on benchmarks/data/check_passages.jsonl.

Each passage is a sentence written in the style of labels and papers, or an altered copy of
one with a single claim made false; its ``claims`` list what a reader finds in it (the INN,
the kind, the value, and the verdict). The split (``dev``/``test``) keeps a passage and its
altered copy together. A claim found is matched to a listed one by INN (its first word), kind
and value (antigens through the synonym table); detection F1 counts matched claims,
contradiction F1 counts claims judged ``contradicts``. Rules are never tuned to one passage:
the test split is read only to report.

    python benchmarks/check_accuracy.py [--split dev|test|all]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, results_file

PASSAGES = ROOT / "benchmarks" / "data" / "check_passages.jsonl"


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from innkit import check
    from innkit.checker.words import lexicon

    lex = lexicon()

    def same_value(kind: str, a: str, b: str) -> bool:
        if kind == "target":
            return bool(lex.expand(a) & lex.expand(b))
        return a.lower() == b.lower()

    rows = [json.loads(line) for line in PASSAGES.read_text(encoding="utf-8").splitlines()]
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    log = []
    for split in splits:
        det = [0, 0, 0]
        con = [0, 0, 0]
        for row in rows:
            if row["split"] != split:
                continue
            found = [c.to_dict() for c in check(row["text"]) if c.kind != "name"]
            gold = list(row["claims"])
            unmatched = list(gold)
            for c in found:
                hit = next((g for g in unmatched
                            if g["name"].split()[0] == c["name"].split()[0]
                            and g["kind"] == c["kind"]
                            and same_value(c["kind"], g["value"], c["value"])), None)
                if hit is not None:
                    unmatched.remove(hit)
                    det[0] += 1
                else:
                    det[1] += 1
                    log.append(f"{split} {row['id']} extra: {c['name']} {c['kind']} "
                               f"{c['value']!r} ({c['verdict']})")
                said = c["verdict"] == "contradicts"
                truth = hit is not None and hit["verdict"] == "contradicts"
                if said and truth:
                    con[0] += 1
                elif said:
                    con[1] += 1
                    log.append(f"{split} {row['id']} false contradiction: {c['name']} "
                               f"{c['kind']} {c['value']!r}: {'; '.join(c['evidence'][:2])}")
            det[2] += len(unmatched)
            for g in unmatched:
                log.append(f"{split} {row['id']} missed: {g['name']} {g['kind']} {g['value']!r}")
            found_contra = {(c["name"].split()[0], c["kind"]) for c in found
                            if c["verdict"] == "contradicts"}
            for g in gold:
                if g["verdict"] == "contradicts" and (g["name"].split()[0], g["kind"]) \
                        not in found_contra:
                    con[2] += 1
                    log.append(f"{split} {row['id']} contradiction missed: {g['name']} "
                               f"{g['kind']} {g['value']!r}")
        n = sum(1 for r in rows if r["split"] == split)
        p, r, f = f1(*det)
        cp, cr, cf = f1(*con)
        print(f"{split}: {n} passages; claim detection P {p:.3f} R {r:.3f} F1 {f:.3f}; "
              f"contradictions P {cp:.3f} R {cr:.3f} F1 {cf:.3f}")
    out = results_file("check_accuracy.txt")
    out.write_text("\n".join(log) + "\n", encoding="utf-8")
    print(f"details: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
