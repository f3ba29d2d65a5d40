"""``innkit data audit``: the shipped table holds only explained contradictions, planted mistakes
are found with the right reason, and bad input gets one line and exit status 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit import decode
from innkit.cli import main
from innkit.decoder.modifiers import classify_modifier
from innkit.naming.audit import (
    AuditInputError,
    Check,
    audit_file,
    audit_rules,
    audit_shipped,
    target_category,
    unii_antibody_words,
)
from innkit.rules import Rules
from innkit.rules.tables import ERAS

read_table = Rules.shipped().read

HAVE_UNII = bool(unii_antibody_words())


@pytest.fixture(scope="module")
def shipped():
    return audit_shipped()


def test_shipped_table_has_only_recorded_contradictions(shipped):
    assert shipped.rows == 1400
    assert shipped.open == (), [c.to_dict() for c in shipped.open]
    assert shipped.clean


def test_every_recorded_exception_is_still_a_contradiction(shipped):
    """A recorded reason whose contradiction is gone (row corrected) must be removed."""
    found = {(c.name, str(c.check), c.value) for c in shipped.kept}
    recorded = {(r["name"], r["check"], r["value"])
                for r in read_table("audit_exceptions.tsv", ("name", "check", "value"))}
    if not HAVE_UNII:
        recorded = {r for r in recorded if r[1] != "spelling"}
    assert recorded == found
    for r in read_table("audit_exceptions.tsv", ("name", "check", "reason", "evidence")):
        assert r["check"] in {str(c) for c in Check}
        assert r["reason"].strip() and r["evidence"].strip()


def test_shipped_corrections_hold(shipped):
    """The rows the audit corrected now agree with their names."""
    rows = {r["name"]: r for r in read_table("antibody_inns.tsv", ("name", "target_antigen"))}
    assert rows["marstacimab"]["target_antigen"] == "TFPI"
    assert rows["emugrobart"]["target_antigen"].startswith("MSTN")
    assert rows["volagidemab"]["target_antigen"] == "GCGR"
    assert {"baloncibart", "indemakitug", "opamtistomig"} <= rows.keys()
    assert not {"balonkibart", "indematug", "opamistomig"} & rows.keys()
    assert not [c for c in shipped.contradictions if c.name == "marstacimab"
                and c.check is Check.TARGET]


def test_shipped_facts_corrected_from_their_sources():
    """Rows that contradicted their sources: each now says what the source says, and its notes
    keep the old value."""
    rows = {(r["name"], r["second_word"]): r for r in read_table(
        "antibody_inns.tsv", ("name", "second_word", "target_antigen", "format", "year",
                              "status", "notes"))}
    assert "HBsAg" in rows["tobevibart", ""]["target_antigen"]
    assert "Toxin B" in rows["bezlotoxumab", ""]["target_antigen"]
    assert rows["frunevetmab", ""]["status"].startswith("approved")
    assert rows["gemtuzumab", "ozogamicin"]["year"] == "2000"
    assert rows["labetuzumab", "govitecan"]["year"] == "2001"
    assert rows["glembatumumab", "vedotin"]["year"] == "2009"
    assert rows["tisotumab", "vedotin"]["format"] == "Whole mAb ADC"
    assert rows["tucotuzumab", "celmoleukin"]["format"] == "Whole mAb Fusion"
    for key in (("tobevibart", ""), ("gemtuzumab", "ozogamicin"), ("tisotumab", "vedotin")):
        assert "audit correction:" in rows[key]["notes"], key


def test_every_conjugate_word_has_a_conjugate_format(shipped):
    """No row with a payload, chelator, toxin or fused-protein word has a plain format, save the
    recorded ones."""
    opened = [c for c in shipped.open if c.check is Check.CONJUGATE]
    assert opened == []
    assert shipped.checked[str(Check.CONJUGATE)] >= 90


def test_shipped_target_category_is_what_the_name_says():
    """The column is filled from the target substem (narrowed by the antigen), for every row
    whose name or antigen says a category."""
    rules = Rules.shipped()
    rows = read_table("antibody_inns.tsv", ("name", "target_antigen", "target_category"))
    filled = 0
    for r in rows:
        assert r["target_category"] == target_category(decode(r["name"]), r["target_antigen"],
                                                       rules), r["name"]
        filled += bool(r["target_category"])
    assert filled >= 1120
    cats = {r["name"]: r["target_category"] for r in rows}
    assert (cats["trastuzumab"], cats["palivizumab"], cats["evolocumab"]) == (
        "tumour", "viral", "cardiovascular")


PLANTED = """name,source,target,format,kind,year
tocilizumab,,,,small molecule,
imatinib,,,,monoclonal antibody,
trastuzumab,mouse,,,,
marstacimab,,ERBB2/HER2,,,
teclistamab,,,,,2012
sipavibart,,,Bispecific mAb,,2015
givastomig,,,Whole mAb,,
adalimumab,human,TNF,Whole mAb,monoclonal antibody,2001
"""


@pytest.fixture()
def planted(tmp_path):
    path = tmp_path / "planted.csv"
    path.write_text(PLANTED, encoding="utf-8")
    return path


def test_planted_mistakes_are_each_found_with_their_reason(planted):
    report = audit_file(planted, unii=False)
    got = {(c.name, c.check): c for c in report.contradictions}
    expected = {
        ("tocilizumab", Check.KIND): "an antibody, but the kind is 'small molecule'",
        ("imatinib", Check.KIND): "stem -tinib",
        ("trastuzumab", Check.SOURCE): "-zu- says humanized",
        ("marstacimab", Check.TARGET): "-ci- says cardiovascular",
        ("teclistamab", Check.YEAR): "only the 2017 scheme",
        ("sipavibart", Check.YEAR): "only the 2022 scheme",
        ("sipavibart", Check.FORMAT): "which the 2022 scheme names -mig",
        ("givastomig", Check.FORMAT): "-mig",
    }
    assert set(got) == set(expected)
    for key, phrase in expected.items():
        assert phrase in got[key].reason, (key, got[key].reason)
        assert got[key].kept is None and got[key].rule
    assert got[("tocilizumab", Check.KIND)].line == 2
    assert not report.clean
    assert report.counts()["kind"] == 2


ROW_PLANTED = """name,second_word,format,status,target_category,inn_number,year
tisotumab,vedotin,Whole mAb,,,,
tucotuzumab,celmoleukin,Whole mAb ADC,,,,
certolizumab,pegol,Fab,,,,
ibritumomab,tiuxetan,Whole mAb Radiolabelled,,,,
adalimumab,,,investigational (Phase-III; Approved),,,
rituximab,,,investigational (Phase-II),,,
trastuzumab,,,,viral,,
palivizumab,,,,viral,,
infliximab,,,,,7601,1997
rituximab,,,,,7609,1997
trastuzumab,,,,,7637,1997
basiliximab,,,,,7578,1996
palivizumab,,,,,7753,1998
natalizumab,,,,,7716,1998
gemtuzumab,,,,,7700,2016
"""


def test_planted_row_mistakes_are_each_found(tmp_path):
    """A payload word with a plain format, a fused protein called a drug conjugate, a status
    that says two things, a category the name contradicts, a year out of line with the INN
    numbers around it."""
    path = tmp_path / "rows.csv"
    path.write_text(ROW_PLANTED, encoding="utf-8")
    report = audit_file(path, unii=False)
    got = {(c.name, c.check): c for c in report.contradictions}
    expected = {
        ("tisotumab", Check.CONJUGATE): "makes the molecule conjugate",
        ("tucotuzumab", Check.CONJUGATE): "makes the molecule fusion",
        ("adalimumab", Check.STATUS): "say approved",
        ("trastuzumab", Check.CATEGORY): "-tu- says tumour",
        ("gemtuzumab", Check.NUMBER): "but the year is 2016",
    }
    assert set(got) == set(expected), sorted(got)
    for key, phrase in expected.items():
        assert phrase in got[key].reason, (key, got[key].reason)
    assert got[("gemtuzumab", Check.NUMBER)].column == "year"
    assert report.checked[str(Check.NUMBER)] == 7


@pytest.mark.skipif(not HAVE_UNII, reason="FDA UNII names file not installed")
def test_misspelling_is_found_against_unii(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name\nbalonkibart\nbaloncibart\ntrastuzumab\n", encoding="utf-8")
    [c] = audit_file(path).contradictions
    assert (c.name, c.check, c.expected) == ("balonkibart", Check.SPELLING, "baloncibart")
    assert "QCD6UJ8KWM" in c.reason


def test_a_known_different_inn_is_not_a_misspelling(tmp_path):
    """vedolizumab is two letters from cedelizumab, but both are INNs in their own right."""
    path = tmp_path / "names.csv"
    path.write_text("name\ncedelizumab\n", encoding="utf-8")
    assert audit_file(path).contradictions == ()


def test_cli_text_json_jsonl_and_exit_status(planted):
    run = CliRunner().invoke
    r = run(main, ["data", "audit", str(planted), "--no-unii"])
    assert r.exit_code == 1
    assert "line 2: tocilizumab: kind 'small molecule'" in r.output
    data = json.loads(run(main, ["data", "audit", str(planted), "--format", "json",
                                 "--no-unii"]).output)
    assert data["open"] == 8 and data["contradictions_per_check"]["kind"] == 2
    lines = run(main, ["data", "audit", str(planted), "--format", "jsonl",
                       "--no-unii"]).output.splitlines()
    assert len(lines) == 8 and json.loads(lines[0])["check"] == "kind"


def test_cli_clean_table_exits_zero(tmp_path):
    path = tmp_path / "clean.tsv"
    path.write_text("name\tsource\tkind\nadalimumab\thuman\tmonoclonal antibody\n",
                    encoding="utf-8")
    r = CliRunner().invoke(main, ["data", "audit", str(path), "--no-unii"])
    assert r.exit_code == 0, r.output
    assert "0 open" in r.output


def test_cli_without_file_audits_the_shipped_table():
    r = CliRunner().invoke(main, ["data", "audit", "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["rows"] == 1400 and data["open"] == 0 and data["kept"] >= 9


@pytest.mark.parametrize(("content", "phrase"), [
    (None, "no such file"),
    ("dir", "not a file"),
    (b"", "empty file"),
    (b"inn_name,target\ntrastuzumab,HER2\n", "no name column"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    (b"name\ncaf\xe9mab\n", "not UTF-8"),
    (b'name,target\n"trastuzumab,HER2\n', "quoting"),
])
def test_bad_input_is_one_line_and_exit_two(tmp_path, content, phrase):
    path = tmp_path / "table.csv"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    r = CliRunner().invoke(main, ["data", "audit", str(path), "--no-unii"])
    assert r.exit_code == 2, r.output
    assert phrase in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output + r.stderr
    with pytest.raises(AuditInputError):
        audit_file(path, unii=False)


def test_rule_tables_are_consistent():
    tables = Rules.shipped().tables
    classes = {t.target_class for t in tables.targets}
    data = audit_rules()
    assert set(data.earliest) <= set(ERAS)
    for group in data.antigens:
        assert set(group.classes) <= classes, group.group
    means = {m for _, m in data.formats}
    assert means <= {"multispecific", "fragment", "whole", "conjugate", "radiolabelled",
                     "fusion"}
    for formats, _line in data.conjugates.values():
        assert set(formats) <= means
    assert all(isinstance(k[2], bool) for k in data.kinds)


def test_every_antigen_class_example_agrees_with_its_row():
    """Each example name reads a class its row allows, and its shipped target matches the row."""
    targets = {r["name"]: r["target_antigen"]
               for r in read_table("antibody_inns.tsv", ("name", "target_antigen"))}
    data = {g.line: g for g in audit_rules().antigens}
    for row in read_table("antigen_classes.tsv", ("group", "examples")):
        group = data[int(row["_line"])]
        for name in (n.strip() for n in row["examples"].split(";") if n.strip()):
            d = decode(name)
            got = {r.target_class for r in d.readings}
            assert got & set(group.classes), (name, got, group.group)
            assert group.pattern.search(targets[name]), (name, targets[name])


def test_a_recorded_reason_covers_only_the_recorded_value(tmp_path):
    """tavolimab 2016 is explained (renamed from tavolixizumab); 2015 would be a new mistake."""
    path = tmp_path / "years.csv"
    path.write_text("name,year\ntavolimab,2016\ntavolimab,2015\n", encoding="utf-8")
    report = audit_file(path, unii=False)
    assert [c.kept is not None for c in report.contradictions] == [True, False]
    assert len(report.open) == 1 and not report.clean


def test_every_conjugate_kind_example_is_read_as_that_kind():
    tables = Rules.shipped().tables
    for row in read_table("audit_conjugates.tsv", ("kind", "examples")):
        for word in (w.strip() for w in row["examples"].split(";") if w.strip()):
            assert str(classify_modifier(word, tables).kind) == row["kind"], word
