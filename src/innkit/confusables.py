"""Letters of other scripts that look like Latin ones (a Cyrillic ``а`` in ``trаstuzumab``).

Text pasted from other sources, or crafted to slip past checks, can hide such letters in a drug
name. innkit reads the name the letters spell in Latin, and says which letters were replaced,
instead of misreading the rest of the word. The look-alikes come from ``confusables.tsv``.
"""

from __future__ import annotations

import re
from functools import cache

from .tables import read_table


@cache
def _table() -> dict[str, tuple[str, str]]:
    rows = read_table("confusables.tsv", ("char", "latin", "script", "name"))
    return {r["char"]: (r["latin"], f"{r['script']} '{r['char']}' ({r['name'].lower()}, "
                                    f"U+{ord(r['char']):04X})") for r in rows}


@cache
def pattern() -> re.Pattern[str]:
    """A word (letters only) with at least one look-alike letter in it."""
    chars = "".join(re.escape(c) for c in _table())
    return re.compile(rf"[^\W\d_]*[{chars}][^\W\d_]*")


def latinise(word: str) -> tuple[str, tuple[str, ...]]:
    """The word in Latin letters, and a description of each replaced letter."""
    table = _table()
    out, found = [], []
    for char in word:
        hit = table.get(char)
        if hit is None:
            out.append(char)
        else:
            out.append(hit[0])
            found.append(hit[1])
    return "".join(out), tuple(dict.fromkeys(found))
