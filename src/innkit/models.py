"""Frozen result types. ``to_dict()`` is the public JSON contract shared by library, CLI and web.

Results are frozen dataclasses with slots, and stay so for callers: assigning a field raises
``FrozenInstanceError``. Only construction is changed (:func:`_quick_init`), because decoding
a name builds several of these objects and the ``__init__`` that ``dataclass(frozen=True)``
writes spends most of a decode (each field goes through ``object.__setattr__``, found by name).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar

T = TypeVar("T")
_FACTORY = object()  # marks a field left to its default factory


def _quick_init(cls: type[T]) -> type[T]:
    """Give a frozen slots dataclass an ``__init__`` with the same signature that stores each
    field through its slot descriptor, bound in advance: about twice as fast, and the class
    (equality, hash, repr, pickling, ``dataclasses.replace``, frozenness) is unchanged.
    Written from ``fields(cls)``, so a field added to the class is covered without more code."""
    names, lines, scope = [], [], {"_FACTORY": _FACTORY}
    for f in fields(cls):
        scope[f"_s_{f.name}"] = cls.__dict__[f.name].__set__
        value = f.name
        if f.default_factory is not MISSING:
            scope[f"_f_{f.name}"] = f.default_factory
            names.append(f"{f.name}=_FACTORY")
            value = f"_f_{f.name}() if {f.name} is _FACTORY else {f.name}"
        elif f.default is not MISSING:
            scope[f"_d_{f.name}"] = f.default
            names.append(f"{f.name}=_d_{f.name}")
        else:
            names.append(f.name)
        lines.append(f"    _s_{f.name}(self, {value})\n")
    body = "".join(lines) or "    pass\n"
    exec(f"def __init__(self, {', '.join(names)}):\n{body}", scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_quick_init
@dataclass(frozen=True, slots=True)
class Reading:
    """One cut of an antibody word into prefix + target + source + stem under one era's rules."""

    prefix: str
    target: str | None
    target_form: str | None
    target_class: str | None
    target_meaning: str | None
    source: str | None
    source_meaning: str | None
    stem: str
    era: str
    score: int
    note: str = ""

    @property
    def segmentation(self) -> str:
        """The word cut at its joints, e.g. ``ino|tu|zu|mab`` (empty parts left out)."""
        return "|".join(p for p in (self.prefix, self.target, self.source, self.stem) if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "segmentation": self.segmentation,
            "era": self.era,
            "prefix": self.prefix,
            "target_substem": self.target,
            "target_form": self.target_form,
            "target_meaning": self.target_meaning,
            "source_substem": self.source,
            "source_meaning": self.source_meaning,
            "stem": self.stem,
            "score": self.score,
            "note": self.note,
        }


@_quick_init
@dataclass(frozen=True, slots=True)
class Modifier:
    """A word after the antibody word: payload, toxin, chelator, PEG, fusion or qualifier."""

    word: str
    kind: str
    meaning: str | None = None
    payload_class: str | None = None
    matched_by: str | None = None
    confidence: str | None = None
    suggestion: str | None = None  # a listed word this one is a near miss of

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "kind": self.kind,
            "meaning": self.meaning,
            "payload_class": self.payload_class,
            "matched_by": self.matched_by,
            "confidence": self.confidence,
            "suggestion": self.suggestion,
        }


@_quick_init
@dataclass(frozen=True, slots=True)
class StemMatch:
    """A WHO stem found in a (non-antibody) name, with the row it comes from."""

    stem: str
    position: str  # suffix, prefix, infix, anywhere
    meaning: str | None
    lineage: tuple[str, ...]  # the shorter stems this one extends, nearest first
    confidence: str  # high, medium, low
    historical: bool  # deleted from the General Principles
    word: str
    row: str

    @property
    def parent(self) -> str | None:
        return self.lineage[0] if self.lineage else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stem": self.stem,
            "position": self.position,
            "meaning": self.meaning,
            "parent": self.parent,
            "lineage": list(self.lineage),
            "confidence": self.confidence,
            "historical": self.historical,
            "word": self.word,
            "row": self.row,
        }


@_quick_init
@dataclass(frozen=True, slots=True)
class Radiolabel:
    """A radionuclide written with the name, e.g. ``indium (111In)``."""

    text: str
    element: str | None
    symbol: str
    mass_number: str
    style: str  # "INN" (before the name), "USAN" (element Sym NNN), "trailing" (after the name)

    @property
    def isotope(self) -> str:
        return f"{self.mass_number}{self.symbol}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "element": self.element,
            "symbol": self.symbol,
            "mass_number": self.mass_number,
            "isotope": self.isotope,
            "style": self.style,
        }


