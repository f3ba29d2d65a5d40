"""Names that are not antibodies: the lens of each word first (a payload, an element, an amino
acid ...), then salts and qualifiers aside, then the WHO stems of the words no lens claims."""

from __future__ import annotations

import re
from dataclasses import replace

from ..models import Decoding, Modifier, Radiolabel, StemMatch
from ..registry import Registry
from ..registry.keys import is_research_code
from ..rules.english import is_english, is_established
from ..rules.lenses import HEAD_LENSES, TAIL_LENSES, Lenses, LensRow
from ..rules.tables import Tables
from ..vocab import Confidence, Failure, Kind
from .modifiers import classify_modifier, qualifier
from .stems import classify_word

_WORD = re.compile(r"^[a-z]+(?:-[a-z0-9]+)*$")
_HAS_LETTER = re.compile(r"[a-z]")


def split_salts(tokens: list[str], tables: Tables) -> tuple[list[str], list[str]]:
    """Separate salt, ester and hydrate words (``enoxaparin sodium``) from the rest."""
    salts: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        pair = " ".join(tokens[i:i + 2])
        if i + 1 < len(tokens) and pair in tables.salts:
            salts.append(pair)
            i += 2
            continue
        (salts if tokens[i] in tables.salts else rest).append(tokens[i])
        i += 1
    if not rest:  # "sodium" alone, or "lysine": the word is the substance itself
        return salts, []
    return rest, salts


