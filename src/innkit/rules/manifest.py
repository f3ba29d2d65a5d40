"""The data manifest: version and SHA-256 of every shipped table, so edits are deliberate.

``python -m innkit.rules.manifest`` rewrites ``data/MANIFEST.json`` after a table was edited on
purpose; a test fails whenever a table and the manifest disagree.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

from ..files.atomic import write_atomic

DATA_VERSION = "2026.12.3"
"""Bump when a table changes meaning (rows added, facts corrected), not for re-formatting."""


def data_dir() -> Path:
    return Path(str(resources.files("innkit").joinpath("data")))


def compute() -> dict:
    """The manifest as it should be for the tables on disk now."""
    files = {}
    for path in sorted(data_dir().glob("*.tsv")):
        data = path.read_bytes()
        files[path.name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": max(data.count(b"\n") - 1, 0),
        }
    return {"data_version": DATA_VERSION, "files": files}


def read() -> dict:
    return json.loads((data_dir() / "MANIFEST.json").read_text(encoding="utf-8"))


def write() -> Path:
    """Write MANIFEST.json atomically (a temporary file renamed over the old one)."""
    text = json.dumps(compute(), indent=2, sort_keys=True) + "\n"
    return write_atomic(data_dir() / "MANIFEST.json", text)


if __name__ == "__main__":
    print(f"wrote {write()}")
