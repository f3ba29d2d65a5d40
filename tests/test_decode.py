"""Decoder behaviour: the worked examples of the spec, normalisation, modifiers and bad input.

Every test here runs on the small fixture tables (tests/fixtures/rules), with no shipped names
and no UNII index: the decoder's logic, not the data."""

from __future__ import annotations

import pytest

import innkit
from innkit import InvalidInputError, UnknownNameError, decode

pytestmark = pytest.mark.usefixtures("on_fixture_tables")

# Spec section 5.4: name, chosen reading, rejected runner-up (or None), eras.
WORKED_EXAMPLES = [
    ("inotuzumab", "ino|tu|zu|mab", None, ("original", "2009")),
    ("ecromeximab", "ecro|me|xi|mab", None, ("original",)),
    ("canakinumab", "cana|kin|u|mab", "canaki|n|u|mab", ("original",)),
    ("secukinumab", "secu|kin|u|mab", "secuki|n|u|mab", ("original",)),
    ("ustekinumab", "uste|kin|u|mab", "usteki|n|u|mab", ("original",)),
    ("stamulumab", "sta|mul|u|mab", "stamu|l|u|mab", ("original",)),
    ("edrecolomab", "edre|col|o|mab", "edreco|l|o|mab", ("original",)),
    ("fanolesomab", "fano|les|o|mab", "fanole|s|o|mab", ("original",)),
    ("igovomab", "i|gov|o|mab", "igo|v|o|mab", ("original",)),
    ("denosumab", "den|os|u|mab", None, ("original", "2009")),
    ("tuvirumab", "tu|vir|u|mab", None, ("original",)),
    ("apitegromab", "apite|gro|mab", "apite|gr|o|mab", ("2017",)),
    ("tafasitamab", "tafasi|ta|mab", "tafasi|t|a|mab", ("2017",)),
    ("cemiplimab", "cemip|li|mab", "cemip|l|i|mab", ("2017",)),
    ("lecanemab", "leca|ne|mab", "leca|n|e|mab", ("2017",)),
    ("olaratumab", "olara|t|u|mab", None, ("2009",)),
    ("daratumumab", "dara|tum|u|mab", None, ("original",)),
    ("otelixizumab", "ote|li|xizu|mab", None, ("original", "2009")),
    ("catumaxomab", "ca|tum|axo|mab", None, ("original",)),
    ("capromab", "ca|pr|o|mab", None, ("original",)),
    ("lokivetmab", "lo|ki|vet|mab", None, ("2009", "2017")),
    ("atigotatug", "atigo|ta|tug", None, ("2022",)),
    ("bevacizumab", "beva|ci|zu|mab", None, ("original", "2009")),
]


@pytest.mark.parametrize(("name", "best", "runner_up", "eras"), WORKED_EXAMPLES)
def test_spec_worked_examples(name, best, runner_up, eras):
    d = decode(name)
    assert d.kind == "antibody"
    assert d.segmentation == best
    assert d.eras == eras
    assert not d.ambiguous
    rejected = {a.segmentation for a in d.alternatives}
    if runner_up:
        assert runner_up in rejected
    # No rejected reading is as good as the chosen one.
    assert all(a.score < d.readings[0].score for a in d.alternatives)


def test_denosumab_readings_agree_in_meaning_across_eras():
    d = decode("denosumab")
    assert {r.segmentation for r in d.readings} == {"den|os|u|mab", "deno|s|u|mab"}
    assert d.target_meaning == "bone"
    assert any("agree in meaning" in n for n in d.notes)


def test_founding_sample_names():
    d = decode("inotuzumab ozogamicin")
    assert (d.prefix, d.target_substem, d.source_substem, d.stem) == ("ino", "tu", "zu", "mab")
    assert "tumour" in d.target_meaning
    assert d.source_meaning == "humanized"
    assert d.stem_meaning == "monoclonal antibody"
    [mod] = d.modifiers
    assert (mod.word, mod.kind) == ("ozogamicin", "payload")
    assert "calicheamicin" in mod.meaning
    e = decode("ecromeximab")
    assert (e.prefix, e.target_substem, e.source_substem) == ("ecro", "me", "xi")
    assert e.target_meaning == "melanoma"
    assert e.source_meaning == "chimeric"
    assert e.eras == ("original",)


