"""``decode``: what a drug name says, part by part (spec sections 2 to 5 and 7)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace

from ..caching import owner_cache
from ..errors import DataError, InvalidInputError, UnknownNameError
from ..models import Decoding, Modifier, Radiolabel, Reading, StemMatch, Substance
from ..registry import Registry, RegistryEntry, get_registry, name_key
from ..registry.languages import language_forms
from ..rules.affixes import fda_prefix_of, fda_suffix_of, strip_stereo
from ..rules.classes import ClassRow
from ..rules.english import is_english, is_established
from ..rules.lists import antibody_coverage
from ..rules.normalize import MAX_NAME_LENGTH, normalize_name
from ..rules.tables import ERA_ORDER, ExceptionRow, StemRow, Tables
from ..vocab import RELATION_LABELS, Confidence, Failure, Kind, Relation
from .antibody import Ranked, antibody_stem, enumerate_readings, rank
from .checks import forget as _forget_checks
from .checks import registry_conflicts
from .general import decode_general
from .modifiers import classify_modifier, lens_near_miss, near_miss, split_radiolabel
from .stems import classify_word, reads_alone
from .stems import forget as _forget_words


def _replacer(cls: type) -> Callable[..., Decoding]:
    """``dataclasses.replace`` for one frozen slots result class, written once from its fields
    (a decode makes one or two copies): each field is stored through its slot, the new value
    or the old one, without the per-field checks of a generic copy; the same new, frozen
    object. A class whose copy must run ``__init__`` gets ``dataclasses.replace`` itself."""
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__") or \
            any(not f.init for f in fields(cls)):
        return replace
    keep = object()
    scope: dict[str, object] = {"_keep": keep, "_new": object.__new__, "_cls": cls}
    lines = []
    for f in fields(cls):
        scope[f"_s_{f.name}"] = cls.__dict__[f.name].__set__
        lines.append(f"    _s_{f.name}(new, obj.{f.name} if {f.name} is _keep else {f.name})\n")
    names = ", ".join(f"{f.name}=_keep" for f in fields(cls))
    exec(f"def _replace(obj, *, {names}):\n    new = _new(_cls)\n{''.join(lines)}"
         "    return new\n", scope)
    return scope["_replace"]  # type: ignore[return-value]


_replace = _replacer(Decoding)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CACHE_SIZE = 16384
"""Distinct names whose decodings are kept (running text holds thousands), and as many
phrase readings beside them; ~40 MB at most."""
_STEMS_HINT = "antibody names end in -mab, -tug, -bart, -mig or -ment"


def decode(text: object, *, strict: bool = False, registry: Registry | None = None) -> Decoding:
    """Decode one name (with any modifiers, radiolabel or FDA suffix) into its parts.

    Known names also carry their ``registry`` facts (target, format, year, status), from the
    given registry or the default one (shipped names plus the user database).
    Never raises for bad input: it returns ``kind="unknown"`` with a ``reason``. With
    ``strict=True`` it raises :class:`InvalidInputError` or :class:`UnknownNameError` instead,
    as the decoding's ``failure`` says.
    """
    reg = registry if registry is not None else get_registry()
    # Only text is cached; bytes and junk are rare and not worth keeping.
    cached = type(text) is str
    result = _decode_cached(reg, text, reg.generation) if cached else _decode(text, reg)
    if strict and result.kind == Kind.UNKNOWN:
        failure = result.failure or Failure.NO_RULE
        error = UnknownNameError if failure is Failure.NO_RULE else InvalidInputError
        raise error(result.reason or "not a name", _HINTS[failure])
    return result


_HINTS = {
    Failure.TOO_LONG: f"pass one name of at most {MAX_NAME_LENGTH} characters",
    Failure.NOT_TEXT: "pass the name as a str (decode bytes as UTF-8 first)",
    Failure.EMPTY: "pass a non-empty name",
    Failure.NO_RULE: _STEMS_HINT,
}
"""What to do about each failure, for the error ``strict=True`` raises."""


def _unknown(display: str, reason: str, failure: Failure) -> Decoding:
    """The decoding of an input that is not a name's text at all."""
    return Decoding(input=display, kind=Kind.UNKNOWN, reason=reason, failure=failure)


@owner_cache(2 * CACHE_SIZE)
def _decode_cached(registry: Registry, text: str, generation: int,
                   phrase: bool = False) -> Decoding:
    """Results are immutable, so a repeated name (as in running text) is decoded once; a
    change of the registry (a new generation) makes new keys; the cache dies with the
    registry. With ``phrase``, ``text`` is a normalised phrase read as written: the INN (or
    preferred name) that a brand, code or synonym denotes, or such a name itself; a list of
    names holds several of each substance (a UNII list, ~2 a substance), and each is read as
    its INN, so that reading is made once. Both kinds are kept in one cache, so that one
    ``cache_clear`` forgets both."""
    if phrase:
        return _decode_phrase(text, text, registry.rules.tables, registry)
    return _decode(text, registry)


