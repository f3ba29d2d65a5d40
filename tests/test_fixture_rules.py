"""Logic on small fixture tables, apart from the live data: the decoder reads the rules it is
given (``tables.rules_from``), so a rule's code is tested on rows made for the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from innkit import decode
from innkit.registry import Registry
from innkit.rules.manifest import data_dir
from innkit.rules.tables import get_tables, rules_from

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    """The package's tables with the fixture tables in place of their namesakes."""
    folder = tmp_path / "rules"
    shutil.copytree(data_dir(), folder)
    for table in FIXTURES.glob("*.tsv"):
        shutil.copy(table, folder / table.name)
    return folder


def _bare() -> Registry:
    return Registry(None, shipped=False, substances=False)


def test_the_decoder_reads_the_stems_it_is_given(rules):
    with rules_from(rules):
        d = decode("quizorbant", registry=_bare())
        assert d.kind == "stem" and d.stems[0].stem == "-zorbant"
        assert d.stems[0].meaning == "a fixture stem: test agents"
        assert decode("atenolol", registry=_bare()).stems[0].meaning == "a fixture meaning of -olol"
        assert decode("imatinib", registry=_bare()).kind == "unknown"  # no -tinib row here
        assert "-zorbant" in {s.stem for s in get_tables().general_stems}
    # Outside the block, the package's own tables again.
    assert decode("imatinib", registry=_bare()).stems[0].stem == "-tinib"
    assert decode("quizorbant", registry=_bare()).kind == "unknown"
    assert "-zorbant" not in {s.stem for s in get_tables().general_stems}


def test_every_fixture_example_decodes_by_its_fixture_row(rules):
    import csv

    with rules_from(rules):
        for table in FIXTURES.glob("inn_stems.tsv"):
            for row in csv.DictReader(table.open(encoding="utf-8"), delimiter="\t"):
                for example in filter(None, row["examples"].split("; ")):
                    d = decode(example, registry=_bare())
                    assert row["stem"] in {s.stem for s in d.stems}, example
