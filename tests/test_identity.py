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


@pytest.mark.parametrize("damage", ["truncate", "foreign", "empty"])
def test_broad_list_key_file_answers_like_the_list_and_is_rebuilt(tmp_path, damage):
    from innkit.registry.names import open_kinds

    rows = (("besponsa", "brand", ""), ("cmc-544", "code", ""), ("cmc544", "common", ""),
            ("inotuzumab ozogamicin", "substance", ""))
    path = tmp_path / "list.keys.sqlite"
    index = open_kinds(path, lambda: rows)
    expected = {name_key(a): b for a, b, _c in rows}  # a later name of the same key wins
    assert index is not None and expected["cmc544"] == "common"
    assert {k: index.kind(k) for k in expected} == expected
    assert index.kind("trastuzumab") is None
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "empty": b"",
                      "foreign": b"not a database at all\n" * 100}[damage])
    again = open_kinds(path, lambda: rows)
    assert again is not None and {k: again.kind(k) for k in expected} == expected
    assert path.read_bytes() == data


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