def decode_general(
    text: str,
    tokens: list[str],
    tables: Tables,
    label: Radiolabel | None,
    fda_suffix: str | None,
    warnings: list[str],
    registry: Registry,
) -> Decoding:
    """Decode a name by its general WHO stems (spec 9.2); ``kind`` is ``stem`` or ``unknown``.

    A word a lens claims is read as the lens says, and offered no stem but the one its lens
    row names; a phrase ending in a class word is a drug class; a name of salt words only is
    a salt named by its ions alone; a vaccine, immune globulin or antitoxin is read by that word
    (``TAIL_LENSES``), whatever the words that say which one."""
    lenses = registry.rules.lenses
    kept: list[str]
    salts: list[str]
    qualifiers: list[Modifier]
    if len(tokens) == 1 and (label is None or tokens[0] not in tables.salts):
        # One word (most names): no class phrase, no salt or qualifier beside it, and its lens
        # is the whole name's.
        name = tokens[0]
        whole = lenses.get(name)
        if whole is not None:
            return _lens_reading(text, name, whole, (), (), tables, registry, warnings, label,
                                 fda_suffix)
        kept, salts, qualifiers = [name], [], []
    else:
        if lenses.is_class_phrase(tokens):
            return _class_phrase(text, tokens, lenses)
        if (len(tokens) > 1 or label is not None) and all(t in tables.salts for t in tokens):
            return _inorganic_salt(text, tokens, lenses, registry, label)
        whole = lenses.get(" ".join(tokens))
        if whole is not None:
            return _lens_reading(text, " ".join(tokens), whole, (), (), tables, registry,
                                 warnings, label, fda_suffix)
        words, salts = split_salts(tokens, tables)
        qualifiers, kept = [], []
        for word in words:
            mod = qualifier(word, tables) if kept else None
            if mod is not None:
                qualifiers.append(mod)
            else:
                kept.append(word)
        name = " ".join(kept)
        head = lenses.get(kept[0]) if kept else None
        if head is not None and (len(kept) == 1 or head.lens in HEAD_LENSES):
            return _lens_reading(text, name, head, tuple(salts), tuple(qualifiers), tables,
                                 registry, warnings, label, fda_suffix)
        product = _product_word(kept, lenses) if head is None else None
        if product is not None:
            return _lens_reading(text, name, product, tuple(salts), tuple(qualifiers), tables,
                                 registry, warnings, label, fda_suffix)
    if not kept or not _HAS_LETTER.search(name):
        return Decoding(input=text, kind=Kind.UNKNOWN, name=name or None, salts=tuple(salts),
                        reason="no letters: an INN is written in letters"
                        if not _HAS_LETTER.search(text.lower()) else "only salt words",
                        failure=Failure.NO_RULE)
    if not name.isascii():
        return Decoding(input=text, kind=Kind.UNKNOWN, name=name,
                        reason="contains characters that INNs never use (INNs are plain Latin "
                               "letters)", failure=Failure.NO_RULE)
    if not (_WORD.match(name) if len(kept) == 1 else all(_WORD.match(w) for w in kept)):
        rule = "INN words are letters, with at most a hyphenated code (sipuleucel-T)"
        reason = (f"a listed name written as no INN is ({rule}): no stem is read in it"
                  if registry.identify(name) is not None else f"not a name: {rule}")
        return Decoding(input=text, kind=Kind.UNKNOWN, name=name, reason=reason,
                        failure=Failure.NO_RULE)
    matches: list[StemMatch] = []
    covered: set[str] = set()
    spaced = tables.spaced_suffixes
    if len(kept) > 1 and (spaced is None or name.endswith(spaced)):
        # stems written as two words ("-dronic acid"): only a phrase ending in one holds one
        matches += [m for m in classify_word(name, tables) if " " in m.stem]
        covered = {w for m in matches for w in m.word.split(" ")}
    codes = [w for w in kept if is_research_code(w)]
    for word in kept:
        if word not in covered and word not in codes:  # a code's letters are no stem
            bare = _stem_word(word)
            found = classify_word(bare, tables)
            lens = lenses.get(bare) if len(kept) > 1 else None
            if lens is not None:  # gallium in gallium oxodotreotide: only the lens's stem
                found = [m for m in found if m.stem == lens.who_stem]
            matches += found
    conjugate = None
    if len(kept) == 1 and kept[0] in tables.modifiers:
        conjugate = classify_modifier(kept[0], tables)
    entry = registry.get(name)
    chemistry = _chemistry_notes(kept, tables) + tuple(
        f"{code}: a research code (letters and a number): its letters name a company or "
        "programme, and no stem is read in them" for code in codes)
    if not matches:
        reason = ("no WHO stem fits this name, and it is not an antibody name (antibody names "
                  "end in -mab, -tug, -bart, -mig or -ment)")
        if entry is not None:
            what = f"{entry.kind} name" + (f" for {entry.refers_to}" if entry.refers_to else "")
            reason = (f"a known {what} ({entry.origin} list); no WHO stem or antibody rule is "
                      "written in it")
        elif registry.identify(name) is not None:  # in the UNII index, not the name lists
            reason = "a known substance name (unii list); no WHO stem or antibody rule is " \
                     "written in it"
        return Decoding(
            input=text, kind=Kind.UNKNOWN, name=name, salts=tuple(salts), radiolabel=label,
            modifiers=tuple(qualifiers), conjugate=conjugate, registry=entry, reason=reason,
            failure=Failure.NO_RULE, notes=chemistry,
        )
    if all(m.confidence == Confidence.LOW for m in matches):
        # words in the order the name has them (a set's order changes from run to run)
        words = list(dict.fromkeys(m.word for m in matches))
        english = [w for w in words if _english_word(w, registry)]
        if entry is None and registry.identify(name) is None and len(english) == len(words):
            # allergenic extract: no ergot alkaloid; pneumococcal: no aldehyde
            stems = list(dict.fromkeys(m.stem for m in matches))
            suffixes = all(m.position == "suffix" for m in matches)
            part = ("ending" if suffixes else "letters") if len(stems) == 1 else \
                ("endings" if suffixes else "letters")
            what = (f"a word used in English text that none of innkit's drug lists holds: its "
                    f"{part}" if len(kept) == 1 else
                    f"words used in English text that none of innkit's drug lists holds "
                    f"({', '.join(english)}): their {part}")
            weak = (f"{stems[0]} {'is' if part == 'ending' else 'are'} only a weak WHO stem"
                    if len(stems) == 1 else f"{' and '.join(stems)} are only weak WHO stems")
            return Decoding(
                input=text, kind=Kind.UNKNOWN, name=name, salts=tuple(salts), radiolabel=label,
                reason=f"{what} {weak}, and none is read into such a word",
                failure=Failure.NO_RULE, notes=chemistry,
            )
        warnings.append("only weak or short stems match: the reading is uncertain")
    return Decoding(
        input=text, kind=Kind.STEM, name=name, stems=tuple(matches), salts=tuple(salts),
        modifiers=tuple(qualifiers), radiolabel=label, conjugate=conjugate,
        fda_suffix=fda_suffix, registry=entry, warnings=tuple(warnings), notes=chemistry,
    )


def _chemistry_notes(words: list[str], tables: Tables) -> tuple[str, ...]:
    """What a word's letters of chemical nomenclature (chemical_words.tsv) name, and the stems
    not read in or across them: why a sterol reads no -terol."""
    notes = []
    for word in words:
        bare = _stem_word(word)
        for row, _, _ in tables.chemistry_in(bare):
            notes.append(f"{bare}: {row.word!r} is chemical nomenclature ({row.meaning}) "
                         f"[{row.ref}]; {', '.join(sorted(row.hides))} not read in or across it")
    return tuple(notes)


def _english_word(word: str, registry: Registry) -> bool:
    """A word of English in use that no drug list holds (allergenic, pneumococcal)."""
    return (is_english(word) or is_established(word)) and registry.identify(word) is None


def _product_word(kept: list[str], lenses: Lenses) -> LensRow | None:
    """The lens of the last word after the first that names a product (a vaccine, an immune
    globulin, an antitoxin): the name is that product, and its other words say which one."""
    for word in reversed(kept[1:]):
        row = lenses.get(word)
        if row is not None and row.lens in TAIL_LENSES:
            return row
    return None