@_quick_init
@dataclass(frozen=True, slots=True)
class Substance:
    """The substance a name denotes (from the FDA UNII list), and how the name relates to it."""

    name: str  # the list's preferred name, lower case
    inn: str | None  # the INN of the moiety, lower case, without salt or ester words
    unii: str
    relation: str  # a Relation value: inn, brand, code, former, usan, salt, latin ...
    name_type: str | None = None  # the list's type for the name given: brand, code, common ...
    tags: tuple[str, ...] = ()  # authority tags the list gives the name: INN, USAN, JAN ...
    names: tuple[tuple[str, tuple[str, ...], int], ...] = ()  # (type, first names, count)
    inn_number: str | None = None
    candidates: tuple[Substance, ...] = ()  # other substances the same name denotes
    ambiguous: bool = False  # candidates with another INN rank as high as this one
    matches: int = 1

    @property
    def curie(self) -> str:
        """The UNII as a CURIE in bioregistry's prefix (``unii:P93RUU11P7``)."""
        return f"unii:{self.unii}"

    @property
    def url(self) -> str:
        """The substance's public record (the FDA UNII search, as bioregistry links it)."""
        return f"https://precision.fda.gov/uniisearch/srs/unii/{self.unii}"

    @property
    def identifiers(self) -> dict[str, str]:
        ids = {"unii": self.unii}
        if self.inn_number:
            ids["inn_number"] = self.inn_number
        return ids

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inn": self.inn,
            "unii": self.unii,
            "relation": self.relation,
            "names": {t: {"count": n, "names": list(v)} for t, v, n in self.names},
            "name_type": self.name_type,
            "tags": list(self.tags),
            "curie": self.curie,
            "url": self.url,
            "ambiguous": self.ambiguous,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """Facts about one known name, and where they come from (the shipped table or the user's
    store hold the same columns)."""

    name: str
    second_word: str | None
    kind: str
    origin: str  # "shipped" or "user"
    refers_to: str | None = None  # for brand names and codes: the INN they stand for
    source: str | None = None
    target_antigen: str | None = None
    target_category: str | None = None
    format: str | None = None
    year: int | None = None
    status: str | None = None
    provenance: str | None = None
    notes: str | None = None
    inn_number: str | None = None  # the WHO INN list number, where the shipped table has it

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.second_word}" if self.second_word else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "second_word": self.second_word,
            "full_name": self.full_name,
            "kind": self.kind,
            "origin": self.origin,
            "refers_to": self.refers_to,
            "source": self.source,
            "target_antigen": self.target_antigen,
            "target_category": self.target_category,
            "format": self.format,
            "year": self.year,
            "status": self.status,
            "provenance": self.provenance,
            "notes": self.notes,
            "inn_number": self.inn_number,
        }


@_quick_init
@dataclass(frozen=True, slots=True)
class Decoding:
    """What a name says, part by part, and why innkit reads it that way."""

    input: str
    kind: str  # "antibody", "stem", "combination", "unknown"
    name: str | None = None
    prefix: str | None = None
    target_substem: str | None = None
    target_form: str | None = None
    target_meaning: str | None = None
    source_substem: str | None = None
    source_meaning: str | None = None
    stem: str | None = None
    stem_meaning: str | None = None
    eras: tuple[str, ...] = ()
    modifiers: tuple[Modifier, ...] = ()
    fda_suffix: str | None = None
    fda_prefix: str | None = None
    radiolabel: Radiolabel | None = None
    ambiguous: bool = False
    readings: tuple[Reading, ...] = ()
    alternatives: tuple[Reading, ...] = ()
    components: tuple[Decoding, ...] = ()
    stems: tuple[StemMatch, ...] = ()
    salts: tuple[str, ...] = ()
    conjugate: Modifier | None = None
    registry: RegistryEntry | None = None
    suggestion: str | None = None  # a known name this one is a near miss of (a misspelling?)
    irregular: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    reason: str | None = None
    suffix: str | None = None
    substance: Substance | None = None  # what the input denotes (brand, code, INN ...)
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, id): unii, inn_number

    @property
    def segmentation(self) -> str | None:
        """``prefix|target|source|stem`` of the chosen reading, or None when not an antibody."""
        if self.kind != "antibody" or self.stem is None:
            return None
        parts = (self.prefix, self.target_substem, self.source_substem, self.stem, self.suffix)
        return "|".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "name": self.name,
            "kind": self.kind,
            "segmentation": self.segmentation,
            "prefix": self.prefix,
            "target_substem": self.target_substem,
            "target_form": self.target_form,
            "target_meaning": self.target_meaning,
            "source_substem": self.source_substem,
            "source_meaning": self.source_meaning,
            "stem": self.stem,
            "stem_meaning": self.stem_meaning,
            "suffix": self.suffix,
            "eras": list(self.eras),
            "modifiers": [m.to_dict() for m in self.modifiers],
            "fda_suffix": self.fda_suffix,
            "fda_prefix": self.fda_prefix,
            "radiolabel": self.radiolabel.to_dict() if self.radiolabel else None,
            "ambiguous": self.ambiguous,
            "irregular": self.irregular,
            "readings": [r.to_dict() for r in self.readings],
            "alternatives": [r.to_dict() for r in self.alternatives],
            "components": [c.to_dict() for c in self.components],
            "stems": [m.to_dict() for m in self.stems],
            "salts": list(self.salts),
            "conjugate": self.conjugate.to_dict() if self.conjugate else None,
            "registry": self.registry.to_dict() if self.registry else None,
            "suggestion": self.suggestion,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "reason": self.reason,
            "substance": self.substance.to_dict() if self.substance else None,
            "identifiers": dict(self.identifiers),
        }

@_quick_init
@dataclass(frozen=True, slots=True)
class Mention:
    """A drug name found in a text, with its decoding and how it was found."""

    start: int
    end: int  # exclusive, in characters of the text
    text: str
    decoding: Decoding
    known: bool  # in the registry (shipped or user)
    how: str  # registry, morphology, stem, fuzzy
    confidence: str  # high, medium, low
    suggestion: str | None = None  # for near misses: the known name it probably means

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "how": self.how,
            "known": self.known,
            "confidence": self.confidence,
            "suggestion": self.suggestion,
            "decoding": self.decoding.to_dict(),
        }
