"""The look-up key of a name: the one rule every layer of the registry shares."""

from __future__ import annotations

import re

_KEY_DROP = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")


def name_key(name: str) -> str:
    """Lower case, without spaces, hyphens or dashes (``Muromonab-CD3`` → ``muromonabcd3``)."""
    if name.isalpha():
        return name.casefold()
    return _KEY_DROP.sub("", name.casefold())
