"""The look-up key of a name: the one rule every layer of the registry shares."""

from __future__ import annotations

import re

_KEY_DROP = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")


def name_key(name: str) -> str:
    """Lower case, without spaces, hyphens or dashes (``Muromonab-CD3`` → ``muromonabcd3``)."""
    if name.isalpha():
        return name.casefold()
    return _KEY_DROP.sub("", name.casefold())


_CODE = re.compile(r"([a-z]{1,6})[- ]?(\d{2,7}[a-z]{0,2})")


def is_research_code(name: str) -> bool:
    """Whether a name is written as a research code: a few letters and a number (CNTO-1275,
    ABT-866, CORT-108297)."""
    return _CODE.fullmatch(name.lower()) is not None


def code_spellings(code: str) -> tuple[str, ...]:
    """The ways a research code of letters and digits is written in text: CNTO-1275, CNTO 1275
    and CNTO1275 are one code (all share one ``name_key``). Other names give themselves."""
    m = _CODE.fullmatch(code.lower())
    if m is None:
        return (code,)
    letters, digits = m.groups()
    return tuple(dict.fromkeys((code, f"{letters}-{digits}", f"{letters} {digits}",
                                f"{letters}{digits}")))
