"""General INN stems: which WHO stem (or biologic sub-stem) a non-antibody name is built on.

Spec section 9.2: match stems by position (suffix, prefix, infix, anywhere); the longest suffix
wins and carries its parent (-teplase < -plase < -ase); generic chemical endings (-ine, -one,
-ol, -ium, -al) are weak; infix and free-position stems shorter than three letters never
count (they occur by chance), nor do those inside the letters of a suffix or prefix stem; a
stem deleted from the General Principles is never offered (its definition no
longer applies: mer- for mercury); nor is a stem whose letters fall in chemical nomenclature
that holds them by chance (chemical_words.tsv: the -terol of a sterol, the nitro- of nitroso).
"""

from __future__ import annotations

from dataclasses import replace

from ..models import StemMatch
from ..rules.tables import Edge, StemEntry, Tables
from ..vocab import Confidence

MIN_FREE_STEM = 3
"""Infix and free-position stems shorter than this are too common by chance (``ni`` in
methylphenidate, no nitro compound; ``io``) to be read at all."""
STANDS_ALONE = 5
"""Letters of a stem that may stand at a word's edge with no letters of its own beside it
(``nonacog alfa``, ``epoetin``; the -gestr- that begins gestrinone)."""


def _confidence(entry: StemEntry, matched_length: int, *, ending: bool = False) -> Confidence:
    """Weak stems are low; a suffix or prefix of four letters or more is high, of three
    medium, of two low (``ni-`` begins nirmatrelvir by chance); an infix or free stem of four
    letters or more is medium, and a free stem that ends the word (``ending``: the vir of
    remdesivir) counts as a suffix; a row may lower, never raise, its stems' confidence."""
    if entry.weak:
        return Confidence.LOW
    if ending or entry.position == "suffix" or entry.position == "prefix":
        level = Confidence.HIGH if matched_length >= 4 else \
            Confidence.MEDIUM if matched_length >= 3 else Confidence.LOW
    else:
        level = Confidence.MEDIUM if matched_length >= 4 else Confidence.LOW
    if entry.confidence in (Confidence.MEDIUM, Confidence.LOW) and level is Confidence.HIGH:
        level = Confidence(entry.confidence)
    return level


_FIXED: dict[int, tuple[StemEntry, tuple]] = {}
"""id(entry) -> (entry, the fields of its StemMatch that do not depend on the word): a row's
confidence and meaning are worked out once, not once per name."""


def _match(entry: StemEntry, word: str) -> StemMatch:
    fixed = _FIXED.get(id(entry))
    if fixed is None or fixed[0] is not entry:
        fixed = _FIXED[id(entry)] = (entry, (
            entry.stem, entry.position, entry.meaning or None, entry.lineage,
            _confidence(entry, len(entry.core)), entry.deleted))
    stem, position, meaning, lineage, confidence, historical = fixed[1]
    return StemMatch(stem, position, meaning, lineage, confidence, historical, word, entry.ref)


WORD_MEMO = 32768
"""Words whose stems are kept (a name and the INN it is read as share words): until
:func:`forget`, which a cold start calls, or until this many, when the memo starts again."""
_WORDS: dict[str, tuple[StemMatch, ...]] = {}
_WORDS_OF: list[Tables | None] = [None]  # the tables the kept words were read with


def forget() -> None:
    """Drop the kept words (with the decodings: a cold start reads every word again)."""
    _WORDS.clear()


def classify_word(word: str, tables: Tables) -> list[StemMatch]:
    """Every stem the word (or a multi-word name) is built on, strongest first.

    One suffix and one prefix at most (the longest; shorter relatives are reported as parents),
    plus infix and free-position stems. A new list each time, from the words kept.
    """
    if _WORDS_OF[0] is not tables:
        _WORDS.clear()
        _WORDS_OF[0] = tables
    found = _WORDS.get(word)
    if found is None:
        if len(_WORDS) >= WORD_MEMO:
            _WORDS.clear()
        found = _WORDS[word] = tuple(_classify(word, tables))
    return list(found)


