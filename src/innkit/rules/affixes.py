"""The grammar of what may stand around a drug name's core, written once.

Before the core: a stereo descriptor (``d,l-sotalol``, ``(S)-ketamine``), a locant
(``5-fluorouracil``), a radiolabel in the literature's style (``131I-tositumomab``), in INN style
(``indium (111In) capromab``) or in USAN style (``iodine I 131 tositumomab``), and the US FDA's
three-letter prefix of a conjugate (``ado-trastuzumab emtansine``). After it: a hyphenated tail
(the FDA's four-letter suffix ``trastuzumab-anns``, or a code that is part of the name,
``muromonab-CD3``), more names joined by slashes, second words (payloads, qualifiers, salts,
words with a modifier ending) and a radiolabel in the ATC list's style
(``ibritumomab tiuxetan (90Y)``).

Each pattern is written once, as a function of a :class:`View`, and compiled twice: the NORMAL
view reads a normalised lower-case name (the decoder strips affixes with it), the TEXT view reads
running text with its case and line breaks (the annotator grows a found word into the whole name
with it). The vocabularies (radiolabels, salts, modifiers, qualifiers, endings) are the tables';
the word tests here look words up in them.

Stereo descriptors, the listed radiolabels and the FDA affixes are stripped by the decoder: they
are not part of the INN. A locant, or a mass number with a letter that is no listed radiolabel
(``1H-pyrazole``), is part of the name: the annotator grows over it, and the whole is a name only
when a registry knows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .english import is_english
from .tables import ModifierRow, RadiolabelRow, Tables


@dataclass(frozen=True, slots=True)
class View:
    """How one pattern is spelt for the text it reads."""

    letter: str
    """A letter (inside a character class): lower case in a name, either case in text."""
    symbol: str
    """An element symbol in parentheses, ``(111In)``: either case in text."""
    free_symbol: str
    """An element symbol standing free (``I 131``, ``131I-``): capitalised in text, so that it
    is not read in an ordinary word."""


NORMAL = View("a-z", "[a-z]{1,2}", "[a-z]{1,2}")
TEXT = View("A-Za-z", "[A-Za-z]{1,2}", "[A-Z][a-z]?")


class LabelStyle(StrEnum):
    """Where and how a radiolabel is written (the ``style`` of a Radiolabel)."""

    INN = "INN"
    USAN = "USAN"
    PREFIX = "prefix"
    TRAILING = "trailing"
    USAN_AFTER = "USAN after"


_MASS = r"(?P<mass>\d{1,3})(?P<meta>m?)"


def _anonymous(source: str) -> str:
    """The pattern without its group names (to use it twice in one pattern)."""
    return re.sub(r"\(\?P<\w+>", "(?:", source)


def _label(v: View) -> str:
    """A radiolabel as written in parentheses: 111In, 90 Y, 99mTc."""
    return rf"{_MASS} ?(?P<symbol>{v.symbol})"


def _inn_rest(v: View) -> str:
    return rf"\({_label(v)}\)"


def _usan_rest(v: View) -> str:
    """The symbol, then the mass number: I 131; a name may join them (Tc99m, Ga-68)."""
    return rf"(?P<symbol>{v.free_symbol}){'[ -]?' if v == NORMAL else ' '}{_MASS}"


def _inn_label(v: View) -> str:
    """INN style, before the name: indium (111In), technetium (99m Tc)."""
    return rf"(?P<element>[{v.letter}]+) {_inn_rest(v)}"


def _usan_label(v: View) -> str:
    """USAN style, before the name: iodine I 131, technetium Tc 99m."""
    return rf"(?P<element>[{v.letter}]+) {_usan_rest(v)}"


def _prefix_label(v: View) -> str:
    """The literature's style, joined to the name by a hyphen: 131I-, 90Y-."""
    return rf"{_MASS}(?P<symbol>{v.free_symbol})"


STEREO_WRITTEN = ("d", "D", "l", "L", "dl", "DL", "d,l", "D,L", "rac", "(+)", "(-)", "(±)",
                  "(R)", "(r)", "(S)", "(s)", "R", "S")
"""Stereo descriptors as running text writes them before a name (d,l-sotalol, (S)-ketamine);
a free r or s in lower case is not one (r-hirudin: recombinant). A name reads them lower case."""


def _stereo(v: View) -> str:
    forms = STEREO_WRITTEN if v == TEXT else {f.lower() for f in STEREO_WRITTEN}
    return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


_LOCANT = r"\d{1,2}(?:,\d{1,2})*"  # 5-fluorouracil, 1,2,3,6-tetrahydropyridine


def _fda_prefix(v: View) -> str:
    """The FDA's three letters before a conjugate's antibody word: ado-, fam-."""
    return rf"[{v.letter}]{{3}}"


def _tail(v: View) -> str:
    """What a hyphen joins to a name's end: the FDA's four letters (-nxki) or a code (-CD3)."""
    return rf"[{v.letter}0-9]{{1,5}}"


