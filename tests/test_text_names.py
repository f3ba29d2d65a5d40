"""Names a reader would mark in running text: drug classes, English words that are drugs, codes."""

from __future__ import annotations

import pytest
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.registry import substances
from innkit.rules import Rules
from innkit.rules.classes import plural

CLASS_ROWS = Rules.shipped().read("drug_classes.tsv", ("class", "phrases", "stem", "members"))
needs_unii = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")


@pytest.mark.parametrize("row", CLASS_ROWS, ids=[r["class"] for r in CLASS_ROWS])
def test_every_class_phrase_and_member(row):
    for phrase in row["phrases"].split("; "):
        for form in (phrase, plural(phrase), phrase.upper()):
            found = Rules.shipped().drug_classes.find(form)
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


@needs_unii
@pytest.mark.parametrize(("text", "expected"), [
    ("Gemtuzumab\nozogamicin was given.", ["Gemtuzumab\nozogamicin"]),
    ("trastu\u00adzumab and ritux\u200bimab", ["trastu\u00adzumab", "ritux\u200bimab"]),
    ("We used 5-fluorouracil and Ado-trastuzumab emtansine.",
     ["5-fluorouracil", "Ado-trastuzumab emtansine"]),
    ("d,l-sotalol and 131I-tositumomab", ["d,l-sotalol", "131I-tositumomab"]),
    ("Patients got teclistamab-daratumumab.", ["teclistamab", "daratumumab"]),
])
def test_whole_spans(text, expected):
    mentions = innkit.annotate(text)
    assert [m.text for m in mentions] == expected
    for m in mentions:  # offsets always into the original text
        assert text[m.start:m.end] == m.text and m.decoding.kind != "unknown"


@needs_unii
def test_look_alike_letters_are_reported_never_misread():
    text = "The tr\u0430stuzumab dose"  # a Cyrillic a
    (m,) = innkit.annotate(text)
    assert m.text == "tr\u0430stuzumab" and m.suggestion == "trastuzumab"
    assert m.decoding.name == "trastuzumab" and "Cyrillic" in m.decoding.warnings[-1]
    assert not [x for x in innkit.annotate("The tr\u0430stuzum\u0430x dose")
                if x.text.endswith("stuzum")]


@needs_unii
def test_abbreviations_defined_in_the_text():
    text = ("Patients received trastuzumab deruxtecan (T-DXd) and 5-fluorouracil (5-FU). "
            "Later T-DXd was stopped, and 5-FU too.")
    found = [(m.text, m.how) for m in innkit.annotate(text)]
    assert found.count(("T-DXd", "abbreviation")) == 2
    assert found.count(("5-FU", "abbreviation")) == 2
    later = [m for m in innkit.annotate(text) if m.text == "T-DXd"][-1]
    assert later.decoding.substance.inn == "trastuzumab deruxtecan"
    # Streamed in pieces, the definition still reaches the later uses.
    pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
    streamed = [(m.start, m.text) for m in innkit.annotate_chunks(pieces)]
    assert streamed == [(m.start, m.text) for m in innkit.annotate(text)]
    assert not [m for m in innkit.annotate(text, leniency="strict") if m.how == "abbreviation"]


def test_a_short_form_the_text_defines_again_means_the_new_long_form():
    text = ("Patients took docetaxel (DC) and cyclophosphamide (CP); DC and CP were well "
            "tolerated. Later, dendritic cells (DC) and creatine phosphate (CP) were measured: "
            "DC rose and CP fell. Then cisplatin (CP) replaced it, and docetaxel (DC) was "
            "resumed; CP and DC went on.")
    read = [(m.text, m.decoding.substance.name)
            for m in innkit.annotate(text) if m.text in ("DC", "CP")]
    # each use means what the nearest definition before it says; a long form that is no drug
    # (dendritic cells) ends the link, and a later drug defines the form anew
    assert read == [("DC", "docetaxel"), ("CP", "cyclophosphamide"), ("DC", "docetaxel"),
                    ("CP", "cyclophosphamide"), ("CP", "phosphocreatine"),
                    ("CP", "phosphocreatine"),
                    ("CP", "cisplatin"), ("DC", "docetaxel"), ("CP", "cisplatin"),
                    ("DC", "docetaxel")]
    # streamed in small pieces: the same
    pieces = [text[i:i + 9] for i in range(0, len(text), 9)]
    streamed = [(m.start, m.text, m.decoding.name) for m in innkit.annotate_chunks(pieces)]
    assert streamed == [(m.start, m.text, m.decoding.name) for m in innkit.annotate(text)]


