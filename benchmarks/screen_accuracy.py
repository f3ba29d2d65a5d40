"""How well ``screen`` finds names known to be confused, against plain edit distance.

Known confusions: the FDA and Australian Tall Man lists (shared/data/lasa_*.csv). In each table
of a list, two consecutive entries form a look-alike pair when their Tall Man writing shares
its lower-case start (two letters or more) or its lower-case end (three letters or more): the
lower-case letters are by convention the part the confusable names have in common. For every
pair, each name is screened against every registry and FDA UNII name plus the list's own names,
and the pair counts as found when the partner is in the top 5 (recall@5).

The baseline, in the same run, ranks the same names by normalised edit similarity alone. False
alarms: the share of random pairs of names flagged, for innkit at its medium and high levels, and
for the baseline at the edit similarity that gives it the same recall of known pairs as innkit's
medium level. Also printed: score quantiles of known and random pairs (for docs/screening.md).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from _shared import results_file, shared_path

from innkit.similarity import LEVELS, Universe, build_universe, measures, screen


def tall_man_pairs(path: Path) -> list[tuple[str, str]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    pairs = []
    for a, b in itertools.pairwise(rows):
        if a["page_ref"] != b["page_ref"]:
            continue
        x, y = a["form"].strip(), b["form"].strip()
        if x.lower() == y.lower():
            continue
        head = 0
        while head < min(len(x), len(y)) and x[head] == y[head] and x[head].islower():
            head += 1
        tail = 0
        while tail < min(len(x), len(y)) and x[-1 - tail] == y[-1 - tail] and \
                x[-1 - tail].islower():
            tail += 1
        if head >= 2 or tail >= 3:
            pairs.append((x.lower(), y.lower()))
    return pairs


def main() -> int:
    pairs = []
    names = set()
    for file in ("lasa_fda_tallman.csv", "lasa_au_tallman.csv"):
        found = tall_man_pairs(shared_path("data", file))
        print(f"{file}: {len(found)} look-alike pairs")
        pairs += found
    for a, b in pairs:
        names |= {a, b}
    base = build_universe("all")
    lists_only = Universe((n, "list", "tall man") for n in names)
    everything = Universe([(n, o, k) for n, (o, k) in zip(base.names, base.meta, strict=True)]
                          + [(n, "list", "tall man") for n in names])
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    rows = []
    directed = pairs + [(b, a) for a, b in pairs]
    for label, universe in (("the list names", lists_only), ("all names", everything)):
        ours = theirs = 0
        for a, b in directed:
            top = [h.name for h in screen(a, against=universe, limit=5, score_cutoff=0.0).hits]
            base5 = [n for n, _s, _i in process.extract(
                a, universe.names, scorer=Levenshtein.normalized_similarity, limit=6)
                if n != a][:5]
            ours += b in top
            theirs += b in base5
            if universe is lists_only:
                rows.append((a, b, b in top, b in base5))
        total = len(directed)
        print(f"recall@5 over {total} directed pairs, ranked among {label} "
              f"({len(universe):,} names):")
        print(f"  innkit screen (combined):   {ours / total:.3f}  (goal >= 0.9)")
        print(f"  baseline (edit similarity): {theirs / total:.3f}")
    universe = everything

    known = [measures(a, b) for a, b in pairs]
    rng = random.Random(42)
    pool = universe.names
    randoms = []
    while len(randoms) < 5000:
        a, b = rng.choice(pool), rng.choice(pool)
        if a != b:
            randoms.append(measures(a, b))

    def share(items, key, threshold):
        return sum(m[key] >= threshold for m in items) / len(items)

    print("false alarms on 5,000 random pairs of names:")
    for name, threshold in LEVELS:
        print(f"  innkit level {name:<6} (combined >= {threshold:.2f}): known pairs flagged "
              f"{share(known, 'combined', threshold):.3f}, random pairs flagged "
              f"{share(randoms, 'combined', threshold):.4f}")
    medium = dict(LEVELS)["medium"]
    target = share(known, "combined", medium)
    edits = sorted((m["edit"] for m in known), reverse=True)
    cut = edits[max(0, round(target * len(edits)) - 1)]
    print(f"  baseline edit >= {cut:.2f} (same recall of known pairs, {target:.3f}): random "
          f"pairs flagged {share(randoms, 'edit', cut):.4f}")
    for label, items in (("known", known), ("random", randoms)):
        scores = sorted(m["combined"] for m in items)
        q = [scores[int(p * (len(scores) - 1))] for p in (0.05, 0.25, 0.5, 0.75, 0.95, 0.99)]
        print(f"  combined score quantiles, {label} pairs (5/25/50/75/95/99%): "
              + " ".join(f"{v:.2f}" for v in q))
    missed = [(a, b) for a, b, hit, _ in rows if not hit]
    print(f"missed by innkit ({len(missed)}): " + ", ".join(f"{a}->{b}" for a, b in missed[:40]))
    with results_file("screen_accuracy.tsv").open("w", encoding="utf-8") as f:
        f.write("name\tpartner\tinnkit_top5\tbaseline_top5\n")
        for a, b, x, y in rows:
            f.write(f"{a}\t{b}\t{x}\t{y}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
