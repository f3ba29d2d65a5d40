"""Search finds antibodies by the names their target antigen is written with in text: PD-1 is
listed as ``PDCD1/CD279/PD1``, PD-L1 as ``PDL1/CD274``, TNF-alpha as ``TNF/TNFA``."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from innkit.cli import main
from innkit.registry import substances
from innkit.registry.core import antigen_key


@pytest.mark.parametrize(("written", "key"), [("PD-1", "PD1"), ("PD-L1", "PDL1"),
                                              ("TNF-alpha", "TNFA"), ("TNF-α", "TNFA"),
                                              ("her2", "HER2"), ("IL-6R", "IL6R"),
                                              ("Alphavirus", "ALPHAVIRUS")])
def test_antigen_key(written, key):
    assert antigen_key(written) == key


@pytest.mark.parametrize("query", ["PD-1", "PD-L1", "TNF-alpha", "HER2"])
def test_search_by_target_antigen(shipped_registry, query):
    hits = shipped_registry.search(query, limit=50, score_cutoff=70)
    by_antigen = [h for h in hits if h.matched_on == "target antigen"]
    assert len(by_antigen) >= 3
    for hit in by_antigen:
        aliases = {antigen_key(re.sub(r"\(.*?\)", "", a))
                   for a in re.split(r"[/;]", hit.entry.target_antigen)}
        assert antigen_key(query) in aliases, hit.entry.target_antigen


def test_cli_search_finds_pd1():
    r = CliRunner().invoke(main, ["search", "PD-1", "--limit", "100"])
    assert r.exit_code == 0
    assert "pembrolizumab" in r.output and "nivolumab" in r.output


@pytest.mark.skipif(substances.unii_source() is None, reason="the FDA UNII list is not installed")
@pytest.mark.parametrize(("typed", "name", "refers_to"), [
    ("Besp", "besponsa", "inotuzumab ozogamicin"), ("CMC-5", "cmc-544", "inotuzumab ozogamicin"),
    ("Kadcy", "kadcyla", "trastuzumab emtansine")])
def test_brands_and_codes_fill_a_short_search(shipped_registry, typed, name, refers_to):
    hits = shipped_registry.search(typed, limit=8, score_cutoff=70)
    found = {h.entry.full_name: h for h in hits}
    assert name in found, list(found)
    hit = found[name]
    assert hit.entry.origin == "unii" and hit.entry.refers_to == refers_to
    assert hit.matched_on in ("brand prefix", "code prefix")


def test_known_names_come_before_brands(shipped_registry):
    hits = shipped_registry.search("inotuz", limit=8, score_cutoff=70)
    assert hits[0].entry.full_name == "inotuzumab ozogamicin"
    origins = [h.entry.origin for h in hits]
    assert origins == sorted(origins, key=lambda o: o == "unii")
