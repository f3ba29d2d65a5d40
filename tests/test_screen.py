"""Screening: exact retrieval, the phonetic measure and its tables, the pharmacist's reading,
names files, the screen CLI (--against FILE, --batch) and the batch web route."""

from __future__ import annotations

import csv
import json
import random

import numpy as np
import pytest
from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit.cli import main
from innkit.errors import InvalidInputError
from innkit.files.namelists import read_names
from innkit.rules import Rules
from innkit.screening import phonetic
from innkit.screening.ranking import FEATURES
from innkit.screening.similarity import (
    LEVELS,
    Universe,
    _bounds,
    _Query,
    build_universe,
    explain_pair,
    level,
    measures,
    measures_many,
    reading,
    screen,
    screen_many,
)

LOW = LEVELS[-1][1]


# -- retrieval is exact ------------------------------------------------------------------

def brute_force(universe: Universe, name: str, limit: int, cutoff: float) -> list[tuple]:
    scores = universe.scores(name)
    own = universe.index.get(name)
    order = sorted((i for i in range(len(universe)) if i != own and scores[i] >= cutoff),
                   key=lambda i: (-scores[i], universe.names[i]))
    return [(universe.names[i], round(float(scores[i]), 6)) for i in order[:limit]]


def test_screen_returns_exactly_the_top_names_of_a_full_scan():
    universe = build_universe("registry")
    rng = random.Random(3)
    queries = [rng.choice(universe.names) for _ in range(12)]
    queries += ["trastuzimab", "pemivibort", "zovitatug", "doxorubicin liposomal", "xq"]
    for q in queries:
        for limit, cutoff in ((10, LOW), (3, 0.0), (1, 0.6)):
            found, _scored = universe.search(q, limit, cutoff)
            got = [(universe.names[i], round(score, 6)) for i, score, *_m in found]
            assert got == brute_force(universe, q, limit, cutoff), (q, limit, cutoff)


def test_the_bounds_never_fall_below_the_score():
    universe = build_universe("registry")
    rng = random.Random(8)
    for q in [rng.choice(universe.names) for _ in range(8)] + ["zyprexa", "a", "str", "xq",
                                                                 "12", "oxa"]:
        exact = universe.scores(q)
        forms_bound, _prefix = _bounds(_Query.of(reading(q).text), universe.forms)
        bound = universe._entry_bounds(reading(q), forms_bound, forms_bound)
        assert (bound + 1e-6 >= exact).all(), q


def test_names_of_different_length_are_still_found():
    names = ["doxorubicin liposomal", "paclitaxel protein-bound particles", "aspirin",
             "prednisolone", "methylprednisolone"]
    m = measures("doxorubicin", "doxorubicin liposomal")
    assert level(m["combined"]) == "high"
    assert "same stem word doxorubicin" in explain_pair("doxorubicin", "doxorubicin liposomal",
                                                        m)[0]
    # a form of the screened substance is no other drug: shown apart, not among the hits
    result = screen("paclitaxel", against=names)
    assert result.own_forms == ("paclitaxel protein-bound particles",)
    assert "paclitaxel protein-bound particles" not in [h.name for h in result.hits]
    assert "methylprednisolone" in [h.name for h in
                                    screen("prednisone", against=names, score_cutoff=0.3).hits]


def test_codes_are_told_apart_by_their_number():
    assert reading("nsc-46066").stem == "46066" and reading("nsc-46066").code
    assert not reading("zantac 75").code
    # a one-digit slip stays alike; two codes of one series with other numbers do not
    assert level(measures("nsc-31425", "nsc-31423")["combined"]) == "high"
    assert level(measures("nsc-46066", "nsc-190466")["combined"]) is None


