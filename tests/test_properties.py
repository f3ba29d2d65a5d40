"""Hypothesis properties: decode never raises, and its parts always spell the antibody word."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit import decode
from innkit.rules import Rules

TABLES = Rules.shipped().tables
SURFACES = sorted({s for row in TABLES.targets
                   for s in row.before_consonant + row.before_vowel + row.before_stem})
SOURCES = sorted(s.substem for s in TABLES.sources)
STEMS = sorted(s.stem for s in TABLES.parse_stems)
prefixes = st.text(alphabet="abcdefgilmnoprstuvz", min_size=1, max_size=7)


def _recomposes(d) -> None:
    if d.kind == "antibody":
        parts = [d.prefix, d.target_substem, d.source_substem, d.stem, d.suffix]
        assert "".join(p or "" for p in parts) == d.name
        for r in (*d.readings, *d.alternatives):
            assert r.prefix + (r.target or "") + (r.source or "") + r.stem in (d.name, d.name + "t")
    for c in d.components:
        _recomposes(c)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_decode_never_raises_on_any_text(text):
    d = decode(text)
    assert d.kind in {"antibody", "stem", "combination", "unknown"}
    if d.kind == "unknown":
        assert d.reason
    json.dumps(d.to_dict())
    _recomposes(d)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_decode_never_raises_on_bytes(data):
    d = decode(data)
    assert d.kind in {"antibody", "stem", "combination", "unknown"}


@settings(max_examples=400, deadline=None)
@given(prefixes, st.sampled_from(SURFACES), st.sampled_from([*SOURCES, ""]),
       st.sampled_from(STEMS), st.sampled_from(["", " vedotin", " pegol", " beta", "-abcd"]))
def test_name_shaped_input_decodes_and_recomposes(prefix, surface, source, stem, tail):
    d = decode(prefix + surface + source + stem + tail)
    _recomposes(d)
    if d.kind == "antibody":
        assert d.stem == stem
        assert d.eras or d.irregular
