"""Stem classification speed, and registry look-up and search latency on the full registry.

Prints, in one run: names per second for decoding non-antibody INNs by their WHO stems (cold:
result cache cleared every pass, registry look-ups included) against the goal of 150,000
names/s and against the floor of a bare dictionary look-up of the same names; import time and
peak memory of a fresh process; then p50 and p99 latency of ``Registry.lookup`` and
``Registry.search`` over every registry name. ``--also-src DIR`` measures the cold rate of
another innkit source tree too, in alternating fresh processes (median of 3 each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file

GOAL = 150_000


def names_to_classify() -> list[str]:
    from innkit.rules import Rules

    tables = Rules.shipped().tables
    names = {x for e in tables.general_stems for x in e.examples}
    golden = Path(__file__).resolve().parents[1] / "tests" / "golden" / "everyday_drugs.tsv"
    names |= {line.split("\t")[0] for line in golden.read_text().splitlines()[1:]}
    return sorted(names)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def import_ms() -> float:
    code = "import time; t=time.perf_counter(); import innkit; print(time.perf_counter()-t)"
    return 1000 * min(float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                           text=True, check=True).stdout) for _ in range(3))


def cold_rate() -> float:
    import innkit
    import innkit.decoder.decode as decoder

    # an older tree measured with --also-src has only the cache's own clear
    forget = getattr(decoder, "forget", None) or decoder._decode_cached.cache_clear
    from innkit.registry import Registry

    registry = Registry(None)
    names = names_to_classify()
    innkit.decode("imatinib", registry=registry)
    best = 0.0
    for _ in range(7):
        forget()
        getattr(registry, "clear_memos", lambda: None)()  # look-ups cold too
        start = time.perf_counter()
        for n in names:
            innkit.decode(n, registry=registry)
        best = max(best, len(names) / (time.perf_counter() - start))
    return best


def compare(other: str) -> None:
    ours = str(Path(__file__).resolve().parents[1] / "src")
    rates: dict[str, list[float]] = {"after": [], "before": []}
    for i in range(3):
        for label in (("after", "before") if i % 2 == 0 else ("before", "after")):
            env = dict(os.environ, PYTHONPATH=ours if label == "after" else other)
            out = subprocess.run([sys.executable, __file__, "--cold-json"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            rates[label].append(json.loads(out.strip().splitlines()[-1]))
    after, before = (statistics.median(rates[k]) for k in ("after", "before"))
    print(f"  cold decode, fresh processes, median of 3 alternating: after {after:,.0f} "
          f"names/s, before ({other}) {before:,.0f} names/s, after/before {after / before:.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cold-json", action="store_true", help="print the cold rate only")
    ap.add_argument("--also-src", metavar="DIR", help="compare with this innkit source tree")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if args.cold_json:
        print(json.dumps(cold_rate()))
        return 0
    import innkit
    import innkit.decoder.decode as decoder

    # an older tree measured with --also-src has only the cache's own clear
    forget = getattr(decoder, "forget", None) or decoder._decode_cached.cache_clear
    from innkit.registry import Registry

    registry = Registry(None)
    names = names_to_classify()
    innkit.decode("imatinib", registry=registry)
    floor_table = {n: n for n in names}
    best = floor = 0.0
    for _ in range(7):
        forget()
        getattr(registry, "clear_memos", lambda: None)()  # look-ups cold too
        start = time.perf_counter()
        for n in names:
            innkit.decode(n, registry=registry)
        best = max(best, len(names) / (time.perf_counter() - start))
        start = time.perf_counter()
        for n in names:
            floor_table.get(n)
        floor = max(floor, len(names) / (time.perf_counter() - start))
    kinds: dict[str, int] = {}
    for n in names:
        kind = str(innkit.decode(n, registry=registry).kind)
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"stem classification over {len(names)} INNs (stem-table examples and the golden list)")
    print(f"  cold decode: {best:>12,.0f} names/s  goal {GOAL:,}: ratio {best / GOAL:.2f} "
          f"({'met' if best >= GOAL else 'NOT met'}); kinds {kinds}")
    print(f"  floor (bare dict look-up of the same names): {floor:,.0f} names/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    imported = import_ms()
    print(f"  import innkit: {imported:.1f} ms; peak memory (RSS) of this run: {peak:.1f} MB")
    if args.also_src:
        compare(args.also_src)

    all_names = [e.full_name for e in registry.entries()]
    lookups, searches = [], []
    for n in all_names:
        start = time.perf_counter()
        registry.lookup(n)
        lookups.append((time.perf_counter() - start) * 1e6)
    queries = [n[:5] for n in all_names[::3]] + ["CD22", "HER2", "PD1", "trastuzimab", "VEGFA"]
    for q in queries:
        start = time.perf_counter()
        registry.search(q)
        searches.append((time.perf_counter() - start) * 1e3)
    print(f"registry of {len(registry)} names")
    print(f"  lookup: p50 {percentile(lookups, 50):.1f} us, p99 {percentile(lookups, 99):.1f} us "
          f"({len(lookups)} names)")
    print(f"  search: p50 {percentile(searches, 50):.2f} ms, p99 {percentile(searches, 99):.2f} "
          f"ms ({len(searches)} queries: name prefixes, targets, a misspelling)")
    with results_file("stems_speed.tsv").open("w", encoding="utf-8") as f:
        f.write(f"cold_names_per_s\t{best:.0f}\nimport_ms\t{imported:.1f}\n"
                f"peak_rss_mb\t{peak:.1f}\nlookup_p50_us\t{percentile(lookups, 50):.2f}\n"
                f"lookup_p99_us\t{percentile(lookups, 99):.2f}\n"
                f"search_p50_ms\t{percentile(searches, 50):.3f}\n"
                f"search_p99_ms\t{percentile(searches, 99):.3f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
