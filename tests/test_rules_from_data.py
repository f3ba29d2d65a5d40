"""Rules the decoder reads from the tables rather than from code: the slot and used columns of
source_substems.tsv and the eras table, on small rows kept apart from the live data (the
fixture tables), and what the live tables say."""

from __future__ import annotations

import pytest

from innkit.errors import DataError
from innkit.rules import Rules
from innkit.rules.tables import BEFORE_STEM, SOURCE_SLOT, _parse_places


def test_a_slot_without_eras_holds_for_every_era_of_the_row():
    assert _parse_places("source", ("original", "2009"), "row") == (
        ("original", SOURCE_SLOT), ("2009", SOURCE_SLOT))


def test_a_slot_by_era():
    places = _parse_places("source (2009); before the stem (2017, 2022)",
                           ("2009", "2017", "2022"), "row")
    assert dict(places) == {"2009": SOURCE_SLOT, "2017": BEFORE_STEM, "2022": BEFORE_STEM}


@pytest.mark.parametrize(("cell", "eras", "says"), [
    ("after the stem", ("2009",), "unknown slot"),
    ("source (2017)", ("2009",), "not in the row's eras"),
    ("source (2009)", ("2009", "2017"), "says nothing for eras"),
])
def test_a_bad_slot_is_a_data_error_that_names_the_row(cell, eras, says):
    with pytest.raises(DataError, match=says):
        _parse_places(cell, eras, "source_substems.tsv line 9")


def test_the_live_tables_place_vet_before_the_stem_from_2017():
    vet = Rules.shipped().tables.source_row("vet")
    assert vet is not None
    assert [vet.place(e) for e in ("original", "2009", "2017", "2022")] == [
        None, SOURCE_SLOT, BEFORE_STEM, BEFORE_STEM]


def test_unused_sources_are_the_rows_marked_used_no(fixture_rules):
    tables = fixture_rules.tables
    assert tables.unused_sources == {r.substem for r in tables.sources if not r.used}
    assert tables.unused_sources  # rat, hamster, primate


def test_a_rejected_reading_that_needs_an_unused_source_says_so_from_the_used_column(
        fixture_rules):
    """The rejection note reads the table's unused sources, not a list in the code: with no
    source marked unused the same reading is rejected for another reason."""
    from dataclasses import replace

    from innkit.decoder.antibody import enumerate_readings, rank

    tables = fixture_rules.tables
    readings = enumerate_readings("tatamab", tables)
    needs = [r for r in readings if r.source in tables.unused_sources]
    assert needs, "tatamab reads ta|t|a|mab too (t + a, rat)"
    notes = {a.source: a.note for a in rank(readings, tables).alternatives}
    assert "defined but never used" in notes[needs[0].source]
    lifted = replace(tables, unused_sources=frozenset())
    notes = {a.source: a.note for a in rank(readings, lifted).alternatives}
    assert "defined but never used" not in notes.get(needs[0].source, "")


def test_a_substem_before_the_stem_merges_its_last_letter_with_the_stem_by_the_slot_column(
        fixture_rules):
    tables = fixture_rules.tables
    assert [r.substem for r in tables.sources_before_stem()] == ["vet"]
    assert tables.source_as_written("ve") is tables.source_row("vet")
    assert tables.source_as_written("zz") is None
    from innkit.decoder.antibody import enumerate_readings

    merged = [r for r in enumerate_readings("gacovetug", tables) if r.source == "ve"]
    assert merged and all("the t of -vet-" in r.note for r in merged)


def test_the_format_vocabulary_is_the_stems_table_format_column():
    from innkit.naming.core import formats
    from innkit.vocab import AntibodyFormat

    assert set(formats()) == set(AntibodyFormat)
    assert formats()[AntibodyFormat.MULTISPECIFIC] == "mig"