@pytest.mark.parametrize(
    "text",
    ["Inotuzumab Ozogamicin", "  inotuzumab\t\tozogamicin ", "ＩＮＯＴＵＺＵＭＡＢ ozogamicin",
     "ino\u00adtuzumab ozogamicin", "inotuzumab\u200b ozogamicin"],
)
def test_normalisation(text):
    d = decode(text)
    assert d.name == "inotuzumab"
    assert d.input == text
    assert [m.word for m in d.modifiers] == ["ozogamicin"]


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", " - "])
def test_fda_suffix_with_any_dash(dash):
    d = decode(f"trastuzumab{dash}anns")
    assert d.kind == "antibody"
    assert d.name == "trastuzumab"
    assert d.fda_suffix == "anns"


def test_fda_suffix_and_prefix_on_a_conjugate():
    d = decode("fam-trastuzumab deruxtecan-nxki")
    assert (d.name, d.fda_prefix, d.fda_suffix) == ("trastuzumab", "fam", "nxki")
    assert d.modifiers[0].word == "deruxtecan"
    assert d.modifiers[0].payload_class == "camptothecin"


def test_four_letter_word_after_hyphen_is_not_a_suffix_of_a_non_biologic():
    assert decode("aspirin-abcd").fda_suffix is None
    d = decode("tagraxofusp-erzs")
    assert (d.kind, d.name, d.fda_suffix) == ("stem", "tagraxofusp", "erzs")


@pytest.mark.parametrize(
    ("text", "isotope", "style", "name", "modifier"),
    [
        ("indium (111In) capromab pendetide", "111In", "INN", "capromab", "pendetide"),
        ("iodine (131I) tositumomab", "131I", "INN", "tositumomab", None),
        ("technetium (99m Tc) fanolesomab", "99mTc", "INN", "fanolesomab", None),
        ("technetium (99mTc) nofetumomab merpentan", "99mTc", "INN", "nofetumomab", "merpentan"),
        ("yttrium (90Y) clivatuzumab tetraxetan", "90Y", "INN", "clivatuzumab", "tetraxetan"),
        ("lutetium (177Lu) lilotomab satetraxetan", "177Lu", "INN", "lilotomab", "satetraxetan"),
        ("iodine I 131 tositumomab", "131I", "USAN", "tositumomab", None),
        ("technetium Tc 99m fanolesomab", "99mTc", "USAN", "fanolesomab", None),
        ("ibritumomab tiuxetan (90Y)", "90Y", "trailing", "ibritumomab", "tiuxetan"),
    ],
)
def test_radiolabels(text, isotope, style, name, modifier):
    d = decode(text)
    assert d.kind == "antibody"
    assert d.name == name
    assert d.radiolabel.isotope == isotope
    assert d.radiolabel.style == style
    assert [m.word for m in d.modifiers] == ([modifier] if modifier else [])
    assert not d.warnings


def test_radiolabel_symbol_must_match_element():
    d = decode("indium (131I) capromab pendetide")
    assert d.kind == "antibody"
    assert any("does not match element indium" in w for w in d.warnings)


def test_radiolabel_text_is_kept_as_written():
    d = decode("Indium (111In) capromab pendetide")
    assert d.radiolabel.text == "Indium (111In)"