def test_hits_are_other_substances_with_their_forms():
    names = ["hydroxyzine hydrochloride", "hydroxyzine pamoate", "hydralazine",
             "hydralazine hydrochloride", "aspirin"]
    result = screen("hydroxyzine", against=names, score_cutoff=0.0)
    assert set(result.own_forms) == {"hydroxyzine hydrochloride", "hydroxyzine pamoate"}
    top = result.hits[0]
    assert top.name == "hydralazine" and top.forms == ("hydralazine hydrochloride",)
    assert [h.name for h in result.hits] == ["hydralazine", "aspirin"]
    letters, sounds = top.aligned["letters"], top.aligned["sounds"]
    assert len(letters[0]) == len(letters[1]) and len(sounds[0]) == len(sounds[1])
    assert letters[0].replace("-", "") == "hydroxyzine"
    assert top.to_dict()["aligned"]["letters"] == list(letters)


def test_lens_words_that_are_no_drug_are_not_screened_against():
    from innkit.screening.grouping import identity

    assert not identity("valine", "valine", None).medicine
    assert identity("hydralazine", "hydralazine", None).medicine


@pytest.mark.parametrize(("name", "medicine"), [
    ("celest", False),  # a brand of the fungicide fludioxonil: ISO name, no medicine list
    ("fludioxonil", False),
    ("chlorpyrifos", False),
    ("permethrin", True),  # an ISO name and an INN: a pesticide and a medicine
    ("fipronil", True),  # an ISO name and a veterinary medicine list
    ("celebrex", True),
])
def test_a_pesticide_is_no_medicine_even_with_brands(name, medicine):
    from innkit.registry import get_registry
    from innkit.screening.grouping import identity

    assert identity(name, name, get_registry()).medicine is medicine


def test_pesticides_are_not_screened_against():
    hits = [h.name for h in screen("celexa", limit=40, score_cutoff=0.3).hits]
    assert "celebrex" in hits and "celest" not in hits


# -- the pharmacist's reading ------------------------------------------------------------

@pytest.mark.parametrize(("name", "stem", "aside"), [
    ("doxorubicin hydrochloride", "doxorubicin", ("hydrochloride",)),
    ("trastuzumab-dkst", "trastuzumab", ("-dkst",)),
    ("Paclitaxel Protein-Bound Particles", "paclitaxel", ("protein-bound", "particles")),
    ("metformin ER", "metformin", ("er",)),
    ("Zyrtec-D", "zyrtec", ("d",)),
    ("vitamin d", "vitamin d", ()),  # a one-letter modifier is secondary only after a hyphen
    ("metformin 500 mg", "metformin", ("500", "mg")),
    ("insulin glargine", "insulin glargine", ()),  # two words of substance: read whole
    ("zyprexa", "zyprexa", ()),
])
def test_reading_sets_aside_salts_forms_and_fda_suffixes(name, stem, aside):
    r = reading(name)
    assert (r.stem, r.set_aside) == (stem, aside)


def test_salt_matters_less_than_the_stem_word():
    same_stem = measures("doxorubicin", "doxorubicin citrate")["combined"]
    other_stem = measures("doxorubicin", "daunorubicin")["combined"]
    assert same_stem > other_stem
    assert measures("insulin glargine", "insulin lispro")["combined"] < LEVELS[0][1]


@pytest.mark.parametrize(("a", "b"), [
    ("epinine", "pethidine"), ("hydroxyzine", "hydralazine"), ("doxorubicin", "daunorubicin"),
])
def test_a_shared_salt_adds_little_to_two_stem_words(a, b):
    alone = measures(a, b)["combined"]
    for salt in ("hydrochloride", "sodium phosphate"):
        salted = measures(f"{a} {salt}", f"{b} {salt}")["combined"]
        assert alone <= salted <= alone + 0.1, (salt, alone, salted)
    assert level(measures("epinine hydrochloride", "pethidine hydrochloride")["combined"]) \
        in (None, LEVELS[-1][0])


# -- phonetics ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", Rules.shipped().read("g2p_rules.tsv", ("rule", "example")),
                         ids=lambda r: r["rule"])
