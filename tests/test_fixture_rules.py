"""Logic on small fixture tables, apart from the live data: a registry reads the rules it holds
(``Registry(rules=Rules(folder))``), so a rule's code is tested on rows made for the test, and
reading one folder never changes what another folder's rules answer."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from innkit import decode
from innkit.annotator import confusables, contexts
from innkit.registry import Registry
from innkit.rules import Rules

FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules"


def _bare(rules: Rules | None = None) -> Registry:
    return Registry(rules=rules, shipped=False, substances=False)


def test_the_decoder_reads_the_stems_it_is_given(fixture_registry):
    d = decode("quizorbant", registry=fixture_registry)
    assert d.kind == "stem" and d.stems[0].stem == "-zorbant"
    assert d.stems[0].meaning == "a fixture stem: test agents"
    d = decode("atenolol", registry=fixture_registry)
    assert d.stems[0].meaning == "a fixture meaning of -olol"
    assert decode("imatinib", registry=fixture_registry).stems[0].stem == "-tinib"
    assert decode("gefitinib", registry=fixture_registry).kind == "stem"
    # A stem the fixture tables lack is not read, whatever the package's own tables say.
    assert decode("omeprazole", registry=fixture_registry).kind == "unknown"


def test_every_fixture_example_decodes_by_its_fixture_row(fixture_registry):
    with (FIXTURE_RULES / "inn_stems.tsv").open(encoding="utf-8") as f:
        made = [r for r in csv.DictReader(f, delimiter="\t")
                if r["evidence"] == "innkit test fixture"]
    assert made
    for row in made:
        for example in filter(None, row["examples"].split("; ")):
            d = decode(example, registry=fixture_registry)
            assert row["stem"] in {s.stem for s in d.stems}, example


def test_arguments_rebuild_a_registry_on_the_same_rules(fixture_registry):
    again = Registry(**fixture_registry.arguments())
    assert again.rules.folder == FIXTURE_RULES
    assert decode("quizorbant", registry=again).stems[0].stem == "-zorbant"
    assert Registry(None).arguments()["rules"] is None  # the package's own


def _shipped_answers(shipped: Rules) -> tuple:
    stems = {s.stem: s.meaning for s in shipped.tables.general_stems}
    return (stems.get("-olol"), "-zorbant" in stems, len(shipped.drug_classes.by_key),
            len(shipped.derived(contexts._read).body),
            len(shipped.derived(confusables._read).table))


def _fixture_answers(fixture: Rules) -> tuple:
    stems = {s.stem: s.meaning for s in fixture.tables.general_stems}
    return (stems.get("-olol"), "-zorbant" in stems, len(fixture.drug_classes.by_key),
            len(fixture.derived(contexts._read).body),
            len(fixture.derived(confusables._read).table))


def test_reading_a_fixture_folder_never_changes_the_shipped_answers():
    shipped = Rules.shipped()
    before = _shipped_answers(shipped)
    meaning = decode("atenolol", registry=_bare()).stems[0].meaning
    fixture = Rules(FIXTURE_RULES)
    assert _fixture_answers(fixture) != before
    assert decode("atenolol", registry=_bare(fixture)).stems[0].meaning == (
        "a fixture meaning of -olol")
    assert _shipped_answers(shipped) == before
    assert before[0] == meaning != "a fixture meaning of -olol" and not before[1]
    assert decode("atenolol", registry=_bare()).stems[0].meaning == meaning
    assert decode("quizorbant", registry=_bare()).kind == "unknown"


def test_the_shipped_rules_never_change_a_fixture_folder_s_answers():
    fixture = Rules(FIXTURE_RULES)  # a fresh instance: nothing read yet
    shipped = Rules.shipped()
    _shipped_answers(shipped)
    decode("atenolol", registry=_bare())
    answers = _fixture_answers(fixture)
    assert answers[:2] == ("a fixture meaning of -olol", True)
    assert answers[2:] == _fixture_answers(Rules(FIXTURE_RULES))[2:]
    assert answers[2] < len(shipped.drug_classes.by_key)
    assert decode("quizorbant", registry=_bare(fixture)).stems[0].stem == "-zorbant"


def test_each_instance_reads_its_own_folder(tmp_path):
    """Two folders that differ in one row answer apart, in the same process."""
    edited = tmp_path / "edited"
    edited.mkdir()
    for table in FIXTURE_RULES.glob("*.tsv"):
        text = table.read_text(encoding="utf-8")
        if table.name == "inn_stems.tsv":
            text = text.replace("a fixture stem: test agents", "an edited fixture stem")
        (edited / table.name).write_text(text, encoding="utf-8")
    d = decode("quizorbant", registry=_bare(Rules(edited)))
    assert d.stems[0].meaning == "an edited fixture stem"
    d = decode("quizorbant", registry=_bare(Rules(FIXTURE_RULES)))
    assert d.stems[0].meaning == "a fixture stem: test agents"


def test_a_missing_table_is_a_data_error(tmp_path):
    from innkit.errors import DataError

    with pytest.raises(DataError, match=r"inn_stems\.tsv is missing"):
        Rules(tmp_path).read("inn_stems.tsv", ("stem",))
