"""Identity: how many names resolve to a substance, and what the resolving costs.

- DDI-2013: the share of gold ``brand`` mentions whose name resolves to a substance (goal
  >= 0.9), and how many of those reach an INN.
- Speed, each as fresh processes (median of 5, alternating with the baseline): ``innkit decode
  Besponsa``; decode throughput on 10,000 brand and code names from the UNII list; decode
  throughput on the 1,137 antibody INNs. The baseline is the same measure on the code before the
  identity layer (``--baseline-ref``, default the commit before it), checked out into a
  temporary git worktree, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import ROOT, SHARED

BASELINE_REF = "a654f55"
"""The last commit before the identity layer (per-registry caches, no substances)."""

THROUGHPUT = """
import sys, time
names = [n for n in open(sys.argv[1], encoding="utf-8").read().splitlines() if n]
import innkit
innkit.decode("warm-up of the tables, not of these names")
t = time.perf_counter()
for n in names:
    innkit.decode(n)
print(len(names) / (time.perf_counter() - t))
"""


def ddi_brands() -> None:
    path = SHARED / "corpora" / "ddi2013" / "ddi2013.jsonl"
    if not path.is_file():
        print(f"DDI-2013: SKIPPED ({path} is absent)")
        return
    import innkit

    mentions = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            mentions += [m["text"] for m in doc["mentions"] if m["type"] == "brand"]
    resolved = to_inn = 0
    misses: dict[str, int] = {}
    for text in mentions:
        sub = innkit.decode(text).substance
        if sub is None:
            misses[text] = misses.get(text, 0) + 1
            continue
        resolved += 1
        to_inn += sub.inn is not None
    n = len(mentions)
    print(f"DDI-2013 gold brand mentions: {n:,}; resolve to a substance {resolved:,} "
          f"({resolved / n:.3f}, goal >= 0.9, before: 0); of those, to an INN {to_inn:,} "
          f"({to_inn / max(resolved, 1):.3f})")
    top = sorted(misses.items(), key=lambda kv: -kv[1])[:12]
    print("  most frequent unresolved: " + ", ".join(f"{t} ({c})" for t, c in top))


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src)}


def _run(src: Path, args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from innkit.cli import run; run()", *args],
                   env=_env(src), check=True, capture_output=True)
    return time.perf_counter() - t


def _rate(src: Path, names_file: Path) -> float:
    out = subprocess.run([sys.executable, "-c", THROUGHPUT, str(names_file)], env=_env(src),
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def speed(baseline_ref: str, repeats: int) -> None:
    from innkit.registry import get_registry
    from innkit.rules import Rules
    from innkit.vocab import NameType

    index = get_registry().substance_index()
    if index is None:
        print("speed: SKIPPED (no UNII list)")
        return
    tmp = Path(tempfile.mkdtemp(prefix="innkit-identity-bench-"))
    brands = tmp / "brands_codes.txt"
    picked = [n for n, _t, _u in index.iter_names([NameType.BRAND, NameType.CODE])]
    brands.write_text("\n".join(picked[:: max(1, len(picked) // 10_000)][:10_000]) + "\n",
                      encoding="utf-8")
    antibodies = tmp / "antibodies.txt"
    antibodies.write_text("\n".join(r["name"] for r in Rules.shipped().read("antibody_inns.tsv",
                                                                             ("name",))) + "\n")
    base = tmp / "baseline"
    made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base),
                           baseline_ref], capture_output=True, text=True)
    trees = {"now": ROOT / "src"}
    if made.returncode == 0:
        trees["before"] = base / "src"
    else:
        print(f"  (no baseline: git worktree failed: {made.stderr.strip()[:120]})")
    try:
        results: dict[str, dict[str, list[float]]] = {k: {} for k in trees}
        for name in trees:  # first runs fill each version's caches (not timed)
            _run(trees[name], ["decode", "Besponsa"])
        for _ in range(repeats):
            for name, src in trees.items():
                r = results[name]
                r.setdefault("decode Besponsa, fresh process (s)", []).append(
                    _run(src, ["decode", "Besponsa"]))
                r.setdefault("decode 10,000 brand/code names (names/s)", []).append(
                    _rate(src, brands))
                r.setdefault("decode 1,137 antibody INNs, cold (names/s)", []).append(
                    _rate(src, antibodies))
        for measure in results["now"]:
            now = statistics.median(results["now"][measure])
            line = f"  {measure:<45} now {now:>10,.3f}"
            if "before" in results:
                before = statistics.median(results["before"][measure])
                ratio = now / before
                line += f"   before {before:>10,.3f}   now/before {ratio:.2f}"
            print(line)
    finally:
        if "before" in trees:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    ddi_brands()
    speed(args.baseline_ref, args.repeats)


if __name__ == "__main__":
    main()
