"""Where the screening levels come from: score quantiles of random pairs of listed names.

The levels are set on random pairs only, never on known confused pairs (those are for
evaluation, benchmarks/screen_accuracy.py): 500,000 pairs of names drawn at random (seed 7)
from the full list (registry + FDA UNII). ``high`` is the score that 1 in 50,000 random pairs
reach, ``medium`` 1 in 10,000, ``low`` 1 in 1,000, rounded to two decimals. Prints the
quantiles, the levels they give, and the levels in use.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np

from innkit.screening.similarity import LEVELS, build_universe

RATES = (("high", 1 / 50_000), ("medium", 1 / 10_000), ("low", 1 / 1_000))


def main() -> int:
    started = time.perf_counter()
    universe = build_universe("all")
    rng = random.Random(7)
    n = len(universe)
    scores = []
    for _ in range(5000):
        q = universe.names[rng.randrange(n)]
        idx = [i for i in (rng.randrange(n) for _ in range(100)) if universe.names[i] != q]
        scores.append(universe.scores(q, idx))
    values = np.concatenate(scores)
    print(f"{len(values):,} random pairs of {n:,} names ({time.perf_counter() - started:.1f} s)")
    for name, rate in RATES:
        q = float(np.quantile(values, 1 - rate))
        print(f"  {name:<6}: reached by 1 in {round(1 / rate):,} random pairs at {q:.3f} "
              f"-> {round(q, 2):.2f}; in use {dict(LEVELS)[name]:.2f} "
              f"(random pairs at or above: {float((values >= dict(LEVELS)[name]).mean()):.5f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