def forget() -> None:
    """Forget every decoding, and the words read for them: a cold start (the benchmarks'
    cold figures call this before each pass)."""
    _decode_cached.cache_clear()
    _forget_words()
    _forget_checks()


def _decode(text: object, registry: Registry) -> Decoding:
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return _unknown(repr(bytes(text[:40])), "binary input: not valid UTF-8 text",
                            Failure.NOT_TEXT)
    if not isinstance(text, str):
        return _unknown(repr(text)[:80], f"expected text, got {type(text).__name__}",
                        Failure.NOT_TEXT)
    if len(text) > MAX_NAME_LENGTH:
        return _unknown(
            text[:40] + "…",
            f"input is {len(text):,} characters long; a single name is at most "
            f"{MAX_NAME_LENGTH}", Failure.TOO_LONG,
        )
    if _CONTROL_RE.search(text):
        return _unknown(text, "binary input: contains control characters", Failure.NOT_TEXT)
    normal = normalize_name(text)
    if not normal:
        return _unknown(text, "empty input: nothing to decode", Failure.EMPTY)
    tables = registry.rules.tables
    row = registry.rules.drug_classes.find(normal)
    if row is not None and registry.identify(normal) is None:
        return _drug_class(text, row, tables)
    if "/" in normal and " " not in normal:
        return _combination(text, normal, tables, registry, "/")
    if " and " in normal and registry.identify(normal) is None:
        # A product of two substances under one name (trastuzumab and hyaluronidase-oysk)
        return _combination(text, normal, tables, registry, " and ")
    sep = " " if " " in normal else "-"
    if sep in normal and _separate_substances(normal, sep, tables, registry):
        return _combination(text, normal, tables, registry, sep)
    return _suggested(_resolved(text, normal, _Own(text, normal, registry), tables,
                                registry), registry)


class _Own:
    """The phrase's own reading (:func:`_phrase`), read when first asked: a brand or a code
    whose INN is read is given the INN's decoding, and its own letters are then never read
    (about half the names of a UNII list)."""

    __slots__ = ("normal", "read", "registry", "text")

    def __init__(self, text: str, normal: str, registry: Registry) -> None:
        self.text, self.normal, self.registry = text, normal, registry
        self.read: Decoding | None = None

    def __call__(self) -> Decoding:
        if self.read is None:
            self.read = _phrase(self.text, self.normal, self.registry)
        return self.read


def _phrase(text: str, normal: str, registry: Registry) -> Decoding:
    """The phrase's own reading; a name written as its normal form (an INN, a preferred
    name) is read once for itself and for every brand or code that denotes it."""
    if text == normal:
        return _decode_cached(registry, normal, registry.generation, True)
    return _decode_phrase(text, normal, registry.rules.tables, registry)


def _separate_substances(normal: str, sep: str, tables: Tables, registry: Registry) -> bool:
    """Whether a name no list holds is two to four substances' INNs side by side
    (``amoxicillin clavulanate``, ``piperacillin-tazobactam``): each part a name of a
    substance with an INN of its own, none a salt, qualifier or conjugate word, no two the
    same substance. Read as one name, all but the first would be left unread."""
    parts = normal.split(sep)
    if not 2 <= len(parts) <= 4 or any(
            not p.isalpha() or p in tables.salts or p in tables.modifiers
            or p in tables.qualifiers for p in parts) or registry.identify(normal) is not None:
        return False
    inns = []
    for part in parts:
        found = registry.identify(part)
        if found is None or found.ambiguous or not found.inn:
            return False
        inns.append(found.inn)
    return len(set(inns)) == len(inns)


def _suggested(d: Decoding, registry: Registry) -> Decoding:
    """A suggestion carries the UNII of the substance it names, when it names one."""
    if d.suggestion is None:
        return d
    found = registry.identify(d.suggestion)
    if found is None or found.ambiguous:
        return d
    return _replace(d, suggestion_unii=found.unii)


def _resolved(text: str, normal: str, own: _Own, tables: Tables,
              registry: Registry) -> Decoding:
    """Resolve before reading: a brand, code, former name or language form of an INN comes
    back as the decoding of that INN, with the substance that links the two, and a naked
    antibody word with its conjugates."""
    return _with_conjugates(_identified(text, normal, own, tables, registry), tables, registry)


