"""Lenses: a word's kind is decided before any WHO stem, in the decoder and in text alike."""

from __future__ import annotations

import pytest

from innkit import annotate, decode
from innkit.rules.core import Rules
from innkit.rules.lenses import CLASS_WORD, NO_SUBSTANCE, NOT_A_DRUG

LENS_ROWS = Rules.shipped().read(
    "lenses.tsv", ("word", "lens", "class", "who_stem", "unii", "in_text", "examples"))
MODIFIER_ROWS = Rules.shipped().read("modifiers.tsv", ("word", "who_stem"))


def _said(d) -> str:
    """Everything a decoding says in words."""
    return " ".join([d.reason or "", *d.notes])


@pytest.mark.parametrize(("row", "example"), [
    (row, example) for row in LENS_ROWS if row["lens"] != CLASS_WORD
    for example in row["examples"].split("; ")
], ids=lambda x: x if isinstance(x, str) else x["word"])
def test_lens_row_example_reads_as_its_lens(row, example):
    d = decode(example)
    assert f"lenses.tsv line {row['_line']}" in _said(d)
    assert row["lens"] in _said(d)
    assert all(m.stem == row["who_stem"] for m in d.stems)


@pytest.mark.parametrize("row", [r for r in LENS_ROWS if r["who_stem"]],
                         ids=lambda r: r["word"])
def test_a_lens_stem_is_offered_as_a_known_member(row):
    d = decode(row["word"])
    assert [(m.stem, m.confidence) for m in d.stems] == [(row["who_stem"], "high")]
    assert "known member" in _said(d)


@pytest.mark.parametrize("row", [r for r in LENS_ROWS if r["unii"] not in ("", NO_SUBSTANCE)],
                         ids=lambda r: r["word"])
def test_a_lens_word_carries_its_unii(row):
    assert dict(decode(row["word"]).identifiers).get("unii") == row["unii"]


@pytest.mark.parametrize("row", [r for r in LENS_ROWS if r["unii"] == NO_SUBSTANCE],
                         ids=lambda r: r["word"])
def test_a_group_word_denotes_no_single_substance(row):
    """A genus (lactobacillus) is no one substance, whatever member a list files it under."""
    d = decode(row["word"])
    assert d.substance is None and "unii" not in dict(d.identifiers)
    assert any("names a group" in note for note in d.notes)


@pytest.mark.parametrize(("typed", "meant"), [
    ("nivolumb", "nivolumab"), ("adalimumub", "adalimumab"), ("warfrin", "warfarin"),
    ("atorvastatn", "atorvastatin"),
])
def test_a_misspelt_drug_word_gets_the_name_not_a_stem(typed, meant):
    d = decode(typed)
    assert d.suggestion == meant and not d.stems
    assert d.suggestion_unii == decode(meant).substance.unii


def test_a_misspelt_second_word_is_suggested_on_the_summary_line():
    from innkit.render import summary

    d = decode("inotuzumab ozagamicin")
    assert "did you mean 'ozogamicin'?" in summary(d)
    assert [(m.kind, m.payload_class) for m in d.modifiers] == [("payload", "enediyne")]


@pytest.mark.parametrize(("row", "example"), [
    (row, example) for row in LENS_ROWS if row["lens"] == CLASS_WORD
    for example in row["examples"].split("; ")
], ids=lambda x: x if isinstance(x, str) else x["word"])
def test_class_word_examples_are_classes_without_inner_stems(row, example):
    d = decode(example)
    assert d.kind == "class"
    assert not any(m.stem in ("-ase", "-ine") for m in d.stems)


@pytest.mark.parametrize("row", MODIFIER_ROWS, ids=lambda r: r["word"])
def test_a_conjugate_word_offers_only_the_stem_its_row_names(row):
    d = decode(row["word"])
    assert [m.stem for m in d.stems] == ([row["who_stem"]] if row["who_stem"] else [])
    assert d.conjugate is not None and d.conjugate.word == row["word"]


@pytest.mark.parametrize(("name", "wrong"), [
    ("ozogamicin", "-micin"),
    ("calicheamicin", "-micin"),
    ("pyrrolobenzodiazepine", "-zepine"),
    ("DM1", "mer-"),
    ("mertansine", "mer-"),
    ("MMAE", "-stat-"),
    ("auristatin", "-stat-"),
    ("pasudotox", "-ox"),
    ("magnesium sulfate", "sulfa-"),
    ("sodium chloride", "-ium"),
    ("potassium chloride", "-ium"),
    ("lithium carbonate", "-ium"),
    ("calcium gluconate", "calci"),
    ("magnesium", "-ium"),
    ("saline", "sal"),
    ("insulin glargine", "-ine"),
])
def test_the_wrong_readings_are_gone(name, wrong):
    d = decode(name)
    assert wrong not in [m.stem for m in d.stems]
    assert d.reason or d.notes  # and it says what the word is


