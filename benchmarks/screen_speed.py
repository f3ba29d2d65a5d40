"""Screening speed: one name against the full name list, a 1,000-candidate batch, all pairs.

Prints, on one core:
  1. p50 and p99 latency of ``screen`` for 300 names drawn from the list itself (goal: p50 <=
     20 ms), the list prepared once; same-run baseline: a bare rapidfuzz ``extract`` (edit
     similarity, top 10) over the same list, the least any screening must do.
  2. ``innkit screen --batch`` on 1,000 candidates (list names with one letter changed,
     seeded) as a user runs it: a whole process, cold (prepared-list cache present, as after
     the first run), writing a CSV; against a baseline process that reads the same names and
     writes the bare rapidfuzz top 3 of each candidate. Ratio printed.
  3. All pairs of the antibody registry (``screen_all``): time and pairs/s.
"""

from __future__ import annotations

import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, results_file

from innkit.registry import Registry
from innkit.screening.similarity import build_universe, level, screen, screen_all

GOAL_MS = 20.0
BASELINE = """
import csv, sys
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from innkit.registry import get_registry
names = sorted({n.lower() for n, _k in get_registry().unii_names()} | {e.name.lower() for e in
               get_registry().entries()})
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for line in f:
        q = line.strip().lower()
        top = process.extract(q, names, scorer=Levenshtein.normalized_similarity, limit=3)
        w.writerow([q, "; ".join(f"{n} {s:.2f}" for n, s, _i in top)])
"""


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


def one_core_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def timed(cmd: list[str]) -> float:
    core = sorted(os.sched_getaffinity(0))[0] if hasattr(os, "sched_getaffinity") else None
    prefix = ["taskset", "-c", str(core)] if core is not None and Path(
        "/usr/bin/taskset").exists() else []
    start = time.perf_counter()
    subprocess.run(prefix + cmd, check=True, env=one_core_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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
    screen(queries[0], registry=registry)  # first call reads the phonetic tables
    ours, base, scored = [], [], []
    for q in queries:
        start = time.perf_counter()
        result = screen(q, registry=registry)
        ours.append((time.perf_counter() - start) * 1000)
        scored.append(result.scored)
        start = time.perf_counter()
        process.extract(q, universe.names, scorer=Levenshtein.normalized_similarity, limit=10)
        base.append((time.perf_counter() - start) * 1000)
    p50, p99 = quantiles(ours)
    b50, b99 = quantiles(base)
    print(f"1. screen one name against {len(universe):,} names (registry + FDA UNII), one core; "
          f"list prepared in {built:.2f} s")
    print(f"  innkit screen:  p50 {p50:.1f} ms, p99 {p99:.1f} ms  (goal p50 <= {GOAL_MS:.0f} ms: "
          f"{'met' if p50 <= GOAL_MS else 'NOT met'}); names scored in full: median "
          f"{statistics.median(scored):.0f}, max {max(scored)}")
    print(f"  baseline (bare edit-similarity extract): p50 {b50:.1f} ms, p99 {b99:.1f} ms; "
          f"ratio {p50 / b50:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        cands = Path(tmp, "candidates.txt")
        picked = []
        for _ in range(1000):
            name = rng.choice(universe.names)
            i = rng.randrange(len(name))
            picked.append(name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1:])
        cands.write_text("\n".join(picked) + "\n", encoding="utf-8")
        ours_cmd = [sys.executable, "-c", "from innkit.cli import run; run()", "screen",
                    "--batch", str(cands), "--format", "csv", "-o", str(Path(tmp, "out.csv"))]
        base_cmd = [sys.executable, "-c", BASELINE, str(cands), str(Path(tmp, "base.csv"))]
        timed(ours_cmd)  # leaves the prepared-list cache, as any first run does
        batch = timed(ours_cmd)
        baseline = timed(base_cmd)
    print(f"2. innkit screen --batch, 1,000 candidates, whole process writing CSV: {batch:.1f} s "
          f"({batch:.1f} ms per candidate with start-up); baseline process (bare top-3 "
          f"extract): {baseline:.1f} s; ratio {batch / baseline:.2f}")

    names = [e.name for e in registry.entries()]
    n = len(set(names))
    start = time.perf_counter()
    flagged = screen_all(names)
    took = time.perf_counter() - start
    pairs = n * (n - 1) // 2
    levels: dict[str | None, int] = {}
    for _a, _b, m in flagged:
        key = level(m["combined"])
        levels[key] = levels.get(key, 0) + 1
    print(f"3. all pairs of the antibody registry: {n} names, {pairs:,} pairs in {took:.2f} s "
          f"({pairs / took:,.0f} pairs/s); flagged {levels}")
    with results_file("screen_speed.tsv").open("w", encoding="utf-8") as f:
        f.write(f"p50_ms\t{p50:.2f}\np99_ms\t{p99:.2f}\nbaseline_p50_ms\t{b50:.2f}\n"
                f"batch_1000_s\t{batch:.2f}\nbaseline_batch_s\t{baseline:.2f}\n"
                f"all_pairs_s\t{took:.2f}\npairs_per_s\t{pairs / took:.0f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