def _identified(text: str, normal: str, own_of: _Own, tables: Tables,
                registry: Registry) -> Decoding:
    """The decoding with what the name denotes: its substance and identifiers."""
    lens = registry.rules.lenses.get(normal)
    if lens is not None and lens.group:
        # A genus or a class: the list may file the word under one member; it denotes none.
        own = own_of()
        return _replace(own, notes=(f"{text} names a group ({lens.klass}), not one substance: "
                                    "no single substance or UNII is linked to it", *own.notes))
    substance = registry.identify(normal)
    if substance is not None and lens is None and not substance.ambiguous \
            and substance.relation in _CODED and not registry.known_names.has_user:
        # No user entry can be the name's own (a user's code or brand), and the own reading
        # has no part in a coined name's decoding unless its word is the INN's: read it only
        # then (see :func:`_inn_read`).
        of_inn = _inn_read(text, normal, substance, own_of, registry)
        if of_inn is not None:
            return of_inn
    own = own_of()
    user = own.registry if own.registry is not None and own.registry.origin == "user" else None
    if substance is None and user is not None and user.refers_to:
        # A team's own code or brand: read as the name it stands for.
        meant = _decode_phrase(user.refers_to, normalize_name(user.refers_to), tables, registry)
        if meant.kind != Kind.UNKNOWN:
            note = f"{text} is a {user.kind} name for {user.refers_to} in the user registry"
            substance = registry.identify(normalize_name(user.refers_to))
            ids = (("unii", substance.unii),) if substance is not None else ()
            return _replace(meant, input=text, registry=user, notes=(note, *meant.notes),
                           identifiers=ids)
    if substance is None:
        number = _inn_number(own.registry, normal)
        entry = own.registry
        notes = own.notes
        if entry is not None and entry.origin == "shipped" and registry.substances is not None:
            # A WHO name the FDA has not listed yet: say so, and what identifies it instead.
            by = f"its INN number, {number}" if number else "its name in the WHO INN lists"
            notes = (f"no UNII yet: the FDA UNII list does not hold {entry.full_name}; it is "
                     f"identified by {by}", *notes)
        ids = (("inn_number", number),) if number else ()
        return _replace(own, identifiers=ids, notes=notes) if ids or notes else own
    result, of_inn = own, False
    moiety = _moiety_inn(substance)
    warnings = list(own.warnings)
    notes = list(own.notes)
    if substance.ambiguous:
        listed = "; ".join(f"{c.name} (UNII {c.unii})" for c in (substance, *substance.candidates))
        warnings.append(f"the name denotes more than one substance: {listed}")
    elif substance.relation == Relation.INN and substance.inn and substance.inn != normal \
            and name_key(substance.inn) != name_key(normal):
        notes.insert(0, f"the UNII list gives this substance a second INN, {substance.inn} "
                        "(a renamed substance); the name is read as written")
    elif lens is not None:
        # A word a lens claims (DM1, collagenase) keeps its lens reading; the list names
        # the substance it denotes.
        meant = substance.inn or substance.name
        if name_key(meant) != name_key(normal):
            notes.insert(0, f"{text} is the {RELATION_LABELS[substance.relation]} of "
                            f"{meant} (UNII {substance.unii})")
    elif substance.relation != Relation.INN and (moiety or own.kind == Kind.UNKNOWN
                                                 or substance.relation in _CODED):
        # Read the INN; a substance without one is read by the list's preferred name (a brand
        # or code always is: Accel NS is no -cel cell therapy, Accotril no -tril).
        meant = moiety or substance.name
        inn = _decode_cached(registry, meant, registry.generation, True)
        read = inn.kind != Kind.UNKNOWN or inn.failure is None  # a rule's or a lens's reading
        if not moiety and inn.stems and all(
                m.confidence == Confidence.LOW for m in inn.stems):
            read = False  # a weak stem in a list's name that is no INN (allium) says nothing
        # A brand or a code is coined, never built on a stem: its letters are not read, even
        # when no rule reads its INN either (Imodium is no -ium quaternary ammonium). Nor is a
        # weak ending a language gives an INN (warfarine is no -ine alkaloid; the -triptyline
        # of amitriptyline oxide, French for amitriptylinoxide, is read), nor its accents
        # (paracétamol is paracetamol, not letters no INN uses).
        coined = substance.relation in (Relation.BRAND, Relation.CODE) or (
            substance.relation in _LANGUAGES and moiety is not None
            and all(m.confidence == Confidence.LOW for m in own.stems))
        if read and substance.relation in _OFFICIAL and _surer(own, inn):
            read = False  # albuterol, the USAN, is surely -terol; salbutamol only sal (low)
        if (read or coined) and (own.kind == Kind.UNKNOWN or _word(own) != _word(inn)):
            result, of_inn = inn, True  # given the input below, with the substance
            warnings = list(inn.warnings)
            notes = list(inn.notes)
        notes.insert(0, _relation_note(text, substance, meant, of_inn, moiety))
    return _with_substance(text, normal, own, result, of_inn, substance, moiety, warnings, notes,
                           user)


_CODED = frozenset({Relation.BRAND, Relation.CODE})
"""Relations of a coined name: a brand or a code is read as its INN (see :func:`_identified`)."""


def _inn_read(text: str, normal: str, substance: Substance, own_of: _Own,
              registry: Registry) -> Decoding | None:
    """The decoding of a brand or code that its INN gives, or the list's preferred name where
    the substance has none (what :func:`_identified` makes of it); None when the name is read
    as written. The name's own reading is read only where its word could be the meant name's
    (each word of that word is then in the name's letters): three codes in four are of a
    substance without an INN, and their letters were read for nothing."""
    moiety = _moiety_inn(substance)
    meant = moiety or substance.name
    if not meant:
        return None
    inn = _decode_cached(registry, meant, registry.generation, True)
    word = _word(inn)
    if own_of.read is None and all(w in normal for w in word.split(" ")):
        own_of()
    own = own_of.read
    if own is not None and own.kind != Kind.UNKNOWN and _word(own) == word:
        return None  # read as written
    notes = [_relation_note(text, substance, meant, True, moiety), *inn.notes]
    return _with_substance(text, normal, None, inn, True, substance, moiety, list(inn.warnings),
                           notes, None)


