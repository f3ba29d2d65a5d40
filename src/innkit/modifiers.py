"""Words around the antibody word: conjugates, modifiers, qualifiers, radiolabels, FDA affixes.

Spec sections 5.1 and 7. Every answer names the table row (or the ending rule) that produced it.
"""

from __future__ import annotations

import re

from .models import Modifier, Radiolabel
from .stems import classify_word
from .tables import ModifierRow, Tables

# INN style: "indium (111In) ..." (spacing inside the parentheses varies: "(99m Tc)").
_INN_LABEL = re.compile(r"^([a-z]+) \((\d{1,3})(m?) ?([a-z]{1,2})\) (.+)$")
# USAN style: "iodine I 131 tositumomab", "technetium Tc 99m fanolesomab".
_USAN_LABEL = re.compile(r"^([a-z]+) ([a-z]{1,2}) (\d{1,3})(m?) (.+)$")
# ATC-list style, after the name: "ibritumomab tiuxetan (90Y)".
_TRAILING_LABEL = re.compile(r"^(.+) \((\d{1,3})(m?) ?([a-z]{1,2})\)$")
_HAS_DIGIT = re.compile(r"\d")
# Greek-letter qualifiers may carry a variant number: "alfa-2a", "beta-1b".
_QUALIFIER_NUMBER = re.compile(r"^([a-z]+)-(\d+[a-z]?)$")


def split_radiolabel(
    text: str, original: str, tables: Tables
) -> tuple[str, Radiolabel | None, list[str]]:
    """Remove a radiolabel from normalised ``text``; return the rest, the label and warnings."""
    warnings: list[str] = []
    if not _HAS_DIGIT.search(text):  # every radiolabel has a mass number
        return text, None, warnings
    by_symbol = tables.radiolabels_by_symbol
    m = _INN_LABEL.match(text)
    if m and m.group(1) in tables.radiolabels:
        element, mass, meta, symbol, rest = m.groups()
        style = "INN"
    else:
        m = _USAN_LABEL.match(text)
        if m and m.group(1) in tables.radiolabels and m.group(2) in by_symbol:
            element, symbol, mass, meta, rest = m.groups()
            style = "USAN"
        else:
            m = _TRAILING_LABEL.match(text)
            if not (m and m.group(4) in by_symbol):
                return text, None, warnings
            rest, mass, meta, symbol = m.groups()
            element = None
            style = "trailing"
    row = tables.radiolabels.get(element) if element else by_symbol[symbol]
    if row is None:  # pragma: no cover - guarded by the regex branches above
        return text, None, warnings
    if row.symbol.lower() != symbol:
        warnings.append(
            f"radiolabel symbol {symbol!r} does not match element {row.element} ({row.symbol})"
        )
    mass_number = mass + meta
    if mass_number not in row.mass_numbers:
        warnings.append(
            f"isotope {mass_number}{row.symbol} is not among those listed for {row.element} "
            f"({', '.join(row.mass_numbers)})"
        )
    label_text = _label_text(original, text, rest)
    label = Radiolabel(label_text, row.element, row.symbol, mass_number, style)
    return rest, label, warnings


def _label_text(original: str, text: str, rest: str) -> str:
    """The label as the user wrote it, when the normalised text maps one-to-one onto it."""
    if len(original.strip()) == len(text):
        stripped = original.strip()
        if text.startswith(rest):
            return stripped[len(rest):].strip()
        return stripped[: len(text) - len(rest)].strip()
    return text.replace(rest, "").strip()


def qualifier(word: str, tables: Tables) -> Modifier | None:
    """A Greek-letter or parenthesised qualifier (``alfa``, ``beta-1b``, ``(activated)``)."""
    row = tables.qualifiers.get(word)
    if row is None and "-" in word:
        m = _QUALIFIER_NUMBER.match(word)
        row = tables.qualifiers.get(m.group(1)) if m else None
    return _from_row(word, row) if row is not None else None


def classify_modifier(word: str, tables: Tables) -> Modifier:
    """What a word after the antibody word means: lexicon first, then qualifiers, then endings."""
    row = tables.modifiers.get(word)
    if row is not None:
        return _from_row(word, row)
    found = qualifier(word, tables)
    if found is not None:
        return found
    near = near_miss(word, tuple(tables.modifiers))
    for ending in tables.endings:
        if word.endswith(ending.word) and len(word) > len(ending.word):
            return Modifier(
                word=word,
                kind=ending.kind,
                meaning=ending.meaning,
                payload_class=ending.payload_class or None,
                matched_by=ending.source,
                confidence="low" if near else "medium",
                suggestion=near,
            )
    if near:
        row = tables.modifiers[near]
        return Modifier(word=word, kind="unknown_modifier", meaning=f"near miss of {near}: "
                        f"{row.meaning}", payload_class=None, matched_by=row.source,
                        confidence="low", suggestion=near)
    for match in classify_word(word, tables):
        if match.confidence != "low":
            return Modifier(
                word=word,
                kind="stem",
                meaning=match.meaning,
                matched_by=f"stem {match.stem} ({match.row})",
                confidence=match.confidence,
            )
    return Modifier(word=word, kind="unknown_modifier", matched_by=None, confidence=None)


MAX_NEAR_MISS = 2
"""Edits (Levenshtein) within which a word counts as a near miss of a listed one."""


def near_miss(word: str, choices: tuple[str, ...], max_edits: int = MAX_NEAR_MISS) -> str | None:
    """The listed word ``word`` most likely misspells (at most ``max_edits`` away), or None."""
    if len(word) < 6 or not choices:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    limit = 1 if len(word) < 8 else max_edits
    found = process.extractOne(word, choices, scorer=Levenshtein.distance, score_cutoff=limit)
    return found[0] if found and found[1] > 0 else None


def _from_row(word: str, row: ModifierRow) -> Modifier:
    return Modifier(
        word=word,
        kind=row.kind,
        meaning=row.meaning or None,
        payload_class=row.payload_class or None,
        matched_by=row.source,
        confidence=row.confidence or None,
    )
