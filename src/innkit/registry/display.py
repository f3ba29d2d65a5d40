"""How a UNII name is shown: UNII writes every name in capitals, a reader does not.

Used when the substance index is built (each substance's names are stored as shown, so that a
decode does not case them again) and for the names a decode shows from the list as written.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from ..rules.core import Rules
from ..vocab import NameType

_DOTTED = re.compile(r"\.(?<![A-Za-z]\.)([A-Z]{3,})\.")
"""UNII's way of writing a Greek letter: between dots (``.ALPHA.-TOCOPHEROL``), not after a
letter (the pattern starts with the dot, which the engine finds at once)."""
_LETTERS = operator.itemgetter(1)
"""What :data:`_DOTTED` puts for a match: its letters (a C call, not a template expanded)."""
_CAPITAL_FIRST = re.compile(r"([A-Z]\d*|[IVX]+)(?=$|\s|[,;](?:\s|$))")
_CAPITAL_AFTER = re.compile(r"(\s)([A-Z]\d*|[IVX]+)(?=$|\s|[,;](?:\s|$))")
"""Words that keep their capitals: a lone letter with its number (auristatin E, vitamin B12,
C1 esterase inhibitor) or a Roman numeral (factor VIII), each a word of its own, at the start
of the name or after a space (group 2, the space group 1, so that one ``split`` cuts a name
at its kept words: found from the spaces, which the engine finds at once,
not by trying every letter of a long name). Letters inside a systematic name (N-oxide, 1H-,
(S)-, benzo(c)) follow rules of their own and are left as before, in lower case."""


_NUCLIDE = re.compile(r"\((\d{1,3}m?) ?([a-z]{1,2})\)|(?<!\S)([a-z]{1,2})-(\d{1,3}m?)(?=$|[\s,;])")
"""A radionuclide as UNII writes it: (131 I), (99M TC), TC-99M."""
_NUCLIDE_PARENS = re.compile(r"\((\d{1,3}m?) ?([a-z]{1,2})\)")
"""The first form of :data:`_NUCLIDE` alone: a name without a hyphen before a digit can hold
no other, and this one is found from its parenthesis."""
_SHORT_DASH_DIGIT = re.compile(r"-(?:(?<=(?<!\S)[a-z]-)|(?<=(?<!\S)[a-z]{2}-))\d")
"""Where the second form of :data:`_NUCLIDE` may start (``tc-99m``: one or two letters, a word
of their own, a hyphen and a digit), found from its hyphen, which the engine finds at once:
the whole pattern tried at every letter of a long name costs more than the rest of
:func:`plain_case`, and few names with a hyphen before a digit hold a nuclide."""


_DIGIT_OR_DOT = re.compile(r"[\d.]")
_LONE_FIRST = re.compile(r"(?:[A-Z]|[IVX]+)(?:$|[\s,;])")
_LONE_AFTER = re.compile(r"\s(?:[A-Z]|[IVX]+)(?:$|[\s,;])")
"""What may make :func:`plain_case` write a name otherwise than in lower case (a digit or a
dot; a lone letter or Roman numeral at the start or after a space): most names have none, and
are lowered at once. Three patterns, each found from its first character (one pattern with
``^`` in it is tried at every letter)."""


def plain_case(name: str) -> str:
    """A UNII name (capitals) in lower case, but for the words a reader writes in capitals
    (``_CAPITAL_FIRST``, ``_CAPITAL_AFTER``) and the symbols of the radionuclides
    ``radiolabels.tsv`` lists (``(131I)``, ``Tc-99m``), with its Greek letters out of their
    dots (alpha-tocopherol)."""
    if name.isalpha() or (_DIGIT_OR_DOT.search(name) is None and _LONE_FIRST.match(name) is None
                          and _LONE_AFTER.search(name) is None):
        return name.lower()
    if "." in name:
        name = _DOTTED.sub(_LETTERS, name)
    first = _CAPITAL_FIRST.match(name)
    kept = first[0] if first is not None else ""
    # [text, space, kept word, text, space, kept word, ..., text]: the text in lower case
    parts = _CAPITAL_AFTER.split(name[len(kept):])
    parts[::3] = map(str.lower, parts[::3])
    lowered = kept + "".join(parts)
    if _DIGIT.search(lowered) is None:
        return lowered
    both = "-" in lowered and _SHORT_DASH_DIGIT.search(lowered) is not None
    return (_NUCLIDE if both else _NUCLIDE_PARENS).sub(_nuclide, lowered)


_DIGIT = re.compile(r"\d")


def _nuclide(m: re.Match[str]) -> str:
    mass, symbol = (m[1], m[2]) if m[1] else (m[4], m[3])
    written = Rules.shipped().derived(_nuclide_symbols).get((symbol, mass))
    if written is None:
        return m[0]
    return f"({mass}{written})" if m[1] else f"{written}-{mass}"


def _nuclide_symbols(rules: Rules) -> dict[tuple[str, str], str]:
    """(symbol in lower case, mass number) -> the symbol as written, for every listed isotope."""
    return {(row.symbol.lower(), mass): row.symbol
            for row in rules.tables.radiolabels.values() for mass in row.mass_numbers}


def _brand(name: str) -> str:
    return " ".join(w[:1] + w[1:].lower() for w in name.split(" "))


def _same(name: str) -> str:
    return name


_DISPLAY: dict[str, Callable[[str], str]] = {
    t.value: _same if t is NameType.CODE else _brand if t is NameType.BRAND else
    str.lower if t is NameType.SYSTEMATIC else plain_case  # chemistry has rules of its own
    for t in NameType}
"""How a name of each type is shown, by the type's value, chosen once (a substance shows many
names). UNII writes every name in capitals: codes stay so, brands get a capital, systematic
names go to lower case, the rest as a reader writes them (:func:`plain_case`)."""


def shown_names(kind: NameType, names: list[str]) -> list[str]:
    """Names of one type as they are shown (:data:`_DISPLAY`)."""
    return list(map(_DISPLAY[kind.value], names))


def display_digest(rules: Rules | None = None) -> str:
    """The content hash of the table the shown names depend on (the radionuclide symbols):
    an index whose names were shown by other rows is rebuilt."""
    return (rules or Rules.shipped()).digest("radiolabels.tsv")