def _with_substance(text: str, normal: str, own: Decoding | None, result: Decoding,
                    of_inn: bool, substance: Substance, moiety: str | None,
                    warnings: list[str], notes: list[str],
                    user: RegistryEntry | None) -> Decoding:
    """The decoding as read (``result``: the name's own, or its INN's when ``of_inn``), with
    the substance the name denotes and its identifiers."""
    # The number of the name as read (dinutuximab beta has none of its own, whatever
    # dinutuximab's is); a brand or code takes its INN's.
    read = normal if substance.relation == Relation.INN else moiety or ""
    number = substance.inn_number or _inn_number(result.registry, read)
    identifiers: tuple[tuple[str, str | None], ...] = (
        (("unii", None),) if substance.ambiguous  # no single substance: no single identifier
        else (("unii", substance.unii),) + ((("inn_number", number),) if number else ()))
    return _replace(result, input=text if of_inn or own is None else own.input,
                    substance=substance, identifiers=identifiers,
                    warnings=tuple(warnings), notes=tuple(notes),
                    registry=user if user is not None else result.registry)


_OFFICIAL = frozenset({Relation.USAN, Relation.BAN, Relation.JAN})
"""Relations of a country's official name: coined by the same stems as INNs (the USAN
Council's and the BAN's are largely the WHO's), so their letters carry a reading of their own."""


def _surer(own: Decoding, inn: Decoding) -> bool:
    """An official name (``_OFFICIAL``) that a stem reads surely where its INN is read by weak
    or short stems only."""
    return (any(m.confidence == Confidence.HIGH for m in own.stems)
            and inn.kind == Kind.STEM and all(m.confidence == Confidence.LOW for m in inn.stems))


_LANGUAGES = frozenset({Relation.LATIN, Relation.FRENCH, Relation.SPANISH, Relation.GERMAN})
"""Relations of an INN written in another language (see :func:`_identified`)."""


def _moiety_inn(substance: Substance) -> str | None:
    """The substance's INN, or the one INN that all the forms the name also denotes share
    (azithromycine, French for azithromycin, is filed under its unspecified form, which has
    no INN; its anhydrous and dihydrate forms are azithromycin)."""
    if substance.inn or substance.ambiguous:
        return substance.inn
    inns = {c.inn for c in substance.candidates}
    return inns.pop() if len(inns) == 1 and None not in inns else None


def _with_conjugates(d: Decoding, tables: Tables, registry: Registry) -> Decoding:
    """A naked antibody word with its conjugates: each listed substance whose INN is the word
    and one word more (a payload, toxin, chelator, polymer or immune agonist), as related
    substances, never as itself; a qualifier after it (dinutuximab beta) makes a variant INN,
    not a conjugate. A product's name (an FDA suffix: trastuzumab-anns) names no conjugates."""
    if d.kind != Kind.ANTIBODY or d.modifiers or d.fda_suffix or not d.name:
        return d
    related = registry.related_inns(d.name)
    if not related:  # most words: no listed INN begins with them
        return d
    found = tuple((inn, unii) for inn, unii in related
                  if len(words := inn.split(" ")) == 2 and words[1] not in tables.qualifiers)
    return _replace(d, conjugates=found) if found else d


def _inn_number(entry: RegistryEntry | None, name: str) -> str | None:
    """The entry's INN number, when the entry is for ``name`` itself (not for the antibody of
    a conjugate: trastuzumab's number is not trastuzumab deruxtecan's)."""
    if entry is None or not entry.inn_number:
        return None
    full = entry.full_name
    return entry.inn_number if full == name or name_key(full) == name_key(name) else None


def _word(d: Decoding) -> str:
    """The name's main word without a hyphenated tail (``muromonab`` of ``muromonab-cd3``)."""
    return (d.name or "").split("-")[0]


def _relation_note(text: str, substance: Substance, meant: str, of_inn: bool,
                   inn: str | None) -> str:
    """What the name is of the name ``meant`` (its INN, or the list's preferred name), and
    whose decoding is given: the INN's, the preferred name's (no INN), or the name's own."""
    if not of_inn:
        read_as = "the name is read as written"
    elif inn:
        read_as = "the decoding is that of the INN"
    else:
        read_as = "the decoding is that of the UNII list's preferred name (the substance has " \
                  "no INN)"
    return (f"{text} is the {RELATION_LABELS[substance.relation]} of {meant} "
            f"(UNII {substance.unii}): {read_as}")


