"""Hostile inputs: does the time of ``innkit annotate`` grow in step with its input?

For each pathological shape, the input is made at n and at 2n, and each whole process
``innkit annotate --format jsonl FILE`` is timed (fresh processes, warm disk caches, median of
--runs); the growth ratio t(2n) / t(n) is printed, both for the whole process and for the time
above an empty input's (the start-up, the same for every size). Linear time doubles (2.0);
quadratic time quadruples. Goal: the ratio above start-up <= 2.2 for every shape.

Shapes:
- ``slashes``: ``rituximab/`` repeated n times (n = 8,000: 80 KB);
- ``antibodies``: n antibody names of the shipped table, drawn at random, joined by ``/``;
- ``shorts``: n distinct short forms, each defined after a name and used once
  (``rituximab (RABCD) then RABCD.``; n = 80,000: 2.4 MB, streamed in pieces).

``--also-src DIR`` times another source tree (an older innkit) in the same runs, for a
before-and-after comparison; ``--quick`` halves every n.
"""

from __future__ import annotations

import argparse
import itertools
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

from _shared import ROOT

INNKIT = "import sys; sys.argv[0] = 'innkit'; from innkit.cli import run; run()"
GOAL = 2.2
SIZES = {"slashes": 8_000, "antibodies": 8_000, "shorts": 80_000}


def slashes(n: int) -> str:
    return "rituximab/" * n + "\n"


def antibodies(n: int) -> str:
    """n antibody names drawn at random from the shipped table (seeded), joined by '/'."""
    table = ROOT / "src" / "innkit" / "data" / "antibody_inns.tsv"
    names = [line.split("\t")[0] for line in table.read_text().splitlines()[1:] if line]
    rng = random.Random(25)
    return "/".join(rng.choice(names) for _ in range(n)) + "\n"


def shorts(n: int) -> str:
    forms = ("R" + "".join(p) for p in itertools.product(string.ascii_uppercase, repeat=4))
    return "".join(f"rituximab ({s}) then {s}.\n" for s in itertools.islice(forms, n))


SHAPES = {"slashes": slashes, "antibodies": antibodies, "shorts": shorts}


def timed(src: Path, path: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", INNKIT, "annotate", "--format", "jsonl", str(path)],
                   env={**env, "PYTHONPATH": str(src)}, stdout=subprocess.DEVNULL, check=True,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--also-src", type=Path, help="another source tree, timed alike")
    parser.add_argument("shapes", nargs="*", metavar="SHAPE", help=", ".join(SHAPES))
    args = parser.parse_args()
    unknown = [s for s in args.shapes if s not in SHAPES]
    if unknown:
        parser.error(f"unknown shapes {unknown}: choose from {', '.join(SHAPES)}")
    args.shapes = args.shapes or list(SHAPES)
    trees = {"this": ROOT / "src", **({"other": args.also_src} if args.also_src else {})}
    env = {**os.environ, "INNKIT_USER_DB": os.devnull + ".absent"}
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="innkit-hostile-") as folder:
        empty = Path(folder) / "empty.txt"
        empty.write_text("\n")
        for src in trees.values():
            timed(src, empty, env)  # the disk caches of this tree, built before timing
        start_up = {t: statistics.median(timed(s, empty, env) for _ in range(args.runs))
                    for t, s in trees.items()}
        print("start-up (empty input): " + ", ".join(f"{t} {v:.2f} s"
                                                    for t, v in start_up.items()))
        for shape in args.shapes:
            n = SIZES[shape] // (2 if args.quick else 1)
            files = {}
            for k in (n, 2 * n):
                files[k] = Path(folder) / f"{shape}-{k}.txt"
                files[k].write_text(SHAPES[shape](k))
            for tree, src in trees.items():
                t1 = statistics.median(timed(src, files[n], env) for _ in range(args.runs))
                t2 = statistics.median(timed(src, files[2 * n], env) for _ in range(args.runs))
                net = (t2 - start_up[tree]) / max(t1 - start_up[tree], 1e-3)
                if tree == "this":
                    worst = max(worst, net)
                size = files[n].stat().st_size
                print(f"{shape:<11} {tree:<5} n={n:,} ({size:,} B): {t1:.2f} s; 2n: {t2:.2f} s;"
                      f" growth {t2 / t1:.2f}x whole process, {net:.2f}x above start-up")
    print(f"worst growth above start-up: {worst:.2f}x (goal <= {GOAL}): "
          f"{'met' if worst <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()
