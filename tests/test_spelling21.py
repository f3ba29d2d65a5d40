"""Misspellings of the words around a name, and names missed in text: a near miss of a
conjugate or payload word is offered before any stem is read, the whole name is suggested, and
each suggestion carries the UNII of the substance it names (runs on the shipped data)."""

from __future__ import annotations

import pytest

from innkit import decode


@pytest.mark.parametrize(("name", "suggestion"), [
    ("gemtuzumab ozogamycin", "gemtuzumab ozogamicin"),
    ("inotuzumab ozagamicin", "inotuzumab ozogamicin"),
])
def test_a_misspelt_conjugate_word_suggests_the_whole_name_with_its_unii(name, suggestion):
    d = decode(name)
    assert d.suggestion == suggestion
    meant = decode(suggestion)
    assert meant.substance is not None
    assert d.suggestion_unii == meant.substance.unii
    assert d.to_dict()["suggestion_unii"] == meant.substance.unii


@pytest.mark.parametrize(("word", "meant"), [
    ("ozogamycin", "ozogamicin"),
    ("deruxtecane", "deruxtecan"),
    ("emtansin", "emtansine"),
])
def test_a_near_miss_of_a_conjugate_word_is_suggested_before_any_stem(word, meant):
    d = decode(word)
    assert d.suggestion == meant
    assert d.stems == ()  # ozogamycin is no -mycin antibiotic
    assert meant in (d.reason or "")


@pytest.mark.parametrize(("name", "language", "word"), [
    ("gemtuzumab ozogamicina", "Spanish", "ozogamicin"),
    ("brentuximab vedotine", "French", "vedotin"),
    ("trastuzumab emtansina", "Spanish", "emtansine"),
])
def test_a_language_form_of_a_conjugate_word_is_no_misspelling(name, language, word):
    d = decode(name)
    assert d.suggestion is None and d.suggestion_unii is None
    assert [m.kind for m in d.modifiers] == ["payload"]
    assert any(f"{language} INN form of {word!r}" in w for w in d.warnings)
    assert not any("misspelling" in w for w in d.warnings)


@pytest.mark.parametrize(("name", "suggestion"), [
    ("gemtuzumab ozogamycina", "gemtuzumab ozogamicin"),  # a misspelt Spanish form
    ("gemtuzumab ozogamycine", "gemtuzumab ozogamicin"),  # a misspelt French form
])
def test_a_misspelt_language_form_suggests_the_inn(name, suggestion):
    d = decode(name)
    assert d.suggestion == suggestion
    assert d.suggestion_unii == decode(suggestion).substance.unii


def test_the_suggestion_of_a_single_word_carries_its_unii():
    d = decode("ozogamycin")
    found = decode("ozogamicin").substance
    assert found is not None and d.suggestion_unii == found.unii


@pytest.mark.parametrize("name", [
    "trastuzumab emtansine", "gemtuzumab ozogamicin", "ozogamicin", "amoxicillin",
    "rituximab", "streptomycin", "vancomycin",
])
def test_controls_well_spelt_names_get_no_suggestion(name):
    d = decode(name)
    assert d.suggestion is None and d.suggestion_unii is None
    assert "suggestion_unii" in d.to_dict()


def test_a_stem_word_that_misspells_no_listed_word_keeps_its_stem():
    d = decode("zorbamycin")
    assert [s.stem for s in d.stems] == ["-mycin"]
    assert d.suggestion is None


@pytest.mark.parametrize(("word", "near"), [("nexium", "dexium"), ("vicodin", "nicodin")])
def test_a_word_in_english_use_is_no_misspelling_of_the_name_it_is_near(word, near):
    """Brands the UNII list lacks are a letter from names it holds: a word English text uses
    is a word of its own."""
    from innkit.rules.english import is_established

    assert is_established(word) and decode(word).suggestion != near


@pytest.mark.parametrize(("word", "meant"), [("warfrin", "warfarin"),
                                             ("amoxicilin", "amoxicillin")])
def test_a_misspelling_no_english_text_uses_is_still_suggested(word, meant):
    from innkit.rules.english import is_established

    assert not is_established(word) and decode(word).suggestion == meant


@pytest.mark.parametrize(("word", "meant"), [("lisinipril", "lisinopril"),
                                             ("propanolol", "propranolol"),
                                             ("intraconazole", "itraconazole")])
