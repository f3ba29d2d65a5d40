"""General WHO stems: the decoder's stem logic on the fixture tables, and end to end on the
shipped tables: every example in the stem tables, a golden list of everyday drugs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from innkit import decode
from innkit.rules import Rules

TABLES = Rules.shipped().tables
GOLDEN = Path(__file__).parent / "golden" / "everyday_drugs.tsv"


def _own_stem(stem: str, example: str, registry) -> bool:
    d = decode(example, registry=registry)
    if d.kind == "antibody":
        return f"-{d.stem}" == stem
    return any(stem == m.stem or stem in m.lineage for m in d.stems)


@pytest.mark.parametrize(
    ("entry", "example"),
    [pytest.param(e, x, id=f"{e.stem}:{x}") for e in TABLES.general_stems for x in e.examples],
)
def test_every_stem_example_classifies_to_its_stem(entry, example, shipped_registry):
    """End to end: the shipped tables."""
    assert _own_stem(entry.stem, example, shipped_registry), decode(example).to_dict()


def _golden():
    with GOLDEN.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.parametrize("row", _golden(), ids=lambda r: r["name"])
def test_everyday_drugs(row, shipped_registry):
    """End to end: the shipped tables."""
    d = decode(row["name"], registry=shipped_registry)
    assert d.kind == "stem"
    first = d.stems[0]
    assert first.stem == row["stem"]
    assert first.confidence == "high"
    meanings = " ".join(filter(None, (m.meaning for m in d.stems))).lower()
    assert row["meaning_contains"].lower() in meanings


def test_golden_list_is_thirty_or_more():
    assert len(_golden()) >= 30


@pytest.mark.usefixtures("on_fixture_tables")
def test_longest_suffix_wins_and_reports_its_lineage():
    [m] = decode("tenecteplase").stems
    assert (m.stem, m.parent, m.lineage) == ("-teplase", "-plase", ("-plase", "-ase"))
    assert decode("molgramostim").stems[0].stem == "-gramostim"
    assert decode("fomivirsen").stems[0].stem == "-virsen"
    assert decode("mirvetuximab").kind == "antibody"


@pytest.mark.parametrize(("word", "stem", "payload"), [
    ("vedotin", "-dotin", "auristatin"),
    ("deruxtecan", "-tecan", "camptothecin"),
])
@pytest.mark.usefixtures("on_fixture_tables")
def test_conjugate_words_alone_report_payload_stem_and_class(word, stem, payload):
    d = decode(word)
    assert d.kind == "stem"
    assert d.stems[0].stem == stem
    assert d.conjugate.payload_class == payload


@pytest.mark.usefixtures("on_fixture_tables")
def test_a_conjugate_word_gets_no_stem_its_row_does_not_name():
    # -micin is defined as aminoglycosides: ozogamicin is an enediyne, not one of them.
    d = decode("ozogamicin")
    assert d.stems == ()
    assert d.conjugate.payload_class == "enediyne"


@pytest.mark.parametrize(("text", "name", "salts"), [
    ("imatinib mesilate", "imatinib", ("mesilate",)),
    ("Metformin Hydrochloride", "metformin", ("hydrochloride",)),
    ("clopidogrel hydrogen sulfate", "clopidogrel", ("hydrogen sulfate",)),
    ("enoxaparin sodium", "enoxaparin", ("sodium",)),
])
@pytest.mark.usefixtures("on_fixture_tables")
def test_salt_words_are_reported_not_read_as_stems(text, name, salts):
    d = decode(text)
    assert (d.name, d.salts) == (name, salts)
    assert all(m.word == name for m in d.stems)


@pytest.mark.usefixtures("on_fixture_tables")
def test_weak_endings_are_low_confidence():
    d = decode("tralopine")  # no list holds it, and it is no English word
    assert d.kind == "stem"
    assert {m.confidence for m in d.stems} == {"low"}
    assert any("uncertain" in w for w in d.warnings)


@pytest.mark.parametrize("word", ["smartphone", "premium", "stadium", "allergenic extract",
                                  "pneumococcal polysaccharide"])
def test_no_weak_stem_is_read_into_an_english_word_no_list_holds(word):
    """-one (ketones) and -ium (quaternary ammonium) fit the letters of English words: with
    nothing but a weak stem, such a word is no drug name innkit can read."""
    d = decode(word)
    assert d.kind == "unknown" and not d.stems
    assert "English" in d.reason and "weak WHO stem" in d.reason


def test_english_words_are_named_in_the_order_the_name_has_them():
    """The reason names the words as they stand in the name, the same in every run (it came
    from a set, whose order changes with the hash seed), and several weak stems are plural."""
    d = decode("peripheral adrenergic blocking drugs")
    assert "(peripheral, adrenergic)" in d.reason
    assert "-al and erg are only weak WHO stems" in d.reason


@pytest.mark.parametrize("name", ["homatropine", "benzatropine", "deptropine"])
def test_the_pine_of_tropine_is_no_tricyclic_stem(name):
    """Atropine derivatives end in tropine: its -pine is no tricyclic's; a longer tricyclic
    stem written in the name (-tepine of tropatepine) still reads."""
    assert [m.stem for m in decode(name).stems] == ["trop"]
    assert "-tepine" in [m.stem for m in decode("tropatepine").stems]


@pytest.mark.parametrize(("name", "stems"), [
    ("medroxyprogesterone", ["gest"]),  # -sterone of progesterone: no androgen, no antiandrogen
    ("dydrogesterone", ["gest"]),
    ("methyltestosterone", ["-ster-"]),  # testosterone's -sterone: no -terone antiandrogen
    ("cyproterone", ["-terone"]),
    ("abiraterone", ["-terone"]),
])
def test_the_sterone_ending_is_read_by_the_steroid_it_belongs_to(name, stems):
    assert [m.stem for m in decode(name).stems] == stems


@pytest.mark.parametrize("name", ["levonorgestrel", "desogestrel", "megestrol",
                                  "gestrinone"])
def test_gestr_is_read_as_a_progestogen_and_its_estr_as_none(name):
    """The source row gave -gestr- estr's meaning; the INNs holding it are progestogens."""
    d = decode(name)
    assert [m.stem for m in d.stems] == ["-gestr-"]
    assert "progestogen" in d.stems[0].meaning


