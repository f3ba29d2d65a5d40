"""The affix grammar: what the annotator grows over in text, the decoder strips from a name.

The property: a real core (an antibody INN, or a name on a general WHO stem) with affixes drawn
from the grammar and its tables, written in a sentence, is found as the whole affixed name, and
decoding that span gives the core back with each affix in its place.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from innkit import decode
from innkit.annotator.core import Annotator
from innkit.annotator.scanner import SUBSTANCE
from innkit.rules import Rules, affixes
from innkit.rules.affixes import (
    NORMAL,
    STEREO_WRITTEN,
    TEXT,
    LabelStyle,
    fda_prefix_of,
    fda_suffix_of,
    find_label,
    label_row,
    listed_second_word,
    modifier_ending,
    qualifier_row,
    strip_fda_affixes,
    strip_stereo,
    without_tail,
)
from innkit.rules.english import is_english
from innkit.rules.normalize import normalize_name

RULES = Rules.shipped()
TABLES = RULES.tables
read_table = RULES.read
ANNOTATOR = Annotator()
_PLAIN = re.compile(r"[a-z]{5,}")


def _found_alone(word: str) -> bool:
    """The bare core is found, as itself, in the sentence the property writes."""
    return [m.text for m in ANNOTATOR.annotate(f"Patients received {word}.")] == [word]


def _cores(words: list[str], kind: str) -> list[str]:
    return sorted(w for w in set(words) if _PLAIN.fullmatch(w) and w not in TABLES.exceptions
                  and decode(w).kind == kind and decode(w).name == w and _found_alone(w))


ANTIBODIES = _cores([r["name"] for r in read_table("antibody_inns.tsv", ("name",))], "antibody")
STEM_NAMES = _cores([w.strip() for r in read_table("inn_stems.tsv", ("examples",))
                     for w in r["examples"].split(";")], "stem")
ALL_LABELS = sorted((r.element, r.symbol, mass) for r in TABLES.radiolabels.values()
                    for mass in r.mass_numbers)


def _element_only_a_substance(element: str) -> bool:
    """The scan finds the element word only as a substance name (not on a WHO stem, as
    chromium on -ium): only then does the annotator leave it to the labelled name."""
    return all(pid == SUBSTANCE for start, neg_end, pid in ANNOTATOR.scanner.scan(element)
               if (start, -neg_end) == (0, len(element)))


LABELS = [label for label in ALL_LABELS if _element_only_a_substance(label[0])]
_WORD = re.compile(r"[a-z][a-z0-9]*")
PAYLOADS = sorted(w for w in TABLES.modifiers if _WORD.fullmatch(w))
QUALIFIERS = sorted(w for w in TABLES.qualifiers if _WORD.fullmatch(w))
SALTS = sorted(w for w in TABLES.salts if _WORD.fullmatch(w))
letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=3)


def test_the_cores_are_drawn_from_real_names():
    assert len(ANTIBODIES) > 500 and len(STEM_NAMES) > 50 and len(LABELS) > 20
    assert {"trastuzumab", "rituximab"} <= set(ANTIBODIES) and PAYLOADS and SALTS


@st.composite
def affixed(draw):
    """(text, name as written, core, what the decoding must show)."""
    antibody = draw(st.booleans())
    core = draw(st.sampled_from(ANTIBODIES if antibody else STEM_NAMES))
    name, expect = core, {}
    if antibody:
        second = draw(st.sampled_from(["", *PAYLOADS, *QUALIFIERS, *SALTS]))
    else:
        second = draw(st.sampled_from(["", *QUALIFIERS, *SALTS]))
    if second:
        name = f"{name} {second}"
        expect["second"] = second
    right = draw(st.sampled_from(["", "fda", "label"] if antibody else ["", "label"]))
    if right == "fda":
        suffix = draw(letters.map(lambda s: s + "x"))
        assume(not is_english(suffix))
        name = f"{name}-{suffix}"
        expect["fda_suffix"] = suffix
    left_kinds = ["", "stereo", "prefix label"]
    if antibody:
        left_kinds += ["INN label", "USAN label"] + (["fda"] if second else [])
    left = draw(st.sampled_from(left_kinds))
    if right == "label" or left.endswith("label"):
        element, symbol, mass = draw(st.sampled_from(LABELS))
        expect["label"] = (element, mass)
        written = {"label": f"{name} ({mass}{symbol})", "prefix label": f"{mass}{symbol}-{name}",
                   "INN label": f"{element} ({mass}{symbol}) {name}",
                   "USAN label": f"{element} {symbol} {mass} {name}"}
        name = written[left if left.endswith("label") else right]
    elif left == "stereo":
        stereo = draw(st.sampled_from(STEREO_WRITTEN))
        name = f"{stereo}-{name}"
        expect["stereo"] = stereo.lower()
    if left == "fda":
        prefix = draw(letters)
        # neither a stereo descriptor nor a name of its own (TKI)
        assume(prefix not in {f.lower() for f in STEREO_WRITTEN}
               and not ANNOTATOR.annotate(f"Patients received {prefix}."))
        name = f"{prefix}-{name}"
        expect["fda_prefix"] = prefix
    return f"Patients received {name}.", name, core, expect


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(affixed())
def test_a_name_grown_in_text_strips_back_to_its_core(case):
    text, name, core, expect = case
    mentions = ANNOTATOR.annotate(text)
    assert [m.text for m in mentions] == [name]
    assert mentions[0].start == text.index(name)
    d = mentions[0].decoding
    if d.name != core:  # a registry's substance, read as its INN ((S)-ibuprofen: dexibuprofen)
        assert d.substance is not None and d.name == d.substance.inn
        return
    if "second" in expect:
        assert expect["second"] in {m.word for m in d.modifiers} | set(d.salts)
    if "label" in expect:
        assert d.radiolabel is not None
        assert (d.radiolabel.element, d.radiolabel.mass_number) == expect["label"]
    else:
        assert d.radiolabel is None
    assert d.fda_suffix == expect.get("fda_suffix")
    assert d.fda_prefix == expect.get("fda_prefix")
    if "stereo" in expect:
        assert any(w.startswith(f"'{expect['stereo']}-' is a stereo") for w in d.warnings)


@pytest.mark.xfail(strict=True, reason="an element word found on a WHO stem (chromium, "
                   "-ium) is taken as a name of its own before the labelled name can reach "
                   "back for it; annotate keeps this reading so that its output is unchanged")
def test_an_element_found_on_a_stem_still_labels_the_name_after_it():
    stemmed = sorted({e for e, _, _ in ALL_LABELS if not _element_only_a_substance(e)})
    assert "chromium" in stemmed
    row = TABLES.radiolabels["chromium"]
    text = f"Patients received chromium ({row.mass_numbers[0]}{row.symbol}) trastuzumab."
    assert [m.text for m in ANNOTATOR.annotate(text)] == [text[18:-1]]


# -- one definition, two views ---------------------------------------------------------------
TEXT_STYLES = [s for s in LabelStyle if s != LabelStyle.USAN_AFTER]
"""The styles the annotator grows a name over; a symbol and number after the name (USAN's
fludeoxyglucose F 18) is read by the decoder only."""

@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LABELS), st.sampled_from(TEXT_STYLES), st.sampled_from(ANTIBODIES))
def test_the_text_view_and_the_name_view_read_a_label_alike(label, style, core):
    """A label the annotator reads in text is the label the decoder strips from the name."""
    element, symbol, mass = label
    text, rx = {
        LabelStyle.INN: (f"{element} ({mass}{symbol}) ", affixes.INN_LABEL_LEFT),
        LabelStyle.USAN: (f"{element} {symbol} {mass} ", affixes.USAN_LABEL_LEFT),
        LabelStyle.PREFIX: (f"{mass}{symbol}-", affixes.PREFIX_LEFT),
        LabelStyle.TRAILING: (f" ({mass}{symbol})", affixes.TRAILING_LABEL_TEXT),
    }[style]
    whole = f"{core}{text}" if style == LabelStyle.TRAILING else f"{text}{core}"
    assert rx.search(text)
    found = find_label(normalize_name(whole), TABLES)
    assert found is not None and found.style == style and found.rest == core
    assert (found.row.element, found.mass_number) == (element, mass)


def test_a_view_spells_letters_and_symbols_for_what_it_reads():
    assert (NORMAL.letter, TEXT.letter) == ("a-z", "A-Za-z")
    assert re.fullmatch(TEXT.free_symbol, "Tc") and not re.fullmatch(TEXT.free_symbol, "tc")
    assert re.fullmatch(TEXT.symbol, "tc") and re.fullmatch(NORMAL.free_symbol, "tc")


# -- each affix kind ------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "rest", "stereo"), [
    ("d,l-sotalol", "sotalol", "d,l-"), ("(s)-ketamine", "ketamine", "(s)-"),
    ("rac-ketamine", "ketamine", "rac-"), ("(±)-sotalol", "sotalol", "(±)-"),
    ("d-abc", "d-abc", None),  # a descriptor stands before a name of four letters or more
    ("x-sotalol", "x-sotalol", None),
])
def test_stereo_descriptors(name, rest, stereo):
    assert strip_stereo(name) == (rest, stereo)


@pytest.mark.parametrize(("before", "grown"), [
    ("(S)-", True), ("D,L-", True), ("R-", True), ("r-", False),  # r-hirudin: recombinant
    ("5-", True), ("1,2,3,6-", True), ("131I-", True), ("99mTc-", True), ("x5-", False),
])
def test_what_text_may_write_before_a_name(before, grown):
    assert (affixes.PREFIX_LEFT.search(f"got {before}") is not None) == grown


@pytest.mark.parametrize(("name", "style", "rest", "mass"), [
    ("indium (111in) capromab pendetide", LabelStyle.INN, "capromab pendetide", "111"),
    ("technetium (99m tc) fanolesomab", LabelStyle.INN, "fanolesomab", "99m"),
    ("iodine i 131 tositumomab", LabelStyle.USAN, "tositumomab", "131"),
    ("131i-tositumomab", LabelStyle.PREFIX, "tositumomab", "131"),
    ("ibritumomab tiuxetan (90y)", LabelStyle.TRAILING, "ibritumomab tiuxetan", "90"),
])
def test_radiolabels_in_each_style(name, style, rest, mass):
    found = find_label(name, TABLES)
    assert found is not None and (found.style, found.rest, found.mass_number) == \
        (style, rest, mass)


def test_only_listed_radiolabels_are_labels():
    assert find_label("3h-spiroperidol", TABLES) is None  # no hydrogen row: a name part
    assert find_label("kryptonite (111in) capromab", TABLES) is None or \
        find_label("kryptonite (111in) capromab", TABLES).style != LabelStyle.INN
    m = affixes.USAN_LABEL_LEFT.search("iodine Qq 131 ")
    assert m is not None and label_row(m, LabelStyle.USAN, TABLES) is None
    m = affixes.TRAILING_LABEL_TEXT.match(" (90Y)")
    assert m is not None and label_row(m, LabelStyle.TRAILING, TABLES).element == "yttrium"


def test_an_element_word_before_a_label_is_no_name_of_its_own():
    assert affixes.LABEL_FOLLOWS.match(" (111In) capromab")
    assert affixes.LABEL_FOLLOWS.match(" I 131 tositumomab")
    assert not affixes.LABEL_FOLLOWS.match(" levels rose")


def test_fda_affixes():
    assert fda_prefix_of("ado-trastuzumab") == ("ado", "trastuzumab")
    assert fda_prefix_of("trastuzumab") is None and fda_prefix_of("ab-trastuzumab") is None
    assert fda_suffix_of("trastuzumab-anns") == ("trastuzumab", "anns")
    assert fda_suffix_of("muromonab-cd3") is None
    assert strip_fda_affixes("fam-trastuzumab deruxtecan-nxki", TABLES) == \
        ("trastuzumab deruxtecan", "fam", "nxki")
    # the prefix marks a conjugate's antibody word; a suffix is no English word
    assert strip_fda_affixes("tnf-alpha", TABLES) == ("tnf-alpha", None, None)
    assert strip_fda_affixes("non-aspirin", TABLES) == ("non-aspirin", None, None)
    assert fda_suffix_of("heparin-like") is None and fda_suffix_of("interferon-beta") is None
    assert affixes.FDA_PREFIX_LEFT.search("got Ado-")
    assert not affixes.FDA_PREFIX_LEFT.search("xado-")


def test_hyphenated_tails_and_slashes():
    assert affixes.HYPHEN_TAIL.match("-CD3 was", 0).group(1) == "CD3"
    assert without_tail("deruxtecan-nxki") == "deruxtecan"
    assert without_tail("beta-1b") == "beta"  # the qualifier is tested, its number grown over
    assert without_tail("emtansine-free") == "emtansine-free"  # an English tail stays
    assert affixes.SLASH_NEXT.match("/maftivimab and", 0).group(1) == "maftivimab"


def test_second_words():
    m = affixes.NEXT_WORD.match("trastuzumab\n  emtansine", len("trastuzumab"))
    assert m is not None and m.group(1) == "emtansine"
    assert not affixes.NEXT_WORD.match("trastuzumab\n\nemtansine", len("trastuzumab"))
    assert listed_second_word("ozogamicin", TABLES) and listed_second_word("sodium", TABLES)
    assert listed_second_word("beta-1b", TABLES) and not listed_second_word("daily", TABLES)
    assert qualifier_row("alfa-2a", TABLES) is TABLES.qualifiers["alfa"]
    ending = modifier_ending("foxotecan", TABLES)
    assert ending is not None and ending.word == "tecan"
    assert modifier_ending("tecan", TABLES) is None  # an ending alone is no word that ends so
