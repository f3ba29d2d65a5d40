"""The scanner's first run: without a compiled UNII database on disk, the UNII names of a text
are looked up word by word in a cached sorted list, and found exactly where the compiled
database (and the ``re`` reference scanner) finds them; the database is compiled, saying so,
once enough text has been read."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from innkit.annotator import scanner
from innkit.annotator.core import LENIENCY_LEVELS
from innkit.annotator.scanner import (
    SUBSTANCE,
    NameLookup,
    PatternSet,
    RegexScanner,
    load_scanner,
    stem_patterns,
    substance_names,
)
from innkit.registry.keys import code_spellings
from innkit.rules.english import SortedWords

pytest.importorskip("hyperscan")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"


@pytest.fixture(scope="module")
def registry(shipped_registry):
    if shipped_registry.substance_index() is None:
        pytest.skip("no substance index installed")
    return shipped_registry


@pytest.fixture(scope="module")
def hard_text(registry) -> str:
    """The example document, then names of every kind of the broad list in odd case and
    company: codes in each spelling, phrases across hyphens, slashes, doubled spaces,
    underscores and non-ASCII letters, and everyday words."""
    rng = random.Random(24)
    pairs = list(registry.unii_names())
    phrases = list(registry.rules.drug_classes.phrases)
    everyday = ["the", "of", "iron", "water", "lead", "patients", "dose", "was", "aspirin"]
    parts = [EXAMPLE.read_text(encoding="utf-8")]
    for _ in range(6000):
        roll = rng.random()
        if roll < 0.45:
            name, kind = rng.choice(pairs)
            if kind == "code":
                name = rng.choice(code_spellings(name))
        elif roll < 0.55:
            name = rng.choice(phrases)
        else:
            name = rng.choice(everyday)
        name = rng.choice([name, name.upper(), name.title()])
        parts += [name, rng.choice([" ", ", ", "  ", "-", "\n", "/", "(", ") ", "é ", "_"])]
    return "".join(parts)


def _substances(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    return [m for m in found if m[2] == SUBSTANCE]


@pytest.mark.parametrize("leniency", LENIENCY_LEVELS)
def test_the_fast_list_is_the_list(registry, leniency):
    patterns = stem_patterns(registry.rules.tables, leniency)
    slow = substance_names(registry, scanner._caught(patterns), scanner._covered(patterns))
    fast = scanner._fast_substance_names(registry, scanner.compile_stems(patterns))
    assert fast == slow


@pytest.mark.parametrize("leniency", LENIENCY_LEVELS)
def test_looking_names_up_finds_what_the_database_finds(registry, hard_text, leniency):
    patterns = PatternSet.build(registry.rules.tables, registry, leniency)
    lookup = NameLookup(SortedWords.from_sorted(patterns.substances))
    found: list[tuple[int, int, int]] = []
    lookup.scan(hard_text.encode("ascii", "replace"), found)
    expected = _substances(RegexScanner(patterns).scan(hard_text))
    assert len(expected) > 1000
    assert sorted(found) == expected
    compiled = scanner.HyperscanScanner.compile(patterns)
    assert _substances(compiled.scan(hard_text)) == expected


def test_a_name_list_probe_says_found_and_longer():
    words = SortedWords.from_sorted(["abc", "abc def", "abcd", "b"])
    assert words.probe(b"abc") == (True, True)
    assert words.probe(b"abc d") == (False, True)
    assert words.probe(b"abc def") == (True, False)
    assert words.probe(b"ab") == (False, True)
    assert words.probe(b"b") == (True, False)
    assert words.probe(b"c") == (False, False)
    assert list(words) == ["abc", "abc def", "abcd", "b"]


@pytest.fixture()
def empty_cache(registry, tmp_path, monkeypatch):
    """An empty cache folder for the scanner (the registry's index stays open where it is)."""
    registry.unii_names()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "innkit"


def test_a_first_small_run_compiles_no_unii_database(registry, empty_cache, capsys):
    text = EXAMPLE.read_text(encoding="utf-8")
    first = load_scanner(registry.rules.tables, registry)
    assert first._state[1] is not None  # the UNII layer is looked up, not compiled
    found = first.scan(text)
    assert not list(empty_cache.glob("scanner-unii-*.hsdb"))
    assert len(list(empty_cache.glob("scanner-unii-*.names"))) == 1
    assert "building" not in capsys.readouterr().err
    again = load_scanner(registry.rules.tables, registry)  # the list is read back
    assert again.scan(text) == found


def test_enough_text_compiles_the_database_and_says_so(registry, empty_cache, monkeypatch,
                                                       capsys):
    monkeypatch.setattr(scanner, "SMALL_TEXT", 5000)
    text = EXAMPLE.read_text(encoding="utf-8")
    first = load_scanner(registry.rules.tables, registry)
    small = first.scan(text)
    assert first._state[1] is not None
    big = first.scan(text * 4)
    assert first._state[1] is None  # compiled now
    assert "innkit: building the scanner's database of UNII names" in capsys.readouterr().err
    assert len(list(empty_cache.glob("scanner-unii-*.hsdb"))) == 1
    assert first.scan(text) == small
    later = load_scanner(registry.rules.tables, registry)  # the next process reads it
    assert later._state[1] is not None and later._state[1].stored  # once it needs it
    assert later.scan(text * 4) == big
    assert "building" not in capsys.readouterr().err


def test_a_short_text_never_reads_the_stored_database(registry, empty_cache, monkeypatch,
                                                       capsys):
    """With the database and the list both on disk, a short text is looked up in the list;
    the database is read (never compiled again) once enough text has come, or before
    workers are forked, and finds the same names."""
    monkeypatch.setattr(scanner, "SMALL_TEXT", 5000)
    text = EXAMPLE.read_text(encoding="utf-8")
    load_scanner(registry.rules.tables, registry).scan(text * 4)  # compiles and stores it
    assert "building" in capsys.readouterr().err
    monkeypatch.setattr(scanner, "LOAD_FROM", 3 * len(text))
    later = load_scanner(registry.rules.tables, registry)
    pending = later._state[1]
    assert pending is not None and pending.stored
    small = later.scan(text)
    assert later._state[1] is pending  # looked up: nothing read yet
    big = later.scan(text * 4)
    assert later._state[1] is None  # read now
    assert later.scan(text) == small
    forked = load_scanner(registry.rules.tables, registry)
    forked.load_pending()
    assert forked._state[1] is None
    assert forked.scan(text * 4) == big
    assert "building" not in capsys.readouterr().err


def test_no_second_compiler_while_another_process_compiles(registry, empty_cache,
                                                           monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(scanner, "SMALL_TEXT", 10)
    text = EXAMPLE.read_text(encoding="utf-8")
    first = load_scanner(registry.rules.tables, registry)
    pending = first._state[1]
    lock = empty_cache / f"{pending._lock_name}.lock"
    fd = lock.open("w")
    try:
        # flock locks belong to the open file: a second open file of this process stands
        # for the other process
        fcntl.flock(fd, fcntl.LOCK_EX)
        found = first.scan(text)
        assert first._state[1] is pending
        assert not list(empty_cache.glob("scanner-unii-*.hsdb"))
    finally:
        fd.close()
    assert first.scan(text) == found
    assert first._state[1] is None