@pytest.mark.parametrize(("name", "excluded", "kept"), [
    ("iodipamide", "-pamide", "iod-"),  # an iodinated contrast medium, no sulfamoyl diuretic
    ("guanethidine", "-ethidine", "guan-"),  # an adrenergic neurone blocker, no pethidine
    ("tiagabine", "-abine", "gab"),  # a GABA reuptake inhibitor, no arabinoside
])
def test_a_stem_is_not_read_where_its_definition_cannot_apply(name, excluded, kept):
    """Read on the letters alone (a lens may claim the word as well)."""
    from innkit.decoder.stems import classify_word

    found = [m.stem for m in classify_word(name, TABLES)]
    assert excluded not in found and kept in found


@pytest.mark.parametrize(("name", "stem"), [("azithromycine", "-mycin"),
                                            ("clarithromycine", "-mycin")])
def test_a_language_form_filed_under_a_form_without_inn_reads_the_forms_inn(name, stem):
    """The UNII list files azithromycine under azithromycin's unspecified form, which has no
    INN; all its forms are azithromycin, so that INN is read, not the French letters (-ine)."""
    assert [m.stem for m in decode(name).stems] == [stem]


@pytest.mark.parametrize(("name", "stem"), [("albuterol", "-terol"), ("meclizine", "-izine")])
def test_a_usan_read_surely_by_its_own_stem_keeps_it_where_the_inn_reads_weakly(name, stem):
    """albuterol (USAN) is a -terol bronchodilator; salbutamol, its INN, only a low sal."""
    d = decode(name)
    assert d.substance.relation == "usan" and [m.stem for m in d.stems][:1] == [stem]


@pytest.mark.parametrize(("name", "inn"), [("warfarine", "warfarin"),
                                           ("tamsulosine", "tamsulosin")])
def test_a_language_form_of_an_inn_without_a_stem_reads_no_stem_in_its_ending(name, inn):
    """The French ending -e is no stem: warfarine is no -ine alkaloid; it reads as warfarin,
    which no stem reads."""
    d = decode(name)
    assert d.substance.inn == inn and d.substance.relation == "french"
    assert not d.stems and d.name == inn


def test_a_language_form_with_accents_reads_as_its_inn():
    d = decode("paracétamol")
    assert d.substance.relation == "french" and d.name == "paracetamol"
    assert "characters that INNs never use" not in (d.reason or "")


@pytest.mark.parametrize("name", ["ferrous fumarate", "sodium chloride", "zinc gluconate",
                                  "stannous fluoride", "cupric sulfate"])
def test_a_salt_of_ion_words_is_not_called_inorganic(name):
    d = decode(name)
    assert not d.stems and "ions alone" in d.reason and "inorganic" not in d.reason


@pytest.mark.usefixtures("on_fixture_tables")
def test_deleted_stems_are_never_offered():
    # -ol and mer- were deleted from the General Principles: their definitions no longer apply.
    assert decode("paracetamol").stems == ()
    assert all(not m.historical and m.stem != "mer-" for m in decode("merbromin").stems)