@pytest.mark.parametrize(("name", "payload_class", "mechanism"), [
    ("ozogamicin", "enediyne", "DNA double-strand cleavage"),
    ("calicheamicin", "enediyne", "DNA double-strand cleavage"),
    ("auristatin", "auristatin", "tubulin"),
    ("MMAE", "auristatin", "tubulin"),
    ("DM1", "maytansinoid", "tubulin"),
    ("DXd", "camptothecin", "topoisomerase I"),
    ("pyrrolobenzodiazepine", "pyrrolobenzodiazepine", "DNA minor-groove alkylation"),
    ("PE38", "Pseudomonas exotoxin A", "elongation factor 2"),
])
def test_payload_words_say_class_and_mechanism(name, payload_class, mechanism):
    d = decode(name)
    assert d.conjugate is not None
    assert d.conjugate.payload_class == payload_class
    assert mechanism in (d.conjugate.meaning or "")


def test_a_class_phrase_is_a_class_not_an_enzyme():
    d = decode("topoisomerase I inhibitors")
    assert d.kind == "class"
    assert [m.stem for m in d.stems] in ([], ["-tecan"])


def test_an_androgen_ester_reads_as_an_androgen_first():
    # The known substance decides: testosterone is an androgen, so -ster- (androgens) is
    # offered with high confidence, and -terone (antiandrogens), letters alone, not at all.
    d = decode("testosterone cypionate")
    assert [m.stem for m in d.stems] == ["-ster-"]
    assert d.stems[0].confidence == "high"
    assert d.salts == ("cypionate",)


def test_letters_alone_are_weaker_than_a_known_member():
    known = decode("testosterone").stems[0]
    letters = [m for m in decode("mesterolone").stems if m.stem == "-ster-"]
    assert known.confidence == "high"
    assert letters and letters[0].confidence != "high"


def test_deleted_stems_are_never_offered():
    for name in ("mersalyl", "merbromin", "paracetamol", "mertansine"):
        assert not any(m.historical for m in decode(name).stems), name


@pytest.mark.parametrize("sentence", [
    "The linker joins valine and citrulline through a maleimide to the payload.",
    "Conjugation used lysine or cysteine residues and a hydrazine linker.",
    "Patients should avoid grapefruit juice.",
    "Tissue was digested with trypsin and collagenase before staining.",
])
def test_linker_chemistry_amino_acids_foods_and_reagents_are_no_mentions(sentence):
    assert annotate(sentence) == []


def test_lens_words_that_are_no_drug_are_found_when_lenient():
    assert [m.text for m in annotate("Tissue was digested with trypsin.", leniency="lenient")] \
        == ["trypsin"]


@pytest.mark.parametrize("row", [r for r in LENS_ROWS if r["in_text"] == NOT_A_DRUG
                                 and r["lens"] != CLASS_WORD], ids=lambda r: r["word"])
def test_every_not_a_drug_word_is_no_mention(row):
    assert annotate(f"The sample held {row['word']} only.") == []


def test_payload_codes_are_found_and_linked():
    text = "The conjugates carry MMAE, MMAF, DM1, DM4, DXd, SN-38 or PE38 as payload."
    found = {m.text: dict(m.decoding.identifiers).get("unii") for m in annotate(text)}
    assert found == {"MMAE": "V7I58RC5EJ", "MMAF": "1Z1AI9IW5L", "DM1": "DDZ29HGH0E",
                     "DM4": "WOB38VS2NI", "DXd": "OQM5SD32BQ", "SN-38": "0H43101T0J",
                     "PE38": None}


def test_every_lens_row_has_evidence_and_a_known_in_text_value():
    for row in Rules.shipped().read("lenses.tsv", ("word", "in_text", "evidence")):
        assert row["evidence"].strip(), row["word"]
        assert row["in_text"] in ("mention", NOT_A_DRUG), row["word"]


def test_a_stem_whose_definition_leaves_the_name_out_is_not_offered():
    """-olone is "steroids other than prednisolone derivatives": not offered where pred is."""
    rows = {r["stem"]: r["excluded_with"] for r in Rules.shipped().read(
        "inn_stems.tsv", ("stem", "excluded_with")) if r["excluded_with"]}
    assert rows
    stems = [m.stem for m in decode("methylprednisolone").stems]
    assert "pred" in stems and not [s for s in stems if rows.get(s) in stems]


def test_a_class_word_is_no_language_form_of_a_longer_name():
    """auristatin + e is the key of auristatin E: a language form keeps its number of words."""
    d = decode("auristatin")
    assert d.substance is None and "unii" not in dict(d.identifiers)