def test_a_misspelling_read_surely_by_its_stem_keeps_the_stem_and_names_the_drug(word, meant):
    d = decode(word)
    assert d.suggestion == meant and d.suggestion_unii == decode(meant).substance.unii
    assert [m.stem for m in d.stems] == [m.stem for m in decode(meant).stems][:1]
    assert any(meant in w for w in d.warnings)


@pytest.mark.parametrize("word", [
    "oligomycin",  # a reagent one letter from olivomycin, a name nobody writes often
    "avermectin",  # a class one letter from ivermectin: the first letter differs
    "plectin",  # a protein one letter from pectin: too short to tell
])
def test_a_name_read_surely_by_its_stem_near_a_rare_or_unlike_name_is_no_misspelling(word):
    d = decode(word)
    assert d.stems and d.suggestion is None


# -- in text -----------------------------------------------------------------------------------

def _found(text: str) -> list[tuple[str, str]]:
    from innkit import annotate

    return [(m.text, m.how) for m in annotate(text)]


def _text_names():
    from innkit.rules import Rules

    return Rules.shipped().read("text_names.tsv", ("name", "means", "kind", "example", "source",
                                                   "evidence"))


@pytest.mark.parametrize("row", _text_names(), ids=lambda r: r["name"])
def test_every_text_name_is_found_in_its_example_and_linked(row):
    from innkit import annotate

    found = [m for m in annotate(f"Treatment: {row['example']}.") if m.text == row["name"]]
    assert found, row["example"]
    d = found[0].decoding
    assert row["name"] in " ".join(d.notes)
    parts = row["means"].split("/")
    if len(parts) == 1:
        assert d.substance is not None and d.substance == decode(parts[0]).substance
    else:  # a combination: each part linked to its own substance
        assert [c.name for c in d.components] == parts
        assert all(c.substance is not None for c in d.components)
    assert row["source"] and row["evidence"]


@pytest.mark.parametrize(("text", "name"), [
    ("Patients received 5-FU and leucovorin.", "5-FU"),
    ("Prophylaxis with co-trimoxazole was given.", "co-trimoxazole"),
    ("6-MP and MTX were continued.", "6-MP"),
])
def test_undefined_short_forms_and_co_names_are_found(text, name):
    assert (name, "registry") in _found(text)


@pytest.mark.parametrize("text", ["Patients on PPIs had lower absorption.",
                                  "A PPI was started.",
                                  "Concomitant proton pump inhibitors reduce absorption."])
def test_proton_pump_inhibitors_and_their_short_form_are_a_class(text):
    [(span, how)] = _found(text)
    assert how == "class"
    assert decode(span).kind == "class"


@pytest.mark.parametrize(("text", "expected"), [
    ("Imatinib and atenolol were given.", [("Imatinib", "registry"), ("atenolol", "registry")]),
    ("The PPIX signal and the MTXL line were measured.", []),  # no short form inside a word
])
def test_controls_in_text_do_not_change(text, expected):
    assert _found(text) == expected


def test_a_german_form_resolves_to_its_inn_instead_of_a_suggestion():
    """Trastuzumab Emtansin is how German labels write the INN: a form, not a misspelling."""
    d = decode("Trastuzumab Emtansin")
    assert d.suggestion is None
    assert d.substance.relation == "german" and d.substance.inn == "trastuzumab emtansine"


def test_a_product_of_a_names_line_is_no_misspelling_of_it():
    """Zyrtec-D is Zyrtec with a tail, not a misspelt Zyrtec; zyrtek is one."""
    assert decode("Zyrtec-D").suggestion is None
    assert decode("zyrtek").suggestion == "zyrtec"


@pytest.mark.parametrize(("word", "stem"), [
    ("glucuronidase", "-ase"),  # the enzyme that splits glucuronides
    ("hydratase", "-ase"),
])
def test_a_listed_word_with_a_suffix_stem_after_it_is_a_derivative_not_a_misspelling(word,
                                                                                      stem):
    d = decode(word)
    assert d.suggestion is None and "misspelling" not in (d.reason or "")
    assert stem in [m.stem for m in d.stems]


def test_a_suffix_stem_that_takes_the_listed_word_s_own_letter_makes_no_derivative():
    """immunoglobulinil's -nil takes the n of immunoglobulin: a misspelling, no derivative."""
    d = decode("immunoglobulinil")
    assert d.suggestion == "immunoglobulin" and d.stems == ()
