"""Checks against the shared evaluation data (skipped when ../shared is absent)."""

from __future__ import annotations

import csv
import re

import pytest
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit import decode
from innkit.decoder.antibody import source_agrees
from innkit.rules import Rules


@pytest.fixture(scope="module")
def antibody_rows(shared):
    path = shared / "data" / "antibody_inns.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _corrected_spellings() -> dict[str, str]:
    """Names the shipped table corrected against UNII (the audit), old spelling -> INN."""
    import re

    from innkit.rules import Rules

    found = {}
    for row in Rules.shipped().read("antibody_inns.tsv", ("name", "notes")):
        m = re.search(r"name was spelled (\w+)", row["notes"])
        if m:
            found[m.group(1)] = row["name"]
    return found


def test_every_antibody_inn_decodes_as_antibody(antibody_rows):
    exceptions = Rules.shipped().tables.exceptions
    corrected = _corrected_spellings()
    failures = []
    for row in antibody_rows:
        d = decode(corrected.get(row["name"], row["name"]))
        if d.kind != "antibody":
            failures.append((row["name"], d.reason))
        elif d.irregular:
            assert row["name"] in exceptions
    assert failures == []


def test_every_antibody_inn_with_its_second_word(antibody_rows):
    for row in antibody_rows:
        if row["second_word"]:
            d = decode(f"{row['name']} {row['second_word']}")
            assert d.kind == "antibody"
            assert d.modifiers[0].word == row["second_word"]


def test_source_agreement_up_to_2017(antibody_rows):
    tables = Rules.shipped().tables
    compared = agreed = 0
    unexplained = []
    for row in antibody_rows:
        if not (row["year"].isdigit() and int(row["year"]) <= 2017 and row["source"]):
            continue
        verdict = source_agrees(decode(row["name"]).source_substem, row["source"], tables)
        if verdict is None:
            continue
        compared += 1
        agreed += verdict
        if not verdict and "FLAG" not in row["notes"]:
            unexplained.append(row["name"])
    assert compared > 300
    assert agreed / compared >= 0.99
    assert unexplained == []


def test_no_decoding_of_the_table_is_ambiguous(antibody_rows):
    assert [r["name"] for r in antibody_rows if decode(r["name"]).ambiguous] == []


def test_founding_sample_names(shared):
    seed = sorted((shared / "seed").glob("*.txt"))
    if not seed:
        pytest.skip("no founding sample in shared/seed")
    text = seed[0].read_text(encoding="utf-8")
    assert re.search(r"inotuzumab ozogamicin", text, re.I)
    d = decode("Inotuzumab ozogamicin")
    assert d.segmentation == "ino|tu|zu|mab"
    assert d.modifiers[0].payload_class == "enediyne"
    assert "Ecromeximab" in text
    assert decode("Ecromeximab").target_meaning == "melanoma"
    # The sample writes the substem as '-mexi-' (melanoma): the decoder's cut agrees.
    e = decode("Ecromeximab")
    assert e.target_substem + e.source_substem == "mexi"


def test_founding_sample_is_annotated_in_full(shared):
    from innkit import annotate

    seed = sorted((shared / "seed").glob("*.txt"))
    if not seed:
        pytest.skip("no founding sample in shared/seed")
    text = seed[0].read_text(encoding="utf-8")
    mentions = annotate(text)
    by_text = [(m.text.lower(), m.how) for m in mentions]
    # Every occurrence of the conjugate, of the bare antibody, and of ecromeximab.
    expected = len(re.findall(r"inotuzumab ozogamicin", text, re.I))
    assert by_text.count(("inotuzumab ozogamicin", "registry")) == expected
    assert ("inotuzumab", "registry") in by_text
    assert ("ecromeximab", "registry") in by_text
    [miss] = [m for m in mentions if m.how == "fuzzy"]
    assert miss.text == "inotuzumab ozagamicin"
    assert miss.suggestion == "inotuzumab ozogamicin"
    for m in mentions:
        assert text[m.start:m.end] == m.text
        if m.text.lower().startswith("inotuzumab"):
            assert m.decoding.segmentation == "ino|tu|zu|mab"
        if m.text == "Ecromeximab":
            assert m.decoding.target_meaning == "melanoma"
