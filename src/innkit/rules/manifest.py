"""The data manifest: version and SHA-256 of every shipped table, so edits are deliberate, and
the provenance of the shipped substance index (the FDA UNII list's date, size and SHA-256).

``python -m innkit.rules.manifest`` rewrites ``data/MANIFEST.json`` after a table was edited on
purpose; a test fails whenever a table and the manifest disagree.
"""

from __future__ import annotations

import hashlib
import json
import struct
from importlib import resources
from pathlib import Path

from ..files.atomic import write_atomic

DATA_VERSION = "2026.12.8"
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
    found = {"data_version": DATA_VERSION, "files": files}
    index = data_dir() / INDEX
    if index.is_file():
        found["substance_index"] = index_record(index)
    return found


INDEX = "unii_index.bin.zst"
"""The packed substance index (``innkit.registry.substances``, ``tools/build_unii_index.py``)."""
INDEX_FACTS = ("list_date", "origin", "downloaded_by", "source", "source_bytes",
               "source_sha256", "substances", "with_inn", "counts")


def index_meta(path: Path) -> dict:
    """What an index file says of the list it was built from: the JSON header after its
    magic line and length, read from the start of the zstd stream only."""
    from ..files.compressed import zstd  # the codec, imported only when an index is read

    with path.open("rb") as f:
        head = zstd.ZstdDecompressor().decompress(f.read(1 << 16), max_length=1 << 20)
    start = head.index(b"\n") + 1
    (length,) = struct.unpack_from("<I", head, start)
    return json.loads(head[start + 4:start + 4 + length])["meta"]


def index_record(path: Path) -> dict:
    """The manifest's record of the shipped index: its own SHA-256 and size, and the list's."""
    meta = index_meta(path)
    data = path.read_bytes()
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            **{k: meta[k] for k in INDEX_FACTS if k in meta}}


def read() -> dict:
    return json.loads((data_dir() / "MANIFEST.json").read_text(encoding="utf-8"))


def write() -> Path:
    """Write MANIFEST.json atomically (a temporary file renamed over the old one)."""
    text = json.dumps(compute(), indent=2, sort_keys=True) + "\n"
    return write_atomic(data_dir() / "MANIFEST.json", text)


if __name__ == "__main__":
    print(f"wrote {write()}")