def _classify(word: str, tables: Tables) -> list[StemMatch]:
    found: list[StemMatch] = []
    edges: list[tuple[int, int]] = []  # the letters the suffix and prefix stems take
    where: dict[int, tuple[int, int]] = {}  # id of a match -> the letters it takes
    entries = _longest(tables.suffixes_by_tail.get(word[-2:]), word, suffix=True)
    if entries:
        edges.append((len(word) - len(entries[0].core), len(word)))
        for e in entries:
            found.append(m := _match(e, word))
            where[id(m)] = edges[-1]
    entries = _longest(tables.prefixes_by_head.get(word[:2]), word, suffix=False)
    if entries:
        edges.append((0, len(entries[0].core)))
        for e in entries:
            found.append(m := _match(e, word))
            where[id(m)] = edges[-1]
    free: list[StemMatch] = []
    tail = 0  # letters of the longest free stem that ends the word
    for hit in tables.free_stem_pattern.finditer(word):
        core = hit.group(1)
        at = hit.start()
        if len(core) < MIN_FREE_STEM or any(a <= at and at + len(core) <= b for a, b in edges):
            continue  # by chance (-ni- in methylphenidate), or inside a stem (fos, -fosfamide)
        for entry in tables.free_stems[core]:
            if entry.deleted:
                continue
            if entry.position == "infix" and len(core) < STANDS_ALONE and \
                    (at < 2 or at + len(core) > len(word) - 2):
                continue
            if all(m.stem != entry.stem for m in free):
                match = _match(entry, word)
                if entry.position == "anywhere" and at + len(core) == len(word):
                    match = replace(match, confidence=_confidence(entry, len(core), ending=True))
                    tail = max(tail, len(core))
                free.append(match)
                where[id(match)] = (at, at + len(core))
    if tail and found:
        # A weak ending inside the letters of a free stem that ends the word is none (the -al
        # of diflunisal's sal)
        found = [m for m in found if m.position != "suffix" or m.confidence != Confidence.LOW
                 or len(m.stem.strip("-")) >= tail]
    found += free
    if tables.alone and len(found) > 1 and any(reads_alone(m, tables) for m in found):
        # An enzyme's word (-ase) names what it acts on: no other stem is read in it
        # (cholinesterase: no -ster- androgen; sulfatase: no sulfa- sulfonamide)
        found = [m for m in found if m.position == "suffix"]
    if found and tables.chemical_words:
        # after the enzyme's rule: a megabase is no enzyme, and no gab- either
        found = _without_chemistry(word, found, where, tables)
    if tables.exclusions and len(found) > 1:
        # A stem whose definition leaves out another matched stem's class does not apply
        # (-olone, "steroids other than prednisolone derivatives", in prednisolone).
        stems = {m.stem for m in found}
        found = [m for m in found if tables.exclusions.get(m.stem, "") not in stems]
    if len(found) > 1:
        found.sort(key=_strength)
    return found


def _without_chemistry(word: str, found: list[StemMatch], where: dict[int, tuple[int, int]],
                       tables: Tables) -> list[StemMatch]:
    """The matches but those whose letters lie in, or reach into, letters of chemical
    nomenclature that hide their stem (chemical_words.tsv): a sterol's -terol is no
    bronchodilator, a carbamate's -bamate no tranquillizer, a nitroso group no nitro-."""
    hidden = tables.chemistry_in(word)
    if not hidden:
        return found
    return [m for m in found
            if not any(m.stem in w.hides and where[id(m)][0] < b and a < where[id(m)][1]
                       for w, a, b in hidden)]


def reads_alone(m: StemMatch, tables: Tables) -> bool:
    """Whether the match is a suffix stem that a word it ends is read by alone (the
    ``reads_alone`` column: -ase, and the stems that extend it, such as -teplase): the word
    is an enzyme's, named by what the enzyme acts on."""
    return m.position == "suffix" and (m.stem in tables.alone
                                       or not tables.alone.isdisjoint(m.lineage))


_ORDER = {level: rank for rank, level in enumerate(Confidence)}


def _strength(m: StemMatch) -> tuple[int, int]:
    return (_ORDER[m.confidence], -len(m.stem))


def _longest(edge: Edge | None, word: str, *, suffix: bool) -> tuple[StemEntry, ...] | None:
    """Rows of the longest current stem at the word's end (or start), from the stems that
    share its last (first) two letters: one slice of the word per length they come in.

    A stem of five letters or more may stand with any letters beside it, or none (``nonacog
    alfa``, ``epoetin``); shorter ones need at least two letters of their own beside them.
    """
    if edge is None:
        return None
    lengths, rows_of = edge
    size = len(word)
    for n in lengths:
        if n <= size and (size - n >= 2 or n >= STANDS_ALONE):
            rows = rows_of.get(word[-n:] if suffix else word[:n])
            if rows is not None:
                return rows
    return None
