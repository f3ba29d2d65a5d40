"""innkit check: claims about named antibodies found in text and judged against the name and
the antibody table."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from innkit import check
from innkit.checker.words import lexicon
from innkit.cli import main

DATA = Path(__file__).resolve().parents[1] / "src" / "innkit" / "data"
SEED_STYLE = ("Inotuzumab ozogamicin (trade name Besponsa) is an antibody-drug conjugate. The "
              "medication consists of the humanized monoclonal antibody against CD22 "
              "(inotuzumab), linked to a cytotoxic agent from the class of calicheamicins "
              "called ozogamicin. The US label for the use of inotuzumab ozagamicin carries a "
              "boxed warning.")


def _claims(text: str) -> list[tuple[str, str, str, str]]:
    return [(c.name.split()[0], c.kind, c.value, c.verdict) for c in check(text)]


def _rows(table: str) -> list[dict[str, str]]:
    with (DATA / table).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


CLAIM_ROWS = [r for r in _rows("check_words.tsv")
              if r["kind"] in ("source", "target_class", "payload", "format") and r["examples"]]


@pytest.mark.parametrize("row", CLAIM_ROWS, ids=lambda r: f"{r['kind']}-{r['value']}")
def test_every_claim_word_row_example_is_a_consistent_claim(row):
    found = [(c.kind, c.value, c.verdict) for c in check(row["examples"])]
    assert (row["kind"], row["value"], "consistent") in found, found


@pytest.mark.parametrize("row", _rows("antigen_synonyms.tsv"), ids=lambda r: r["symbol"])
def test_every_antigen_synonym_names_its_symbol(row):
    lex = lexicon()
    for alias in [row["symbol"], *[a.strip() for a in row["aliases"].split(";") if a.strip()]]:
        assert lex.antigens.find(alias, 0, len(alias)), alias
        assert lex.expand(row["symbol"]) & lex.expand(alias)


def test_the_founding_document_three_claims_consistent_and_the_misspelling_reported():
    claims = check(SEED_STYLE)
    about = {(c.kind, c.value): c for c in claims if c.mention == "inotuzumab"}
    assert about[("source", "humanized")].verdict == "consistent"
    assert about[("target", "CD22")].verdict == "consistent"
    assert about[("payload", "calicheamicin")].verdict == "consistent"
    source = about[("source", "humanized")]
    assert any("-zu- humanized" in e and "original scheme" in e for e in source.evidence)
    assert any(e.startswith("data: antibody_inns.tsv") for e in source.evidence)
    target = about[("target", "CD22")]
    assert any("-tu- tumour" in e for e in target.evidence)
    misspelt = [c for c in claims if c.verdict == "misspelt"]
    assert len(misspelt) == 1
    assert misspelt[0].text == "inotuzumab ozagamicin"
    assert misspelt[0].suggestion == "inotuzumab ozogamicin"
    assert not [c for c in claims if c.verdict == "contradicts"]


def test_a_ximab_called_humanized_contradicts():
    found = _claims("Rituximab is a humanized monoclonal antibody against CD20.")
    assert ("rituximab", "source", "humanized", "contradicts") in found
    assert ("rituximab", "target", "MS4A1", "consistent") in found


def test_a_payload_of_the_wrong_class_contradicts():
    found = _claims("Trastuzumab emtansine carries a calicheamicin.")
    assert found == [("trastuzumab", "payload", "calicheamicin", "contradicts")]


def test_a_target_the_data_rules_out_contradicts_with_the_data_row_as_evidence():
    claims = check("Daratumumab is a human antibody directed against CD20.")
    target = next(c for c in claims if c.kind == "target")
    assert target.verdict == "contradicts" and target.value == "MS4A1"
    assert any("CD38" in e for e in target.evidence)


def test_a_bispecific_claim_on_a_whole_antibody_contradicts():
    assert ("trastuzumab", "format", "bispecific", "contradicts") in _claims(
        "Trastuzumab is a bispecific antibody.")


@pytest.mark.parametrize(("spelling", "symbol"), [("HER2", "ERBB2"), ("ErbB2", "ERBB2"),
                                                   ("neu", "ERBB2"), ("HER-2", "ERBB2")])
def test_target_synonyms_match(spelling, symbol):
    found = _claims(f"Trastuzumab is a humanized antibody against {spelling}.")
    assert ("trastuzumab", "target", symbol, "consistent") in found


def test_names_of_the_2017_scheme_do_not_encode_the_source_so_the_data_judges():
    ok = check("Adintrevimab is a fully human monoclonal antibody.")
    assert [(c.kind, c.verdict) for c in ok] == [("source", "consistent")]
    assert any("do not encode the source" in e for e in ok[0].evidence)
    wrong = check("Adintrevimab is a chimeric monoclonal antibody.")
    assert [(c.kind, c.verdict) for c in wrong] == [("source", "contradicts")]


def test_claims_go_to_the_names_they_describe_in_lists_and_clauses():
    text = ("Brentuximab vedotin and polatuzumab vedotin release the auristatin MMAE, "
            "belantamab mafodotin carries MMAF, and trastuzumab emtansine carries the "
            "maytansinoid DM1.")
    payloads = {(c.name, c.value) for c in check(text) if c.kind == "payload"}
    assert payloads == {("brentuximab vedotin", "auristatin"),
                        ("polatuzumab vedotin", "auristatin"),
                        ("belantamab mafodotin", "auristatin"),
                        ("trastuzumab emtansine", "maytansinoid")}
    found = _claims("Unlike rituximab, which is chimeric, ocrelizumab is humanized.")
    assert ("rituximab", "source", "chimeric", "consistent") in found
    assert ("ocrelizumab", "source", "humanized", "consistent") in found


def test_a_brand_is_checked_as_its_inn():
    claims = check("Besponsa is a CD22-directed antibody-drug conjugate.")
    assert {(c.name, c.kind, c.verdict) for c in claims} == {
        ("inotuzumab ozogamicin", "target", "consistent"),
        ("inotuzumab ozogamicin", "format", "consistent")}
    assert claims[0].unii


def test_the_species_of_an_antigen_is_no_source_claim():
    assert [c.kind for c in check("Nivolumab binds human PD-1.")] == ["target"]


def test_no_names_no_claims():
    assert check("A humanized antibody against CD22 was studied.") == ()


def test_results_are_frozen_and_their_dict_is_the_jsonl_record():
    c = check("Rituximab is a chimeric antibody.")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.value = "x"  # type: ignore[misc]
    d = c.to_dict()
    for key in ("name", "kind", "value", "text", "start", "end", "verdict", "evidence", "unii"):
        assert key in d
    assert d["name"] == "rituximab" and d["text"] == "chimeric"


def test_bad_input_is_an_error_of_the_library():
    from innkit import InvalidInputError

    with pytest.raises(InvalidInputError):
        check(b"bytes")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ command line


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_cli_jsonl_one_record_per_claim_and_exit_1_on_a_contradiction(tmp_path):
    doc = tmp_path / "label.txt"
    doc.write_text("Cetuximab is a humanized antibody against EGFR.", encoding="utf-8")
    result = _run("check", str(doc), "--format", "jsonl")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines()]
    assert {(r["kind"], r["verdict"]) for r in records} == {("source", "contradicts"),
                                                           ("target", "consistent")}
    assert all(r["doc"] == str(doc) and r["name"] == "cetuximab" for r in records)


def test_cli_consistent_text_exits_0_and_reads_standard_input():
    result = _run("check", "-", stdin="Cetuximab is a chimeric antibody against EGFR.")
    assert result.exit_code == 0
    assert "2 claims: 2 consistent" in result.output


def test_cli_html_marks_contradictions_red_with_evidence_on_hover():
    result = _run("check", "-", "--format", "html",
                  stdin="Cetuximab is a humanized antibody against EGFR.")
    assert result.exit_code == 1
    assert '<mark class="contradicts"' in result.output and 'title="cetuximab' in result.output
    assert '<mark class="consistent"' in result.output and "<table" in result.output


def test_cli_missing_file_is_one_line_and_status_2(tmp_path):
    result = _run("check", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------------------ web


def test_web_check_answers_what_the_library_says():
    from fastapi.testclient import TestClient

    from innkit.registry import Registry
    from innkit.web.app import create_app

    registry = Registry()
    text = "Cetuximab is a humanized antibody against EGFR."
    with TestClient(create_app(registry=registry, time_limit_s=600.0),
                    base_url="http://127.0.0.1") as client:
        r = client.post("/v1/check", json={"text": text})
        assert r.status_code == 200, r.text
        assert r.json() == [c.to_dict() for c in check(text, registry=registry)]
        assert client.post("/v1/check", json={"txt": text}).status_code == 422
        page = client.get("/").text
        assert 'id="claims-form"' in page
