"""The shipped substance index on first use, and its look-ups: this tree against a baseline.

- expand: the shipped index expanded into an empty cache folder (what the first run of any
  command that knows substances does), in a child process of its own: CPU seconds (user +
  sys of the expansion alone, steadier than wall time on a busy machine), wall seconds, the
  process's peak memory (RSS), and the size of the shipped file and of the expanded one.
- memory: the same expansion where the cache folder cannot be written (into memory).
- lookup: look-ups of 200,000 keys (half of them names of the list, half not), on the
  expanded index, microseconds each.

Usage: ``python benchmarks/index_expand.py --baseline /path/to/old/src`` (without it, this
tree only). Each figure prints with its ratio to the baseline's (baseline / this: above 1 is
faster or smaller).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = 200_000

_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from innkit.registry import substances as s

what, folder = sys.argv[1], Path(sys.argv[2])
shipped = s.shipped_file()
import numpy  # noqa: F401  (both trees use it; its import is not the expansion's)
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
if what == "expand":
    index = s._expanded(shipped, quiet=True)
elif what == "memory":
    def refused(packed, target):
        raise PermissionError(13, "Permission denied", str(target))
    s.expand = refused  # as where the folder cannot be written (which root always can)
    index = s._expanded(shipped, quiet=True)
    assert index is not None and index.path == shipped, "not expanded into memory"
else:
    index = s._expanded(shipped, quiet=True)
    rows = index._names.rows
    step = max(1, len(rows) // (__KEYS__ // 2))
    keys = [rows[i].partition(s._KEY)[0] for i in range(0, len(rows), step)][:__KEYS__ // 2]
    keys += [k + "q" for k in keys]
    started = time.perf_counter()
    found = sum(1 for k in keys if index.lookup(k))
    took = time.perf_counter() - started
    print(json.dumps({"lookup_us": took / len(keys) * 1e6, "found": found}))
    raise SystemExit(0)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
idx = [p for p in folder.rglob("substances-*.idx")]
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"cpu": cpu, "wall": wall,
                  "rss_mb": usage.ru_maxrss / 1024, "shipped_mb": shipped.stat().st_size / 1e6,
                  "expanded_mb": sum(p.stat().st_size for p in idx) / 1e6,
                  "substances": index.meta["substances"]}))
""".replace("__KEYS__", str(KEYS))


def run(src: str, what: str) -> dict[str, float]:
    """One child process of ``src`` on a new empty cache folder: its figures."""
    with tempfile.TemporaryDirectory() as cache:
        folder = Path(cache) / "innkit"
        folder.mkdir()
        if what == "lookup":
            run_env = dict(os.environ, PYTHONPATH=src, XDG_CACHE_HOME=cache)
            subprocess.run([sys.executable, "-c", _CHILD, "expand", str(folder)], env=run_env,
                           check=True, capture_output=True)
        env = dict(os.environ, PYTHONPATH=src, XDG_CACHE_HOME=cache,
                   INNKIT_USER_DB=str(Path(cache) / "user.sqlite"))
        out = subprocess.run([sys.executable, "-c", _CHILD, what, str(folder)], env=env,
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", help="the src folder of a baseline tree")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each, the best kept")
    args = ap.parse_args()
    trees = {"this": str(ROOT / "src")}
    if args.baseline:
        trees["baseline"] = args.baseline
    for what, figures in (("expand", ("cpu", "wall", "rss_mb", "shipped_mb", "expanded_mb")),
                          ("memory", ("cpu", "wall", "rss_mb")),
                          ("lookup", ("lookup_us",))):
        best: dict[str, dict[str, float]] = {}
        for name, src in trees.items():
            runs = [run(src, what) for _ in range(args.repeat)]
            best[name] = {f: min(r[f] for r in runs) for f in figures}
        for f in figures:
            mine = best["this"][f]
            line = f"{what:7} {f:12} {mine:10.2f}"
            if "baseline" in best:
                base = best["baseline"][f]
                line += f"   baseline {base:10.2f}   ratio {base / mine if mine else 0:6.2f}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
