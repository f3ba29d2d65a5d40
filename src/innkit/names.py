"""The broad list of existing drug names that the scanner and the screen read.

The FDA UNII names (via the substance index, :mod:`innkit.registry.substances`) are kept here
when they look like drug names (letters, spaces and hyphens, one to three words): each
substance's preferred name, official names and brand names. The short list is cached beside
the index it comes from, written atomically, and rebuilt with it.
"""

from __future__ import annotations

import contextlib
import re
from functools import cache

from .atomic import write_atomic
from .registry.substances import SubstanceIndex, unii_source  # noqa: F401  (re-exported)
from .vocab import NameType

_NAME = re.compile(r"^[a-z][a-z \-]{2,39}$")
KEEP_TYPES = {NameType.BRAND: "brand", NameType.OFFICIAL: "official"}


def _keep(value: str) -> bool:
    return bool(_NAME.match(value)) and value.count(" ") <= 2


def short_list(index: SubstanceIndex) -> list[tuple[str, str]]:
    """(name, kind) pairs: kind is substance, official or brand."""
    names: dict[str, str] = {}
    for shown in index.display_names():
        value = shown.lower()
        if _keep(value):
            names.setdefault(value, "substance")
    for name, kind, _unii in index.iter_names(KEEP_TYPES):
        value = name.lower()
        if _keep(value):
            names.setdefault(value, KEEP_TYPES[kind])
    return sorted(names.items())


@cache
def unii_names() -> tuple[tuple[str, str], ...]:
    """(name, kind) pairs of the broad list; empty when the UNII list is unavailable."""
    from .registry import get_registry

    index = get_registry().substance_index()
    if index is None:
        return ()
    cached = index.path.with_suffix(".names.tsv")
    if cached.is_file():
        rows = [tuple(line.split("\t", 1)) for line in
                cached.read_text(encoding="utf-8").splitlines() if "\t" in line]
        if rows:
            return tuple((a, b) for a, b in rows)
    rows = short_list(index)
    with contextlib.suppress(OSError):  # a read-only cache: read the index again next time
        write_atomic(cached, "".join(f"{a}\t{b}\n" for a, b in rows))
    return tuple(rows)