def test_every_spelling_rule_reads_its_example(row):
    rules = [key for _letters, _sounds, key in phonetic.explain_phonemes(row["example"])]
    assert row["rule"] in rules, (row["example"], rules)


def test_every_phoneme_has_features_and_identity_is_the_best_match():
    ph = phonetic.phonology()
    rows = Rules.shipped().read("g2p_rules.tsv", ("phonemes",))
    used = {p for row in rows for p in row["phonemes"]}
    assert used - {"-"} <= set(ph.code)
    sub = ph.sub[1:, 1:]
    assert (sub <= np.minimum.outer(ph.self_score[1:], ph.self_score[1:]) + 1e-6).all()


def test_aline_hears_near_sounds_as_near():
    assert phonetic.similarity("celexa", "celexa") == pytest.approx(1.0)
    assert phonetic.similarity("zyprexa", "celexa") > phonetic.similarity("zyprexa", "warfarin")
    # p and b differ in voice only, p and l in almost everything
    assert phonetic.similarity("pam", "bam") > phonetic.similarity("pam", "lam")
    assert phonetic.similarity("cisplatin", "carboplatin") == pytest.approx(
        phonetic.similarity("carboplatin", "cisplatin"), abs=1e-6)
    assert phonetic.phonemes("phenytoin")[0] == "f"
    assert phonetic.phonemes("xylometazoline")[0] == "z"


def _plain_aline(a: str, b: str) -> float:
    """ALINE of two phoneme strings one cell at a time: the reference for the vectorised one."""
    ph = phonetic.phonology()
    ca, cb = phonetic.encode(a).tolist(), phonetic.encode(b).tolist()
    n, m = len(ca), len(cb)
    d = [[ph.skip * j for j in range(m + 1)]]
    for i in range(1, n + 1):
        row = [ph.skip * i]
        for j in range(1, m + 1):
            row.append(max(d[i - 1][j - 1] + float(ph.sub[ca[i - 1], cb[j - 1]]),
                           d[i - 1][j] + ph.skip, row[j - 1] + ph.skip))
        d.append(row)
    return max([d[n][j] + ph.end_skip * (m - j) for j in range(m + 1)]
               + [d[i][m] + ph.end_skip * (n - i) for i in range(n + 1)])


def test_the_vectorised_alignment_is_the_plain_one():
    rng = random.Random(11)
    words = ["zantac", "xanax", "celexa", "cerebyx", "hydroxyzine", "hydralazine", "a",
             "cisplatin", "carboplatin", "lamictal", "lamisil", "ox", "methadone"]
    sounds = [phonetic.phonemes(w) for w in words]
    sounds += ["".join(rng.choice(sounds[rng.randrange(len(words))]) for _ in range(k))
               for k in rng.choices(range(1, 12), k=40)]
    width = max(len(s) for s in sounds)
    codes = np.zeros((len(sounds), width), dtype=np.uint8)
    for k, s in enumerate(sounds):
        codes[k, :len(s)] = phonetic.encode(s)
    lengths = np.array([len(s) for s in sounds])
    for query in sounds[:20]:
        got = phonetic.aline_many(phonetic.encode(query), codes, lengths)
        want = [_plain_aline(query, other) for other in sounds]
        assert got.tolist() == pytest.approx(want, abs=1e-3)


def test_sounds_left_at_the_end_cost_the_end_skip_and_are_shown_unaligned():
    ph = phonetic.phonology()
    assert ph.skip <= ph.end_skip <= 0  # the bound of screen needs no end skip above 0
    a, longer = phonetic.phonemes("zantac"), phonetic.phonemes("zantacolam")
    raw = phonetic.aline_many(phonetic.encode(a), phonetic.encode(longer)[None, :],
                              np.array([len(longer)]))[0]
    assert raw == pytest.approx(phonetic.self_score(a) + ph.end_skip * (len(longer) - len(a)))
    top, bottom = phonetic.align(a, longer)
    assert bottom == longer and top == a + "-" * (len(longer) - len(a))
    top, bottom = phonetic.align(phonetic.phonemes("zantac"), phonetic.phonemes("xanax"))
    assert len(top) == len(bottom) and top.replace("-", "") == phonetic.phonemes("zantac")
    assert bottom.replace("-", "") == phonetic.phonemes("xanax")


