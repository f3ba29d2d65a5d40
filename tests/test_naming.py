"""Screening, validation and suggestion of antibody names."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.cli import main
from innkit.naming.core import formats, resolve_target
from innkit.screening.ranking import model
from innkit.screening.similarity import LEVELS, bisim, dice, level, measures, screen, screen_all


def test_screen_finds_trastuzumab_for_trastuzimab():
    result = screen("trastuzimab")
    top = result.hits[0]
    assert (top.name, top.level) == ("trastuzumab", "high")
    assert "1 letter apart" in top.why
    assert result.compared > 1000
    data = result.to_dict()
    assert {"name", "origin", "score", "level", "measures", "why"} <= data["hits"][0].keys()


def test_screen_against_a_list_and_bad_input():
    hits = screen("ocrelizumab", against=["omalizumab", "ocrelizumab", "aspirin"]).hits
    assert [h.name for h in hits] == ["omalizumab"]
    assert screen("").reason == "empty name"
    assert screen(None).reason  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        screen("x", against="everything")


def test_measures_are_bounded_and_symmetric_enough():
    m = measures("hydroxyzine", "hydralazine")
    assert all(0.0 <= v <= 1.0 for v in m.values())
    same = measures("abc", "abc")  # alike in every measure; familiarity is the other name's
    assert all(same[k] == 1.0 for k in ("edit", "bisim", "prefix", "phonetic", "suffix", "lcs"))
    assert same["combined"] == pytest.approx(1 - model().weight("familiar")
                                             * (1 - same["familiar"]))
    assert bisim("cisplatin", "carboplatin") == pytest.approx(bisim("carboplatin", "cisplatin"))
    assert dice("abc", "xyz") == 0.0
    assert level(0.99) == "high" and level(0.0) is None
    assert [name for name, _ in LEVELS] == ["high", "medium", "low"]


def test_screen_all_matches_pairwise_screening():
    names = ["trastuzumab", "trastuzimab", "pertuzumab", "aspirin", "asparin"]
    pairs = {(a, b) for a, b, _m in screen_all(names)}
    assert ("trastuzimab", "trastuzumab") in pairs
    assert ("asparin", "aspirin") in pairs
    for a, b, m in screen_all(names):
        assert m == measures(a, b)


def test_validate_accepts_a_compliant_name():
    v = innkit.validate("zovitatug", format="whole", target="tumour")
    assert v.valid, [c for c in v.checks if not c.passed]
    assert v.decoding.segmentation == "zovi|ta|tug"


@pytest.mark.parametrize(("name", "kwargs", "rule"), [
    ("zovitamig", {"format": "whole"}, "format"),
    ("zovitatug", {"target": "viral"}, "target"),
    ("tafasitamab", {}, "stem"),
    ("pemivibart", {}, "unique"),
    ("atonement", {}, "english"),
    ("trastuzimab", {}, "stem"),
    ("zovi2tatug", {}, "letters"),
    ("zomabitatug", {}, "prefix_stems"),
    ("zovixtug", {}, "infix"),
    ("tug", {}, "prefix"),
])
def test_validate_rejects_each_rule_with_its_reason(name, kwargs, rule):
    v = innkit.validate(name, **kwargs)
    assert not v.valid
    failed = {c.rule: c.reason for c in v.failures}
    assert rule in failed
    assert failed[rule]


def test_validate_flags_names_too_close_to_existing_ones():
    v = innkit.validate("pemivibort")
    assert "distance" in {c.rule for c in v.failures}


def test_validate_parse_back_needs_exactly_one_reading():
    # A prefix that ends in an infix (zo|vi|ve|tug beside zovi|ve|tug) reads two ways.
    v = innkit.validate("zovivetug")
    assert "parse_back" in {c.rule for c in v.failures}
    assert "zo|vi|ve|tug" in next(c.reason for c in v.checks if c.rule == "parse_back")
    assert "parse_back" not in {c.rule for c in innkit.validate("zovitatug").failures}


def test_spelling_guidance_is_advice():
    v = innkit.validate("phyhotatug")
    advice = [c for c in v.checks if c.rule == "spelling" and not c.passed]
    assert advice and all(c.severity == "advice" for c in advice)


@pytest.mark.parametrize(("target", "fmt"), [("tumour", "whole"), ("viral", "engineered"),
                                             ("cytokine", "multispecific"), ("bone", "fragment")])
def test_every_suggestion_validates_and_decodes_back(target, fmt):
    names = innkit.suggest(target=target, format=fmt, count=3, seed=11)
    assert len(names) == 3
    row = resolve_target(target)
    for s in names:
        v = innkit.validate(s.name, format=fmt, target=target)
        assert v.valid and not [c for c in v.checks if not c.passed]
        d = innkit.decode(s.name)
        assert d.stem == formats()[fmt]
        assert d.target_form == row.form
        assert all(h.level in (None, "low") for h in s.closest)


def test_suggest_is_deterministic_for_a_seed_and_checks_arguments():
    a = [s.name for s in innkit.suggest(target="tumour", count=4, seed=3)]
    b = [s.name for s in innkit.suggest(target="tumour", count=4, seed=3)]
    assert a == b
    with pytest.raises(ValueError, match="unknown target"):
        innkit.suggest(target="nonsense")
    with pytest.raises(ValueError, match="unknown format"):
        innkit.suggest(target="tumour", format="round")


def test_cli_screen_validate_suggest():
    runner = CliRunner()
    r = runner.invoke(main, ["screen", "trastuzimab", "--limit", "3"])
    assert r.exit_code == 0 and "trastuzumab" in r.output
    r = runner.invoke(main, ["validate", "zovitatug", "--format", "whole", "--target", "tumour"])
    assert r.exit_code == 0 and "complies" in r.output
    r = runner.invoke(main, ["validate", "atonement"])
    assert r.exit_code == 1 and "FAIL english" in r.output
    r = runner.invoke(main, ["suggest", "--target", "viral", "--seed", "1", "--count", "2",
                             "--json"])
    assert r.exit_code == 0 and len(json.loads(r.output)) == 2
    r = runner.invoke(main, ["suggest", "--target", "unknown-class"])
    assert r.exit_code == 2 and "unknown target" in r.output