def test_a_product_of_two_substances_reads_each():
    d = decode("trastuzumab and hyaluronidase-oysk")
    assert d.kind == "combination"
    assert [c.kind for c in d.components] == ["antibody", "stem"]
    assert d.components[1].stems[0].stem == "-ase"


def test_a_radionuclide_salt_is_no_misspelling():
    d = decode("radium (223Ra) dichloride")
    assert d.suggestion is None and d.radiolabel is not None and not d.stems
    assert d.reason.startswith("a salt of a radionuclide")


ELEMENTS = Rules.shipped().read("elements.tsv", ("name", "symbol", "atomic_number"))


@pytest.mark.parametrize("row", ELEMENTS, ids=lambda r: r["name"])
def test_every_element_reads_as_an_element_and_never_as_a_stem(row):
    """gallium, zirconium and technetium end in -ium and -onium (quaternary ammonium): they are
    elements; a row of lenses.tsv may say more of one used as a medicine."""
    lens = Rules.shipped().lenses.get(row["name"])
    assert lens is not None  # an elements.tsv row, or a lenses.tsv row that says more
    d = decode(row["name"])
    assert [m.stem for m in d.stems] == ([lens.who_stem] if lens.who_stem else [])
    assert lens.source in (d.reason or "") + " ".join(d.notes)


def test_the_table_holds_each_element_once_with_its_number():
    rows = Rules.shipped().read("elements.tsv", ("name", "atomic_number", "spelling_of"))
    numbers = [int(r["atomic_number"]) for r in rows if not r["spelling_of"]]
    assert sorted(numbers) == list(range(1, 119))


def test_an_element_word_in_a_longer_name_gets_no_stem():
    d = decode("gallium oxodotreotide Ga-68")  # the element word belongs to the label
    assert d.name == "oxodotreotide" and [m.stem for m in d.stems] == ["-reotide"]
    assert d.radiolabel is not None and d.radiolabel.isotope == "68Ga"


@pytest.mark.parametrize(("name", "isotope"), [
    ("fludeoxyglucose F 18", "18F"), ("fludeoxyglucose F18", "18F"),
    ("thallous chloride Tl 201", "201Tl"), ("technetium Tc99m", "99mTc"),
    ("rubidium Rb 82 chloride", "82Rb"),
])
def test_a_usan_label_after_the_name_is_read_as_its_label(name, isotope):
    d = decode(name)
    assert d.radiolabel is not None and d.radiolabel.isotope == isotope
    assert "not a name" not in (d.reason or "")


def test_a_letter_and_number_no_isotope_list_holds_is_no_label():
    assert decode("vitamin B12").radiolabel is None


def test_immune_globulin_is_no_tubulin_binder():
    """globulin ends in -bulin (tubulin binders, mivobulin): it is a protein lens."""
    assert not decode("hepatitis B immune globulin").stems


@pytest.mark.parametrize(("name", "stems"), [
    ("celecoxib", ["-coxib"]),  # cel- (cellulose derivatives) is no coxib's
    ("phenobarbital", ["barb"]),  # the -al of -barbital is barb's, no aldehyde
])
def test_a_stem_excluded_with_the_other_is_not_offered(name, stems):
    assert [m.stem for m in decode(name).stems] == stems


@pytest.mark.parametrize("name", ["stanozolol", "oxybenzone", "hepcidin", "secretin",
                                  "thyroglobulin", "nalidixic acid", "modafinil", "bisacodyl"])
def test_a_misleading_stem_gives_way_to_the_lens(name):
    """Letters that spell a stem of another class (stanozolol's -olol) are no reading."""
    d = decode(name)
    assert not d.stems and "lenses.tsv line" in _said(d)


@pytest.mark.parametrize(("name", "stems"), [
    ("temazepam glucuronide", ["-azepam"]),  # the -onide of glucuronide is no topical steroid's
    ("edaravone glucuronide", []),
])
def test_a_conjugate_word_offers_no_stem_of_its_own(name, stems):
    assert [m.stem for m in decode(name).stems] == stems


@pytest.mark.parametrize(("name", "word"), [
    ("amiloride hydrochloride", "amiloride"), ("acetazolamide sodium", "acetazolamide"),
    ("levothyroxine sodium", "levothyroxine"), ("sodium nitroprusside", "nitroprusside"),
])
def test_a_lens_word_with_a_salt_word_reads_through_its_lens(name, word):
    """Salt and ester words (salts.tsv) are set aside before the lens, as for an INN."""
    d = decode(name)
    line = next(row["_line"] for row in LENS_ROWS if row["word"] == word)
    assert f"[lenses.tsv line {line}]" in _said(d) and not d.stems