@pytest.mark.parametrize(
    ("text", "word", "kind", "payload"),
    [
        ("brentuximab vedotin", "vedotin", "payload", "auristatin"),
        ("belantamab mafodotin", "mafodotin", "payload", "auristatin"),
        ("trastuzumab emtansine", "emtansine", "payload", "maytansinoid"),
        ("trastuzumab deruxtecan", "deruxtecan", "payload", "camptothecin"),
        ("loncastuximab tesirine", "tesirine", "payload", "pyrrolobenzodiazepine dimer"),
        ("moxetumomab pasudotox", "pasudotox", "toxin", "toxin"),
        ("certolizumab pegol", "pegol", "pegylation", None),
        ("ibritumomab tiuxetan", "tiuxetan", "chelator", None),
        ("tucotuzumab celmoleukin", "celmoleukin", "fusion", None),
        ("dinutuximab beta", "beta", "qualifier", None),
    ],
)
def test_modifier_lexicon(text, word, kind, payload):
    [m] = decode(text).modifiers
    assert (m.word, m.kind, m.payload_class) == (word, kind, payload)
    assert m.matched_by.startswith(("modifiers.tsv", "qualifiers.tsv"))


@pytest.mark.parametrize(
    ("word", "kind", "payload"),
    [("rezetecan", "payload", "camptothecin"), ("fuvedotin", "payload", "auristatin"),
     ("tapatansine", "payload", "maytansinoid"), ("corixetan", "chelator", None),
     ("setaritox", "toxin", "toxin"), ("tazevibulin", "payload", "tubulin binder")],
)
def test_modifier_ending_fallback(word, kind, payload):
    [m] = decode(f"exampletuzumab {word}").modifiers
    assert (m.kind, m.payload_class) == (kind, payload)
    assert m.matched_by.startswith("ending -")


def test_unknown_modifier_is_kept_with_a_warning():
    d = decode("trastuzumab zzqword")
    assert d.kind == "antibody"
    assert d.modifiers[0].kind == "unknown_modifier"
    assert any("zzqword" in w for w in d.warnings)


def test_alpha_spelling_warns():
    d = decode("exampletuzumab alpha")
    assert d.modifiers[0].kind == "qualifier"
    assert any("alfa" in w for w in d.warnings)


def test_combination():
    d = decode("atoltivimab/maftivimab/odesivimab")
    assert d.kind == "combination"
    assert [c.segmentation for c in d.components] == [
        "atolti|vi|mab", "mafti|vi|mab", "odesi|vi|mab"]
    assert d.eras == ("2017",)


def test_combination_with_a_bad_part_is_unknown():
    d = decode("atoltivimab/aspirin")
    assert d.kind == "unknown"
    assert "aspirin" in d.reason


@pytest.mark.parametrize(
    ("name", "segmentation", "meaning"),
    [("pemivibart", "pemi|vi|bart", "viral"), ("eltrekibart", "eltre|ki|bart", None),
     ("etentamig", "eten|ta|mig", "tumour"), ("tegoprubart", "tego|pru|bart", "immunosuppressive"),
     ("zeleciment", "zele|ci|ment", "cardiovascular")],
)
def test_2022_stems(name, segmentation, meaning):
    d = decode(name)
    assert d.segmentation == segmentation
    assert d.eras == ("2022",)
    if meaning:
        assert d.target_meaning == meaning


def test_vet_before_tug_merges_the_t():
    d = decode("gacovetug")
    assert d.segmentation == "gaco|ve|tug"
    assert d.source_meaning == "veterinary use"
    assert any("written once" in n for n in d.notes)


def test_veterinary_name_without_target():
    d = decode("bedinvetmab")
    assert (d.prefix, d.target_substem, d.source_substem) == ("bedin", None, "vet")


def test_irregular_names():
    d = decode("muromonab-CD3")
    assert d.irregular and d.stem == "monab" and d.eras == ()
    assert d.segmentation == "muro|monab|-cd3"
    d = decode("anrukinzumab")
    assert d.segmentation == "anru|kin|zu|mab"
    assert d.irregular


