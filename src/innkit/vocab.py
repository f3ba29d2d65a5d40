"""Closed vocabularies shared by every layer: what a name is, how it relates to a substance,
what a decoding and a mention are, and how sure innkit is of them."""

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
    GERMAN = "german"  # the German form: the INN without its final e (Furosemid)
    SALT = "salt"  # a salt or ester of the INN's moiety (imatinib mesylate)
    FDA_NAME = "fda_name"  # the INN with an FDA prefix or suffix (trastuzumab-anns)
    FDA_STYLE = "fda_style"  # the INN with a four-letter suffix that no listed name has
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
    Relation.SPANISH: "Spanish INN", Relation.GERMAN: "German form",
    Relation.SALT: "salt or ester name",
    Relation.FDA_NAME: "FDA name",
    Relation.FDA_STYLE: "FDA-style name (suffix not on the list)", Relation.SYNONYM: "synonym",
    Relation.SYSTEMATIC: "systematic name",
}
"""How each relation reads in a sentence: "Besponsa is the brand of inotuzumab ozogamicin"."""


class Kind(StrEnum):
    """What a decoding says a name is (the ``kind`` key of a decoding)."""

    ANTIBODY = "antibody"  # read by the antibody scheme (prefix, substems, stem)
    STEM = "stem"  # built on one or more general WHO stems
    CLASS = "class"  # a drug class phrase (beta-blockers)
    COMBINATION = "combination"  # a fixed combination written a/b
    UNKNOWN = "unknown"  # no rule reads it; ``reason`` says why
    KNOWN = "known"  # a listed name no rule reads: how the annotator grows it, never a decoding's


class Leniency(StrEnum):
    """How much the annotator accepts beyond known names (strictest first)."""

    STRICT = "strict"
    STANDARD = "standard"
    LENIENT = "lenient"


class How(StrEnum):
    """How a mention was found in a text (the ``how`` key of a mention)."""

    REGISTRY = "registry"  # a listed name
    MORPHOLOGY = "morphology"  # an antibody name read by the scheme
    STEM = "stem"  # a word built on a general WHO stem
    FUZZY = "fuzzy"  # a near miss of a listed name, or a name written with look-alike letters
    CLASS = "class"  # a drug class phrase
    ABBREVIATION = "abbreviation"  # a short form the text defines for a name
    BRAND = "brand"  # a brand the text gives for a name (Besponsa®)


class Confidence(StrEnum):
    """How sure a reading or a mention is (strongest first)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Failure(StrEnum):
    """Why a name was not decoded (``Decoding.failure`` of an unknown decoding): the error
    ``decode(..., strict=True)`` raises follows from it, never from the wording of a reason."""

    NOT_TEXT = "not_text"  # bytes that are not UTF-8, control characters, not a str at all
    TOO_LONG = "too_long"  # longer than one name can be
    EMPTY = "empty"  # nothing but spaces and punctuation
    NO_RULE = "no_rule"  # text, but no rule of the naming scheme reads it


class ClaimKind(StrEnum):
    """What a sentence says about a named antibody (the ``kind`` of a checked claim)."""

    SOURCE = "source"  # the species: human, humanized, chimeric, mouse ...
    TARGET = "target"  # the antigen: CD22, HER2, PD-1
    TARGET_CLASS = "target_class"  # tumour, viral, immunomodulating ...
    PAYLOAD = "payload"  # the class of the attached drug: calicheamicin, auristatin ...
    FORMAT = "format"  # bispecific, fragment, fusion protein, conjugate
    NAME = "name"  # the name itself, as written: reported when it is a near miss


class Verdict(StrEnum):
    """What the name and the data say of a claim."""

    CONSISTENT = "consistent"
    CONTRADICTS = "contradicts"
    UNVERIFIABLE = "unverifiable"  # neither the name nor the data decides
    MISSPELT = "misspelt"  # the name is a near miss of a known one (kind ``name``)
