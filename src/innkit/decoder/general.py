"""Names that are not antibodies: salts and qualifiers aside, then the WHO stems of each word."""

from __future__ import annotations

import re

from ..models import Decoding, Modifier, Radiolabel, StemMatch
from ..registry import Registry
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
    """Decode a name by its general WHO stems (spec 9.2); ``kind`` is ``stem`` or ``unknown``."""
    words, salts = split_salts(tokens, tables)
    qualifiers: list[Modifier] = []
    kept: list[str] = []
    for word in words:
        mod = qualifier(word, tables) if kept else None
        if mod is not None:
            qualifiers.append(mod)
        else:
            kept.append(word)
    name = " ".join(kept)
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
        return Decoding(input=text, kind=Kind.UNKNOWN, name=name,
                        reason="not a name: INN words are letters, with at most a hyphenated "
                               "code (sipuleucel-T)", failure=Failure.NO_RULE)
    matches: list[StemMatch] = []
    covered: set[str] = set()
    if len(kept) > 1:  # stems written as two words: "-dronic acid"
        matches += [m for m in classify_word(name, tables) if " " in m.stem]
        covered = {w for m in matches for w in m.word.split(" ")}
    for word in kept:
        if word not in covered:
            # A hyphenated code after the word (sipuleucel-T) is part of the name, not the stem.
            matches += classify_word(word.split("-")[0] if "-" in word else word, tables)
    conjugate = None
    if len(kept) == 1 and kept[0] in tables.modifiers:
        conjugate = classify_modifier(kept[0], tables)
    entry = registry.get(name)
    if not matches:
        reason = ("no WHO stem fits this name, and it is not an antibody name (antibody names "
                  "end in -mab, -tug, -bart, -mig or -ment)")
        if entry is not None:
            what = f"{entry.kind} name" + (f" for {entry.refers_to}" if entry.refers_to else "")
            reason = (f"a known {what} ({entry.origin} list); no WHO stem or antibody rule is "
                      "written in it")
        return Decoding(
            input=text, kind=Kind.UNKNOWN, name=name, salts=tuple(salts), radiolabel=label,
            modifiers=tuple(qualifiers), conjugate=conjugate, registry=entry, reason=reason,
            failure=Failure.NO_RULE,
        )
    if all(m.confidence == Confidence.LOW for m in matches):
        warnings.append("only weak or short stems match: the reading is uncertain")
    if any(m.historical for m in matches):
        warnings.append("a matching stem was deleted from the General Principles: historical")
    return Decoding(
        input=text, kind=Kind.STEM, name=name, stems=tuple(matches), salts=tuple(salts),
        modifiers=tuple(qualifiers), radiolabel=label, conjugate=conjugate,
        fda_suffix=fda_suffix, registry=entry, warnings=tuple(warnings),
    )