def test_a_short_form_in_parentheses_that_is_no_definition_keeps_its_meaning():
    from innkit.annotator.abbreviations import defines_anew, stands_defined

    text = "The dose of CP was halved (CP). Renal function (CP) too."
    use = text.index("(CP)") + 1
    before = stands_defined(text, use, use + 2)
    assert before == text.index(" (CP)")
    assert not defines_anew(text, before, "CP")  # the clause already uses the form
    second = text.rindex("(CP)") + 1
    assert not defines_anew(text, stands_defined(text, second, second + 2), "CP")  # no C..P
    assert stands_defined(text, text.index("CP"), text.index("CP") + 2) is None
    assert defines_anew("were counted in dendritic cells", 31, "DC")


def test_a_name_a_lens_reads_keeps_the_prefix_grown_over_it():
    found = [(m.text, m.decoding.name) for m in innkit.annotate(
        "L-carnitine (L-Car) was given; L-Car helped, and L-arginine too.")]
    assert found == [("L-carnitine", "levocarnitine"), ("L-Car", "levocarnitine"),
                     ("L-Car", "levocarnitine"), ("L-arginine", "arginine")]


def test_a_name_ending_a_longer_hyphenated_word_defines_no_short_form():
    """NG-nitro-L-arginine (L-NOARG) abbreviates the whole inhibitor, not arginine."""
    text = "NG-nitro-L-arginine (L-NOARG) was given; L-NOARG blocked the synthase."
    assert [m.text for m in innkit.annotate(text)] == ["L-arginine"]


def test_schwartz_hearst_rule():
    from innkit.annotator.abbreviations import is_definition

    assert is_definition("methotrexate", "MTX") and is_definition("5-fluorouracil", "5-FU")
    assert is_definition("monoamine oxidase inhibitors", "MAOIs")
    assert not is_definition("trastuzumab", "HER2") and not is_definition("digoxin", "ECG")


def test_decode_says_when_a_word_is_ordinary_english():
    for word in ("atonement", "refinement"):
        d = innkit.decode(word)
        assert any("ordinary English word" in w for w in d.warnings), word
    assert not any("English" in w for w in innkit.decode("lecanemab").warnings)


@needs_unii
def test_a_class_word_as_adjective_is_not_a_mention():
    found = [(m.text, m.how) for m in innkit.annotate(
        "The anticoagulant effect of warfarin; avoid an anticoagulant or diuretics.")]
    assert found == [("warfarin", "registry"), ("anticoagulant", "class"), ("diuretics", "class")]


USAGE_ROWS = Rules.shipped().read("usage_contexts.tsv", ("word", "side", "marks", "example"))
BODY_ROWS = Rules.shipped().read("body_words.tsv", ("name", "kind", "example"))


@pytest.mark.parametrize("row", [r for r in USAGE_ROWS if r["marks"] == "property"],
                         ids=lambda r: r["word"])
def test_every_property_word_makes_a_class_word_an_adjective(row):
    example = row["example"]
    word = example.split()[0]
    assert row["word"] in example.lower().split()[1:]
    assert not [m for m in innkit.annotate(f"Note the {example}.") if m.text == word]
    assert [m.how for m in innkit.annotate(f"Avoid an {word}.")] == ["class"]  # else a noun


