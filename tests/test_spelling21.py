"""Misspellings of the words around a name, and names missed in text: a near miss of a
conjugate or payload word is offered before any stem is read, the whole name is suggested, and
each suggestion carries the UNII of the substance it names (runs on the shipped data)."""

from __future__ import annotations

import pytest

from innkit import decode


@pytest.mark.parametrize(("name", "suggestion"), [
    ("Trastuzumab Emtansin", "trastuzumab emtansine"),  # the German spelling of the payload
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
