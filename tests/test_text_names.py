"""Names a reader would mark in running text: drug classes, English words that are drugs, codes."""

from __future__ import annotations

import pytest

import innkit
from innkit.classes import drug_class, plural
from innkit.registry import substances
from innkit.tables import read_table

CLASS_ROWS = read_table("drug_classes.tsv", ("class", "phrases", "stem", "members"))
needs_unii = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")


@pytest.mark.parametrize("row", CLASS_ROWS, ids=[r["class"] for r in CLASS_ROWS])
def test_every_class_phrase_and_member(row):
    for phrase in row["phrases"].split("; "):
        for form in (phrase, plural(phrase), phrase.upper()):
            found = drug_class(form)
            assert found is not None and found.key == row["class"], form
    if row["stem"]:  # a member of a stem-defined class carries that stem
        for member in row["members"].split("; "):
            d = innkit.decode(member)
            stems = {m.stem for m in d.stems} | ({f"-{d.stem}"} if d.stem else set())
            assert row["stem"] in stems, (member, stems)


def test_class_decoding_names_its_stem():
    d = innkit.decode("beta-blockers")
    assert d.kind == "class" and d.name == "beta-blocker"
    assert d.stems and d.stems[0].stem == "-olol"
    assert innkit.decode("monoclonal antibodies").kind == "class"
    assert innkit.decode("MAO inhibitors").kind == "class"
    assert innkit.decode("tetracycline").kind != "class"  # the substance, not the class


def _found(text: str, leniency: str = "standard") -> dict[str, innkit.Mention]:
    return {m.text: m for m in innkit.annotate(text, leniency=leniency)}


@needs_unii
def test_classes_in_text_and_leniency():
    text = "Avoid MAO inhibitors, NSAIDs and beta-blockers with anticoagulants."
    found = _found(text)
    assert {"MAO inhibitors", "NSAIDs", "beta-blockers", "anticoagulants"} <= set(found)
    assert all(found[k].how == "class" for k in ("NSAIDs", "beta-blockers"))
    assert not any(m.how == "class" for m in _found(text, "strict").values())


@needs_unii
def test_english_words_that_are_drugs_are_judged():
    found = _found("Aspirin, digoxin and lithium were given. Lead the team; iron the shirt "
                   "with water.")
    assert {"Aspirin", "digoxin", "lithium"} <= set(found)
    assert not {"Lead", "iron", "water"} & set(found)
    assert found["Aspirin"].decoding.substance.unii  # linked to its substance
    # English traps keep out of the morphology path too.
    assert not _found("The atonement and refinement of topoisomerase assays.").keys() & {
        "atonement", "refinement"}


@needs_unii
def test_codes_and_known_names_at_every_level():
    for level in ("strict", "standard"):
        found = _found("Patients received T-DM1 after CMC-544 and cyclosporin.", level)
        assert {"T-DM1", "CMC-544", "cyclosporin"} <= set(found), level
        assert found["T-DM1"].decoding.substance.inn == "trastuzumab emtansine"
