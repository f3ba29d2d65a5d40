"""Annotation speed as the user feels it: whole ``innkit annotate`` processes against a
pyahocorasick script over the same names, and in-process figures timed cold.

End to end (``--mode e2e``, part of the default): the whole ``innkit annotate --format jsonl
FILE -o OUT`` process against ``_aho_script.py`` (a fresh process that loads the same name list,
builds the automaton, scans the lower-cased text and writes one JSON line per whole-word hit),
both once to warm the disk caches, then in alternating pairs; prints the median of each, and
the ratio script time / innkit time (and the same of CPU times, steadier on a busy machine:
innkit's includes its workers'), on the bundled 2 KB document (goal: ratio >= 1.0) and on
shared/corpora/bulk/biomed_bulk.txt (goal: ratio >= 1.0; skipped when absent).
On the bulk text, ``innkit annotate --jobs 1`` (one process, no workers) is timed in the same
pairs too. ``--also-src DIR`` times a second innkit source tree in the same pairs (e.g. an
export of the previous commit; on the bulk text with ``--jobs 1`` too), so before and after
come from one run.

In process (``--mode inprocess``): MB/s of streaming the bulk text through a freshly built
annotator (scanner loaded from the disk cache; no pass over the same text before the timed
one), against the bare pyahocorasick scan of the same names; and the peak traced memory of
streaming the file once and twice over (it should not grow with the input).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, SHARED, results_file

BLOCK = 1 << 20
HERE = Path(__file__).resolve().parent
EXAMPLE = ROOT / "examples" / "monograph.txt"
INNKIT = "import sys; sys.argv[0] = 'innkit'; from innkit.cli import run; run()"


def pieces(path: Path, repeat: int = 1, limit: int | None = None):
    for _ in range(repeat):
        with path.open(encoding="utf-8") as f:
            read = 0
            while block := f.read(BLOCK):
                yield block
                read += len(block)
                if limit and read >= limit:
                    break


def name_list(leniency: str = "standard") -> list[str]:
    """Every name innkit finds by name: registry names and full names, and the FDA UNII names
    of its dictionary scan, including those its stem patterns find without a literal."""
    from innkit.annotator.scanner import _caught, known_names, stem_patterns, substance_names
    from innkit.registry import get_registry
    from innkit.rules import Rules

    registry = get_registry()
    caught = _caught(stem_patterns(Rules.shipped().tables, leniency))
    names = {e.full_name.lower() for e in registry.entries()}
    names |= {e.name.lower() for e in registry.entries()}
    names |= set(known_names(registry, caught))
    if leniency != "strict":
        names |= set(substance_names(registry, caught))
    return sorted(names)


def baseline(text: str, names: list[str]) -> int:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for n in names:
        automaton.add_word(n, len(n))
    automaton.make_automaton()
    low = text.lower()
    size = len(low)
    found = 0
    for end, length in automaton.iter(low):
        start = end - length + 1
        if (start == 0 or not low[start - 1].isalnum()) and (
                end + 1 == size or not low[end + 1].isalnum()):
            found += 1
    return found


def _env(src: str | None) -> dict[str, str]:
    """The environment of both contestants: Python's defaults, so compiled modules are kept in
    __pycache__ as for any installed package (a shell that sets PYTHONDONTWRITEBYTECODE would
    have every run compile every module again: a tenth of a second of a small run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    src = src or str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and the workers it waited for): on
    a busy machine the wall times of both contestants stretch with the load, the CPU times
    far less."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime


