"""Scale: what a user registry of 1,000, 10,000 and 100,000 names costs, against no user names.

For each size, in one run, with a generated user registry (invented brand names, some of two
words, and codes; written through the user store's schema, set with INNKIT_USER_DB):
- annotate small-file wall time: the whole ``innkit annotate --format jsonl`` process on the
  bundled 2 KB document (fresh processes, warm disk caches: the first run, which compiles the
  registry's names once, is reported apart as the cold run);
- decode fresh-process time: the whole ``innkit decode trastuzumab`` process;
- unseen-name decode throughput: names/s decoding antibody-shaped names no registry holds
  (each one runs the near-miss search over every registry name), in process, cold;
- screen p50/p99: ``screen(name)`` latency in process for names drawn from the registry
  (goal: p50 <= 20 ms at ~190,000 names, shipped + UNII + 100k user).
Every figure is printed with its ratio to the same-run figure with no user names. Fresh
processes run in alternating order over the sizes, median of --runs (default 3). ``--also-src
DIR`` times another source tree's fresh processes in the same runs (before and after).
``--quick`` leaves out the 100k registry.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, results_file

EXAMPLE = ROOT / "examples" / "monograph.txt"
INNKIT = "import sys; sys.argv[0] = 'innkit'; from innkit.cli import run; run()"
_CONS, _VOWELS = "bcdfghjklmnprstvz", "aeiou"
SCREEN_GOAL_MS = 20.0


def invented_names(count: int, seed: int) -> list[tuple[str, str]]:
    from innkit.registry.core import name_key

    rng = random.Random(seed)
    out: dict[str, tuple[str, str]] = {}
    while len(out) < count:
        word = "".join(rng.choice(_CONS) + rng.choice(_VOWELS) for _ in range(rng.randint(3, 5)))
        r = rng.random()
        if r < 0.6:
            name, kind = word.capitalize() + rng.choice("lnrsx"), "brand"
        elif r < 0.9:
            name, kind = (f"{''.join(rng.choice('BCDFGHJKLMNPRSTVXZ') for _ in range(3))}-"
                          f"{rng.randint(100, 999999)}"), "code"
        else:
            name, kind = f"{word.capitalize()} {rng.choice(_CONS)}{word[::-1]}", "brand"
        out.setdefault(name_key(name), (name, kind))
    return list(out.values())


def user_db(path: Path, count: int) -> Path:
    """A user registry of ``count`` names: the store's own schema, rows written in bulk."""
    from innkit.registry import RegistryEntry
    from innkit.registry.core import ENTRY_COLUMNS, name_key
    from innkit.registry.store import UserStore

    UserStore(path).add(RegistryEntry(name="Zqseedname", second_word=None, kind="brand",
                                      origin="user"))
    db = sqlite3.connect(path)
    cols = ", ".join(ENTRY_COLUMNS)
    blanks = ["" for _ in ENTRY_COLUMNS[4:]]
    with db:
        db.executemany(
            f"INSERT OR REPLACE INTO names (key, {cols}) VALUES "
            f"(?, {', '.join('?' * len(ENTRY_COLUMNS))})",
            [(name_key(n), n, "", kind, "trastuzumab", *blanks)
             for n, kind in invented_names(count - 1, seed=count)])
    db.close()
    return path


def _run(cmd: list[str], db: Path | None, src: str | None = None) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = (src or str(ROOT / "src")) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["INNKIT_USER_DB"] = str(db) if db else str(Path(tempfile.gettempdir()) / "innkit-none")
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def unseen_names(count: int) -> list[str]:
    """Antibody-shaped names that no registry holds: known prefixes and substems recombined."""
    rng = random.Random(11)
    heads = ["zor", "bax", "quel", "vrim", "tol", "pex", "dron", "sul", "gam", "fen"]
    targets = ["tu", "li", "ci", "ki", "ne", "vi", "ba", "gro", "so", "ta"]
    sources = ["zu", "xi", "u", "o"]
    out = set()
    while len(out) < count:
        out.add(rng.choice(heads) + rng.choice(heads)[:2] + rng.choice(targets)
                + rng.choice(sources) + "mab")
    return sorted(out)


