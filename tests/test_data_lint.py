"""Every shipped table is in canonical form (``innkit data lint``), and the lint finds and fixes
what is not, on small tables kept apart from the live data."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit.cli import main
from innkit.rules import Rules, manifest
from innkit.rules import lint as datalint
from innkit.rules.tables import ERAS


def test_every_shipped_table_is_canonical():
    findings = datalint.lint()
    assert not findings, ("tables not in canonical form:\n" + "\n".join(map(str, findings))
                          + "\nrun `innkit data lint --fix` (it also refreshes MANIFEST.json)")


def test_every_table_says_whether_its_order_matters():
    names = {p.name for p in datalint.tables()}
    assert not set(datalint.SORTED_BY) & set(datalint.ORDER_KEPT)
    assert names <= set(datalint.SORTED_BY) | set(datalint.ORDER_KEPT)
    assert set(datalint.SORTED_BY) | set(datalint.ORDER_KEPT) <= names  # no stale entries


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "salts.tsv").write_text("word\tkind\tevidence\nsodium\tsalt\tS\n"
                                        "acetate\tsalt\tS\n", encoding="utf-8")
    (tmp_path / "eras.tsv").write_bytes(b"\xef\xbb\xbfera\tlabel\r\n2009\t revision \r\n\r\n")
    (tmp_path / "modifiers.tsv").write_text('word\tnote\nvedotin\tsays "x"\n', encoding="utf-8")
    return tmp_path


def test_lint_finds_each_departure(folder):
    found: dict[str, str] = {}
    for f in datalint.lint(folder):
        found[f.table] = found.get(f.table, "") + f.problem + "; "
    assert "not sorted by word" in found["salts.tsv"]
    assert "byte-order mark" in found["eras.tsv"] and "CR line ends" in found["eras.tsv"]
    assert "spaces at the edge of a cell" in found["eras.tsv"]
    assert "line 2" in found["modifiers.tsv"]  # a quote in a cell is quoted


def test_fix_rewrites_only_the_form(folder):
    assert datalint.lint(folder, fix=True) == []
    assert (folder / "salts.tsv").read_text() == ("word\tkind\tevidence\nacetate\tsalt\tS\n"
                                                  "sodium\tsalt\tS\n")
    assert (folder / "eras.tsv").read_bytes() == b"era\tlabel\n2009\trevision\n"
    assert (folder / "modifiers.tsv").read_text() == 'word\tnote\nvedotin\t"says ""x"""\n'
    assert datalint.lint(folder) == []


def test_what_fix_cannot_repair_is_left_alone(folder):
    (folder / "salts.tsv").write_text("word\tkind\nsodium\n", encoding="utf-8")
    (folder / "new.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    left = {f.table: f for f in datalint.lint(folder, fix=True)}
    assert "do not have 2 fields" in left["salts.tsv"].problem
    assert not left["salts.tsv"].fixable
    assert "neither SORTED_BY nor ORDER_KEPT" in left["new.tsv"].problem
    assert (folder / "salts.tsv").read_text() == "word\tkind\nsodium\n"


def test_command_exit_statuses(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(manifest.data_dir(), data)
    monkeypatch.setattr(datalint, "data_dir", lambda: data)
    monkeypatch.setattr(manifest, "data_dir", lambda: data)
    runner = CliRunner()
    assert runner.invoke(main, ["data", "lint"]).exit_code == 0
    salts = data / "salts.tsv"
    salts.write_text(salts.read_text().replace("\n", " \n", 2), encoding="utf-8")
    result = runner.invoke(main, ["data", "lint"])
    assert result.exit_code == 1 and "innkit data lint --fix" in result.output
    result = runner.invoke(main, ["data", "lint", "--fix"])
    assert result.exit_code == 0 and "rewrote salts.tsv" in result.output
    assert manifest.compute()["files"]["salts.tsv"] == manifest.read()["files"]["salts.tsv"]


def test_the_eras_table_is_the_decoders_era_list():
    table = Rules.shipped().eras
    assert tuple(table) == ERAS
    assert all(row.label and row.source and row.evidence for row in table.values())