def _drug_class(text: str, row: ClassRow, tables: Tables) -> Decoding:
    """A class phrase (beta-blockers): the WHO stem that defines it, and some members."""
    stems: tuple[StemMatch, ...] = ()
    if row.stem and row.members:
        stems = tuple(m for m in classify_word(row.members[0].split(" ")[0], tables)
                      if m.stem == row.stem)[:1]
    defined = f"; defined by the WHO stem {row.stem}" if row.stem else "; no WHO stem defines it"
    notes = (f"a drug class ({row.label}, drug_classes.tsv line {row.line}){defined}",
             f"members include {', '.join(row.members)}")
    return Decoding(input=text, kind=Kind.CLASS, name=row.key, stems=stems, notes=notes)


def _combination(text: str, normal: str, tables: Tables, registry: Registry, sep: str
                 ) -> Decoding:
    """``a/b/c`` fixed combinations, and ``a and b`` products: decode each part."""
    parts = [p.strip() for p in normal.split(sep) if p.strip()]
    components = tuple(_resolved(p, p, _Own(p, p, registry), tables, registry)
                       for p in parts)
    bad = [c.input for c in components if c.failure is not None and c.substance is None
           and c.registry is None]
    if not components or bad:
        return Decoding(
            input=text, kind=Kind.UNKNOWN, name=normal, components=components,
            reason=f"combination with parts that no rule or list reads: {', '.join(bad)}",
            failure=Failure.NO_RULE,
        )
    eras = sorted({e for c in components for e in c.eras}, key=ERA_ORDER.__getitem__)
    whole = registry.identify(normal)  # a fixed combination may be one substance
    return Decoding(
        input=text, kind=Kind.COMBINATION, name=normal, components=components, eras=tuple(eras),
        warnings=tuple(w for c in components for w in c.warnings), substance=whole,
        identifiers=(("unii", whole.unii),) if whole else (),
    )


def _decode_phrase(text: str, normal: str, tables: Tables, registry: Registry) -> Decoding:
    """A normalised name: its antibody word read by the scheme, else its stems."""
    warnings: list[str] = []
    normal, stereo = strip_stereo(normal)
    if stereo:  # d,l-sotalol: the INN is sotalol
        warnings.append(f"'{stereo}' is a stereo descriptor, not part of the INN")
    rest, label, label_warnings = split_radiolabel(normal, text, tables)
    warnings += label_warnings
    tokens, fda_suffix = _without_fda_suffix(rest.split(" "), tables)
    found = _antibody_word(tokens, tables)
    index = found[0] if found is not None else None
    if index is None and len(tokens) == 1:
        missed = _conjugate_near_miss(text, tokens[0], tables, registry)
        if missed is not None:
            return missed
    if index is None:
        general = decode_general(text, tokens, tables, label, fda_suffix, warnings, registry)
        if len(tokens) == 1 and label is None and fda_suffix is None:
            return _name_near_miss(text, tokens[0], general, registry) or general
        return general
    fda_prefix, word = _without_fda_prefix(tokens[index], tables)
    if index > 0:
        warnings.append(f"ignored words before the antibody name: {' '.join(tokens[:index])}")
    modifiers: tuple[Modifier, ...] = ()
    if index + 1 < len(tokens):  # most names are one word
        read = [_modifier_in_language(t, tables, registry) for t in tokens[index + 1:]]
        modifiers = tuple(m for m, _ in read)
        warnings += [note for _, note in read if note]
    if modifiers or fda_prefix:
        warnings += _modifier_warnings(modifiers, tables, fda_prefix)
    exception = tables.exceptions.get(word)
    if exception is not None:
        entry = _known(registry, word, modifiers)
        return _from_exception(text, exception, modifiers, fda_suffix, label, warnings, tables,
                               entry)
    stem_row = found[1] if found is not None else None  # the row of these letters
    readings = enumerate_readings(word, tables, stem_row) if stem_row else []
    if not readings or stem_row is None:
        return _unreadable(text, word, stem_row, registry)
    ranked = rank(readings, tables)
    best = ranked.best
    warnings += _reading_warnings(ranked, stem_row, tables)
    entry, suggestion, checked = _known_or_new(word, modifiers, best, stem_row, tables,
                                                registry)
    warnings += checked
    if suggestion is None and modifiers and any(m.suggestion for m in modifiers):
        # Trastuzumab Emtansin: the whole name as it is probably meant, not the antibody alone.
        suggestion = " ".join([word, *(m.suggestion or m.word for m in modifiers)])
    return Decoding(
        input=text,
        kind=Kind.ANTIBODY,
        name=word,
        prefix=best.prefix,
        target_substem=best.target,
        target_form=best.target_form,
        target_meaning=best.target_meaning,
        source_substem=best.source,
        source_meaning=best.source_meaning,
        stem=best.stem,
        stem_meaning=stem_row.meaning,
        eras=ranked.eras,
        modifiers=modifiers,
        fda_suffix=fda_suffix,
        fda_prefix=fda_prefix,
        radiolabel=label,
        ambiguous=ranked.ambiguous,
        readings=ranked.compatible,
        alternatives=ranked.alternatives,
        notes=_era_notes(ranked.compatible) + _unlisted_note(entry, registry),
        registry=entry,
        suggestion=suggestion,
        warnings=tuple(warnings),
    )