@pytest.mark.usefixtures("on_fixture_tables")
def test_short_free_stems_do_not_fire_beside_a_real_one():
    # The stem book's own warning: -ni- must not fire inside penicillin.
    assert [m.stem for m in decode("penicillin").stems] == ["-cillin"]


@pytest.mark.usefixtures("on_fixture_tables")
def test_two_word_biologics():
    d = decode("onasemnogene abeparvovec")
    assert [(m.word, m.stem) for m in d.stems] == [
        ("onasemnogene", "-gene"), ("abeparvovec", "-vec")]
    d = decode("axicabtagene ciloleucel")
    assert [(m.word, m.stem) for m in d.stems] == [
        ("axicabtagene", "-cabtagene"), ("ciloleucel", "-leucel")]
    assert decode("zoledronic acid").stems[0].stem == "-dronic acid"


@pytest.mark.usefixtures("on_fixture_tables")
def test_qualifier_and_fda_suffix_on_biologics():
    d = decode("epoetin alfa")
    assert (d.kind, d.name, d.modifiers[0].word) == ("stem", "epoetin", "alfa")
    d = decode("pegfilgrastim-jmdb")
    assert (d.name, d.fda_suffix) == ("pegfilgrastim", "jmdb")


@pytest.mark.usefixtures("on_fixture_tables")
def test_nothing_matches_is_unknown_with_reason():
    d = decode("zorblat")
    assert d.kind == "unknown"
    assert "no WHO stem" in d.reason


def test_names_without_a_stem_are_known_from_the_unii_list(shipped_registry):
    """End to end: the UNII index."""
    from innkit.registry.substances import unii_source

    if unii_source() is None:
        pytest.skip("no substance index in this installation")
    d = decode("ethchlorvynol", registry=shipped_registry)  # no stem, no lens
    assert d.kind == "unknown"
    assert (d.registry.origin, d.registry.kind) == ("unii", "substance")
    assert d.reason.startswith("a known substance name (unii list)")


def test_a_short_prefix_before_a_hyphen_is_no_stem():
    """nab-paclitaxel (nanoparticle albumin-bound) is paclitaxel, not a cannabinoid (nab-)."""
    assert [m.stem for m in decode("nab-paclitaxel").stems] == ["-taxel"]


def test_a_two_letter_free_stem_is_never_read():
    """-ni- (nitro derivatives) fits methylphenidate's letters by chance."""
    assert not [m for m in decode("methylphenidate").stems if m.stem == "-ni-"]


def test_a_stem_inside_a_longer_stems_letters_is_not_read_again():
    """ifosfamide is -fosfamide; the fos of pesticides inside it is no second stem."""
    assert [m.stem for m in decode("ifosfamide").stems] == ["-fosfamide"]


def test_a_word_read_again_gives_a_new_list_and_a_cold_start_reads_it_anew():
    from innkit.decoder import stems
    from innkit.decoder.decode import forget

    tables = Rules.shipped().tables
    first = stems.classify_word("tenecteplase", tables)
    assert first and stems._WORDS
    first.clear()  # a caller's list is its own
    again = stems.classify_word("tenecteplase", tables)
    assert again and again == list(stems._classify("tenecteplase", tables))
    forget()  # what a cold measurement calls: no word is kept
    assert not stems._WORDS


@pytest.mark.parametrize(("name", "stem", "confidence"), [
    ("remdesivir", "vir", "medium"),  # a free stem that ends the word reads as a suffix would
    ("molnupiravir", "vir", "medium"),
    ("diflunisal", "sal", "medium"),
    ("ubenimex", "imex", "high"),
])
def test_a_free_stem_that_ends_the_word_counts_as_a_suffix(name, stem, confidence):
    d = decode(name)
    assert [(m.stem, m.confidence) for m in d.stems] == [(stem, confidence)]


def test_a_stem_row_without_a_definition_is_never_offered():
    """The source gives -arone and -anide no definition: no reading can say what they mean."""
    undefined = {r["stem"] for r in Rules.shipped().read("inn_stems.tsv", ("stem", "meaning"))
                 if not r["meaning"]}
    assert undefined
    for name in ("benziodarone", "benzbromarone"):
        stems = [m.stem for m in decode(name).stems]
        assert stems and not undefined & set(stems), (name, stems)


@pytest.mark.parametrize(("word", "not_read"), [
    ("cholinesterase", "-ster-"), ("carboxylesterase", "-ster-"), ("sulfatase", "sulfa-"),
    ("nicotinamidase", "nico-"), ("phosphokinase", "-kin-"), ("nitroreductase", "nitro-"),
    ("guanylyltransferase", "guan-"), ("gabase", "gab"),
])
def test_an_enzyme_s_word_is_read_by_its_ending_alone(word, not_read):
    """A word ending in -ase (reads_alone) names an enzyme by what it acts on: no stem of a
    drug class is read into the letters before it."""
    stems = [m.stem for m in decode(word).stems]
    assert stems == ["-ase"] and not_read not in stems


