"""The identity layer: every name resolved to the substance it denotes, with identifiers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401
from small_unii import SMALL_UNII

import innkit
from innkit.cli import main
from innkit.files.cache import CacheDbError
from innkit.registry import Registry, substances
from innkit.registry.keys import name_key
from innkit.registry.substances import open_index
from innkit.rules import Rules
from innkit.vocab import Relation

GOLDEN = Path(__file__).parent / "golden" / "identity.tsv"
ROWS = list(csv.DictReader(GOLDEN.open(encoding="utf-8"), delimiter="\t"))
needs_unii = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")


@needs_unii
@pytest.mark.parametrize("row", ROWS, ids=[r["input"] for r in ROWS])
def test_golden_identity(row):
    d = innkit.decode(row["input"])
    s = d.substance
    assert s is not None, f"{row['input']} resolves to no substance"
    uniis = row["unii"].split("|")
    assert s.relation == row["relation"]
    assert s.unii == uniis[0]
    assert [c.unii for c in s.candidates][: len(uniis) - 1] == uniis[1:]
    assert (s.inn or "") == row["inn"]
    if row["antibody"]:
        assert d.kind == "antibody" and d.name == row["antibody"]
    if len(uniis) > 1:  # one name, two substances with other INNs: listed, never picked
        assert s.ambiguous and any("more than one substance" in w for w in d.warnings)
    else:
        assert ("unii", s.unii) in d.identifiers


def test_golden_covers_every_relation():
    relations = {r["relation"] for r in ROWS}
    needed = {"inn", "brand", "code", "former", "usan", "salt", "latin", "french", "spanish",
              "fda_name"}
    assert needed <= relations
    assert len(ROWS) >= 50


@needs_unii
@pytest.mark.parametrize("row", Rules.shipped().read("inn_languages.tsv", ("language", "examples")),
                         ids=lambda r: r["rule"])
def test_every_language_example_resolves(row):
    for example in row["examples"].split("; "):
        form, inn = example.split("=")
        s = innkit.decode(form).substance
        assert s is not None and s.inn == inn and s.relation == row["language"], example


@needs_unii
def test_json_contract_and_merged_layers():
    d = innkit.decode("Kadcyla").to_dict()
    sub = d["substance"]
    assert {"name", "inn", "unii", "relation", "names"} <= set(sub)
    assert sub["inn"] == "trastuzumab emtansine" and sub["relation"] == "brand"
    assert sub["curie"] == f"unii:{sub['unii']}"
    assert sub["names"]["brand"]["count"] >= 1 and "Kadcyla" in sub["names"]["brand"]["names"]
    assert d["identifiers"]["unii"] == sub["unii"]
    # The shipped table's facts are never hidden by the bare UNII entry of a conjugate.
    assert innkit.decode("trastuzumab deruxtecan").registry.target_antigen
    assert innkit.decode("gleevec").to_dict()["substance"]["inn"] == "imatinib"


@needs_unii
def test_unknown_and_inn_names():
    assert innkit.decode("xqzzvtab").substance is None
    d = innkit.decode("ecromeximab")
    assert d.substance.relation == Relation.INN
    assert not any(" is the " in n for n in d.notes)  # an INN is read as written
    assert d.segmentation == "ecro|me|xi|mab"


@needs_unii
def test_cli_text_names_the_substance():
    out = CliRunner().invoke(main, ["decode", "Besponsa"])
    assert out.exit_code == 0, out.output
    assert "brand of inotuzumab ozogamicin, UNII P93RUU11P7" in out.output
    assert "ino|tu|zu|mab" in out.output
    row = CliRunner().invoke(main, ["decode", "--format", "json", "CMC-544"])
    assert row.exit_code == 0, row.output
    assert json.loads(row.output)["substance"]["relation"] == "code"


# -- the on-disk index: built once, checked on open, rebuilt when broken ------------------------



@pytest.fixture
def small_source(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "UNII_Names.txt"
    source.write_text(SMALL_UNII, encoding="utf-8")
    return source


def test_index_is_built_once_and_queried(small_source):
    index = open_index(frozenset(), source=small_source)
    assert index is not None and index.counts == {"official": 1, "brand": 1, "code": 1}
    (rec, sub), = index.lookup("besponsa")
    assert rec.unii == "P93RUU11P7" and sub.inn == "inotuzumab ozogamicin"
    again = open_index(frozenset(), source=small_source)
    assert again.path == index.path


@pytest.mark.parametrize("damage", ["truncate", "foreign", "empty"])
def test_broken_index_is_detected_and_rebuilt(small_source, damage, capsys):
    path = open_index(frozenset(), source=small_source).path
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":
        path.write_bytes(b"not a database at all\n" * 100)
    else:
        path.write_bytes(b"")
    index = open_index(frozenset(), source=small_source)
    assert index is not None and index.lookup("cmc544")
    assert "rebuilding" in capsys.readouterr().err


def test_missing_unii_list_degrades_to_the_shipped_tables(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(substances, "unii_source", lambda: None)
    reg = Registry(tmp_path / "user.sqlite")
    d = innkit.decode("trastuzumab", registry=reg)
    assert d.kind == "antibody" and d.substance is None and d.registry is not None
    assert "not installed" in capsys.readouterr().err


def test_broad_list_is_stored_in_the_index_with_its_keys(small_source):
    from innkit.registry.names import broad_kind, unii_names

    index = open_index(frozenset(), source=small_source)
    rows = index.broad_rows()
    assert rows == [("besponsa", "brand", ""), ("cmc-544", "code", ""),
                    ("inotuzumab ozogamicin", "substance", "")]
    assert unii_names(index) == tuple((a, b) for a, b, _c in rows)
    assert {name_key(a): broad_kind(index, name_key(a)) for a, _b, _c in rows} == {
        "besponsa": "brand", "cmc544": "code", "inotuzumabozogamicin": "substance"}
    assert broad_kind(index, "trastuzumab") is None and index.lookup("trastuzumab") == []


def test_a_packed_index_expands_to_the_index_built_from_the_list(small_source, tmp_path):
    from innkit.registry.substances import SubstanceIndex, build_index, compress, expand

    packed = tmp_path / "index.bin"
    build_index(small_source, packed, frozenset(), packed=True)
    with pytest.raises(CacheDbError, match="packed"):
        SubstanceIndex(packed)
    (tmp_path / "index.bin.zst").write_bytes(compress(packed.read_bytes()))
    expand(tmp_path / "index.bin.zst", tmp_path / "full.bin")
    full, built = SubstanceIndex(tmp_path / "full.bin"), open_index(frozenset(),
                                                                    source=small_source)
    for key in ("besponsa", "cmc544", "inotuzumabozogamicin", "nothing"):
        assert full.lookup(key) == built.lookup(key)
        assert full.kind(key) == built.kind(key)
    assert full.broad_rows() == built.broad_rows() and full.meta == built.meta


def test_data_update_builds_the_index_that_is_used_and_info_says_so(small_source, tmp_path):
    from innkit.registry import set_registry

    runner = CliRunner()
    set_registry(None)
    try:
        r = runner.invoke(main, ["data", "update", str(small_source), "--date", "2026-01-02"])
        assert r.exit_code == 0, r.output
        assert "built the substance index" in r.output and "innkit: building" in r.stderr
        set_registry(None)
        r = runner.invoke(main, ["data", "info", "--format", "json"])
        in_use = json.loads(r.output)["substance_index_in_use"]
        assert in_use["list_date"] == "2026-01-02" and in_use["substances"] == 1
        assert in_use["path"].endswith(substances.UPDATED)
        assert innkit.decode("Besponsa", registry=Registry(tmp_path / "u.sqlite")
                             ).substance.unii == "P93RUU11P7"
        r = runner.invoke(main, ["data", "update", "--revert"])
        assert r.exit_code == 0 and substances.updated_file() is None
    finally:
        set_registry(None)


def test_data_update_refuses_a_file_that_is_no_unii_list(tmp_path):
    other = tmp_path / "names.txt"
    other.write_text("name\nbesponsa\n", encoding="utf-8")
    for argv in (["data", "update", str(other)], ["data", "update", str(tmp_path / "absent")]):
        r = CliRunner().invoke(main, argv)
        assert r.exit_code == 2 and "fix:" in r.stderr


def test_the_shipped_index_matches_the_manifest_and_the_tables():
    from innkit.registry.substances import rules_digest, shipped_file
    from innkit.rules import manifest

    path = shipped_file()
    if path is None:
        pytest.skip("no shipped substance index")
    record = manifest.read()["substance_index"]
    assert record == manifest.index_record(path)
    assert record["list_date"] and len(record["source_sha256"]) == 64
    meta = manifest.index_meta(path)
    assert meta["rules"] == rules_digest(frozenset(Rules.shipped().tables.salts)), (
        "the salt or language tables changed: run python tools/build_unii_index.py")


@needs_unii
def test_a_table_name_the_fda_list_lacks_says_so_and_keeps_its_inn_number():
    """A new WHO name without a UNII is not left without a word: the card says what identifies
    it instead."""
    rows = Rules.shipped().read("antibody_inns.tsv", ("name", "second_word", "inn_number"))
    missing = []
    for row in rows[::10]:
        d = innkit.decode(row["name"])
        if d.substance is None and not row["second_word"]:
            missing.append(row["name"])
            assert any(n.startswith("no UNII yet") for n in d.notes), row["name"]
            if row["inn_number"]:
                assert dict(d.identifiers)["inn_number"] == row["inn_number"]
    assert missing


@pytest.mark.parametrize(("listed", "shown"), [
    ("MONOMETHYL AURISTATIN E", "monomethyl auristatin E"),
    ("FACTOR VIII", "factor VIII"),
    ("POLYMYXIN B2 SULFATE", "polymyxin B2 sulfate"),
    ("VITAMIN E, DL-", "vitamin E, dl-"),
    (".ALPHA.-TOCOPHEROL", "alpha-tocopherol"),
    ("11.BETA.-HYDROXYANDROSTENEDIONE", "11beta-hydroxyandrostenedione"),
    ("N,N-DIMETHYLANILINE", "n,n-dimethylaniline"),  # letters inside a systematic name
    ("CELECOXIB", "celecoxib"),
    ("SODIUM IODIDE (131 I)", "sodium iodide (131I)"),  # radionuclides as radiolabels.tsv
    ("TECHNETIUM (99M TC) SESTAMIBI", "technetium (99mTc) sestamibi"),
    ("TOSITUMOMAB I-131", "tositumomab I-131"),
    ("CA-125 ANTIGEN", "ca-125 antigen"),  # no isotope the table lists
    ("TC-99M SULFUR COLLOID", "Tc-99m sulfur colloid"),  # the symbol first in the name
    ("INDIUM IN-111 OXYQUINOLINE, 2-METHYL-", "indium In-111 oxyquinoline, 2-methyl-"),
    ("INTERLEUKIN-6 TC-99M", "interleukin-6 Tc-99m"),  # a hyphen before a digit in a word
    ("ANTI-CD-20 I-131", "anti-cd-20 I-131"),  # "cd-20" is no word of its own: no symbol
])
def test_unii_names_keep_the_capitals_a_reader_writes(listed, shown):
    from innkit.registry.display import plain_case

    assert plain_case(listed) == shown


def test_a_substance_named_with_a_letter_shows_it_in_capitals():
    sub = innkit.decode("monomethyl auristatin E").substance
    assert sub is not None and sub.name == "monomethyl auristatin E"


def test_the_index_holds_each_substance_s_names_as_shown():
    """A decode reads the names as the index holds them: they are cased when it is built."""
    from innkit.registry import get_registry
    from innkit.registry.keys import name_key

    index = get_registry().substance_index()
    assert index is not None
    (_rec, sub), *_ = index.lookup(name_key("herceptin"))
    shown = {kind: first for kind, first, _count in json.loads(sub.names)}
    assert "Herceptin" in shown["brand"] and "trastuzumab" in shown["official"]
    d = innkit.decode("monomethyl auristatin E")
    assert d.substance is not None
    assert "monomethyl auristatin E" in dict((k, v) for k, v, _n in d.substance.names)["common"]


@pytest.mark.parametrize(("name", "parts"), [
    ("amoxicillin clavulanate", ("amoxicillin", "clavulanate")),
    ("piperacillin-tazobactam", ("piperacillin", "tazobactam")),
    ("sulfamethoxazole trimethoprim", ("sulfamethoxazole", "trimethoprim")),
])
def test_substances_side_by_side_are_a_combination_with_every_part_read(name, parts):
    """Read as one name, the second substance was left unread."""
    d = innkit.decode(name)
    assert d.kind == "combination" and tuple(c.input for c in d.components) == parts
    from innkit.render import summary

    line = summary(d)
    assert all(f"{p}" in line for p in parts)


@pytest.mark.parametrize("name", ["insulin glargine", "trastuzumab deruxtecan", "sodium chloride",
                                  "warfarin sodium", "alpha-tocopherol", "interferon beta-1a"])
def test_one_substance_of_several_words_is_no_combination(name):
    assert innkit.decode(name).kind != "combination"



@pytest.mark.parametrize(("brand", "inn"), [("Imodium", "loperamide"),
                                            ("Lotrimin", "clotrimazole")])
def test_a_brand_is_never_read_by_its_own_letters(brand, inn):
    """Imodium ends in -ium, yet it is no quaternary ammonium: a brand is coined, so it is read
    as its INN, even when no rule reads the INN; the line says which name it reads."""
    from innkit.render import summary

    d = innkit.decode(brand)
    assert not d.stems and d.name == inn and summary(d).startswith(f"{inn}: ")


@needs_unii
def test_a_brand_whose_word_is_its_inn_s_is_read_as_written():
    """A brand or code read as its INN is not read by its own letters first, unless its word
    may be the INN's: clopidogrel-bms keeps its own reading, Besponsa and CMC-544 take the
    INN's, with the note that says so."""
    own = innkit.decode("clopidogrel-bms")
    assert own.substance.relation == "brand" and own.name == "clopidogrel-bms"
    assert own.notes[0].endswith("the name is read as written")
    for coined in ("Besponsa", "CMC-544"):
        d = innkit.decode(coined)
        assert d.input == coined and d.name == "inotuzumab" and d.kind == "antibody"
        assert d.notes[0].endswith("the decoding is that of the INN")


