"""Words around the antibody word: conjugates, modifiers, qualifiers, radiolabels, FDA affixes.

Spec sections 5.1 and 7. Every answer names the table row (or the ending rule) that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..models import Modifier, Radiolabel
from ..rules.affixes import find_label, modifier_ending, qualifier_row
from ..rules.tables import ModifierRow, Tables
from ..vocab import Confidence
from .stems import classify_word

_HAS_DIGIT = re.compile(r"\d")


def split_radiolabel(
    text: str, original: str, tables: Tables
) -> tuple[str, Radiolabel | None, list[str]]:
    """Remove a radiolabel from normalised ``text``; return the rest, the label and warnings."""
    warnings: list[str] = []
    if not _HAS_DIGIT.search(text):  # every radiolabel has a mass number
        return text, None, warnings
    found = find_label(text, tables)
    if found is None:
        return text, None, warnings
    row, rest, symbol, mass_number = found.row, found.rest, found.symbol, found.mass_number
    if row.symbol.lower() != symbol:
        warnings.append(
            f"radiolabel symbol {symbol!r} does not match element {row.element} ({row.symbol})"
        )
    if mass_number not in row.mass_numbers:
        warnings.append(
            f"isotope {mass_number}{row.symbol} is not among those listed for {row.element} "
            f"({', '.join(row.mass_numbers)})"
        )
    label_text = _label_text(original, text, rest)
    label = Radiolabel(label_text, row.element, row.symbol, mass_number, found.style.value)
    return rest, label, warnings


def _label_text(original: str, text: str, rest: str) -> str:
    """The label as the user wrote it, when the normalised text maps one-to-one onto it: the
    text around the rest (before it, after it, or both: rubidium chloride Rb 82)."""
    at = text.rfind(rest)
    written = original.strip() if len(original.strip()) == len(text) else text
    if at < 0:
        return text.replace(rest, "").strip()
    return " ".join(p for p in (written[:at].strip(), written[at + len(rest):].strip()) if p)


def qualifier(word: str, tables: Tables) -> Modifier | None:
    """A Greek-letter or parenthesised qualifier (``alfa``, ``beta-1b``, ``(activated)``)."""
    row = qualifier_row(word, tables)
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
    ending = modifier_ending(word, tables)
    if ending is not None:
        return Modifier(
            word=word,
            kind=ending.kind,
            meaning=ending.meaning,
            payload_class=ending.payload_class or None,
            matched_by=ending.source,
            confidence=Confidence.LOW if near else Confidence.MEDIUM,
            suggestion=near,
        )
    if near:
        row = tables.modifiers[near]
        return Modifier(word=word, kind="unknown_modifier", meaning=f"near miss of {near}: "
                        f"{row.meaning}", payload_class=None, matched_by=row.source,
                        confidence=Confidence.LOW, suggestion=near)
    for match in classify_word(word, tables):
        if match.confidence != Confidence.LOW:
            return Modifier(
                word=word,
                kind="stem",
                meaning=match.meaning,
                matched_by=f"stem {match.stem} ({match.row})",
                confidence=match.confidence,
            )
    return Modifier(word=word, kind="unknown_modifier", matched_by=None, confidence=None)


def lens_near_miss(word: str, tables: Tables, lens_words: Mapping[str, object]) -> str | None:
    """:func:`near_miss` among the words a near miss may mean before any stem is read
    (conjugate and modifier words, then the lens words, each once, in table order): every
    one-word name is asked, and most are near none, which one pattern says before any word
    is measured."""
    if len(word) < 6:
        return None
    limit = 1 if len(word) < 8 else MAX_NEAR_MISS
    choices, pieces = _lens_choices(tables.modifiers, lens_words).near(len(word), limit)
    if pieces.search(word) is None:
        return None
    return near_miss(word, choices, limit)


class _ByLength:
    """A list of choices; for a length and a number of edits, the part of it (in its order)
    whose words are of a length within reach (a word further in length is further in edits),
    and a pattern of their pieces: each word cut into one piece more than the edits, a word
    within reach holds one of its pieces whole (two edits spoil two pieces at most), so a word
    the pattern does not match is near none of them."""

    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices
        self._near: dict[tuple[int, int], tuple[tuple[str, ...], re.Pattern[str]]] = {}

    def near(self, size: int, limit: int) -> tuple[tuple[str, ...], re.Pattern[str]]:
        found = self._near.get((size, limit))
        if found is None:
            near = tuple(w for w in self.choices if abs(len(w) - size) <= limit)
            pieces = sorted({w[at:at + n] for w in near for at, n in _pieces(len(w), limit + 1)},
                            key=lambda p: (-len(p), p))
            pattern = re.compile("|".join(map(re.escape, pieces)) if near else "(?!)")
            found = self._near[size, limit] = (near, pattern)
        return found


_LENS_CHOICES: dict[tuple[int, int], tuple[object, object, _ByLength]] = {}
"""The lens choices by the identity of the two tables they come from (kept with them, so that
no other table takes their ids): made once per set of rules, not once per word."""


def _lens_choices(modifiers: Mapping[str, object], lens_words: Mapping[str, object]
                  ) -> _ByLength:
    found = _LENS_CHOICES.get((id(modifiers), id(lens_words)))
    if found is None:
        choices = tuple(dict.fromkeys(w for w in (*modifiers, *lens_words) if w.isalpha()))
        if len(_LENS_CHOICES) >= 8:
            _LENS_CHOICES.clear()
        found = _LENS_CHOICES[id(modifiers), id(lens_words)] = (
            modifiers, lens_words, _ByLength(choices))
    return found[2]


MAX_NEAR_MISS = 2
"""Edits (Levenshtein) within which a word counts as a near miss of a listed one."""
INDEXED_CHOICES = 4096
"""From this many names on, near misses are found through an index, not by trying every name."""


def near_miss(word: str, choices: tuple[str, ...], max_edits: int = MAX_NEAR_MISS) -> str | None:
    """The listed word ``word`` most likely misspells (at most ``max_edits`` away), or None.

    The closest name wins; among equally close ones, the one that keeps more of the word's
    first letters (a writer seldom misses those: simvastin is simvastatin, not nimvastid), then
    the first listed. A word that is itself listed is no near miss. Large lists (a user
    registry of 100,000 names) go through :class:`NearMissIndex`, which gives the same answer
    from a few candidates."""
    if len(word) < 6 or not choices:
        return None
    limit = 1 if len(word) < 8 else max_edits
    if len(choices) >= INDEXED_CHOICES and limit <= NearMissIndex.EDITS:
        return _index_for(choices).closest(word, limit)
    if len(choices) >= INDEXED_FROM and limit <= NearMissIndex.EDITS:
        return _mid_index_for(choices).closest(word, limit)
    return _closest(word, choices, limit)


INDEXED_FROM = 512
"""From this many names on, below INDEXED_CHOICES, the list gets an index too (a list of
1,400 drug words: about 130 -> 50 microseconds a word); a few such lists' indexes are kept
at once (they are small), where the large list's is one."""


