"""Rules the decoder reads from the tables rather than from code: the slot and used columns of
source_substems.tsv and the eras table, on small rows kept apart from the live data."""

from __future__ import annotations

import pytest

from innkit.errors import DataError
from innkit.tables import BEFORE_STEM, SOURCE_SLOT, _parse_places, get_tables


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
    vet = get_tables().source_row("vet")
    assert vet is not None
    assert [vet.place(e) for e in ("original", "2009", "2017", "2022")] == [
        None, SOURCE_SLOT, BEFORE_STEM, BEFORE_STEM]


def test_unused_sources_are_the_rows_marked_used_no():
    tables = get_tables()
    assert tables.unused_sources == {r.substem for r in tables.sources if not r.used}
    assert tables.unused_sources  # rat, hamster, primate