def _unlisted_note(entry: RegistryEntry | None, registry: Registry) -> tuple[str, ...]:
    """A name the shipped table lacks is read from its letters alone: say so, and how far the
    table runs, so that a reader knows the facts are missing, not denied."""
    if entry is not None or not registry.known_names.shipped:
        return ()
    table = antibody_coverage(registry.rules).phrase()
    return (f"not in innkit's table of WHO antibody INNs, which holds {table}: a name newer "
            "than the table, or no INN; decoded by morphology alone",)


def _conjugate_near_miss(text: str, word: str, tables: Tables, registry: Registry
                         ) -> Decoding | None:
    """A word no registry knows that misspells a conjugate, payload or other lens word
    (ozogamycin): the word it probably means, offered before any stem is read into it."""
    lenses = registry.rules.lenses
    if word in tables.modifiers or lenses.get(word) is not None:
        return None
    # What the word denotes first: a decode asks it of every name anyway (and remembers the
    # answer), and most words are listed names, which are no misspelling; the near miss is
    # then sought for the others only.
    if registry.identify(word):
        return None
    near = lens_near_miss(word, tables, lenses.spelt)
    if near is None or _derived(word, near, tables):
        return None
    row = tables.modifiers.get(near)
    lens = lenses.get(near)
    meaning = row.meaning if row is not None else lens.describe() if lens is not None else ""
    return Decoding(
        input=text, kind=Kind.UNKNOWN, name=word, suggestion=near, failure=Failure.NO_RULE,
        reason=f"not a listed name; close to the listed word {near!r} ({meaning}): a "
               "misspelling? No stem is read into a misspelt word",
    )


def _derived(word: str, near: str, tables: Tables) -> bool:
    """Whether ``word`` is ``near`` with a suffix stem read in it after its letters (a final
    vowel giving way): a derivative, no misspelling (glucuronidase, an enzyme, from glucuronide
    and -ase; not immunoglobulinil, whose -nil takes immunoglobulin's n)."""
    for m in classify_word(word, tables):
        if m.position == "suffix" and m.confidence != Confidence.LOW:
            root = word[: len(word) - len(m.stem.strip("-"))]
            if len(root) >= DERIVED_ROOT and near.startswith(root) and \
                    near[len(root):] in ("", "a", "e", "i", "o", "u", "y"):
                return True  # a final vowel gives way; a consonant is the stem's own letter
    return False


DERIVED_ROOT = 5
"""The fewest letters of a listed word that a derivative of it keeps before its suffix stem."""


UNLISTED_WORDS = ("zzqxjvumab", "qzxwvkjq")
"""Made-up words no list or dictionary holds, the first antibody-shaped: decoding them goes
through every look-up a misspelt name does (the English word lists, the near-miss indexes), so
a process that forks workers or serves requests loads those once, before, for all of them."""

_NAME_KINDS = frozenset({"substance", "official", "brand"})
"""Kinds of the broad list a misspelt drug word is matched against (codes are not words)."""


@owner_cache(maxsize=1)
def _drug_words(registry: Registry) -> tuple[str, ...]:
    """The one-word substance, official and brand names of the broad list, for near misses."""
    return tuple(dict.fromkeys(name for name in registry.unii_words(_NAME_KINDS)
                               if name.isalpha()))


def _name_near_miss(text: str, word: str, general: Decoding, registry: Registry
                    ) -> Decoding | None:
    """A word no list knows, with no stem read surely, one or two letters from a known drug
    name (nivolumb, adalimumub, warfrin): the name it probably means, offered instead of a
    guess from its letters. A word read by a lens or a sure stem keeps its reading."""
    if general.failure is None and general.kind == Kind.UNKNOWN:  # a lens or salt reading
        return None
    if general.registry is not None or registry.identify(word) is not None or is_english(word):
        return None
    # a sure stem, or an enzyme's ending (nitrilase: an enzyme, whose misspelling would be
    # of another enzyme, not of nitrinose)
    tables = registry.rules.tables
    sure = [m for m in general.stems if m.confidence == Confidence.HIGH
            or reads_alone(m, tables)]
    if sure:
        return _sure_stem_near_miss(word, general, sure, registry)
    near = near_miss(word, registry.name_choices()) or near_miss(word, _drug_words(registry))
    # A word in current English use is one of its own (Nexium beside dexium, Vicodin beside
    # nicodin: brands the list lacks), not a misspelling, which is rare (warfrin); nor is a
    # product of the name's line (Zyrtec-D); nor is a derivative of it (nicotinamidase, an
    # enzyme that acts on nicotinamide).
    if near is None or is_established(word) or word.rpartition("-")[0] == near \
            or _derived(word, near, tables):
        return None
    return Decoding(
        input=text, kind=Kind.UNKNOWN, name=word, suggestion=near, failure=Failure.NO_RULE,
        reason=f"not a listed name; close to the known name {near!r}: a misspelling? No stem "
               "is read into a misspelt word",
    )


SURE_NEAR_MISS_LETTERS = 8
"""The shortest name read surely by its stem that may be called a misspelling."""


