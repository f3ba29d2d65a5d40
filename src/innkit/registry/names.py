"""The broad list of existing drug names that the scanner and the screen read.

From the substance index (:mod:`innkit.registry.substances`), only drug substances (an INN, a
brand or code, or a pharmacopoeia's name: not organisms, foods or reagents) and names that look
like drug names: each substance's preferred name, official, brand and common names of letters,
spaces and hyphens (one to three words), and research codes (CMC-544, T-DM1). A name that is
also an English word is judged, not vetoed: brands that are English words stay out (Acclaim,
Affirm), everyday words stay out (lead, iron, water, alcohol), and rarer drug words are kept
(aspirin, digoxin, lithium, codeine), each with the reason. The list is drawn when the index
is built and stored in it, with its names by look-up key, so a process reads it, never makes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from ..vocab import NameType
from .keys import name_key


class BroadSource(Protocol):
    """What the list is drawn from and read back from: a substance index."""

    path: Any

    def display_names(self, *, drugs_only: bool = False) -> list[str]: ...

    def iter_names(self, types: Iterable[NameType], *, drugs_only: bool = False
                   ) -> Iterator[tuple[str, NameType, str]]: ...

    def lookup(self, key: str) -> list[Any]: ...

    def broad_rows(self) -> list[tuple[str, str, str]]: ...

    def broad_words(self, kinds: Iterable[str]) -> list[str]: ...

    def kind(self, key: str) -> str | None: ...


_NAME = re.compile(r"^[a-z][a-z \-]{2,39}$")
_CODE = re.compile(r"^[a-z]{1,6}-?[a-z]{0,3}\d{1,7}[a-z]?$|^[a-z]-[a-z]{2,4}\d$")
_GENE_LIKE = re.compile(r"^(?:cd|il|her|tnf|ifn|egf|vegf|ctla|pd|hla|fgf|tlr|ccr|cxcr)-?\d")
"""Codes that read like gene or protein names in biomedical text (CD20, IL-2): left out."""
KEEP_TYPES = {NameType.BRAND: "brand", NameType.OFFICIAL: "official", NameType.COMMON: "common",
              NameType.CODE: "code"}
EVERYDAY_ZIPF = 4.0
"""Words at least this common in English (Zipf scale, wordfreq: lead 5.2, iron 4.7, alcohol
4.6) are everyday words; rarer English words that are drug names (aspirin 3.3, lithium 3.6,
insulin 3.8) are kept."""
LIST_VERSION = 3
"""Bump when the rules of this module change (and build the shipped index again)."""


def _shaped(value: str, kind: NameType) -> bool:
    if kind is NameType.CODE:
        return (5 <= len(value) <= 12 and bool(_CODE.match(value))
                and not _GENE_LIKE.match(value))
    if kind is NameType.COMMON:  # common names: one or two plain words only
        return bool(_NAME.match(value)) and value.count(" ") <= 1 and len(value) >= 6
    return bool(_NAME.match(value)) and value.count(" ") <= 2


def english_verdict(word: str, kind: str) -> tuple[bool, str]:
    """Keep an English word that is a drug name? The decision and its reason."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word, "en")
    if kind == "brand":
        return False, f"a brand name that is an English word (Zipf {zipf:.1f})"
    if zipf >= EVERYDAY_ZIPF:
        return False, f"an everyday English word (Zipf {zipf:.1f} >= {EVERYDAY_ZIPF})"
    return True, (f"an English word, but a drug name rarer than everyday words "
                  f"(Zipf {zipf:.1f} < {EVERYDAY_ZIPF})")


def draw_list(index: BroadSource) -> list[tuple[str, str, str]]:
    """(name, kind, judgement) rows: kind is substance, official, brand, common or code;
    judgement is empty, or why an English word is kept."""
    from ..rules.english import english_words

    english = english_words()
    names: dict[str, str] = {}
    for shown in index.display_names(drugs_only=True):
        value = shown.lower()
        if _shaped(value, NameType.OFFICIAL):
            names.setdefault(value, "substance")
    for name, kind, _unii in index.iter_names(KEEP_TYPES, drugs_only=True):
        value = name.lower()
        if _shaped(value, kind):
            names.setdefault(value, KEEP_TYPES[kind])
    _add_anions(index, names)
    rows = []
    for value, kind in sorted(names.items()):
        note = ""
        if " " not in value and value in english:
            keep, note = english_verdict(value, kind)
            if not keep:
                continue
        rows.append((value, kind, note))
    return rows


_ACID = re.compile(r"^([a-z]{3,})ic acid$")


def _add_anions(index: BroadSource, names: dict[str, str]) -> None:
    """Text names an acid by its anion as often as by the acid (valproate, valproic acid):
    the anion of each "-ic acid" INN goes in the list when the UNII list gives it, of any type,
    to the same substance (VALPROATE is only a systematic name there). Acids that are no INN
    (benzoic, butyric) stay out: their anions are the salt words of other names."""
    for value in [v for v in names if v.endswith("ic acid")]:
        m = _ACID.match(value)
        if m is None:
            continue
        anion = m.group(1) + "ate"
        if anion in names:
            continue
        acid = {s.unii for _n, s in index.lookup(name_key(value)) if s.inn == value}
        if acid and acid & {s.unii for _n, s in index.lookup(name_key(anion))}:
            names[anion] = "common"


_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {}
"""index path -> its broad list, read once per process."""


def _rows(index: BroadSource) -> tuple[tuple[str, str, str], ...]:
    found = _ROWS.get(str(index.path))
    if found is None:
        found = _ROWS[str(index.path)] = tuple(index.broad_rows())
    return found


def unii_names(index: BroadSource | None) -> tuple[tuple[str, str], ...]:
    """(name, kind) pairs of the broad list of ``index`` (the registry's substance index, which
    :meth:`innkit.registry.Registry.unii_names` passes); empty without an index."""
    return () if index is None else tuple((a, b) for a, b, _c in _rows(index))


def one_word_names(index: BroadSource | None, kinds: frozenset[str]) -> tuple[str, ...]:
    """The one-word names of the given kinds of the broad list of ``index``, in list order;
    empty without an index."""
    return () if index is None else tuple(index.broad_words(kinds))


def english_judged(index: BroadSource | None) -> dict[str, str]:
    """English words kept in the list of ``index`` as drug names, with the reason for each."""
    return {} if index is None else {a: c for a, b, c in _rows(index) if c}


def broad_kind(index: BroadSource | None, key: str) -> str | None:
    """The kind (substance, official, brand, common, code) of the broad-list name of ``index``
    with the look-up ``key`` (see :func:`innkit.registry.keys.name_key`), or None."""
    return None if index is None else index.kind(key)
