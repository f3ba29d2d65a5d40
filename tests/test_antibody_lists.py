"""The WHO antibody INNs through the last consultation: the list numbering (inn_lists.tsv),
the update from the sources (tools/update_antibodies.py), the audit's list check, and what a
reader is told about a name the table lacks."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from innkit import decode
from innkit.cli import main
from innkit.naming.audit import Check, audit_file
from innkit.rules import Rules
from innkit.rules.lists import antibody_coverage, numbering

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "update_antibodies.py"


def _tool():
    spec = importlib.util.spec_from_file_location("update_antibodies", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _table() -> list[dict[str, str]]:
    text = (ROOT / "src" / "innkit" / "data" / "antibody_inns.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


# ------------------------------------------------------------------------------ the numbering

@pytest.mark.parametrize("row", Rules.shipped().read("inn_lists.tsv", ("series", "examples")),
                         ids=lambda r: r["series"] + r["_line"])
def test_every_example_of_inn_lists_holds(row):
    order = numbering()
    for example in row["examples"].split("; "):
        number, year, *listed = (int(x) for x in example.split())
        assert order.year(row["series"], number) == year, example
        if listed:
            assert order.proposed_list(number) == listed[0], example


def test_numbering_says_nothing_below_where_it_holds():
    order = numbering()
    assert order.year("PL", 60) is None and order.year("RL", 20) is None
    assert order.proposed_list(50) is None


# ------------------------------------------------------------------------------ the table

def test_table_holds_what_the_sources_give(capsys):
    """The shipped rows are exactly what the update makes of tools/data: no hand edit of a
    WHO fact goes unrecorded."""
    assert _tool().main(["apply", "--check"]) == 0, capsys.readouterr().err


def test_every_source_name_is_a_row_or_a_recorded_variant():
    tool = _tool()
    _, found = tool._read_tsv(tool.EXTRACT)
    _, variants = tool._read_tsv(tool.VARIANTS)
    names = {r["name"] for r in _table()}
    recorded = {v["source_name"]: v["name"] for v in variants}
    assert len(found) >= 1370
    for f in found:
        assert f["name"] in names or recorded.get(f["name"]) in names, f["name"]
    assert all(v["reason"] and v["evidence"] for v in variants)


def test_rows_of_the_lists_carry_number_consultation_and_list():
    rows = {r["name"]: r for r in _table()}
    new = rows["vatrotatug"]  # consultation 82: its list had not appeared
    assert (new["inn_number"], new["consultation"], new["proposed_list"], new["year"]) == (
        "14379", "82", "", "")
    assert "to appear in proposed list 136" in new["notes"]
    assert "vatrotatug vedotin, INN 14380" in new["notes"]
    older = rows["ordastobart"]  # consultation 79, proposed list 133
    assert (older["inn_number"], older["proposed_list"], older["year"]) == ("13557", "133", "2025")
    assert rows["indemakitug"]["inn_number"] == "13226"
    assert "indematug" not in rows
    # a spelling of the source that is not the INN is no row, and the INN's row says so
    assert "zimbirelimab" not in rows
    assert "zimbirelimab" in rows["zimberelimab"]["notes"]


def test_a_published_list_decides_spelling_list_and_facts():
    """WHO proposed list 135 spells clulevibart (the name list: clalevibart) and lists
    dalvaprubart, which its consultation (79) would have put in list 133."""
    rows = {r["name"]: r for r in _table()}
    assert "clalevibart" not in rows
    row = rows["clulevibart"]
    assert (row["inn_number"], row["proposed_list"], row["target_antigen"]) == (
        "14070", "135", "RSV fusion glycoprotein F")
    moved = rows["dalvaprubart"]
    assert (moved["proposed_list"], moved["year"]) == ("135", "2026")
    assert "not 133 as inferred from the consultation" in moved["notes"]
    assert "WHO-PL135" in rows["agubecimig"]["provenance"]


def test_coverage_is_what_the_table_holds():
    c = antibody_coverage()
    rows = _table()
    assert c.names == len({r["name"] for r in rows})
    assert c.consultation == max(int(r["consultation"]) for r in rows if r["consultation"])
    assert (c.proposed_list, c.year) == (c.consultation + 54, 2026)
    assert c.with_inn_number == sum(1 for r in rows if r["inn_number"])


def test_data_info_says_how_far_the_table_runs():
    out = CliRunner().invoke(main, ["data", "info"]).output
    c = antibody_coverage()
    assert f"antibody INNs: {c.names:,} names through INN consultation {c.consultation}" in out
    data = json.loads(CliRunner().invoke(main, ["data", "info", "--format", "json"]).output)
    assert data["antibody_inns"]["consultation"] == c.consultation


# ------------------------------------------------------------------------------ extraction

SAMPLE = """abciximab
alemtuzumab  # 12508 beta
obinutuzumab  # 9043 / 14136 beta
# Consultation 69 - for PL123
acapatamab #azurtamab
# pavunalimab # 11465 rejected
tusamitamab  # 11467 / 11356 ravtansine
# Consult 77
indemakitug     # 13226
ciletatug       # 13112, 13111 vedotin
garetatug       # 13529 (13530 rezetecan)
ventotabart     # 14282 mine 14283 opadotin
basiliximab     # 12582 sarotalocan
prinotatug      # 14211
exuvetbart      # 14211
amtabafusp      # 13207 alfa
# Not in PL131
bosakitug       # 12985
"""


def test_extract_reads_the_source_as_a_curator_would(tmp_path):
    tool = _tool()
    path = tmp_path / "abnames.dat"
    path.write_text(SAMPLE, encoding="utf-8")
    found = {f.name: f for f in tool.extract(path, None, ("mab", "tug", "bart", "mig"))}
    assert "pavunalimab" not in found and "amtabafusp" not in found  # rejected; no antibody
    assert found["alemtuzumab"].inn_number == ""  # 12508 is alemtuzumab beta's
    assert found["obinutuzumab"].consultation == ""  # the base list: no consultation
    assert (found["tusamitamab"].consultation, found["tusamitamab"].inn_number) == ("69", "11467")
    assert (found["tusamitamab"].conjugate, found["tusamitamab"].conjugate_number) == (
        "ravtansine", "11356")
    assert (found["indemakitug"].consultation, found["indemakitug"].inn_number) == ("77", "13226")
    assert found["ciletatug"].conjugate == "vedotin"
    assert (found["garetatug"].conjugate, found["garetatug"].conjugate_number) == (
        "rezetecan", "13530")
    assert (found["ventotabart"].inn_number, found["ventotabart"].conjugate) == (
        "14282", "opadotin")
    # an old name listed for a conjugate made from it is not a name of that consultation
    assert found["basiliximab"].consultation == ""
    # a number the source gives two names is taken for neither
    assert found["prinotatug"].inn_number == found["exuvetbart"].inn_number == ""
    assert found["bosakitug"].held_back


def test_update_stops_on_an_undecided_near_spelling(tmp_path, monkeypatch, capsys):
    tool = _tool()
    table = tmp_path / "antibody_inns.tsv"
    table.write_text("name\tsecond_word\tprovenance\tnotes\ttarget_antigen\ttarget_category\t"
                     "year\tinn_number\nzimberelimab\t\tThera-SAbDab\t\t\t\t2020\t\n",
                     encoding="utf-8")
    extract = tmp_path / "names.tsv"
    extract.write_text("name\tconsultation\tinn_number\tproposed_list\tconjugate\t"
                       "conjugate_number\tnote\nzimbirelimab\t69\t\t123\t\t\t\n",
                       encoding="utf-8")
    variants = tmp_path / "variants.tsv"
    variants.write_text("source_name\tname\tkind\treason\tevidence\n", encoding="utf-8")
    monkeypatch.setattr(tool, "TABLE", table)
    monkeypatch.setattr(tool, "EXTRACT", extract)
    monkeypatch.setattr(tool, "VARIANTS", variants)
    monkeypatch.setattr(tool, "LIST_FACTS", tmp_path / "no_list_facts.tsv")
    assert tool.apply(check=False) == 2
    assert "zimbirelimab (table: zimberelimab)" in capsys.readouterr().err
    variants.write_text("source_name\tname\tkind\treason\tevidence\nzimbirelimab\tzimberelimab\t"
                        "spelling\tUNII spells it so\tUNII\n", encoding="utf-8")
    assert tool.apply(check=False) == 0
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8")), delimiter="\t"))
    assert [r["name"] for r in rows] == ["zimberelimab"]
    # facts of the source filled, the year kept; the list of the source's last consultation
    # had not appeared when the source was written
    assert (rows[0]["consultation"], rows[0]["proposed_list"], rows[0]["year"]) == (
        "69", "", "2020")
    assert "to appear in proposed list 123" in rows[0]["notes"]
    assert "the source (namegen-C69) writes zimbirelimab" in rows[0]["notes"]


# ------------------------------------------------------------------------------ the audit

def test_list_check_finds_a_year_its_lists_contradict(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("name,year,proposed_list,recommended_list\n"
                    "nivolumab,2009,111,\n"      # PL 111 appeared in 2014
                    "trastuzumab,2013,112,\n"    # 2014, one year off: a list at a year's turn
                    "abciximab,2005,,41\n",      # RL 41 appeared in 1999
                    encoding="utf-8")
    report = audit_file(path, unii=False)
    found = {(c.name, c.check) for c in report.contradictions}
    assert ("nivolumab", Check.LIST) in found and ("abciximab", Check.LIST) in found
    assert ("trastuzumab", Check.LIST) not in found
    why = next(c for c in report.contradictions if c.name == "nivolumab")
    assert "proposed list 111 appeared in 2014" in why.reason and "inn_lists.tsv" in why.rule


# ------------------------------------------------------------------------------ morphology

@pytest.mark.parametrize("name", ["zorbatatug", "belnikibart", "zelvotamig", "vodrikiment",
                                  "quelitumab", "rozavetug"])
def test_a_name_the_table_lacks_is_read_and_says_so(name):
    d = decode(name)
    assert d.kind == "antibody" and d.registry is None and d.stem
    note = next(n for n in d.notes if n.startswith("not in innkit's table"))
    assert "decoded by morphology" in note
    assert f"through INN consultation {antibody_coverage().consultation}" in note


def test_a_name_of_the_lists_is_known_and_not_called_new():
    d = decode("vatrotatug")
    assert d.registry is not None and dict(d.identifiers)["inn_number"] == "14379"
    assert not any(n.startswith("not in innkit's table") for n in d.notes)
    assert decode("indematug").suggestion == "indemakitug"