def _stem_word(word: str) -> str:
    """The part of a hyphenated word a stem is read in: the word before a code that is part of
    the name (sipuleucel-T), but the name after a short prefix that is none of it (nab- of
    nab-paclitaxel, nanoparticle albumin-bound: the prefix is no cannabinoid's nab-)."""
    if "-" not in word:
        return word
    head, _, tail = word.partition("-")
    if len(head) <= 3 and tail.isalpha() and len(tail) >= 4:
        return tail
    return head


CONJUGATE_LENSES = frozenset({"payload", "payload code", "toxin", "toxin code", "chelator",
                              "pegylation", "fusion", "pretargeting"})
"""Lenses of what is attached to an antibody: their reading is also the ``conjugate`` part."""


def _lens_modifier(row: LensRow) -> Modifier:
    """A conjugate lens reading as the decoding's ``conjugate`` part: kind, class, mechanism."""
    return Modifier(word=row.word, kind=row.lens, meaning=row.mechanism or None,
                    payload_class=row.klass or None, matched_by=row.source,
                    confidence=Confidence.HIGH)


def _lens_reading(text: str, name: str, row: LensRow, salts: tuple[str, ...],
                  qualifiers: tuple[Modifier, ...], tables: Tables, registry: Registry,
                  warnings: list[str], label: Radiolabel | None,
                  fda_suffix: str | None) -> Decoding:
    """A word a lens claims: read as the lens says. The only stem offered is the one the row
    names, and then as a known member of the stem's class (high confidence)."""
    words = name.split(" ")
    word = row.word if row.word in words else words[0]
    stems: tuple[StemMatch, ...] = ()
    if row.who_stem:
        stems = tuple(replace(m, confidence=Confidence.HIGH)
                      for m in classify_word(word, tables) if m.stem == row.who_stem)
    member = f"; a known member of the class of the WHO stem {row.who_stem}" if stems else \
        "; no WHO stem is read in it"
    rest = " ".join(w for w in words if w != word)
    if rest and word != words[0]:
        variant = f" ({rest}: which {row.word})"
    elif rest and row.lens in HEAD_LENSES:
        variant = f" ({rest} names the {row.word} variant)"
    else:
        variant = ""
    # as written (MMAE, not mmae), when the text is the word alone (no radiolabel around it)
    shown = text.strip() if name == row.word and label is None else word
    note = f"{shown}: {row.describe()} [{row.source}]{variant}{member}"
    entry = registry.get(name)
    ids = (("unii", row.unii),) if row.unii and not row.group and name == row.word else ()
    conjugate = _lens_modifier(row) if row.lens in CONJUGATE_LENSES else None
    if stems:
        return Decoding(input=text, kind=Kind.STEM, name=name, stems=stems, salts=salts,
                        modifiers=qualifiers, conjugate=conjugate, registry=entry,
                        radiolabel=label, fda_suffix=fda_suffix,
                        notes=(note,), warnings=tuple(warnings), identifiers=ids)
    return Decoding(input=text, kind=Kind.UNKNOWN, name=name, salts=salts, modifiers=qualifiers,
                    conjugate=conjugate, registry=entry, reason=note, radiolabel=label,
                    fda_suffix=fda_suffix,
                    warnings=tuple(warnings), identifiers=ids)


def _inorganic_salt(text: str, tokens: list[str], lenses: Lenses, registry: Registry,
                    label: Radiolabel | None = None) -> Decoding:
    """A name of salt and element words only (magnesium sulfate), or of a radionuclide and
    salt words (radium (223Ra) dichloride): a salt named by its ions alone, each word read by
    its lens; no WHO stem applies. Not called inorganic: the anion may be organic (ferrous
    fumarate, zinc gluconate)."""
    parts = [f"{label.text}: radionuclide {label.symbol}-{label.mass_number}"] \
        if label is not None else []
    for token in tokens:
        row = lenses.get(token)
        parts.append(f"{token}: {row.describe()} [{row.source}]" if row else token)
    what = "a salt of a radionuclide" if label is not None else "a salt named by its ions alone"
    reason = f"{what}, no WHO stem is read in it: " + "; ".join(parts)
    name = " ".join(tokens)
    return Decoding(input=text, kind=Kind.UNKNOWN, name=name, salts=tuple(tokens),
                    radiolabel=label, registry=registry.get(name), reason=reason)


def _class_phrase(text: str, tokens: list[str], lenses: Lenses) -> Decoding:
    """A phrase ending in a class word (topoisomerase I inhibitors): a drug class; no stem is
    read inside it."""
    last = tokens[-1]
    row = lenses.get(last) or lenses.get(last[:-1])
    where = f" [{row.source}]" if row else ""
    name = " ".join(tokens)
    return Decoding(input=text, kind=Kind.CLASS, name=name,
                    notes=(f"a drug class phrase: it ends in the class word {last!r}{where}; no "
                           "WHO stem is read inside it", f"the class of {name}"))