@pytest.mark.parametrize(("a", "b", "same"), [
    ("celexa", "cerebyx", 1), ("zantac", "xanax", 1), ("afatinib", "axitinib", 1),
    ("celexa", "clexane", 0), ("afatinib", "baricitinib", 0), ("stadol", "sodol", 0),
    ("str", "strattera", 1), ("12", "12", 0)])
def test_the_onset_is_the_sounds_before_the_first_vowel(a, b, same):
    # /s/ and /s/; /z/ and /z/; none and none; /s/ and /kl/; none and /b/; /st/ and /s/; a
    # name without a vowel is all onset; a number has no sounds
    assert measures(a, b)["onset"] == same


def test_measures_many_matches_measures():
    values = measures_many("hydroxyzine", ["hydralazine", "hydroxyzine"])
    m = measures("hydroxyzine", "hydralazine")
    assert values[0].tolist() == pytest.approx([m[f] for f in FEATURES], abs=1e-6)
    assert values[1].tolist()[:7] == pytest.approx([1] * 7, abs=1e-6)


# -- names files -------------------------------------------------------------------------

def test_read_names_lines_and_tables(tmp_path):
    lines = tmp_path / "names.txt"
    lines.write_text("# my list\nZyprexa\n\ncelexa \n" + "x" * 400 + "\n", encoding="utf-8")
    got = read_names(lines)
    assert got.names == ("Zyprexa", "celexa") and got.skipped[0][0] == 5
    table = tmp_path / "names.csv"
    table.write_text("id,Name,notes\n1,Zyprexa,a\n2,\"Depo-Medrol\",b\n", encoding="utf-8")
    assert read_names(table).names == ("Zyprexa", "Depo-Medrol")
    bad = tmp_path / "other.csv"
    bad.write_text("id,drug\n1,x\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="no 'name' column"):
        read_names(bad)
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(InvalidInputError, match="binary"):
        read_names(binary)


# -- CLI ---------------------------------------------------------------------------------

def test_cli_screen_against_a_file_and_batch(tmp_path):
    own = tmp_path / "own.csv"
    own.write_text("name\nCelexa\nCelebrex\nZestril\n", encoding="utf-8")
    cands = tmp_path / "cands.txt"
    cands.write_text("cerebyx\ncelexa\n\nqqqq\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["screen", "celebrix", "--against", str(own)])
    assert r.exit_code == 0, r.output
    assert "screened against 3 names" in r.output and "celebrex" in r.output
    out = tmp_path / "out.csv"
    r = runner.invoke(main, ["screen", "--batch", str(cands), "--against", str(own),
                             "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["candidate"] for row in rows] == ["cerebyx", "celexa", "qqqq"]
    assert rows[1]["reason"] == "the name itself is already on the list"
    assert rows[2]["top_level"] == "" and rows[2]["closest"] == ""
    r = runner.invoke(main, ["screen", "--batch", str(cands), "--against", str(own),
                             "--format", "jsonl", "--limit", "1"])
    lines = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert len(lines) == 3 and all(len(x["hits"]) <= 1 for x in lines)


@pytest.mark.parametrize("args", [
    ["screen"],
    ["screen", "abc", "--batch", "x.txt"],
    ["screen", "abc", "--against", "no-such-file.txt"],
    ["screen", "--batch", "no-such-file.txt"],
])
def test_cli_screen_usage_errors_exit_2_with_one_line(args):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1].startswith("Error:")


def test_screen_many_keeps_order_and_answers_bad_input():
    results = list(screen_many(["celexa", "", "x" * 200, "zestril"],
                               against=["celexa", "zestril", "celebrex"]))
    assert [r.input for r in results] == ["celexa", "", "x" * 200, "zestril"]
    assert results[1].reason == "empty name" and results[2].reason.startswith("a name is")


# -- web ---------------------------------------------------------------------------------

def test_web_batch_route():
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from innkit.web.app import create_app

    with TestClient(create_app(warm_up=False, allowed_hosts=None, time_limit_s=600)) as client:
        r = client.post("/v1/screen/batch", json={"names": ["celebrix", "zestril"],
                                                  "against_names": ["celebrex", "zestril"]})
        assert r.status_code == 200
        body = r.json()
        assert body["count"] == 2
        assert body["results"][0]["hits"][0]["name"] == "celebrex"
        assert body["results"][1]["reason"] == "the name itself is already on the list"
        expected = screen("celebrix", against=["celebrex", "zestril"], limit=3).to_dict()
        assert body["results"][0] == json.loads(json.dumps(expected))
        assert client.post("/v1/screen/batch", json={"names": []}).status_code == 422
        assert client.post("/v1/screen/batch", json={"names": ["a"] * 201}).status_code == 422


# -- the prepared-list cache -------------------------------------------------------------

def test_a_damaged_cache_is_ignored(tmp_path, monkeypatch):
    from innkit.screening import similarity

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(similarity, "CACHE_FROM", 2)
    entries = [(n, "list", "name") for n in ("celexa", "zestril", "celebrex")]
    first = Universe(entries, cache=True)
    files = list(tmp_path.glob("innkit/screen-*.bin"))
    assert len(files) == 1
    again = Universe(entries, cache=True)
    assert again.forms.texts == first.forms.texts
    files[0].write_bytes(b"not a cache")
    damaged = Universe(entries, cache=True)
    assert screen("celebrix", against=damaged).hits[0].name == "celebrex"


def test_a_damaged_arrays_file_is_built_again(tmp_path, monkeypatch):
    from innkit.screening import similarity

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(similarity, "CACHE_FROM", 2)
    entries = [(n, "list", "name") for n in ("celexa", "zestril", "celebrex", "NSC-46066")]
    expected = screen("celebrix", against=Universe(entries)).to_dict()
    Universe(entries, cache=True)
    [arrays] = tmp_path.glob("innkit/screen-*.npy")
    stored = arrays.read_bytes()
    for damage in (stored[:-1] + bytes([stored[-1] ^ 1]), stored[:-8], b""):
        arrays.write_bytes(damage)
        again = Universe(entries, cache=True)
        assert screen("celebrix", against=again).to_dict() == expected
        assert arrays.read_bytes() == stored
    arrays.unlink()
    assert screen("celebrix", against=Universe(entries, cache=True)).to_dict() == expected
    assert arrays.read_bytes() == stored


def test_the_registry_and_unii_lists_share_the_all_list_and_screen_as_alone():
    from innkit.registry import get_registry

    registry = get_registry()
    whole = build_universe("all", registry)
    assert build_universe("unii", registry).forms is whole.forms
    part = build_universe("registry", registry)
    alone = Universe(((n, *m) for n, m in zip(part.names, part.meta, strict=True)),
                     builtin=True, registry=registry)
    assert part.names == alone.names and part.forms is not whole.forms
    by_text = dict(zip(alone.forms.texts, alone.forms.selfs.tolist(), strict=True))
    assert dict(zip(part.forms.texts, part.forms.selfs.tolist(), strict=True)) == by_text
    for name in ("trastuzimab", "adalimumab-atto", "inotuzumab ozogamicin", "zantac"):
        assert (screen(name, against=part, limit=20, score_cutoff=0.3).to_dict()
                == screen(name, against=alone, limit=20, score_cutoff=0.3).to_dict())
