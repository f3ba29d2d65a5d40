"""Which screened names are one substance, and which are no medicine at all.

A pharmacist screening ``hydroxyzine`` wants other drugs, not five salts of hydroxyzine. Each
hit is given a *substance key*: the INN of the substance the FDA UNII list says the name
denotes (brand, salt, ester and FDA-suffix forms all lead to it), else the name's stem word as
screening reads it (salts, forms and suffixes set aside). Hits with one key are one hit, shown
with their forms; hits with the query's own key are the query's own substance.

Names of foods, organisms and reagents are not screened against: a name the lenses
(``lenses.tsv``) read as no drug mention (valine, grapefruit, pseudomonas), or a substance of
the UNII list with no INN, no brand and no name in a pharmacopoeia or a list of medicines
(``MEDICINE_TAGS``): celery, listed for allergen extracts, is no medicine a pharmacist
dispenses. Nor is a pesticide: a substance with an ISO common name (``PESTICIDE_TAG``) and no
name in a pharmacopoeia or a list of medicines, even when the list gives it brands (*celest*,
a brand of the fungicide fludioxonil).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..registry import Registry
from ..registry.display import plain_case
from ..registry.keys import name_key
from ..registry.substances import DRUG_TAGS, NameRecord, SubstanceIndex, SubstanceRecord
from ..rules.core import Rules
from ..rules.lenses import read_lenses
from ..vocab import NameType

MEDICINE_TAGS = DRUG_TAGS - {"VANDF", "MART."}
"""Tags that make a name a medicine's: the pharmacopoeias, naming bodies and medicine lists
of the registry's ``DRUG_TAGS``, less the two (the VA drug file and Martindale) that also list
allergen extracts, foods and household substances."""

PESTICIDE_TAG = "ISO"
"""The UNII list's tag of an ISO 1750 common name: ISO names pesticides, not medicines. A
substance named so and in no pharmacopoeia or medicine list is a pesticide; one that is in
both (permethrin, ivermectin) is a medicine too."""

AUTHORISED_TAGS = frozenset({"ORANGE BOOK", "PURPLE BOOK CDER", "EMA EPAR"})
"""Tags of the lists of medicines authorised for sale (the FDA's Orange and Purple Books, the
EMA's public assessment reports): a substance on one is a medicine pharmacists dispense, and
its names are the ones their eyes and ears know. About one name in ten of the full list."""


@dataclass(frozen=True, slots=True)
class Identity:
    """What screening needs to know of one name."""

    key: str  # the substance key: "inn:<inn>", "unii:<code>" or "stem:<stem word>"
    substance: str | None  # the substance's name (its INN, else the list's name), if known
    brand: bool  # the name is a brand of that substance
    medicine: bool  # a medicine (not a food, organism or reagent)


def _lens_excluded(rules: Rules) -> frozenset[str]:
    """Words the lenses read as no drug mention."""
    return frozenset(w for w, row in read_lenses(rules.read).words.items() if not row.drug)


def identity(name: str, stem: str, registry: Registry | None) -> Identity:
    """The identity of ``name`` (normalised), whose stem word screening reads as ``stem``."""
    return identities([(name, stem)], registry)[0]


def identities(named: list[tuple[str, str]], registry: Registry | None) -> list[Identity]:
    """The identity of each (name, stem word), the UNII list asked once for all of them."""
    index: SubstanceIndex | None = registry.substance_index() if registry is not None else None
    if index is None:
        return [_identity(n, s, []) for n, s in named]
    found = index.lookup_many([name_key(n) for n, _s in named]
                              + [name_key(s) for n, s in named if s != n])
    records_of = [found.get(name_key(name)) or (found.get(name_key(stem), [])
                                                if stem != name else [])
                  for name, stem in named]
    # A substance's tags sit on its own names: ask once for the preferred name of each
    # substance without an INN (only those can be pesticides).
    preferred = {sub.unii: name_key(sub.name) for records in records_of
                 for _r, sub in records[:1] if not sub.inn}
    named_as = index.lookup_many(preferred.values()) if preferred else {}
    tags = {unii: frozenset(t for rec, sub in named_as.get(key, ()) if sub.unii == unii
                            for t in rec.tags)
            for unii, key in preferred.items()}
    return [_identity(name, stem, records, tags)
            for (name, stem), records in zip(named, records_of, strict=True)]


def _identity(name: str, stem: str, records: list[tuple[NameRecord, SubstanceRecord]],
              substance_tags: dict[str, frozenset[str]] | None = None) -> Identity:
    excluded = Rules.shipped().derived(_lens_excluded)
    if stem in excluded or name in excluded:
        return Identity(f"stem:{stem}", None, False, False)
    if not records:
        return Identity(f"stem:{stem}", None, False, True)
    inns = {sub.inn for _rec, sub in records if sub.inn}
    if len(inns) > 1:  # a name of several substances: grouped by its own stem word only
        return Identity(f"stem:{stem}", None, False, True)
    rec, sub = records[0]
    brand = any(r.type is NameType.BRAND for r, _s in records)
    if inns:
        inn = next(iter(inns))
        return Identity(f"inn:{inn}", inn, brand, True)
    own = (substance_tags or {}).get(sub.unii, frozenset()).union(
        *(r.tags for r, _s in records))
    if PESTICIDE_TAG in own and own.isdisjoint(MEDICINE_TAGS):
        return Identity(f"unii:{sub.unii}", plain_case(sub.name), brand, False)
    medicine = brand or rec.type is NameType.CODE or any(
        set(r.tags) & MEDICINE_TAGS or _has_brand(s.names) for r, s in records)
    return Identity(f"unii:{sub.unii}", plain_case(sub.name), brand, medicine)


def authorised(texts: list[str], registry: Registry | None) -> np.ndarray:
    """For each name, whether it names a substance on a list of authorised medicines
    (``AUTHORISED_TAGS``): the name's own tags, or those of its substance's preferred name.
    All False without the UNII list."""
    out = np.zeros(len(texts), dtype=bool)
    index: SubstanceIndex | None = registry.substance_index() if registry is not None else None
    if index is None:
        return out
    by_unii: dict[str, bool] = {}

    def substance_listed(sub: SubstanceRecord) -> bool:
        listed = by_unii.get(sub.unii)
        if listed is None:
            listed = by_unii[sub.unii] = any(
                s.unii == sub.unii and not AUTHORISED_TAGS.isdisjoint(r.tags)
                for r, s in index.lookup(name_key(sub.name)))
        return listed

    for i, text in enumerate(texts):
        out[i] = any(not AUTHORISED_TAGS.isdisjoint(rec.tags) or substance_listed(sub)
                     for rec, sub in index.lookup(name_key(text)))
    return out


def _has_brand(names: str) -> bool:
    """The substance's names (the index's JSON cell) include a brand name."""
    try:
        cells = json.loads(names)
    except ValueError:
        return False
    return any(cell and cell[0] == NameType.BRAND.value for cell in cells)