@needs_unii
@pytest.mark.parametrize(("coined", "meant"), [("accotril", "nitrilacarb"),
                                               ("accel ns", "morpholinylmercaptobenzothiazole"),
                                               ("leac-102", "taiwanofungus camphoratus")])
def test_a_brand_or_code_of_a_substance_without_inn_is_not_read_by_its_letters(coined, meant):
    """Accotril is no -tril, Accel NS no -cel cell therapy, LEAC-102 no -ac: a coined name of a
    substance with no INN takes the reading of the list's preferred name, and says so."""
    d = innkit.decode(coined)
    assert d.substance is not None and d.substance.relation in ("brand", "code")
    assert not d.substance.inn and d.substance.name.lower().startswith(meant)
    assert all(m.word != coined.split(" ")[0] for m in d.stems)
    assert d.notes[0].endswith("the decoding is that of the UNII list's preferred name "
                               "(the substance has no INN)")


def test_a_list_name_that_is_no_inn_lends_no_weak_stem():
    """garlic is listed as allium sativum whole: the -ium of a genus is no quaternary ammonium."""
    d = innkit.decode("garlic")
    assert d.substance is not None and not d.stems


def test_a_listed_name_with_characters_no_inn_uses_is_still_a_name():
    d = innkit.decode("st john's wort")
    assert d.substance is not None and "not a name" not in d.reason


def test_a_name_ending_in_a_letter_is_not_its_one_word_namesake():
    """Keys fold spaces away: azithromycin E (an impurity) met azithromycine (the French INN)."""
    french, impurity = innkit.decode("azithromycine"), innkit.decode("azithromycin E")
    assert french.substance.unii != impurity.substance.unii
    assert french.substance.relation == "french"