def test_an_enzyme_s_stems_that_extend_ase_still_read():
    assert [m.stem for m in decode("alteplase").stems] == ["-teplase"]
    assert [m.stem for m in decode("tenecteplase").stems] == ["-teplase"]


@pytest.mark.parametrize("word", ["nitrilase", "glutaminase", "thiolase", "nicotinamidase"])
def test_an_enzyme_s_word_is_no_misspelling_of_another_kind_of_name(word):
    """nitrilase is no misspelt nitrinose, nor glutaminase a misspelt glutamine: a near miss
    offered for an enzyme's word ends in -ase too, and a listed word with -ase after its
    letters is a derivative of it."""
    d = decode(word)
    assert d.kind == "stem" and d.suggestion is None and [m.stem for m in d.stems] == ["-ase"]


def test_reads_alone_is_yes_on_a_suffix_stem_only():
    rows = Rules.shipped().read("inn_stems.tsv", ("stem", "position", "reads_alone"))
    marked = {r["stem"]: r["position"] for r in rows if r["reads_alone"]}
    assert marked == {"-ase": "suffix"}
    assert TABLES.alone == frozenset({"-ase"})


def _classify_afresh(word: str, tables) -> list:
    """The word's stems read now with ``tables`` (not the words kept for other tables)."""
    from innkit.decoder.stems import _classify

    return _classify(word, tables)


@pytest.mark.parametrize("row", TABLES.chemical_words, ids=lambda w: w.word)
def test_chemical_words_hide_their_stems_in_every_example(row):
    """Each example of chemical_words.tsv holds the row's letters at its position and reads
    none of the stems the row hides; without the table, the examples read every one of them
    (so each row and each hidden stem does something)."""
    from dataclasses import replace

    bare = replace(TABLES, chemical_words=())
    shown: set[str] = set()
    assert row.examples
    for example in row.examples:
        assert row.spans(example), (row.word, example)
        read = {m.stem for m in _classify_afresh(example, TABLES)}
        assert not read & row.hides, (example, read & row.hides)
        shown |= {m.stem for m in _classify_afresh(example, bare)} & row.hides
    assert shown == row.hides, (row.word, row.hides - shown)


@pytest.mark.parametrize(("word", "kept"), [("felbamate", "-bamate"), ("meprobamate", "-bamate"),
                                            ("nitrofurantoin", "nitro-"),
                                            ("sulfanilamide", "sulfa-"),
                                            ("levorphanol", "orphan"), ("formoterol", "-terol"),
                                            ("mesterolone", "-ster-"), ("edrophonium", "-onium"),
                                            ("bicalutamide", "-lutamide"), ("vincristine", "vin-"),
                                            ("ibutilide", "-ilide"), ("homatropine", "trop"),
                                            ("sevelamer", "-mer"), ("pancuronium", "-onium")])
def test_a_stem_outside_chemical_letters_is_still_read(word, kept):
    """The WHO names themselves keep their stems: meprobamate is no carbamate by its letters,
    nitrofurantoin no nitroso compound, mesterolone no sterol."""
    assert any(kept == m.stem or kept in m.lineage for m in _classify_afresh(word, TABLES))


def test_a_chemical_word_row_must_name_known_stems(tmp_path):
    """A row that hides a stem no stem table holds is refused when the tables load."""
    from innkit.errors import DataError
    from innkit.rules.tables import _read_chemical_words

    def read(name, columns):
        return [{"word": "sterol", "position": "suffix", "class": "sterols", "hides": "-terolz",
                 "examples": "ergosterol", "evidence": "B", "_line": "2"}]

    with pytest.raises(DataError, match="terolz"):
        _read_chemical_words(read, TABLES.general_stems)


@pytest.mark.parametrize("code", ["CORT-108297", "NITD-008", "abc-1234x"])
def test_a_research_code_is_read_by_no_stem(code):
    """A research code names its company or programme (Corcept's CORT, Novartis's NITD): the
    cort of CORT-108297 is no corticosteroid; the decoding says why none is read."""
    d = decode(code)
    assert not d.stems and any("research code" in note for note in d.notes), d.to_dict()


def test_a_name_with_a_code_part_keeps_its_stem():
    """sipuleucel-T is no code: its word keeps -leucel."""
    assert "-leucel" in {m.stem for m in decode("sipuleucel-T").stems}
