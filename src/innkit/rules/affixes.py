"""The US FDA's additions to an INN, shared by the decoder, the annotator and the identity layer.

Biological products carry a four-letter suffix without meaning (``trastuzumab-anns``); a few
conjugates carry a three-letter prefix (``ado-trastuzumab emtansine``,
``fam-trastuzumab deruxtecan-nxki``). Neither is part of the INN.
"""

from __future__ import annotations

import re

FDA_SUFFIX = re.compile(r"^(.+)-([a-z]{4})$")
FDA_PREFIX = re.compile(r"^([a-z]{3})-([a-z]{5,})$")


def strip_fda_affixes(name: str) -> tuple[str, str | None, str | None]:
    """``fam-trastuzumab deruxtecan-nxki`` → (``trastuzumab deruxtecan``, ``fam``, ``nxki``)."""
    words = name.split(" ")
    prefix = suffix = None
    m = FDA_PREFIX.match(words[0])
    if m:
        prefix, words[0] = m.groups()
    m = FDA_SUFFIX.match(words[-1])
    if m:
        words[-1], suffix = m.groups()
    return " ".join(words), prefix, suffix
