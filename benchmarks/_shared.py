"""Helpers for benchmarks: find ../shared, or exit cleanly with a message saying why not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INNKIT_SHARED", ROOT.parent / "shared"))
RESULTS = ROOT / "benchmarks" / "results"


def shared_path(*parts: str) -> Path:
    """Path under shared/, or skip the benchmark (exit 0) with a clear message."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        print(f"SKIPPED: {path} is absent (benchmarks read the shared evaluation data; "
              "set INNKIT_SHARED to its folder)")
        sys.exit(0)
    return path


def results_file(name: str) -> Path:
    """Where a benchmark writes its per-item results, so that two versions can be diffed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / name


def memory_rollup(pid: int) -> dict[str, float]:
    """The memory figures of a process (Rss, Pss, Private_Dirty ...), MB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1]) / 1024
    return fields


def child_pids(pid: int) -> list[int]:
    """The process's children (none when it is gone)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