def end_to_end(label: str, document: Path, names_file: Path, pairs: int, also: str | None,
               work: Path, one_process: bool = False) -> dict[str, float]:
    out = work / "out.jsonl"
    contestants = {
        "innkit": ([sys.executable, "-c", INNKIT, "annotate", "--format", "jsonl",
                    str(document), "-o", str(out)], _env(None)),
        "script": ([sys.executable, str(HERE / "_aho_script.py"), str(names_file),
                    str(document), str(work / "script.jsonl")], _env(None)),
    }
    if one_process:
        contestants["one process"] = ([*contestants["innkit"][0], "--jobs", "1"], _env(None))
    if also:
        # its own output file: the mentions counted below are this tree's
        other = [*contestants["innkit"][0][:-1], str(work / "other.jsonl")]
        contestants["before"] = (other, _env(also))
        if one_process:
            contestants["before, one process"] = ([*other, "--jobs", "1"], _env(also))
    times: dict[str, list[float]] = {k: [] for k in contestants}
    cpu: dict[str, list[float]] = {k: [] for k in contestants}
    for cmd, env in contestants.values():  # warm the disk caches
        _timed(cmd, env)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for i in range(pairs):
        order = list(contestants) if i % 2 == 0 else list(reversed(contestants))
        for k in order:
            wall, used = _timed(*contestants[k])
            times[k].append(wall)
            cpu[k].append(used)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    lines = sum(1 for _ in out.open(encoding="utf-8"))
    script_lines = sum(1 for _ in (work / "script.jsonl").open(encoding="utf-8"))
    print(f"  {label}: innkit annotate --format jsonl {med['innkit']:.3f} s ({lines} mentions);"
          f" pyahocorasick script {med['script']:.3f} s ({script_lines} hits); "
          f"ratio script/innkit {med['script'] / med['innkit']:.2f}")
    print(f"  {label}: CPU (user + system, workers included; load average {load:.1f} on "
          f"{os.cpu_count()} cores): "
          + ", ".join(f"{k} {v:.3f} s" for k, v in med_cpu.items())
          + f"; CPU ratio script/innkit {med_cpu['script'] / med_cpu['innkit']:.2f}")
    med.update({f"cpu {k}": v for k, v in med_cpu.items()})
    if "one process" in med:
        from innkit.annotator.parallel import default_jobs
        from innkit.workers import available_cores

        print(f"  {label}: innkit --jobs 1 (one process) {med['one process']:.3f} s, ratio "
              f"script/one process {med['script'] / med['one process']:.2f}; the default "
              f"(one process per core, {available_cores()} cores, but for those other "
              f"processes keep busy: {default_jobs() + 1} now) is "
              f"{med['one process'] / med['innkit']:.2f}x faster")
    if "before" in med:
        print(f"  {label}: other tree ({also}) {med['before']:.3f} s, ratio script/other "
              f"{med['script'] / med['before']:.2f} (CPU "
              f"{med_cpu['script'] / med_cpu['before']:.2f}); this tree is "
              f"{med['before'] / med['innkit']:.2f}x faster (CPU "
              f"{med_cpu['before'] / med_cpu['innkit']:.2f}x)")
    if "before, one process" in med:
        print(f"  {label}: other tree --jobs 1 {med['before, one process']:.3f} s, ratio "
              f"script/other {med['script'] / med['before, one process']:.2f}; this tree's "
              f"--jobs 1 is {med['before, one process'] / med['one process']:.2f}x faster "
              f"(CPU {med_cpu['before, one process'] / med_cpu['one process']:.2f}x)")
    return med