def test_meaning_is_class_at_naming_not_clinical_use():
    assert decode("bevacizumab").target_meaning.startswith("cardiovascular")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty input"),
        ("   \t ", "empty input"),
        ("12345", "no letters"),
        ("💊💉", "no letters"),
        ("'; DROP TABLE names; --", "not a name"),
        ("zorblat", "no WHO stem fits"),
        ("mab", "no WHO stem fits"),
        ("xqmab", "no target or source substem"),
        ("moment", "no target or source substem"),
        ("a" * 10_000_000, "characters long"),
        (b"\xff\xfe\x00junk", "binary input"),
        ("abc\x00def", "binary input"),
        (None, "expected text"),
        (12, "expected text"),
        ("trastuzumäb", "characters that INNs never use"),
    ],
)
def test_bad_input_gives_unknown_with_reason(value, reason):
    d = decode(value)
    assert d.kind == "unknown"
    assert reason in d.reason
    assert d.to_dict()["reason"] == d.reason


def test_bytes_that_are_utf8_are_decoded():
    assert decode(b"ecromeximab").kind == "antibody"


def test_strict_raises_typed_errors():
    with pytest.raises(UnknownNameError) as err:
        decode("aspirin", strict=True)
    assert err.value.hint
    with pytest.raises(InvalidInputError):
        decode("", strict=True)
    with pytest.raises(InvalidInputError):
        decode(b"\xff", strict=True)
    assert decode("trastuzumab", strict=True).kind == "antibody"
    assert issubclass(UnknownNameError, innkit.InnkitError)


CONTRACT_KEYS = {
    "input", "name", "kind", "prefix", "target_substem", "target_meaning", "source_substem",
    "source_meaning", "stem", "stem_meaning", "eras", "modifiers", "fda_suffix", "radiolabel",
    "ambiguous", "alternatives", "warnings", "reason",
}


@pytest.mark.parametrize("text", ["inotuzumab ozogamicin", "aspirin", "a/b", ""])
def test_json_contract_keys(text):
    data = decode(text).to_dict()
    assert data.keys() >= CONTRACT_KEYS
    for m in decode("inotuzumab ozogamicin").to_dict()["modifiers"]:
        assert {"word", "kind", "meaning", "payload_class"} <= m.keys()
    assert set(data["eras"]) <= {"original", "2009", "2017", "2022"}


def test_fast_replace_is_dataclasses_replace():
    import dataclasses

    from innkit.decoder.decode import _replace

    d = decode("trastuzumab")
    ours = _replace(d, input="Trastuzumab", notes=("a note",))
    assert ours == dataclasses.replace(d, input="Trastuzumab", notes=("a note",))
    assert d.input == "trastuzumab" and ours.input == "Trastuzumab"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.input = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        _replace(d, not_a_field=1)


def test_the_literature_style_radiolabel_is_stripped_when_listed():
    d = decode("131I-tositumomab")
    assert (d.kind, d.name, d.radiolabel.style, d.radiolabel.isotope) == \
        ("antibody", "tositumomab", "prefix", "131I")
    assert decode("3H-tositumomab").radiolabel is None  # no hydrogen row: no label


def test_a_usan_style_label_needs_a_listed_symbol():
    d = decode("iodine Qq 131 tositumomab")
    assert d.radiolabel is None and d.name == "tositumomab"
    assert any(w.startswith("ignored words before the antibody name") for w in d.warnings)


@pytest.mark.parametrize("written", ["d,l-", "(S)-", "(±)-", "rac-", "DL-"])
def test_stereo_descriptors_are_stripped(written):
    d = decode(f"{written}trastuzumab")
    assert (d.kind, d.name) == ("antibody", "trastuzumab")
    assert f"'{written.lower()}' is a stereo descriptor, not part of the INN" in d.warnings


def test_fda_prefix_and_suffix_around_a_conjugate():
    d = decode("fam-trastuzumab deruxtecan-nxki")
    assert (d.name, d.fda_prefix, d.fda_suffix) == ("trastuzumab", "fam", "nxki")
    assert [m.word for m in d.modifiers] == ["deruxtecan"]