@needs_unii
@pytest.mark.parametrize("row", BODY_ROWS, ids=lambda r: r["name"])
def test_every_body_word_is_a_known_name_and_its_example_is_not_a_drug(row):
    name = row["name"]
    d = innkit.decode(name)
    assert d.substance is not None or d.kind == "class", name
    if row["example"]:
        text = f"Excluded: {row['example']}."
        assert name not in {m.text.lower() for m in innkit.annotate(text)}, text
        assert name in {m.text.lower() for m in innkit.annotate(text, leniency="lenient")}


@needs_unii
@pytest.mark.parametrize("row", [r for r in USAGE_ROWS if r["marks"] == "measurement"],
                         ids=lambda r: f"{r['side']}-{r['word']}")
def test_every_measurement_word_makes_its_analyte_a_measurement(row):
    example = row["example"].split()
    word, name = (example[0], example[1]) if row["side"] == "before" else (example[1],
                                                                          example[0])
    assert word.lower() == row["word"] and name.lower() in {r["name"] for r in BODY_ROWS}
    text = f"Excluded: {row['example']}."
    assert name.lower() not in {m.text.lower() for m in innkit.annotate(text)}, text
    assert name.lower() in {m.text.lower() for m in innkit.annotate(text, leniency="lenient")}


@needs_unii
def test_measured_body_constituents_and_organ_words_are_not_drugs_given():
    text = ("Serum creatinine > 1.5 mg/dL; glucose-6-phosphate dehydrogenase deficiency; "
            "thyroid disorder; fasting glucose 70-120 mg/dL. Give potassium chloride, "
            "desiccated thyroid, or glucose.")
    assert [m.text for m in innkit.annotate(text)] == [
        "potassium chloride", "thyroid", "glucose"]
    assert "creatinine" in {m.text.lower() for m in innkit.annotate(text, leniency="lenient")}


@needs_unii
def test_words_in_current_english_use_are_not_new_drug_names():
    text = ("Smartphone users who have undergone genotyping for thymidylate synthase and "
            "aminotransferase; a new drug, zorvastatin.")
    assert [m.text for m in innkit.annotate(text)] == ["zorvastatin"]


@needs_unii
def test_a_class_word_before_a_word_of_use_is_a_mention():
    found = [m.text for m in innkit.annotate(
        "Chronic opioid use, antibiotic treatment within 4 weeks, or anticoagulant therapy.")]
    assert found == ["opioid", "antibiotic", "anticoagulant"]


def test_brands_given_with_a_trade_mark_sign_are_linked_to_the_name():
    from innkit.annotator.core import Annotator
    from innkit.registry import Registry

    bare = Annotator(registry=Registry(None, shipped=False, substances=False))  # morphology only
    text = ("Rituximab (MabThera®/Rituxan®) or trastuzumab (Genentech); later Rituxan® alone "
            "and Rituxan without the sign.")
    found = [(m.text, m.how, m.decoding.name) for m in bare.annotate(text)]
    assert found == [("Rituximab", "morphology", "rituximab"),
                     ("MabThera", "brand", "rituximab"), ("Rituxan", "brand", "rituximab"),
                     ("trastuzumab", "morphology", "trastuzumab"),
                     ("Rituxan", "brand", "rituximab"), ("Rituxan", "brand", "rituximab")]
    assert "Genentech" not in {m.text for m in bare.annotate(text)}


@needs_unii
def test_the_anion_of_an_acid_inn_is_found_and_linked_to_the_acid():
    found = {m.text: m for m in innkit.annotate("Seizures stopped on valproate.")}
    assert set(found) == {"valproate"}
    assert found["valproate"].decoding.substance.inn == "valproic acid"
    assert "aspartate" not in {m.text for m in innkit.annotate("aspartate aminotransferase")}


@needs_unii
def test_a_dose_is_not_a_laboratory_value():
    given = "Give potassium 40 mEq orally, or glucose 5% infusion; potassium 5.5 mmol/L is high."
    assert [m.text for m in innkit.annotate(given)] == ["potassium", "glucose"]