_MID_INDEXES: dict[int, NearMissIndex] = {}
"""Indexes of mid-sized lists by the lists' identity (each index holds its list, so that no
other list takes its id), a few at most."""


def _mid_index_for(choices: tuple[str, ...]) -> NearMissIndex:
    found = _MID_INDEXES.get(id(choices))
    if found is None or found.choices is not choices:
        if len(_MID_INDEXES) >= 4:
            _MID_INDEXES.clear()
        found = _MID_INDEXES[id(choices)] = NearMissIndex(choices)
    return found


def _closest(word: str, choices: Sequence[str], limit: int) -> str | None:
    """:func:`near_miss` among ``choices`` (in the list's order)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    found = process.extract(word, choices, scorer=Levenshtein.distance, score_cutoff=limit,
                            limit=None)
    if not found or min(f[1] for f in found) == 0:
        return None
    best = min(found, key=lambda f: (f[1], -_shared_start(word, f[0]), f[2]))
    return best[0]


def _shared_start(a: str, b: str) -> int:
    """How many first letters ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class NearMissIndex:
    """Names within ``EDITS`` edits of a word, found without comparing it with every name.

    Each name is cut into EDITS + 1 pieces (where the cuts fall depends on its length only);
    two edits can spoil at most two pieces, so a name within reach shares at least one piece
    with the word, letter for letter, shifted by at most two places (the pigeonhole filter of
    PassJoin, Li et al. 2011). The index maps, per name length and piece number, each piece to
    the names that have it; a query looks up the word's substrings at the possible places for
    each nearby length and measures only those candidates (rapidfuzz). The pieces of one length
    are indexed the first time a word needs that length.
    """

    EDITS = MAX_NEAR_MISS

    def __init__(self, choices: tuple[str, ...]) -> None:
        self.choices = choices
        by_length: dict[int, list[int]] = {}
        for i, name in enumerate(choices):
            by_length.setdefault(len(name), []).append(i)
        self._by_length = by_length
        self._built: dict[int, tuple[tuple[int, int, dict[str, list[int]]], ...]] = {}

    def _pieces_of(self, size: int) -> tuple[tuple[int, int, dict[str, list[int]]], ...]:
        found = self._built.get(size)
        if found is None:
            ids = self._by_length.get(size, ())
            choices = self.choices
            built = []
            for at, n in _pieces(size, self.EDITS + 1):
                table: dict[str, list[int]] = {}
                setdefault = table.setdefault
                for i in ids:
                    setdefault(choices[i][at:at + n], []).append(i)
                built.append((at, n, table))
            found = self._built[size] = tuple(built)
        return found

    def closest(self, word: str, limit: int) -> str | None:
        size = len(word)
        seen: set[int] = set()
        # With as many edits as the pieces allow (EDITS), a name within reach has a piece
        # whole such that the edits before it are at most its number and those after it at
        # most the rest: piece k lies within k places of where it stands in the name, and
        # within EDITS - k of where the lengths' difference puts it (PassJoin's multi-match-
        # aware selection). With fewer edits, any piece lies within ``limit`` places.
        tight = limit == self.EDITS
        for other in range(max(self.EDITS + 1, size - limit), size + limit + 1):
            if other not in self._by_length:
                continue
            delta = size - other
            for k, (at, n, table) in enumerate(self._pieces_of(other)):
                get = table.get
                if tight:
                    lo = max(0, at - k, at + delta - (limit - k))
                    hi = min(size - n, at + k, at + delta + (limit - k))
                else:
                    lo, hi = max(0, at - limit), min(size - n, at + limit)
                for shift in range(lo, hi + 1):
                    found = get(word[shift:shift + n])
                    if found:
                        seen.update(found)
        if not seen:
            return None
        # In the list's order, so that the first listed of names equal in every way wins.
        choices = self.choices
        return _closest(word, [choices[i] for i in sorted(seen)], limit)


def _pieces(size: int, parts: int) -> tuple[tuple[int, int], ...]:
    """(start, length) of ``parts`` nearly equal pieces of a string of ``size`` letters."""
    base, extra = divmod(size, parts)
    out, at = [], 0
    for k in range(parts):
        n = base + (1 if k >= parts - extra else 0)
        out.append((at, n))
        at += n
    return tuple(out)


_LAST_INDEX: list[NearMissIndex] = []
"""The index of the last large name list: one at most, so that no old registry's names are
kept alive by it."""


def _index_for(choices: tuple[str, ...]) -> NearMissIndex:
    if _LAST_INDEX and _LAST_INDEX[0].choices is choices:
        return _LAST_INDEX[0]
    index = NearMissIndex(choices)
    _LAST_INDEX[:] = [index]
    return index


def _from_row(word: str, row: ModifierRow) -> Modifier:
    return Modifier(
        word=word,
        kind=row.kind,
        meaning=row.meaning or None,
        payload_class=row.payload_class or None,
        matched_by=row.source,
        confidence=Confidence(row.confidence) if row.confidence else None,
    )
