"""How well ``screen`` finds names known to be confused, against edit distance and BI-SIM.

Pair sets (see benchmarks/lasa_pairs.py for how the lost groups were rebuilt):
  - FDA Tall Man pairs (benchmarks/data/lasa_pairs_fda.tsv, shipped, US public domain);
  - Australian Tall Man list, Table 1 (general list: brand and generic names, the kind of
    list of confused names that ISMP and USP publish), rebuilt from ../shared;
  - Australian Tall Man list, Tables 2-5 (cancer medicines, classes, -mab, -nib/-gib);
  - all Tall Man pairs together.

For each set the library is the set's own names. Every name of every pair is screened against
the library (both directions), and recall@k is the share of directed pairs whose partner is
among the k best-ranked other names. In the same run: plain normalised edit similarity
(rapidfuzz Levenshtein) and BI-SIM alone rank the same library; and "KD mean" is the mean of
the four measures on the raw names (Kondrak and Dorr's combination with innkit's ALINE, but
without the pharmacist's reading of salts, forms and stem words).

False alarms: 100,000 random pairs of names from the full list (registry + FDA UNII, seeded),
the share flagged at each innkit level; and, for each level, the edit similarity and BI-SIM
thresholds that give the baselines the same recall of the known Tall Man pairs as the level
gives innkit, with the share of random pairs those thresholds flag. The levels were set on
random pairs only (benchmarks/screen_calibrate.py), never on these pairs.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _shared import results_file
from lasa_pairs import au_pairs, fda_pairs
from rapidfuzz.distance import Levenshtein

from innkit.screening.similarity import (
    LEVELS,
    Universe,
    bisim,
    build_universe,
    measures_many,
    screen,
)

KS = (1, 5, 10)
GOAL = 0.85


def ranks(pairs: list[tuple[str, str]]) -> list[tuple[str, str, dict[str, int]]]:
    """For each directed pair, the partner's rank (1 = best; 11 = beyond the top 10) under
    each scorer: innkit as ``screen`` returns it, the baselines by sorting every other name."""
    names = sorted({n for p in pairs for n in p})
    universe = Universe((n, "list", "tall man") for n in names)
    out = []
    for a, b in pairs + [(b, a) for a, b in pairs]:
        hits = [h.name for h in screen(a, against=universe, limit=10, score_cutoff=0.0).hits]
        r = {"innkit": hits.index(b) + 1 if b in hits else 11}
        others = [n for n in universe.names if n != a]
        measures = measures_many(a, others)
        for label, values in (("kd_mean", measures[:, :4].mean(axis=1)), ("edit", measures[:, 0]),
                              ("bisim", measures[:, 1])):
            order = sorted(range(len(others)), key=lambda i, v=values: (-v[i], others[i]))
            top = [others[i] for i in order[:10]]
            r[label] = top.index(b) + 1 if b in top else 11
        out.append((a, b, r))
    return out


def recall(rows, scorer: str, k: int) -> float:
    return sum(r[scorer] <= k for _a, _b, r in rows) / len(rows)


def main() -> int:
    started = time.perf_counter()
    sets = {
        "FDA Tall Man": fda_pairs(),
        "AU Tall Man, Table 1 (general)": au_pairs(("Table 1",)),
        "AU Tall Man, Tables 2-5": au_pairs(("Table 2", "Table 3", "Table 4", "Table 5")),
    }
    sets["all Tall Man pairs"] = sorted(set(sets["FDA Tall Man"])
                                        | set(sets["AU Tall Man, Table 1 (general)"])
                                        | set(sets["AU Tall Man, Tables 2-5"]))
    scorers = ("innkit", "kd_mean", "edit", "bisim")
    table_rows = []
    print("recall@k of the partner, both directions, library = the set's own names")
    print(f"{'pair set':<34}{'pairs':>6}{'names':>6}  " + "  ".join(
        f"{s:>18}" for s in scorers))
    per_pair = []
    for label, pairs in sets.items():
        names = {n for p in pairs for n in p}
        rows = ranks(pairs)
        cells = []
        for s in scorers:
            cells.append("/".join(f"{recall(rows, s, k):.2f}" for k in KS))
        print(f"{label:<34}{len(pairs):>6}{len(names):>6}  " + "  ".join(
            f"{c:>18}" for c in cells))
        table_rows.append((label, rows))
        if label == "all Tall Man pairs":
            per_pair = rows
    print(f"  (cells: recall@1/5/10; goal innkit recall@5 >= {GOAL} on the Tall Man pairs)")
    all_rows = dict(table_rows)["all Tall Man pairs"]
    r5 = recall(all_rows, "innkit", 5)
    print(f"  innkit recall@5 on all Tall Man pairs: {r5:.3f} "
          f"({'met' if r5 >= GOAL else 'NOT met'}); edit {recall(all_rows, 'edit', 5):.3f}, "
          f"BI-SIM {recall(all_rows, 'bisim', 5):.3f}")

    # False alarms on random pairs of the full list, at each level and at equal recall.
    universe = build_universe("all")
    rng = random.Random(42)
    n_names = len(universe)
    random_scores, random_edit, random_bisim = [], [], []
    for _ in range(1000):
        q = universe.names[rng.randrange(n_names)]
        idx = [i for i in (rng.randrange(n_names) for _ in range(100)) if universe.names[i] != q]
        random_scores += universe.scores(q, idx).tolist()
        random_edit += [Levenshtein.normalized_similarity(q, universe.names[i]) for i in idx]
        random_bisim += [bisim(q, universe.names[i]) for i in idx]
    known_pairs = sets["all Tall Man pairs"]
    # read as the full list reads them (familiarity from the UNII list), as the random pairs
    # are: on a user's list every name would count as familiar, which flatters the known pairs
    lib = Universe(((n, "list", "") for p in known_pairs for n in p), builtin=True)
    known = np.array([float(lib.scores(a, [lib.index[b]])[0]) for a, b in known_pairs])
    known_edit = np.array([Levenshtein.normalized_similarity(a, b) for a, b in known_pairs])
    known_bisim = np.array([bisim(a, b) for a, b in known_pairs])
    rs, re_, rb = np.array(random_scores), np.array(random_edit), np.array(random_bisim)
    print(f"false alarms: how many of {len(rs):,} random pairs of the {n_names:,} listed "
          f"names (registry + FDA UNII) are flagged; known = the {len(known_pairs)} Tall Man "
          "pairs")
    for name, threshold in LEVELS:
        share = float((known >= threshold).mean())
        line = (f"  {name:<6} (>= {threshold:.2f}): innkit flags {share:.3f} of known pairs "
                f"and {int((rs >= threshold).sum())} random pairs")
        for label, k_vals, r_vals in (("edit", known_edit, re_), ("BI-SIM", known_bisim, rb)):
            ordered = np.sort(k_vals)[::-1]
            cut = ordered[max(0, round(share * len(ordered)) - 1)] if share > 0 else 1.01
            line += (f"; {label} >= {cut:.2f} (same recall) flags "
                     f"{int((r_vals >= cut).sum())}")
        print(line)
    q = np.quantile(rs, [0.5, 0.9, 0.99, 0.999])
    print("  innkit score quantiles of random pairs (50/90/99/99.9%): "
          + " ".join(f"{v:.3f}" for v in q))
    missed = [(a, b, r["innkit"]) for a, b, r in per_pair if r["innkit"] > 5]
    print(f"missed at 5 by innkit ({len(missed)} of {len(per_pair)} directed pairs): "
          + ", ".join(f"{a}->{b} (#{k})" for a, b, k in missed[:40]))
    with results_file("screen_accuracy.tsv").open("w", encoding="utf-8") as f:
        f.write("set\tname\tpartner\t" + "\t".join(f"rank_{s}" for s in scorers) + "\n")
        for label, rows in table_rows:
            for a, b, r in rows:
                f.write(f"{label}\t{a}\t{b}\t" + "\t".join(str(r[s]) for s in scorers) + "\n")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
