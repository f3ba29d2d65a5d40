"""Decoding makes no reference cycles: ``innkit decode`` streams names with the cyclic garbage
collector off (see ``innkit.cli.decode._settle``), which is safe only while a decoding leaves
nothing that reference counting alone cannot free."""

from __future__ import annotations

import gc

import pytest

import innkit
import innkit.decoder.decode as decoder
from innkit.registry import get_registry
from innkit.rules import Rules

WRITTEN = [
    "inotuzumab ozogamicin", "Besponsa", "CMC-544", "trastuzumab-anns", "Trastuzumab Emtansin",
    "technetium (99mTc) fanolesomab", "enoxaparin sodium", "magnesium sulfate",
    "topoisomerase I inhibitors", "sipuleucel-T", "nab-paclitaxel", "pneumococcal vaccine",
    "MMAE", "vedotin", "glucuronidase", "xyzzy", "", "   ", "123", "ab\x00cd", "é" * 40,
    "a" * 500, "rituximab rituximab", "nivolumab-", "-mab", "nsc-100206", "zzzmab",
    "abciximab", "aducanumab", "levonorgestrel", "ethinylestradiol", "paracetamol",
]


def _names() -> list[str]:
    """Names of every kind the decoder tells apart: the package's example names (antibodies of
    each era and stem, INNs of the general stems, words its lenses read), one in 400 of the
    substance index's names (INNs, brands, codes, chemical and plant names), and written
    oddities (empty, binary, huge, misspelt)."""
    rules = Rules.shipped()
    tables = rules.tables
    antibodies = {e.replace("|", "") for row in (*tables.targets, *tables.stems)
                  for e in row.examples}
    general = {e for row in tables.general_stems for e in row.examples}
    lensed = sorted(rules.lenses.words)[::4]
    listed = [name for name, _key in get_registry().unii_names()][::400]
    return [*WRITTEN, *sorted(antibodies), *sorted(general), *lensed, *listed]


@pytest.fixture
def collector_off():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_cold_decodings_leave_no_cyclic_garbage(collector_off):
    names = _names()
    for name in names:  # loads whatever a kind of name loads (tables, patterns) first
        innkit.decode(name)
    gc.collect()
    decoder.forget()
    get_registry().clear_memos()
    for name in names:
        d = innkit.decode(name)
        d.to_json()
        d.to_dict()
    assert gc.collect() == 0