def in_process(db: Path | None, screen_names: int) -> tuple[float, float, float]:
    import innkit.decoder.decode as decoder
    from innkit.decoder.decode import decode
    from innkit.registry import Registry
    from innkit.screening.similarity import screen

    # an older tree measured with --also-src has only the cache's own clear
    forget = getattr(decoder, "forget", None) or decoder._decode_cached.cache_clear

    registry = Registry(db)
    names = unseen_names(400)
    decode("trastuzumab", registry=registry)
    best = 0.0
    for _ in range(3):
        forget()
        start = time.perf_counter()
        for n in names:
            decode(n, registry=registry)
        best = max(best, len(names) / (time.perf_counter() - start))
    rng = random.Random(3)
    pool = [e.full_name for e in registry.entries()]
    queries = [rng.choice(pool) for _ in range(screen_names)]
    screen(queries[0], registry=registry)  # builds the name universe once
    times = []
    for q in queries:
        start = time.perf_counter()
        screen(q, registry=registry)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return best, statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k names only")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--screens", type=int, default=100, help="screen queries per size")
    ap.add_argument("--also-src", metavar="DIR",
                    help="also time the fresh processes of this innkit source tree (e.g. an "
                         "export of the previous commit), in the same alternating runs")
    ap.add_argument("--no-in-process", action="store_true",
                    help="fresh-process figures only (no unseen-decode or screen figures)")
    args = ap.parse_args()
    sizes = [0, 1_000, 10_000] + ([] if args.quick else [100_000])
    py = sys.executable
    annotate = [py, "-c", INNKIT, "annotate", "--format", "jsonl", str(EXAMPLE), "-o"]
    decode_cmd = [py, "-c", INNKIT, "decode", "trastuzumab"]
    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dbs: dict[int, Path | None] = {0: None}
        for n in sizes[1:]:
            start = time.perf_counter()
            dbs[n] = user_db(work / f"user-{n}.sqlite", n)
            print(f"generated a user registry of {n:,} names in "
                  f"{time.perf_counter() - start:.1f} s")
        out = str(work / "out.jsonl")
        for n in sizes:
            rows[n] = {"cold_annotate_s": _run([*annotate, out], dbs[n])}
        trees = {"": None, "other_": args.also_src} if args.also_src else {"": None}
        if args.also_src:
            for n in sizes:  # the other tree's compiled databases, once
                _run([*annotate, out], dbs[n], args.also_src)
        samples: dict[int, dict[str, list[float]]] = {
            n: {f"{t}{k}": [] for t in trees for k in ("annotate", "decode")} for n in sizes}
        for i in range(args.runs):
            for n in sizes if i % 2 == 0 else reversed(sizes):
                for t, src in (trees.items() if i % 2 == 0 else reversed(trees.items())):
                    samples[n][f"{t}annotate"].append(_run([*annotate, out], dbs[n], src))
                    samples[n][f"{t}decode"].append(_run(decode_cmd, dbs[n], src))
        for n in sizes:
            for key, values in samples[n].items():
                rows[n][f"{key}_s"] = statistics.median(values)
            if args.no_in_process:
                rows[n].update(unseen_per_s=float("nan"), screen_p50_ms=float("nan"),
                               screen_p99_ms=float("nan"))
            else:
                rate, p50, p99 = in_process(dbs[n], args.screens)
                rows[n].update(unseen_per_s=rate, screen_p50_ms=p50, screen_p99_ms=p99)
    base = rows[0]
    if args.also_src:
        print(f"fresh processes, this tree against {args.also_src} (same alternating runs):")
        for n in sizes:
            r = rows[n]
            print(f"  {n:>10,} user names: annotate 2KB {r['annotate_s']:.3f} s against "
                  f"{r['other_annotate_s']:.3f} s ({r['other_annotate_s'] / r['annotate_s']:.2f}x"
                  f" faster); decode {r['decode_s']:.3f} s against {r['other_decode_s']:.3f} s "
                  f"({r['other_decode_s'] / r['decode_s']:.2f}x faster)")
    print(f"user registry scale: fresh processes median of {args.runs}, warm disk caches; "
          "ratio = figure / figure with no user names (throughput: no-user / figure)")
    print(f"  {'user names':>10}  {'annotate 2KB':>16}  {'(cold)':>7}  {'decode':>14}  "
          f"{'unseen decode/s':>20}  {'screen p50':>16}  {'p99':>8}")
    for n in sizes:
        r = rows[n]
        print(f"  {n:>10,}  {r['annotate_s']:7.3f} s {r['annotate_s'] / base['annotate_s']:5.2f}x"
              f"  {r['cold_annotate_s']:6.1f}s  {r['decode_s']:6.3f} s "
              f"{r['decode_s'] / base['decode_s']:5.2f}x  {r['unseen_per_s']:10,.0f} "
              f"{base['unseen_per_s'] / r['unseen_per_s']:6.2f}x slower  "
              f"{r['screen_p50_ms']:7.2f} ms {r['screen_p50_ms'] / base['screen_p50_ms']:5.2f}x"
              f"  {r['screen_p99_ms']:6.2f} ms")
    last = rows[sizes[-1]]
    met = "met" if last["screen_p50_ms"] <= SCREEN_GOAL_MS else "NOT met"
    if not args.no_in_process:
        print(f"  screen p50 at {sizes[-1]:,} user names: {last['screen_p50_ms']:.2f} ms "
              f"(goal <= {SCREEN_GOAL_MS:.0f} ms: {met})")
    with results_file("scale.tsv").open("w", encoding="utf-8") as f:
        keys = list(base)
        f.write("user_names\t" + "\t".join(keys) + "\n")
        for n in sizes:
            f.write(f"{n}\t" + "\t".join(f"{rows[n][k]:.4f}" for k in keys) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
