"""Closed vocabularies shared by every layer: what a name is and how it relates to a substance."""

from __future__ import annotations

from enum import StrEnum


class NameType(StrEnum):
    """The FDA UNII list's name types (the ``TYPE`` column), spelled out."""

    BRAND = "brand"  # bn
    CODE = "code"  # cd
    OFFICIAL = "official"  # of
    COMMON = "common"  # cn
    SYSTEMATIC = "systematic"  # sys

    @classmethod
    def from_unii(cls, code: str) -> NameType | None:
        return _UNII_TYPES.get(code)


_UNII_TYPES = {"bn": NameType.BRAND, "cd": NameType.CODE, "of": NameType.OFFICIAL,
               "cn": NameType.COMMON, "sys": NameType.SYSTEMATIC}


class AntibodyFormat(StrEnum):
    """The formats the current scheme's stems name (the ``format`` column of antibody_stems.tsv,
    which the tables check against this list): -tug, -bart, -mig, -ment."""

    WHOLE = "whole"  # unmodified immunoglobulin
    ENGINEERED = "engineered"
    MULTISPECIFIC = "multispecific"
    FRAGMENT = "fragment"


class Relation(StrEnum):
    """How the name a user gave relates to the substance it denotes (the ``relation`` key)."""

    INN = "inn"  # the name is the INN itself
    BRAND = "brand"
    CODE = "code"  # a company or research code (CMC-544, MK-3475)
    FORMER = "former"  # an earlier INN-form name of the substance (lambrolizumab)
    USAN = "usan"  # the US adopted name where it differs from the INN (albuterol)
    BAN = "ban"
    JAN = "jan"
    LATIN = "latin"  # the Latin INN (trastuzumabum)
    FRENCH = "french"
    SPANISH = "spanish"
    SALT = "salt"  # a salt or ester of the INN's moiety (imatinib mesylate)
    FDA_NAME = "fda_name"  # the INN with an FDA prefix or suffix (trastuzumab-anns)
    SYNONYM = "synonym"
    SYSTEMATIC = "systematic"


AUTHORITY_RELATIONS = {"WHO-IP LATIN": Relation.LATIN, "USAN": Relation.USAN,
                       "BAN": Relation.BAN, "JAN": Relation.JAN}
"""UNII authority tags (``[USAN]`` ...) that say which naming body uses a name, strongest first."""
US_SOURCE_TAGS = frozenset({"USAN", "USP", "USP MONOGRAPH", "USP-RS", "NF", "ORANGE BOOK",
                            "VANDF"})
"""UNII tags of US compendia and lists: a name they use that is not the INN is the US name."""

RELATION_LABELS = {
    Relation.INN: "INN", Relation.BRAND: "brand", Relation.CODE: "code",
    Relation.FORMER: "former name", Relation.USAN: "USAN", Relation.BAN: "BAN",
    Relation.JAN: "JAN", Relation.LATIN: "Latin INN", Relation.FRENCH: "French INN",
    Relation.SPANISH: "Spanish INN", Relation.SALT: "salt or ester name",
    Relation.FDA_NAME: "FDA name", Relation.SYNONYM: "synonym",
    Relation.SYSTEMATIC: "systematic name",
}
"""How each relation reads in a sentence: "Besponsa is the brand of inotuzumab ozogamicin"."""