def _sure_stem_near_miss(word: str, general: Decoding, sure: list[StemMatch],
                         registry: Registry) -> Decoding | None:
    """A name no list knows, read surely by its stem, one letter from a known name built on
    the same stem (lisinipril, lisinopril): the reading stands, with the name it may mean. Its
    letters may be a new name's or a natural product's, so only one edit counts, not in the
    first letter (avermectin is no ivermectin), only in a name of eight letters or more
    (plectin, a protein, is no pectin), and only towards a name in current English use: a
    drug people write often is the one they misspell (oligomycin is no olivomycin)."""
    if len(word) < SURE_NEAR_MISS_LETTERS or is_established(word):
        return None
    near = near_miss(word, registry.name_choices(), max_edits=1) or \
        near_miss(word, _drug_words(registry), max_edits=1)
    if near is None or near[0] != word[0] or word.rpartition("-")[0] == near \
            or not is_established(near):
        return None
    stems = {m.stem for m in sure}
    if not stems & {m.stem for m in classify_word(near, registry.rules.tables)}:
        return None
    return _replace(general, suggestion=near, warnings=(
        *general.warnings, f"not a known name, but one letter from {near!r}, which is built on "
                           f"the same stem: a misspelling?"))


def _unreadable(text: str, word: str, stem_row: StemRow | None, registry: Registry
                ) -> Decoding:
    """An antibody-shaped word that no substems fit: unknown, with the nearest known name."""
    stem = stem_row.stem if stem_row else "?"
    suggestion = near_miss(word, registry.name_choices())
    hint = f"; close to the known name {suggestion!r}: a misspelling?" if suggestion else ""
    return Decoding(
        input=text, kind=Kind.UNKNOWN, name=word, suggestion=suggestion, failure=Failure.NO_RULE,
        reason=f"ends in -{stem} but no target or source substem of any era fits the "
               f"letters before it ({word[: -len(stem)] if stem_row else word}){hint}",
    )


def _known_or_new(word: str, modifiers: tuple[Modifier, ...], best: Reading, stem_row: StemRow,
                  tables: Tables, registry: Registry
                  ) -> tuple[RegistryEntry | None, str | None, list[str]]:
    """The registry entry of a name that reads well, with what contradicts the reading; or,
    for a name no registry knows, a near miss one edit away and whether it is English."""
    entry = _known(registry, word, modifiers)
    if entry is not None:
        return entry, None, registry_conflicts(entry, best.source, best.source_meaning,
                                               stem_row.stem, tables)
    warnings = []
    if is_english(word):  # atonement, refinement: the letters fit, but it is English
        warnings.append(f"{word!r} is an ordinary English word: the reading fits its "
                        "letters, but the word is probably not a drug name")
    # A name that reads correctly may be new: only one edit away counts as a near miss.
    suggestion = near_miss(word, registry.name_choices(), max_edits=1)
    if suggestion:
        warnings.append(f"not a known name, but close to {suggestion!r}: a misspelling?")
    return None, suggestion, warnings


def _without_fda_prefix(word: str, tables: Tables) -> tuple[str | None, str]:
    """The FDA prefix of an antibody word (ado-trastuzumab), if any, and the word without it."""
    found = fda_prefix_of(word)
    if found and word not in tables.exceptions:
        return found
    return None, word


def _without_fda_suffix(tokens: list[str], tables: Tables) -> tuple[list[str], str | None]:
    """The words without the FDA suffix, and the suffix. It sits on the last word of the whole
    name (fam-trastuzumab deruxtecan-nxki), and only of an antibody or a biologic."""
    found = fda_suffix_of(tokens[-1])
    if found and tokens[-1] not in tables.exceptions:
        left, suffix = found
        probe = [*tokens[:-1], left]
        if _antibody_word(probe, tables) is not None or _is_biologic(left, tables):
            return probe, suffix
    return tokens, None


def _modifier_in_language(word: str, tables: Tables, registry: Registry
                          ) -> tuple[Modifier, str | None]:
    """A word after the antibody word; a Latin, French or Spanish form of a listed word
    (ozogamicina) reads as that word, with a note, never as a misspelling of it."""
    mod = classify_modifier(word, tables)
    if not mod.suggestion:
        return mod, None
    try:
        forms = language_forms(registry.rules)
    except DataError:  # a folder of rules without language forms: no word is one
        return mod, None
    for form, language in forms.inn_candidates(word):
        if language is not None and form in tables.modifiers:
            label = RELATION_LABELS.get(language, language.value)
            return (replace(classify_modifier(form, tables), word=word),
                    f"second word {word!r} is the {label} form of {form!r}")
    return mod, None


