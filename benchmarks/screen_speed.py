"""Screening speed: one name against the full name list, and all pairs of the antibody registry.

Prints, in one run on one core: p50 and p99 latency of ``screen`` for 300 names drawn from the
list itself (goal: p50 <= 20 ms), with the time to build the list once; the same-run baseline
is a bare rapidfuzz ``extract`` (edit similarity, top 10) over the same list, the least any
screening must do; then all pairs of the antibody registry (``screen_all``): time and pairs/s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file

from innkit.registry import Registry
from innkit.similarity import build_universe, level, screen, screen_all

GOAL_MS = 20.0

def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]

def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    registry = Registry(None)
    start = time.perf_counter()
    universe = build_universe("all", registry)
    built = time.perf_counter() - start
    rng = random.Random(5)
    queries = [rng.choice(universe.names) for _ in range(300)]
    ours, base = [], []
    for q in queries:
        start = time.perf_counter()
        screen(q, registry=registry)
        ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        process.extract(q, universe.names, scorer=Levenshtein.normalized_similarity, limit=10)
        base.append((time.perf_counter() - start) * 1000)
    p50, p99 = quantiles(ours)
    b50, b99 = quantiles(base)
    print(f"screen one name against {len(universe):,} names (registry + FDA UNII), one core; "
          f"list built once in {built:.2f} s")
    print(f"  innkit screen:  p50 {p50:.1f} ms, p99 {p99:.1f} ms  (goal p50 <= {GOAL_MS:.0f} ms: "
          f"{'met' if p50 <= GOAL_MS else 'NOT met'})")
    print(f"  baseline (bare edit-similarity extract): p50 {b50:.1f} ms, p99 {b99:.1f} ms; "
          f"ratio {p50 / b50:.2f}")
    names = [e.name for e in registry.entries()]
    n = len(set(names))
    start = time.perf_counter()
    flagged = screen_all(names)
    took = time.perf_counter() - start
    pairs = n * (n - 1) // 2
    levels = {}
    for _a, _b, m in flagged:

        key = level(m["combined"])
        levels[key] = levels.get(key, 0) + 1
    print(f"all pairs of the antibody registry: {n} names, {pairs:,} pairs in {took:.2f} s "
          f"({pairs / took:,.0f} pairs/s); flagged {levels}")
    with results_file("screen_speed.tsv").open("w", encoding="utf-8") as f:
        f.write(f"p50_ms\t{p50:.2f}\np99_ms\t{p99:.2f}\nbaseline_p50_ms\t{b50:.2f}\n"
                f"all_pairs_s\t{took:.2f}\npairs_per_s\t{pairs / took:.0f}\n")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
