"""Integrity of the curated tables: every example in every row is a test."""

from __future__ import annotations

import pytest
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.rules import Rules
from innkit.rules.tables import ERAS

TABLES = Rules.shipped().tables


def _target_examples():
    for row in TABLES.targets:
        for example in row.examples:
            yield pytest.param(row, example, id=f"{row.era}{row.form}:{example}")


def _source_examples():
    for row in TABLES.sources:
        for example in row.examples:
            yield pytest.param(row, example, id=f"-{row.substem}-:{example}")


def _stem_examples():
    for row in TABLES.stems:
        for example in row.examples:
            yield pytest.param(row, example, id=f"-{row.stem}:{example}")


@pytest.mark.parametrize(("row", "example"), list(_target_examples()))
def test_target_row_example_decodes_to_its_segmentation(row, example):
    name = example.replace("|", "")
    d = innkit.decode(name)
    assert d.kind == "antibody", d.reason
    # The row's cut must be one of the readings the decoder accepts for this meaning,
    # under the row's own era, with the row's own form.
    matching = [r for r in d.readings if r.segmentation == example and r.era == row.era]
    assert matching, f"{name}: readings {[(r.segmentation, r.era) for r in d.readings]}"
    assert matching[0].target_form == row.form
    assert row.era in d.eras


@pytest.mark.parametrize(("row", "example"), list(_source_examples()))
def test_source_row_example_decodes_with_that_source(row, example):
    d = innkit.decode(example.replace("|", ""))
    assert d.kind == "antibody"
    assert d.segmentation == example
    assert d.source_substem == row.substem


@pytest.mark.parametrize(("row", "example"), list(_stem_examples()))
def test_stem_row_example_decodes_with_that_stem(row, example):
    d = innkit.decode(example.replace("|", ""))
    assert d.kind == "antibody"
    assert d.segmentation == example
    assert example.endswith(d.stem)


@pytest.mark.parametrize("row", list(TABLES.exceptions.values()), ids=lambda r: r.name)
def test_exception_rows_decode_as_stated(row):
    d = innkit.decode(row.name)
    assert d.kind == "antibody"
    assert d.irregular
    assert d.reason == row.reason
    expected = "|".join(p for p in (row.prefix, row.target, row.source, row.stem, row.suffix) if p)
    assert d.segmentation == expected
    assert d.eras == row.eras


@pytest.mark.parametrize("row", list(TABLES.exceptions.values()), ids=lambda r: r.name)
def test_exceptions_are_really_irregular(row):
    """An exception must not be readable by the regular rules as stated (else it is not one)."""
    from innkit.decoder.antibody import enumerate_readings

    regular = {r.segmentation for r in enumerate_readings(row.name, TABLES)}
    stated = "|".join(p for p in (row.prefix, row.target, row.source, row.stem, row.suffix) if p)
    assert stated not in regular


def test_every_row_has_evidence():
    for name, cols in [
        ("target_substems.tsv", ("evidence",)),
        ("source_substems.tsv", ("evidence",)),
        ("antibody_stems.tsv", ("evidence",)),
        ("modifiers.tsv", ("evidence",)),
        ("modifier_endings.tsv", ("evidence",)),
        ("qualifiers.tsv", ("evidence",)),
        ("radiolabels.tsv", ("evidence",)),
        ("exceptions.tsv", ("evidence", "reason")),
    ]:
        for row in Rules.shipped().read(name, cols):
            for col in cols:
                assert row[col].strip(), f"{name} line {row['_line']}: empty {col}"


def test_eras_and_stems_are_known():
    for row in TABLES.targets:
        assert row.era in ERAS
    for row in TABLES.stems:
        assert set(row.eras) <= set(ERAS)
    for row in TABLES.exceptions.values():
        assert set(row.eras) <= set(ERAS)


def test_modifier_examples_decode_with_their_modifier():
    for row in Rules.shipped().read("modifiers.tsv", ("word", "examples")):
        for example in (e.strip() for e in row["examples"].split(";")):
            phrase = example.split(" (")[0].strip('"')
            if " " not in phrase or phrase.startswith(("(", "non-mAb")):
                continue
            d = innkit.decode(phrase)
            words = [m.word for m in d.modifiers]
            if d.kind == "antibody":
                assert row["word"] in words, (phrase, d.to_dict())


def test_manifest_matches_tables():
    from innkit.rules import manifest

    assert manifest.read() == manifest.compute(), "run: python -m innkit.rules.manifest"


def test_tables_are_clean_tsv():
    from innkit.rules import manifest

    for path in manifest.data_dir().glob("*.tsv"):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and "\r" not in text, path.name
        lines = text.splitlines()
        width = lines[0].count("\t")
        for n, line in enumerate(lines, start=1):
            assert line == line.strip(" "), f"{path.name}:{n} stray spaces"
            assert line.count("\t") == width, f"{path.name}:{n} has the wrong number of fields"
        # inn_stems.tsv keeps the stem book's rows with one stem and two meanings (ni-, -mer);
        # a name may stand in audit_exceptions.tsv once per check; a series in inn_lists.tsv
        # once per anchor.
        width_key = {"inn_stems.tsv": 3, "audit_exceptions.tsv": 2,
                     "inn_lists.tsv": 2}.get(path.name, 1)
        keys = ["\t".join(line.split("\t")[:width_key]) for line in lines[1:]]
        if path.name != "target_substems.tsv":  # keyed by (era, form)
            assert len(keys) == len(set(keys)), f"{path.name}: duplicate keys"
    pairs = [(r.era, r.form) for r in Rules.shipped().tables.targets]
    assert len(pairs) == len(set(pairs))
