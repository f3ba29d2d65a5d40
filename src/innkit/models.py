"""Frozen result types. ``to_dict()`` is the public JSON contract shared by library, CLI and web:
every result writes it the same way (:class:`Result`), from the keys it lists.

Results are frozen dataclasses with slots, and stay so for callers: assigning a field raises
``FrozenInstanceError``. Only construction is changed (:func:`_quick_init`), because decoding
a name builds several of these objects and the ``__init__`` that ``dataclass(frozen=True)``
writes spends most of a decode (each field goes through ``object.__setattr__``, found by name).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from enum import Enum
from functools import cache
from operator import attrgetter
from types import UnionType
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

from .vocab import Confidence, Failure, How, Kind

T = TypeVar("T")
_FACTORY = object()  # marks a field left to its default factory

JsonKey = str | tuple[str, str | Callable[[Any], Any]]
"""One key of a result's JSON: a field or property of the same name; (key, attribute) for a
key named otherwise; (key, function of the result) for a value made only for the JSON (which
returns it as JSON holds it)."""
_PLAIN = frozenset({str, int, float, bool, type(None)})


class Result:
    """A result whose JSON is the keys ``_json`` lists, in order (by default every field, in
    order), each value made plain: an enum as its value, a result as its dict, a tuple as a
    list. One writer for every result, so that none drifts from the others' conventions."""

    __slots__ = ()
    _json: ClassVar[tuple[JsonKey, ...] | None] = None
    _json_text: ClassVar[Mapping[str, Callable[[Any], str]]] = {}
    """Writers of the JSON text of keys made for the JSON (see :meth:`to_json`), by key."""

    def to_dict(self) -> dict[str, Any]:
        return _writer(type(self))(self)

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, the same text, written without
        building the dict (a decode's JSON line is made per name, and the dict and its
        encoding cost as much as a cold decode's look-ups)."""
        return _json_writer(type(self))(self)


@cache
def _writer(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The ``to_dict`` of a result class, written once from its keys as one dict display (a
    decode's JSON is made per name, so it must be near a hand-written method's speed): each
    value is converted as its declared type says, and :func:`plain` is left for the others."""
    spec = cls._json if cls._json is not None else tuple(f.name for f in fields(cls))
    hints = get_type_hints(cls)
    scope: dict[str, Any] = {"_plain": plain}
    items = []
    for i, entry in enumerate(spec):
        key, source = (entry, entry) if isinstance(entry, str) else entry
        if not isinstance(source, str):  # made for the JSON, as JSON holds it
            scope[f"_g{i}"] = source
            value = f"_g{i}(self)"
        elif not source.isidentifier():
            raise TypeError(f"{cls.__name__}._json: {source!r} is not an attribute name")
        else:
            attribute = getattr(cls, source, None)
            hint = (get_type_hints(attribute.fget).get("return")
                    if isinstance(attribute, property) else hints.get(source))
            value = _expression(hint, f"self.{source}")
        items.append(f"        {key!r}: {value},\n")
    exec(f"def to_dict(self):\n    return {{\n{''.join(items)}    }}\n", scope)
    return scope["to_dict"]


_quote = json.encoder.encode_basestring  # the C string writer of json.dumps(ensure_ascii=False)
_int = int.__repr__  # how json.dumps writes an int
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(x, ensure_ascii=False)``: a result's JSON is a fresh tree, never a cycle."""


@cache
def _json_writer(cls: type) -> Callable[[Any], str]:
    """The ``to_json`` of a result class, written once from the same keys as its ``to_dict``:
    one f-string, each value written as its declared type says (strings by json's own C
    writer), what a class's ``_json_text`` writes for a key made for the JSON, and json's
    encoder for the rest. A value not of its declared type (a number where text is declared)
    gives way to ``json.dumps`` of the whole ``to_dict()``, so the text is always the same."""
    spec = cls._json if cls._json is not None else tuple(f.name for f in fields(cls))
    texts = cls._json_text
    hints = get_type_hints(cls)
    scope: dict[str, Any] = {"_q": _quote, "_e": _encode, "_plain": plain, "_int": _int,
                             "_j": _json_of, "_strs": _strings, "_dict_of": _writer(cls)}
    parts = []
    for i, entry in enumerate(spec):
        key, source = (entry, entry) if isinstance(entry, str) else entry
        if key in texts:
            scope[f"_t{i}"] = texts[key]
            value = f"_t{i}(self)"
        elif not isinstance(source, str):
            scope[f"_g{i}"] = source
            value = f"_e(_g{i}(self))"
        else:
            attribute = getattr(cls, source, None)
            hint = (get_type_hints(attribute.fget).get("return")
                    if isinstance(attribute, property) else hints.get(source))
            value = _text_expression(hint, f"self.{source}")
        literal = _quote(key) + ": "
        if any(c in literal for c in "{}'\\"):
            raise TypeError(f"{cls.__name__}: key {key!r} cannot be written in a template")
        parts.append(("{{" if not parts else ", ") + literal + "{" + value + "}")
    body = "".join(parts) + "}}" if parts else "{{}}"
    exec(f"def to_json(self):\n    try:\n        return f'{body}'\n"
         "    except (TypeError, AttributeError):\n        return _e(_dict_of(self))\n", scope)
    return scope["to_json"]


def _json_of(value: Any) -> str:
    """A result's JSON text (the writer of its own class)."""
    return _json_writer(type(value))(value)


def _strings(values: Iterable[str]) -> str:
    """A sequence of strings as a JSON list (an element not a string raises TypeError)."""
    return "[" + ", ".join(map(_quote, values)) + "]" if values else "[]"


def _text_expression(hint: Any, ref: str) -> str:
    """Python for the JSON text of ``ref``, a value of type ``hint`` (within an f-string: no
    backslash, no single quote)."""
    union = get_origin(hint) in (Union, UnionType)
    solo = [a for a in get_args(hint) if a is not type(None)] if union else [hint]
    text = None
    if len(solo) == 1:
        kind, targs = solo[0], get_args(solo[0])
        if kind is str:
            text = "_q(v)"
        elif kind is bool:
            text = '("true" if v is True else "false" if v is False else _e(v))'
        elif kind is int:
            text = "(_int(v) if type(v) is int else _e(v))"
        elif isinstance(kind, type) and issubclass(kind, Enum):
            text = '_q(getattr(v, "_value_", v))'
        elif _is_result(kind):
            text = "_j(v)"
        elif get_origin(kind) is tuple and len(targs) == 2 and targs[1] is Ellipsis:
            if targs[0] is str:
                text = "_strs(v)"
            elif _is_result(targs[0]):
                text = '("[" + ", ".join([_j(x) for x in v]) + "]" if v else "[]")'
    if text is None:
        return f"_e(_plain({ref}))"
    # None is null whatever the declared type, as json.dumps writes it
    return f'("null" if (v := {ref}) is None else {text})'

def _expression(hint: Any, ref: str) -> str:
    """Python for the JSON value of ``ref``, a value of type ``hint``."""
    if _is_plain(hint):
        return ref
    args = get_args(hint)
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        if _is_plain(args[0]):
            return f"list({ref})"
        if _is_result(args[0]):
            return f"[x.to_dict() for x in {ref}]"
    if _is_result(hint):
        return f"{ref}.to_dict()"
    if all(isinstance(a, type) and issubclass(a, Enum | type(None)) for a in args or (hint,)):
        # an enum's value (or None); a plain string given for one is taken as it is
        return f"getattr({ref}, '_value_', {ref})"
    if get_origin(hint) in (Union, UnionType) and len(args) == 2 and type(None) in args \
            and all(_is_result(a) for a in args if a is not type(None)):
        return f"({ref}.to_dict() if {ref} is not None else None)"
    return f"_plain({ref})"


def _is_plain(hint: Any) -> bool:
    """A type whose values JSON holds as they are: str, int, float, bool, or one of them or
    None."""
    if get_origin(hint) in (Union, UnionType):
        return all(_is_plain(h) for h in get_args(hint))
    return hint in _PLAIN


def _is_result(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Result)


def plain(value: Any) -> Any:
    """``value`` as JSON holds it: enums as their values, results as their dicts, tuples and
    lists as lists, mappings as dicts (recursively); anything else as it is."""
    kind = type(value)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


def _same(value: Any) -> Any:
    return value


def _list(value: Iterable[Any]) -> list[Any]:
    return [plain(v) for v in value]


def _dict(value: Mapping[Any, Any]) -> dict[Any, Any]:
    return {plain(k): plain(v) for k, v in value.items()}


def _converter(kind: type) -> Callable[[Any], Any]:
    """How :func:`plain` converts a value of this type (chosen once per type: the checks of a
    subclass, an enum's in particular, cost more than the conversion)."""
    if kind in _PLAIN:
        return _same
    if issubclass(kind, Enum):
        return attrgetter("_value_")  # what .value returns, without its descriptor's cost
    if issubclass(kind, Result):
        return kind.to_dict
    if issubclass(kind, tuple | list):
        return _list
    if issubclass(kind, Mapping):
        return _dict
    return _same


_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else _quote(value)


_SHOWN_JSON: dict[int, tuple[object, str]] = {}
"""id(a substance's names) -> (the names, their JSON): every name of a substance shares one
tuple of names (the resolver keeps it), so their JSON is written once (the entry holds the
tuple, so its id cannot be reused while kept)."""
_SHOWN_JSON_MAX = 16384


def _names_json(s: Substance) -> str:
    """The ``names`` key of a substance: its names by type, each with its count."""
    if s.ambiguous:
        return "{}"
    names = s.names
    hit = _SHOWN_JSON.get(id(names))
    if hit is not None and hit[0] is names:
        return hit[1]
    if len({t for t, _, _ in names}) < len(names):  # a type twice: the dict keeps one
        text = _encode({t: {"count": n, "names": list(v)} for t, v, n in names})
    else:  # the dict's JSON, written without the dict
        text = "{" + ", ".join([
            f'{_quote(t)}: {{"count": {_int(n) if type(n) is int else _encode(n)}, '
            f'"names": {_strings(v)}}}' for t, v, n in names]) + "}"
    if len(_SHOWN_JSON) >= _SHOWN_JSON_MAX:
        _SHOWN_JSON.clear()
    _SHOWN_JSON[id(names)] = (names, text)
    return text


def _brief_json(s: Substance) -> str:
    """:meth:`Substance.brief` as JSON."""
    unii = s.unii
    return (f'{{"name": {_quote(s.name)}, "inn": {_text_or_null(s.inn)}, '
            f'"unii": {_quote(unii)}, "curie": {_quote("unii:" + unii)}, '
            f'"url": {_quote(_UNII_URL + unii)}, "relation": {_quote(s.relation)}}}')


def _pairs_json(pairs: Iterable[tuple[str, str | None]]) -> str:
    """(key, text or None) pairs as the JSON of their dict."""
    if not pairs:
        return "{}"
    return "{" + ", ".join([f"{_quote(k)}: {_text_or_null(v)}"
                            for k, v in dict(pairs).items()]) + "}"


_UNII_URL = "https://precision.fda.gov/uniisearch/srs/unii/"


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
class Reading(Result):
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

    _json = ("segmentation", "era", "prefix", ("target_substem", "target"), "target_form",
             "target_meaning", ("source_substem", "source"), "source_meaning", "stem", "score",
             "note")

    @property
    def segmentation(self) -> str:
        """The word cut at its joints, e.g. ``ino|tu|zu|mab`` (empty parts left out)."""
        return "|".join(p for p in (self.prefix, self.target, self.source, self.stem) if p)


@_quick_init
@dataclass(frozen=True, slots=True)
class Modifier(Result):
    """A word after the antibody word: payload, toxin, chelator, PEG, fusion or qualifier."""

    word: str
    kind: str
    meaning: str | None = None
    payload_class: str | None = None
    matched_by: str | None = None
    confidence: Confidence | None = None
    suggestion: str | None = None  # a listed word this one is a near miss of


@_quick_init
@dataclass(frozen=True, slots=True)
class StemMatch(Result):
    """A WHO stem found in a (non-antibody) name, with the row it comes from."""

    stem: str
    position: str  # suffix, prefix, infix, anywhere
    meaning: str | None
    lineage: tuple[str, ...]  # the shorter stems this one extends, nearest first
    confidence: Confidence
    historical: bool  # deleted from the General Principles
    word: str
    row: str

    _json = ("stem", "position", "meaning", "parent", "lineage", "confidence", "historical",
             "word", "row")

    @property
    def parent(self) -> str | None:
        return self.lineage[0] if self.lineage else None


@_quick_init
@dataclass(frozen=True, slots=True)
class Radiolabel(Result):
    """A radionuclide written with the name, e.g. ``indium (111In)``."""

    text: str
    element: str | None
    symbol: str
    mass_number: str
    style: str  # "INN" (before the name), "USAN" (element Sym NNN), "trailing" (after the
    # name, in parentheses), "USAN after" (Sym NNN after the name)

    _json = ("text", "element", "symbol", "mass_number", "isotope", "style")

    @property
    def isotope(self) -> str:
        return f"{self.mass_number}{self.symbol}"


@_quick_init
@dataclass(frozen=True, slots=True)
class Substance(Result):
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

    # names by type, each with its count; the INN number is in the decoding's identifiers.
    # An ambiguous name denotes no single substance: the keys that would describe one are null
    # (empty for names), and ``denotes`` lists every substance it may denote.
    _json = (("name", lambda s: None if s.ambiguous else s.name),
             ("inn", lambda s: None if s.ambiguous else s.inn),
             ("unii", lambda s: None if s.ambiguous else s.unii), "relation",
             ("names", lambda s: {} if s.ambiguous else
              {t: {"count": n, "names": list(v)} for t, v, n in s.names}),
             "name_type", "tags",
             ("curie", lambda s: None if s.ambiguous else s.curie),
             ("url", lambda s: None if s.ambiguous else s.url),
             "ambiguous", "candidates",
             ("denotes", lambda s: [c.brief() for c in s.denotes]))
    # the same keys as text, for :meth:`to_json` (a decode's JSON line is made per name)
    _json_text: ClassVar[Mapping[str, Callable[[Any], str]]] = {
        "name": lambda s: "null" if s.ambiguous else _quote(s.name),
        "inn": lambda s: "null" if s.ambiguous or s.inn is None else _quote(s.inn),
        "unii": lambda s: "null" if s.ambiguous else _quote(s.unii),
        "names": _names_json,
        "curie": lambda s: "null" if s.ambiguous else _quote("unii:" + s.unii),
        "url": lambda s: "null" if s.ambiguous else _quote(_UNII_URL + s.unii),
        "denotes": lambda s: "[" + ", ".join([_brief_json(c) for c in s.denotes]) + "]",
    }

    @property
    def curie(self) -> str:
        """The UNII as a CURIE in bioregistry's prefix (``unii:P93RUU11P7``)."""
        return f"unii:{self.unii}"

    @property
    def url(self) -> str:
        """The substance's public record (the FDA UNII search, as bioregistry links it)."""
        return f"{_UNII_URL}{self.unii}"

    @property
    def denotes(self) -> tuple[Substance, ...]:
        """Every substance the name may denote: this one alone, or, when the name is
        ambiguous, this one and each candidate that ranks as high (same relation, same type of
        name), none preferred: the fields of this object then describe only the first of
        them, in the index's order."""
        if not self.ambiguous:
            return (self,)
        return (self, *(c for c in self.candidates
                        if c.relation == self.relation and c.name_type == self.name_type))

    def brief(self) -> dict[str, str | None]:
        """Name, INN, UNII, CURIE, record and relation: one entry of ``denotes``."""
        return {"name": self.name, "inn": self.inn, "unii": self.unii, "curie": self.curie,
                "url": self.url, "relation": self.relation}

    @property
    def identifiers(self) -> dict[str, str]:
        ids = {"unii": self.unii}
        if self.inn_number:
            ids["inn_number"] = self.inn_number
        return ids


@_quick_init
@dataclass(frozen=True, slots=True)
class RegistryEntry(Result):
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

    _json = ("name", "second_word", "full_name", "kind", "origin", "refers_to", "source",
             "target_antigen", "target_category", "format", "year", "status", "provenance",
             "notes", "inn_number")

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.second_word}" if self.second_word else self.name


@_quick_init
@dataclass(frozen=True, slots=True)
class Decoding(Result):
    """What a name says, part by part, and why innkit reads it that way."""

    input: str
    kind: Kind
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
    suggestion_unii: str | None = None  # the UNII of the substance ``suggestion`` names
    irregular: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    reason: str | None = None
    suffix: str | None = None
    substance: Substance | None = None  # what the input denotes (brand, code, INN ...)
    # (scheme, id): unii, inn_number; each id None when the name denotes several substances
    identifiers: tuple[tuple[str, str | None], ...] = ()
    failure: Failure | None = None  # of an unknown decoding: why (``reason`` says it in words)
    # (INN, UNII) of each conjugate of a naked antibody word: related substances, never itself
    conjugates: tuple[tuple[str, str], ...] = ()

    _json = ("input", "name", "kind", "segmentation", "prefix", "target_substem", "target_form",
             "target_meaning", "source_substem", "source_meaning", "stem", "stem_meaning",
             "suffix", "eras", "modifiers", "fda_suffix", "fda_prefix", "radiolabel",
             "ambiguous", "irregular", "readings", "alternatives", "components", "stems",
             "salts", "conjugate", "registry", "suggestion", "notes", "warnings", "reason",
             "substance", ("identifiers", lambda d: d.identifier_dict()),
             ("conjugates", lambda d: [{"inn": inn, "unii": unii} for inn, unii in d.conjugates]),
             "suggestion_unii")
    _json_text: ClassVar[Mapping[str, Callable[[Any], str]]] = {
        "identifiers": lambda d: _pairs_json(d.identifiers),
        "conjugates": lambda d: "[" + ", ".join([
            f'{{"inn": {_quote(inn)}, "unii": {_quote(unii)}}}' for inn, unii in d.conjugates
        ]) + "]",
    }

    def identifier_dict(self) -> dict[str, str | None]:
        """The identifiers as JSON gives them: for a name that denotes several substances,
        the keys stay and each value is null, as no single substance's identifier applies."""
        return dict(self.identifiers)

    @property
    def segmentation(self) -> str | None:
        """``prefix|target|source|stem`` of the chosen reading, or None when not an antibody."""
        if self.kind != Kind.ANTIBODY or self.stem is None:
            return None
        parts = (self.prefix, self.target_substem, self.source_substem, self.stem, self.suffix)
        return "|".join(p for p in parts if p)


@_quick_init
@dataclass(frozen=True, slots=True)
class Mention(Result):
    """A drug name found in a text, with its decoding and how it was found."""

    start: int
    end: int  # exclusive, in characters of the text
    text: str
    decoding: Decoding
    known: bool  # in the registry (shipped or user)
    how: How
    confidence: Confidence
    suggestion: str | None = None  # for near misses: the known name it probably means

    _json = ("start", "end", "text", "how", "known", "confidence", "suggestion", "decoding")