def _word(v: View) -> str:
    """A word that may follow a name, with hyphenated parts (beta-1b, deruxtecan-nxki)."""
    return rf"[{v.letter}][{v.letter}0-9]*(?:-[{v.letter}0-9]+)*"


# -- the NORMAL view: the decoder strips these from a normalised name ----------------------
STEREO = re.compile(rf"^(?:{_stereo(NORMAL)})-(?=[a-z]{{4}})")
INN_LABEL = re.compile(rf"^{_inn_label(NORMAL)} (?P<rest>.+)$")
USAN_LABEL = re.compile(rf"^{_usan_label(NORMAL)} (?P<rest>.+)$")
PREFIX_LABEL = re.compile(rf"^{_prefix_label(NORMAL)}-(?P<rest>[a-z]{{4}}.*)$")
TRAILING_LABEL = re.compile(rf"^(?P<rest>.+) {_inn_rest(NORMAL)}$")
USAN_AFTER_LABEL = re.compile(rf"^(?P<rest>.+) {_usan_rest(NORMAL)}$")
"""USAN and USP style after the name: fludeoxyglucose F 18, thallous chloride Tl 201,
gallium oxodotreotide Ga-68 (the element word before the name then belongs to the label)."""
FDA_PREFIX = re.compile(rf"^({_fda_prefix(NORMAL)})-([a-z]{{5,}})$")
FDA_SUFFIX = re.compile(r"^(.+)-([a-z]{4})$")
"""The FDA's four-letter suffix; in text it is one of the hyphenated tails."""

# -- the TEXT view: the annotator grows a found word over these ----------------------------
PREFIX_LEFT = re.compile(
    rf"(?<![A-Za-z0-9,()])(?:{_stereo(TEXT)}|{_LOCANT}|{_anonymous(_prefix_label(TEXT))})-$")
"""Before a name, hyphenated to it: a stereo descriptor, a locant or a radiolabel."""
FDA_PREFIX_LEFT = re.compile(rf"(?<![{TEXT.letter}])({_fda_prefix(TEXT)})-$")
INN_LABEL_LEFT = re.compile(rf"{_inn_label(TEXT)}\s$")
USAN_LABEL_LEFT = re.compile(rf"{_usan_label(TEXT)}\s$")
LEFT_LABELS = ((INN_LABEL_LEFT, LabelStyle.INN), (USAN_LABEL_LEFT, LabelStyle.USAN))
"""The labels written before a name, each with its style (for :func:`label_row`)."""
TRAILING_LABEL_TEXT = re.compile(rf" {_inn_rest(TEXT)}")
LABEL_ONLY = re.compile(_label(TEXT))
LABEL_FOLLOWS = re.compile(
    rf" (?:{_anonymous(_inn_rest(TEXT))}|{_anonymous(_usan_rest(TEXT))}) [{TEXT.letter}]")
"""After an element word: the rest of a radiolabel, then the labelled name (indium (111In) …);
the element is then no name of its own."""
HYPHEN_TAIL = re.compile(rf"-({_tail(TEXT)})\b")
"""A hyphenated tail: an FDA suffix (-nxki) or a code that is part of the name (-CD3)."""
NEXT_WORD = re.compile(
    rf"(?:[ \t]{{1,3}}(?:\r?\n[ \t]*)?|\r?\n[ \t]*)({_word(TEXT)})")
"""A second word: after up to three spaces or one line break."""
SLASH_NEXT = re.compile(rf"/([{TEXT.letter}][a-z0-9]*)\b")
"""The next name of a combination written with slashes (lower case or capitalised)."""


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A radiolabel found in a name: its row, its parts as written and the name's rest."""

    row: RadiolabelRow
    style: LabelStyle
    symbol: str
    mass_number: str
    rest: str


def label_row(match: re.Match[str], style: LabelStyle, tables: Tables) -> RadiolabelRow | None:
    """The table row a label match names, or None when the tables list no such label: an INN
    style label by its element, a USAN style one by its element and symbol, the others by their
    symbol. The annotator and the decoder accept the same labels."""
    symbol = match.group("symbol").lower()
    if style in (LabelStyle.INN, LabelStyle.USAN):
        row = tables.radiolabels.get(match.group("element").lower())
        if row is None or (style == LabelStyle.USAN and symbol not in
                           tables.radiolabels_by_symbol):
            return None
        return row
    return tables.radiolabels_by_symbol.get(symbol)


_LABELS = ((INN_LABEL, LabelStyle.INN), (USAN_LABEL, LabelStyle.USAN),
           (PREFIX_LABEL, LabelStyle.PREFIX), (TRAILING_LABEL, LabelStyle.TRAILING),
           (USAN_AFTER_LABEL, LabelStyle.USAN_AFTER))


