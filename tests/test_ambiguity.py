"""A name that denotes several substances is never silently read as one of them, in any output;
and a four-letter suffix is called the FDA name only when the suffixed name is listed.

``Ketas`` is a brand of esketamine and of ibudilast, ``ProAir`` one of salbutamol and of
procaterol (both in the FDA UNII list); ``Kadcyla`` denotes trastuzumab emtansine alone.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.cli import main
from innkit.cli.decode import TSV_COLUMNS as DECODE_COLUMNS
from innkit.models import Substance
from innkit.registry import substances
from innkit.render import TSV_COLUMNS as ANNOTATE_COLUMNS
from innkit.render import brat_lines, html_page, render_card, tsv_line
from innkit.vocab import Relation

pytestmark = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")

AMBIGUOUS = {"Ketas": {"50LFG02TXD": "esketamine", "M0TTH61XC5": "ibudilast"},
             "ProAir": {"021SEF3731": "salbutamol", "4VD1BRT7T8": "procaterol"}}
ONE = ("Kadcyla", "SE2KH7T06F", "trastuzumab emtansine")
TEXT = "Ketas was stopped, ProAir and Kadcyla were given."


def run(*args: str, stdin: str | None = None):
    r = CliRunner().invoke(main, list(args), input=stdin)
    assert r.exit_code == 0, r.output
    return r.stdout


def _candidates(sub: dict) -> dict[str, str]:
    return {c["unii"]: c["inn"] for c in sub["denotes"]}


# -- the result and its JSON (library, CLI decode, annotate jsonl, web) -------------------------

@pytest.mark.parametrize("name", AMBIGUOUS)
def test_ambiguous_json_has_no_single_substance(name):
    d = innkit.decode(name)
    assert d.substance.ambiguous
    assert {c.unii: c.inn for c in d.substance.denotes} == AMBIGUOUS[name]
    data = d.to_dict()
    sub = data["substance"]
    assert sub["ambiguous"] is True
    for key in ("unii", "inn", "name", "curie", "url"):
        assert sub[key] is None, key
    assert sub["names"] == {}
    assert sub["relation"] == "brand"
    assert _candidates(sub) == AMBIGUOUS[name]
    for c in sub["denotes"]:
        assert c["curie"] == f"unii:{c['unii']}" and c["relation"] == "brand" and c["name"]
    assert data["identifiers"] == {"unii": None}


def test_unambiguous_json_is_unchanged():
    name, unii, inn = ONE
    data = innkit.decode(name).to_dict()
    sub = data["substance"]
    assert (sub["unii"], sub["inn"], sub["curie"]) == (unii, inn, f"unii:{unii}")
    assert sub["ambiguous"] is False and sub["names"]["brand"]["count"] >= 1
    assert data["identifiers"] == {"unii": unii}
    assert sub["denotes"] == [{"name": inn, "inn": inn, "unii": unii, "curie": f"unii:{unii}",
                               "url": sub["url"], "relation": "brand"}]


def test_denotes_keeps_only_candidates_that_rank_as_high():
    first = Substance(name="a", inn="a", unii="A", relation="brand", name_type="brand")
    tied = Substance(name="b", inn="b", unii="B", relation="brand", name_type="brand")
    lower = Substance(name="c", inn="c", unii="C", relation="synonym", name_type="common")
    sub = Substance(name="a", inn="a", unii="A", relation="brand", name_type="brand",
                    candidates=(tied, lower), ambiguous=True)
    assert [c.unii for c in sub.denotes] == ["A", "B"]
    assert [c.unii for c in first.denotes] == ["A"]


def test_cli_decode_json_jsonl_and_text():
    one = json.loads(run("decode", "--format", "json", "Ketas"))
    assert one["substance"]["unii"] is None and _candidates(one["substance"]) == AMBIGUOUS["Ketas"]
    lines = [json.loads(x) for x in run("decode", "--format", "jsonl", "Ketas", ONE[0])
             .splitlines()]
    assert lines[0]["identifiers"]["unii"] is None and lines[1]["identifiers"]["unii"] == ONE[1]
    text = run("decode", "Ketas")
    assert "AMBIGUOUS" in text and "50LFG02TXD" in text and "M0TTH61XC5" in text


def test_cli_decode_tsv():
    header, *rows = run("decode", "--format", "tsv", "Ketas", ONE[0]).splitlines()
    assert header.split("\t") == list(DECODE_COLUMNS)
    assert DECODE_COLUMNS[-2:] == ("substance_ambiguous", "candidate_uniis")
    ketas, kadcyla = (dict(zip(DECODE_COLUMNS, r.split("\t"), strict=True)) for r in rows)
    assert (ketas["unii"], ketas["inn"], ketas["relation"]) == ("", "", "brand")
    assert ketas["substance_ambiguous"] == "yes"
    assert set(ketas["candidate_uniis"].split(";")) == set(AMBIGUOUS["Ketas"])
    assert (kadcyla["unii"], kadcyla["inn"]) == ONE[1:]
    assert (kadcyla["substance_ambiguous"], kadcyla["candidate_uniis"]) == ("no", "")


def test_annotate_jsonl_and_tsv():
    found = {m["text"]: m for m in map(json.loads, run("annotate", "--format", "jsonl", "-",
                                                       stdin=TEXT).splitlines())}
    for name, candidates in AMBIGUOUS.items():
        sub = found[name]["decoding"]["substance"]
        assert sub["unii"] is None and sub["ambiguous"] and _candidates(sub) == candidates
    assert found[ONE[0]]["decoding"]["substance"]["unii"] == ONE[1]
    header, *rows = run("annotate", "--format", "tsv", "-", stdin=TEXT).splitlines()
    # new columns at the end: every older column keeps its place
    assert header.split("\t")[:15] == ["doc", "start", "end", "text", "how", "known",
                                       "confidence", "kind", "segmentation", "stem", "summary",
                                       "suggestion", "unii", "inn", "relation"]
    assert ANNOTATE_COLUMNS[-2:] == ("ambiguous", "candidate_uniis")
    cells = {c["text"]: c for c in (dict(zip(ANNOTATE_COLUMNS, r.split("\t"), strict=True))
                                    for r in rows)}
    for name, candidates in AMBIGUOUS.items():
        assert (cells[name]["unii"], cells[name]["inn"], cells[name]["ambiguous"]) == ("", "",
                                                                                      "yes")
        assert set(cells[name]["candidate_uniis"].split(";")) == set(candidates)
    kadcyla = cells[ONE[0]]
    assert (kadcyla["unii"], kadcyla["ambiguous"], kadcyla["candidate_uniis"]) == (ONE[1], "no",
                                                                                  "")


# -- brat: one normalisation line per candidate -----------------------------------------------

def test_brat_has_one_normalisation_per_candidate(tmp_path):
    mentions = innkit.annotate(TEXT)
    lines = list(brat_lines(mentions))
    norms = [line.split("\t") for line in lines if line.startswith("N")]
    by_target: dict[str, set[str]] = {}
    for _id, ref, _text in norms:
        _, target, curie = ref.split(" ")
        by_target.setdefault(target, set()).add(curie.removeprefix("unii:"))
    names = {f"T{i}": m.text for i, m in enumerate(mentions, start=1)}
    assert {names[t]: u for t, u in by_target.items()} == {
        **{n: set(c) for n, c in AMBIGUOUS.items()}, ONE[0]: {ONE[1]}}
    ids = [n[0] for n in norms]
    assert ids == [f"N{i}" for i in range(1, len(norms) + 1)]  # numbered in order, unique
    # The streamed sink numbers them the same way across a document's mentions.
    run("annotate", "--format", "brat", "-o", str(tmp_path), "-", stdin=TEXT)
    ann = (tmp_path / "stdin.ann").read_text(encoding="utf-8").splitlines()
    assert ann == lines


# -- text, card and HTML name every candidate ---------------------------------------------------

def test_card_and_html_name_every_candidate():
    d = innkit.decode("Ketas")
    card = render_card(d)
    assert "AMBIGUOUS" in card and "this name is its" not in card
    assert all(u in card for u in AMBIGUOUS["Ketas"])
    mentions = innkit.annotate(TEXT)
    page = html_page("t", TEXT, mentions)
    assert all(u in page for c in AMBIGUOUS.values() for u in c)
    ketas = next(m for m in mentions if m.text == "Ketas")
    assert tsv_line("doc", ketas).split("\t")[12] == ""


# -- spaCy ----------------------------------------------------------------------------------

def test_spacy_span_has_no_kb_id_and_carries_the_candidates():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.add_pipe("innkit")
    doc = nlp(TEXT)
    spans = {s.text: s for s in doc.spans["innkit"]}
    for name, candidates in AMBIGUOUS.items():
        assert spans[name].kb_id_ == ""
        assert {c["unii"]: c["inn"] for c in spans[name]._.innkit_candidates} == candidates
    assert spans[ONE[0]].kb_id_ == f"unii:{ONE[1]}"
    assert [c["unii"] for c in spans[ONE[0]]._.innkit_candidates] == [ONE[1]]


# -- web ------------------------------------------------------------------------------------

def test_web_decode_and_annotate():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from innkit.web.app import create_app

    with TestClient(create_app(time_limit_s=600), base_url="http://127.0.0.1") as client:
        sub = client.get("/v1/decode", params={"name": "Ketas"}).json()["substance"]
        assert sub["unii"] is None and _candidates(sub) == AMBIGUOUS["Ketas"]
        found = {m["text"]: m for m in client.post("/v1/annotate", json={"text": TEXT}).json()}
        assert found["ProAir"]["decoding"]["identifiers"] == {"unii": None}
        assert found[ONE[0]]["decoding"]["identifiers"] == {"unii": ONE[1]}


# -- Dask Parquet ---------------------------------------------------------------------------

def test_parquet_columns(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from innkit.integrations.dask.plan import Partition, Settings
    from innkit.integrations.dask.report import COLUMNS, part_name
    from innkit.integrations.dask.worker import run_partition

    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"doc_id": "d", "text": TEXT}) + "\n", encoding="utf-8")
    size = path.stat().st_size
    part = Partition(index=0, name=str(path), path=str(path), fmt="jsonl", start=0, stop=size,
                     size=size, source=0)
    run_partition(part, Settings("text", "doc_id", "standard", None), str(tmp_path))
    table = pq.read_table(tmp_path / part_name(0))
    assert tuple(table.column_names) == COLUMNS
    assert {"unii", "inn", "relation", "curie", "ambiguous", "candidates"} <= set(COLUMNS)
    rows = {r["text"]: r for r in table.to_pylist()}
    for name, candidates in AMBIGUOUS.items():
        row = rows[name]
        assert (row["unii"], row["inn"], row["curie"]) == (None, None, None)
        assert row["relation"] == "brand" and row["ambiguous"] is True
        assert set(row["candidates"]) == set(candidates)
    kadcyla = rows[ONE[0]]
    assert (kadcyla["unii"], kadcyla["inn"], kadcyla["curie"]) == (ONE[1], ONE[2],
                                                                   f"unii:{ONE[1]}")
    assert kadcyla["ambiguous"] is False and kadcyla["candidates"] == [ONE[1]]


# -- FDA suffixes ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["trastuzumab-anns", "adalimumab-atto",
                                  "fam-trastuzumab deruxtecan-nxki", "ado-trastuzumab emtansine"])
def test_a_listed_fda_name_is_the_fda_name(name):
    assert innkit.decode(name).substance.relation == Relation.FDA_NAME


@pytest.mark.parametrize("name", ["tnf-alpha", "non-aspirin", "heparin-like", "pre-insulin"])
def test_an_english_or_non_antibody_affix_names_no_fda_product(name):
    """Three letters before a word that is no antibody, or an English word after a hyphen, are
    no FDA affixes: tnf-alpha is no FDA name of the substance called alpha."""
    sub = innkit.decode(name).substance
    assert sub is None or sub.relation not in (Relation.FDA_NAME, Relation.FDA_STYLE)


@pytest.mark.parametrize("name", ["pembrolizumab-xyzw", "trastuzumab-qqqq"])
def test_an_unlisted_suffix_is_only_fda_style(name):
    d = innkit.decode(name)
    assert d.substance.relation == Relation.FDA_STYLE
    assert d.substance.inn == name.split("-")[0]  # still the substance of the bare INN
    card = render_card(d)
    assert "FDA-style suffix, not on the list" in card and "FDA name of" not in card
    assert "FDA name" not in run("decode", name).replace("FDA-style name", "")
