"""Annotation speed on shared/corpora/bulk/biomed_bulk.txt, against a bare dictionary scan.

Prints, in one run and on one core: MB/s of ``innkit annotate`` (standard leniency, streamed in
1 MiB pieces as the CLI does, decoding every name it finds) and of the baseline, a plain
pyahocorasick scan of the same name list (every registry name and full name, and the FDA UNII
names innkit scans for, on lower-cased text, word-boundary filtered); their ratio (goal >= 1.0);
the same at the strict level against the registry names alone; and the peak memory of
streaming the file once and twice over (it should not grow with the input).
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file, shared_path

from innkit.annotate import annotate_chunks
from innkit.registry import Registry

BLOCK = 1 << 20


def pieces(path: Path, repeat: int = 1):
    for _ in range(repeat):
        with path.open(encoding="utf-8") as f:
            while block := f.read(BLOCK):
                yield block


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


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    path = shared_path("corpora", "bulk", "biomed_bulk.txt")
    megabytes = path.stat().st_size / 1e6
    from innkit.annotate import _annotator

    registry = Registry(None)
    registry_names = sorted({e.full_name.lower() for e in registry.entries()}
                            | {e.name.lower() for e in registry.entries()})
    text = path.read_text(encoding="utf-8")
    print(f"annotate speed on {path.name} ({megabytes:.1f} MB), one core, best of 3")
    ratios = {}
    for leniency in ("standard", "strict"):
        list(annotate_chunks(pieces(path), registry=registry, leniency=leniency))  # warm-up
        scanned = _annotator(leniency, registry).scanner_patterns.substances
        names = sorted(set(registry_names) | set(scanned))
        ours, theirs = [], []
        for _ in range(3):
            start = time.perf_counter()
            found = sum(1 for _ in annotate_chunks(pieces(path), registry=registry,
                                                   leniency=leniency))
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            base_found = baseline(text, names)
            theirs.append(time.perf_counter() - start)
        ours_mbs, base_mbs = megabytes / min(ours), megabytes / min(theirs)
        ratios[leniency] = ours_mbs / base_mbs
        print(f"  innkit annotate ({leniency}): {ours_mbs:6.1f} MB/s  {found} names found and "
              "decoded")
        print(f"  pyahocorasick, same list:   {base_mbs:6.1f} MB/s  {base_found} names "
              f"({len(names):,} patterns)")
        print(f"  ratio innkit / baseline: {ratios[leniency]:.2f} (goal >= 1.0)")
    peaks = []
    for repeat in (1, 2):
        tracemalloc.start()
        sum(1 for _ in annotate_chunks(pieces(path, repeat), registry=registry))
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
    print(f"  peak traced memory streaming {megabytes:.0f} MB: {peaks[0]:.1f} MB; "
          f"{2 * megabytes:.0f} MB: {peaks[1]:.1f} MB")
    with results_file("annotate_speed.tsv").open("w", encoding="utf-8") as f:
        f.write(f"ratio_standard\t{ratios['standard']:.3f}\n"
                f"ratio_strict\t{ratios['strict']:.3f}\npeak_mb_1x\t{peaks[0]:.1f}\n"
                f"peak_mb_2x\t{peaks[1]:.1f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
