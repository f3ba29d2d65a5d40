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