def in_process(path: Path, limit: int | None) -> dict[str, float]:
    from innkit.annotator.core import Annotator
    from innkit.annotator.stitch import annotate_chunks
    from innkit.registry import Registry

    text = "".join(pieces(path, limit=limit))
    megabytes = len(text.encode()) / 1e6
    result = {}
    for leniency in ("standard", "strict"):
        registry = Registry(None)
        start = time.perf_counter()
        annotator = Annotator(leniency=leniency, registry=registry)
        _ = annotator.scanner
        setup = time.perf_counter() - start
        from innkit.annotator.core import _ANNOTATORS

        _ANNOTATORS[(leniency, id(registry))] = annotator
        start = time.perf_counter()
        found = sum(1 for _ in annotate_chunks(pieces(path, limit=limit), registry=registry,
                                               leniency=leniency))
        ours = time.perf_counter() - start
        names = sorted({e.full_name.lower() for e in registry.entries()}
                       | {e.name.lower() for e in registry.entries()})
        if leniency != "strict":
            names = name_list(leniency)
        start = time.perf_counter()
        base_found = baseline(text, names)
        theirs = time.perf_counter() - start
        ratio = (megabytes / ours) / (megabytes / theirs)
        result[f"ratio_{leniency}"] = ratio
        print(f"  in process, cold ({leniency}): innkit {megabytes / ours:6.1f} MB/s "
              f"(set-up {setup * 1000:.0f} ms), {found} names; pyahocorasick "
              f"{megabytes / theirs:6.1f} MB/s, {base_found} hits ({len(names):,} names); "
              f"ratio {ratio:.2f}")
    peaks = []
    registry = Registry(None)
    for repeat in (1, 2):
        tracemalloc.start()
        sum(1 for _ in annotate_chunks(pieces(path, repeat, limit), registry=registry))
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
    print(f"  peak traced memory streaming {megabytes:.0f} MB: {peaks[0]:.1f} MB; "
          f"{2 * megabytes:.0f} MB: {peaks[1]:.1f} MB")
    result["peak_mb_1x"], result["peak_mb_2x"] = peaks
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("all", "e2e", "inprocess"), default="all")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="3 pairs, and the first 4 MB of the bulk text in process")
    ap.add_argument("--also-src", metavar="DIR", help="time this innkit source tree too")
    ap.add_argument("--small-only", action="store_true", help="end to end: the 2 KB document only")
    args = ap.parse_args()
    pairs = 3 if args.quick else args.pairs
    bulk = SHARED / "corpora" / "bulk" / "biomed_bulk.txt"
    results: dict[str, float] = {}
    if args.mode in ("all", "e2e"):
        print(f"annotate end to end: fresh processes, warm disk caches, median of {pairs} "
              "alternating pairs")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            names_file = work / "names.txt"
            names_file.write_text("\n".join(name_list()) + "\n", encoding="utf-8")
            med = end_to_end(f"{EXAMPLE.name} (2 KB)", EXAMPLE, names_file, pairs,
                             args.also_src, work)
            results["e2e_small_ratio"] = med["script"] / med["innkit"]
            results["e2e_small_innkit_s"] = med["innkit"]
            results["e2e_small_cpu_ratio"] = med["cpu script"] / med["cpu innkit"]
            if bulk.exists() and not args.small_only:
                med = end_to_end(f"{bulk.name} ({bulk.stat().st_size / 1e6:.0f} MB)", bulk,
                                 names_file, pairs, args.also_src, work, one_process=True)
                results["e2e_bulk_ratio"] = med["script"] / med["innkit"]
                results["e2e_bulk_innkit_s"] = med["innkit"]
                results["e2e_bulk_one_process_s"] = med["one process"]
                results["e2e_bulk_cpu_ratio"] = med["cpu script"] / med["cpu innkit"]
            elif not args.small_only:
                print(f"  SKIPPED the bulk text: {bulk} is absent")
        small, big = results["e2e_small_ratio"], results.get("e2e_bulk_ratio")
        print(f"  goals: 2 KB ratio >= 1.0: {small:.2f} {'met' if small >= 1 else 'NOT met'}"
              + (f"; bulk ratio >= 1.0: {big:.2f} {'met' if big >= 1 else 'NOT met'}"
                 if big is not None else ""))
    if args.mode in ("all", "inprocess"):
        if bulk.exists():
            if hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
            print(f"annotate in process on {bulk.name}, one core")
            results.update(in_process(bulk, 4 << 20 if args.quick else None))
        else:
            print(f"SKIPPED in-process figures: {bulk} is absent")
    with results_file("annotate_speed.tsv").open("w", encoding="utf-8") as f:
        for k, v in results.items():
            f.write(f"{k}\t{v:.3f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