def find_label(name: str, tables: Tables) -> LabelMatch | None:
    """The radiolabel of a normalised name, in the first style that fits, or None.

    A symbol and number after the name (``F 18``) count only for an isotope the table lists,
    for a name may end in a letter and a number of its own; the element word before such a
    name is the label's (``gallium oxodotreotide Ga-68`` is oxodotreotide)."""
    for rx, style in _LABELS:
        m = rx.match(name)
        if m is None or (row := label_row(m, style, tables)) is None:
            continue
        mass, rest = m.group("mass") + m.group("meta"), m.group("rest")
        if style == LabelStyle.USAN_AFTER:
            if mass not in row.mass_numbers:
                continue
            head, _, tail = rest.partition(" ")
            if head == row.element and tail:
                rest = tail
        return LabelMatch(row, style, m.group("symbol"), mass, rest)
    return None


def labels_a_name(text: str, start: int, end: int, tables: Tables) -> bool:
    """Whether ``text[start:end]`` is a radiolabel's element (``indium``) written before the
    rest of its label and a name: no name of its own, for the labelled name reaches back for
    it."""
    return text[start:end].lower() in tables.radiolabels and \
        LABEL_FOLLOWS.match(text, end) is not None


def strip_stereo(name: str) -> tuple[str, str | None]:
    """``d,l-sotalol`` → (``sotalol``, ``d,l-``): a stereo descriptor is not part of the INN."""
    m = STEREO.match(name)
    return (name[m.end():], m.group(0)) if m else (name, None)


def strip_fda_affixes(name: str, tables: Tables) -> tuple[str, str | None, str | None]:
    """``fam-trastuzumab deruxtecan-nxki`` → (``trastuzumab deruxtecan``, ``fam``, ``nxki``).

    The FDA prefixes a conjugate's antibody word, so three letters before any other word stay
    (``tnf-alpha``, ``non-aspirin``); its suffixes are devoid of meaning, so an English word
    after a hyphen stays (``heparin-like``)."""
    words = name.split(" ")
    prefix = suffix = None
    if (found := fda_prefix_of(words[0])) and antibody_word(found[1], tables):
        prefix, words[0] = found
    if found := fda_suffix_of(words[-1]):
        words[-1], suffix = found
    return " ".join(words), prefix, suffix


def antibody_word(word: str, tables: Tables) -> bool:
    """The word ends in an antibody stem of the table (-mab, -tug ...) and is longer than it."""
    return any(len(word) > n and word[-n:] in tables.stems_by_ending for n in tables.stem_lengths)


def fda_suffix_of(word: str) -> tuple[str, str] | None:
    """(word, suffix) of a lower-case word ending in an FDA suffix (``deruxtecan-nxki``): four
    letters that are no English word (the FDA picks them devoid of meaning; ``-like``,
    ``-free`` and ``-beta`` say something)."""
    m = FDA_SUFFIX.match(word) if "-" in word else None
    return (m.group(1), m.group(2)) if m and not is_english(m.group(2)) else None


def fda_prefix_of(word: str) -> tuple[str, str] | None:
    """(prefix, word) of a lower-case word that starts with an FDA prefix (``ado-trastuzumab``)."""
    m = FDA_PREFIX.match(word) if "-" in word else None
    return (m.group(1), m.group(2)) if m else None


# -- second words ----------------------------------------------------------------------------
_QUALIFIER_NUMBER = re.compile(r"^([a-z]+)-(\d+[a-z]?)$")
"""Greek-letter qualifiers may carry a variant number: alfa-2a, beta-1b."""


def qualifier_row(word: str, tables: Tables) -> ModifierRow | None:
    """The qualifiers.tsv row of a Greek-letter or parenthesised qualifier (``alfa``,
    ``beta-1b``, ``(activated)``), or None."""
    row = tables.qualifiers.get(word)
    if row is None and "-" in word:
        m = _QUALIFIER_NUMBER.match(word)
        row = tables.qualifiers.get(m.group(1)) if m else None
    return row


def listed_second_word(word: str, tables: Tables) -> bool:
    """A lower-case word the tables list as one that follows a name: a payload or conjugate
    word, a qualifier, a salt."""
    return word in tables.modifiers or qualifier_row(word, tables) is not None \
        or word in tables.salts


def modifier_ending(word: str, tables: Tables) -> ModifierRow | None:
    """The modifier_endings.tsv row (longest first) of a word that ends as payloads and
    conjugate words do (-tansine, -tecan) and is longer than the ending, or None."""
    for ending in tables.endings:
        if word.endswith(ending.word) and len(word) > len(ending.word):
            return ending
    return None


def hyphen_tail(text: str, at: int) -> re.Match[str] | None:
    """The hyphenated tail at ``at`` that is no English word (an FDA suffix, a code), or None."""
    m = HYPHEN_TAIL.match(text, at)
    return m if m and not is_english(m.group(1)) else None


def without_tail(word: str) -> str:
    """A lower-case second word without its hyphenated tail (the FDA suffix of
    deruxtecan-nxki), to be looked up."""
    at = word.find("-")
    return word[:at] if at >= 0 and (m := hyphen_tail(word, at)) and m.end() == len(word) \
        else word