def _modifier_warnings(modifiers: tuple[Modifier, ...], tables: Tables,
                       fda_prefix: str | None = None) -> list[str]:
    """What a reader should know of the words around the antibody word: a qualifier's note,
    a near miss, a word no table lists, and an FDA prefix (after them, as it was read)."""
    out = []
    for mod in modifiers:
        note = tables.qualifiers.get(mod.word)
        if note is not None and note.note:
            out.append(f"{mod.word}: {note.note}")
        if mod.suggestion:
            out.append(f"second word {mod.word!r} is not listed; it is close to "
                       f"{mod.suggestion!r}: a misspelling?")
        elif mod.kind == "unknown_modifier":
            out.append(f"second word {mod.word!r} is in no modifier table and has no known "
                       "ending")
    if fda_prefix:
        out.append(f"'{fda_prefix}-' is an FDA prefix that sets this product apart from the "
                   "unconjugated antibody; it is not part of the INN")
    return out


def _reading_warnings(ranked: Ranked, stem_row: StemRow, tables: Tables) -> list[str]:
    """Doubts about the best reading: an unused source, a tie, a USAN-only stem."""
    best = ranked.best
    out = []
    if best.source in tables.unused_sources:
        out.append(f"the only reading needs the source -{best.source}- "
                   f"({best.source_meaning}), which no INN is known to use")
    if ranked.ambiguous:
        tied = [a.segmentation for a in ranked.alternatives if a.score == best.score]
        out.append(f"ambiguous: {best.segmentation} ties with {', '.join(tied)}")
    if stem_row.kind == "stem" and stem_row.group == "USAN":
        out.append(f"-{stem_row.stem} is a USAN-only stem")
    return out


def _era_notes(readings: tuple[Reading, ...]) -> tuple[str, ...]:
    """Say why more than one era fits, and pass on notes about how the letters join."""
    if len(readings) == 1:
        return (readings[0].note,) if readings[0].note else ()
    notes = [r.note for r in readings[:1] if r.note]
    if len({r.era for r in readings}) > 1:
        readings = tuple(sorted(readings, key=lambda r: ERA_ORDER[r.era]))
        cuts = {r.segmentation for r in readings}
        eras = " and ".join(dict.fromkeys(r.era for r in readings))
        if len(cuts) == 1:
            notes.append(f"the letters read the same under the {eras} rules: the era cannot be "
                         "decided from the name")
        else:
            ways = "; ".join(f"{r.era}: {r.segmentation} ({r.target_form})" for r in readings)
            notes.append(f"{ways}: the readings agree in meaning, so the era stays open")
    return tuple(notes)


def _antibody_word(tokens: list[str], tables: Tables) -> tuple[int, StemRow | None] | None:
    """Index of the first token that is an antibody word (spec 5.1 step 4), and the stem row
    its letters (less an FDA prefix) end in, found once for the reading; no row for an
    irregular name."""
    for i, token in enumerate(tokens):
        if token in tables.exceptions:
            return i, None
        found = fda_prefix_of(token)
        word = found[1] if found else token
        if word.isalpha() and word.isascii():
            row = antibody_stem(word, tables)
            if row is not None:
                return i, row
    return None


def _known(registry: Registry, word: str, modifiers: tuple[Modifier, ...]) -> RegistryEntry | None:
    """The registry entry for the name with its second word, else for the antibody word.

    The shipped and user tables come first, so that the facts they hold (target, format,
    year, status) are never hidden by the bare UNII entry of a conjugate."""
    full = f"{word} {modifiers[0].word}" if modifiers else None
    for name in (full, word):
        if name is not None and (entry := registry.known(name)) is not None:
            return entry
    return (registry.get(full) if full else None) or registry.get(word)


def _is_biologic(word: str, tables: Tables) -> bool:
    """A word built on a suffix stem (tagraxofusp, luspatercept): FDA suffixes follow these."""
    return any((m.position == "suffix" and not m.historical and m.confidence != Confidence.LOW)
               or (m.position == "suffix" and m.row.startswith("biologic_stems"))
               for m in classify_word(word, tables))


def _from_exception(
    text: str,
    ex: ExceptionRow,
    modifiers: tuple[Modifier, ...],
    fda_suffix: str | None,
    label: Radiolabel | None,
    warnings: list[str],
    tables: Tables,
    entry: RegistryEntry | None,
) -> Decoding:
    """An irregular name recorded in ``exceptions.tsv``: its parts come from the row."""
    trow = tables.target_row(ex.target_era, ex.target_form) if ex.target_form else None
    srow = tables.source_row(ex.source) if ex.source else None
    stem_row = tables.stem_row(ex.stem)
    warnings = [*warnings, f"irregular name (exceptions.tsv line {ex.line}): {ex.reason}"]
    return Decoding(
        input=text,
        kind=Kind.ANTIBODY,
        name=ex.name,
        prefix=ex.prefix,
        target_substem=ex.target or None,
        target_form=trow.form if trow else None,
        target_meaning=trow.meaning if trow else None,
        source_substem=ex.source or None,
        source_meaning=srow.meaning if srow else None,
        stem=ex.stem,
        stem_meaning=stem_row.meaning if stem_row else None,
        suffix=ex.suffix or None,
        eras=ex.eras,
        modifiers=modifiers,
        fda_suffix=fda_suffix,
        radiolabel=label,
        irregular=True,
        registry=entry,
        warnings=tuple(warnings),
        reason=ex.reason,
    )
