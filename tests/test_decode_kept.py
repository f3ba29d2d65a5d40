"""What the decoder and the registry work out once and keep give the answers worked out anew."""

from __future__ import annotations

from dataclasses import replace

import pytest

import innkit
from innkit.decoder import checks
from innkit.models import RegistryEntry
from innkit.registry import Registry, substances
from innkit.rules import Rules

needs_unii = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")


def test_rows_by_key_are_the_first_row_of_their_table():
    tables = Rules.shipped().tables
    for row in tables.stems:
        assert tables.stem_row(row.stem) is next(r for r in tables.stems if r.stem == row.stem)
    for row in tables.sources:
        assert tables.source_row(row.substem) is next(
            r for r in tables.sources if r.substem == row.substem)
    for row in tables.targets:
        assert tables.target_row(row.era, row.form) is next(
            r for r in tables.targets if (r.era, r.form) == (row.era, row.form))
    assert tables.stem_row("zzq") is None
    assert tables.source_row("zzq") is None
    assert tables.target_row("2009", "zzq") is None


def test_rows_by_key_belong_to_their_own_tables():
    tables = Rules.shipped().tables
    first = tables.stems[0]
    assert tables.stem_row(first.stem) is first
    others = replace(tables, stems=tuple(r for r in tables.stems if r.stem != first.stem))
    assert others.stem_row(first.stem) is None
    assert tables.stem_row(first.stem) is first


def _entry(provenance: str) -> RegistryEntry:
    return RegistryEntry(name="zzqxumab", second_word=None, kind="inn", origin="shipped",
                         source="human", provenance=provenance)


def test_registry_conflicts_kept_are_those_worked_out_anew():
    tables = Rules.shipped().tables
    checks.forget()
    first = checks.registry_conflicts(_entry("list A"), "xi", "chimeric", "mab", tables)
    assert len(first) == 1 and "list A" in first[0]
    first.append("a caller's own line")  # a new list each time: the kept answer stays
    again = checks.registry_conflicts(_entry("list A"), "xi", "chimeric", "mab", tables)
    assert again == first[:-1]
    other = checks.registry_conflicts(_entry("list B"), "xi", "chimeric", "mab", tables)
    assert "list B" in other[0] and "list A" not in other[0]
    assert checks.registry_conflicts(_entry("list A"), "u", "human", "mab", tables) == []
    checks.forget()
    assert checks.registry_conflicts(_entry("list A"), "xi", "chimeric", "mab", tables) == again


@needs_unii
def test_a_cold_decode_is_the_decode_kept(tmp_path):
    """Decodings made with every answer kept equal those made after everything was forgotten."""
    import innkit.decoder.decode as decoder

    registry = Registry(tmp_path / "user.sqlite")
    names = ["trastuzumab", "Herceptin", "trastuzumab emtansine", "paracetamol sodium",
             "ado-trastuzumab emtansine", "acetaminophen", "adalimumab-atto"]
    kept = [innkit.decode(n, registry=registry) for n in names]
    decoder.forget()
    registry.clear_memos()
    assert [innkit.decode(n, registry=registry) for n in reversed(names)] == kept[::-1]


@needs_unii
def test_inn_numbers_are_asked_again_for_new_known_names(tmp_path):
    registry = Registry(tmp_path / "user.sqlite")
    found = registry.identify("trastuzumab")
    assert found is not None and registry.identify("adalimumab") is not None
    resolver = registry.substances._resolver
    assert set(resolver._numbers) == {"trastuzumab", "adalimumab"}  # asked once, kept
    registry.known_names.refresh()  # the known names again (a new generation), no memo cleared
    assert registry.identify("trastuzumab") == found
    assert list(resolver._numbers) == ["trastuzumab"]  # forgotten, then asked again


def test_a_phrase_is_read_whole_only_where_it_may_end_in_a_two_word_stem():
    tables = Rules.shipped().tables
    spaced = tables.spaced_suffixes
    assert spaced is not None and "dronic acid" in spaced
    assert all(" " in core for core in spaced)
    assert innkit.decode("zoledronic acid").stems[0].stem == "-dronic acid"
    assert innkit.decode("mefenamic acid sodium").stems[0].stem == "-fenamic acid"
    # a phrase that ends in no such stem reads its words one by one, as before
    assert [m.stem for m in innkit.decode("zoledronic sodium").stems] == \
        [m.stem for m in innkit.decode("zoledronic").stems]
