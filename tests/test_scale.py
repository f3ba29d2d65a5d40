"""Scale and start-up: big user registries annotate, caches are checked when read, the fast
paths (jsonl pieces, the near-miss index) give the same answers as the plain ones."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import pytest

from innkit.annotator.core import Annotator, annotate
from innkit.files.cache import cache_folder
from innkit.registry import Registry, RegistryEntry
from innkit.registry.core import ENTRY_COLUMNS, name_key
from innkit.registry.store import UserStore

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"
_CONS, _VOWELS = "bcdfghjklmnprstvz", "aeiou"


USUAL_CACHE = cache_folder()
"""The cache folder of the test session (read before any test sets XDG_CACHE_HOME)."""


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of the test's own (compiled databases are built from nothing)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "innkit"


def _names(count: int, seed: int) -> list[tuple[str, str]]:
    """Invented brand names (some of two words) and codes, none an English word or an INN."""
    rng = random.Random(seed)
    out: dict[str, tuple[str, str]] = {}
    while len(out) < count:
        word = "".join(rng.choice(_CONS) + rng.choice(_VOWELS) for _ in range(rng.randint(3, 5)))
        r = rng.random()
        if r < 0.6:
            name, kind = word.capitalize() + "q", "brand"
        elif r < 0.9:
            name, kind = f"ZQ{rng.choice(_CONS).upper()}-{rng.randint(100, 999999)}", "code"
        else:
            name, kind = f"{word.capitalize()}q {rng.choice(_CONS)}{word[::-1]}", "brand"
        out.setdefault(name_key(name), (name, kind))
    return list(out.values())


def _user_db(path: Path, names: list[tuple[str, str]]) -> Path:
    """A user registry holding ``names``: the schema from UserStore, rows written in bulk."""
    UserStore(path).add(RegistryEntry(name="Zqseedname", second_word=None, kind="brand",
                                      origin="user"))
    db = sqlite3.connect(path)
    cols = ", ".join(ENTRY_COLUMNS)
    blanks = ["" for _ in ENTRY_COLUMNS[4:]]
    with db:
        db.executemany(
            f"INSERT OR REPLACE INTO names (key, {cols}) VALUES "
            f"(?, {', '.join('?' * len(ENTRY_COLUMNS))})",
            [(name_key(n), n, "", kind, "trastuzumab", *blanks) for n, kind in names])
    db.close()
    return path


@pytest.mark.parametrize("count", [2_000, 100_000])
def test_a_big_user_registry_annotates(tmp_path, cache, count):
    names = _names(count, seed=count)
    registry = Registry(_user_db(tmp_path / "user.sqlite", names), substances=False)
    assert len(registry) >= count
    brand = next(n for n, k in names if k == "brand" and " " not in n)
    code = next(n for n, k in names if k == "code")
    phrase = next(n for n, k in names if " " in n)
    spaced = phrase.replace(" ", "\n   ")  # the words of a name may be split over lines
    text = (f"Given {brand} twice, then {code}; later {spaced}, rituximab and "
            f"{brand}x (not a name).")
    found = {(m.text, m.known, m.how) for m in annotate(text, registry=registry)}
    assert (brand, True, "registry") in found
    assert (code, True, "registry") in found
    assert (spaced, True, "registry") in found
    assert ("rituximab", True, "registry") in found
    assert not any(t.startswith(f"{brand}x") for t, _, _ in found)
    # Built once, then read from the cache by a fresh annotator.
    assert list(cache.glob("scanner-registry-*.hsdb"))
    again = Annotator(registry=registry).annotate(text)
    assert {(m.text, m.known, m.how) for m in again} == found


def _scanner_files(cache: Path) -> list[Path]:
    """The scanner's compiled databases, and the UNII name list a small text is looked up in
    (its database is compiled only for long texts)."""
    return sorted([*cache.glob("scanner-*.hsdb"), *cache.glob("scanner-*.names")])


def test_damaged_or_foreign_cache_files_are_rejected_and_rebuilt(cache):
    pytest.importorskip("hyperscan")
    from innkit.files.cache import read_blob

    registry = Registry(None, substances=False)
    text = EXAMPLE.read_text(encoding="utf-8") + " Muromonab-CD3 was given."
    expected = [(m.start, m.text) for m in Annotator(registry=registry).annotate(text)]
    files = _scanner_files(cache)
    assert {f.name.split("-")[1] for f in files} == {"stems", "registry"}
    sizes = {f: f.stat().st_size for f in files}
    for damage in ("truncate", "foreign", "flip"):
        for f in files:
            data = f.read_bytes()
            if damage == "truncate":
                f.write_bytes(data[: len(data) // 2])
            elif damage == "foreign":
                f.write_bytes(b"PK\x03\x04 not a scanner database" * 10)
            else:  # the right header over a damaged body: the checksum catches it
                f.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
        assert all(read_blob(f, "any key") is None for f in files)
        found = [(m.start, m.text) for m in Annotator(registry=registry).annotate(text)]
        assert found == expected, damage
        # Compiled again and stored whole.
        assert {f: f.stat().st_size for f in _scanner_files(cache)} == sizes, damage


def test_a_cache_file_of_other_inputs_is_not_used(cache, tmp_path):
    pytest.importorskip("hyperscan")
    from innkit.files.cache import read_blob

    Annotator(registry=Registry(None, substances=False)).annotate("rituximab")
    (registry_file,) = cache.glob("scanner-registry-*.hsdb")
    data = registry_file.read_bytes()
    # Same file content under another name: its key does not match, so it is never loaded.
    other = cache / "scanner-registry-000000000000000000000000.hsdb"
    other.write_bytes(data)
    assert read_blob(other, "0" * 64) is None


def test_damaged_english_cache_is_rebuilt(cache):
    from innkit.rules import english

    english._sorted_words.cache_clear()
    english.is_english.cache_clear()
    try:
        assert english.is_english("atonement") and not english.is_english("rituximab")
        (path,) = cache.glob("english-*.bin")
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) // 3])
        english._sorted_words.cache_clear()
        english.is_english.cache_clear()
        assert english.is_english("tenement") and not english.is_english("trastuzumab")
        assert path.read_bytes() == whole
    finally:
        english._sorted_words.cache_clear()
        english.is_english.cache_clear()


def test_jsonl_record_is_exactly_json_dumps():
    from innkit.render import jsonl_record

    text = EXAMPLE.read_text(encoding="utf-8") + ' "quoted" trastuzimab ünï rituximab\t'
    mentions = annotate(text)
    assert mentions
    for doc in ("doc.txt", 'a "doc" é\n', "bad \udcff bytes"):
        for m in mentions:
            line = json.dumps({"doc": doc, **m.to_dict()}, ensure_ascii=False) + "\n"
            assert jsonl_record(doc, m) == line.encode("utf-8", "backslashreplace")


def test_near_miss_index_gives_the_linear_answer():
    from innkit.decoder.modifiers import NearMissIndex

    rng = random.Random(5)
    base = [n.lower() for n, _ in _names(3_000, seed=1)]
    choices = tuple(dict.fromkeys([*base, "trastuzumab", "trastuzumag", "rituximab"]))
    index = NearMissIndex(choices)
    queries = ["trastuzimab", "trastuzumab", "xrastuzumax", "ritux", "abcdefghij"]
    for _ in range(400):
        word = list(rng.choice(choices))
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(word))
            op = rng.random()
            if op < 0.4:
                word[at] = rng.choice(_CONS)
            elif op < 0.7:
                word.insert(at, rng.choice(_VOWELS))
            elif len(word) > 1:
                del word[at]
        queries.append("".join(word))
    for word in queries:
        for limit in (1, 2):
            expected = _linear_near_miss(word, choices, limit)
            assert index.closest(word, limit) == expected, (word, limit)


def test_a_mid_sized_list_is_indexed_and_gives_the_linear_answer():
    """A list of a thousand names gets an index of its own (kept beside the large list's),
    and every answer is the one of measuring every name; words two edits away at either end
    (where the index looks for a piece at one place only) are found."""
    from innkit.decoder import modifiers

    rng = random.Random(9)
    choices = tuple(dict.fromkeys(n.lower() for n, _ in _names(1_000, seed=2)))
    assert modifiers.INDEXED_FROM <= len(choices) < modifiers.INDEXED_CHOICES
    queries = []
    for name in rng.sample(choices, 150):
        queries += [name, "xy" + name, name + "zz", name[2:], name[:-2], "q" + name[1:-1] + "q",
                    name[:3] + name[5:], "ab" + name[:-2]]
    for word in queries:
        for edits in (1, 2):
            expected = _linear_near_miss(word, choices, 1 if len(word) < 8 else edits)
            if len(word) < 6:
                expected = None
            assert modifiers.near_miss(word, choices, edits) == expected, (word, edits)
    assert any(index.choices is choices for index in modifiers._MID_INDEXES.values())


def _linear_near_miss(word: str, choices: tuple[str, ...], limit: int) -> str | None:
    """Every name measured: the closest, then the longest shared start, then the first."""
    from rapidfuzz.distance import Levenshtein

    measured = [(Levenshtein.distance(word, c), c) for c in choices]
    if any(d == 0 for d, _ in measured):
        return None
    def shared(c: str) -> int:
        return next((k for k, (x, y) in enumerate(zip(word, c, strict=False)) if x != y),
                    min(len(word), len(c)))

    near = [(d, -shared(c), i, c) for i, (d, c) in enumerate(measured) if d <= limit]
    return min(near)[3] if near else None


def test_a_near_miss_keeps_the_first_letters_among_equally_close_names():
    from innkit.decoder.modifiers import near_miss

    # two edits from each: the one that keeps the word's start wins, wherever it is listed
    assert near_miss("simvastin", ("nimvastid", "simvastatin")) == "simvastatin"
    assert near_miss("simvastin", ("simvastatin", "nimvastid")) == "simvastatin"
    assert near_miss("simvastin", ("simvastin", "simvastatin")) is None  # listed itself


def _link_substance_index(cache: Path) -> None:
    """The substance index of the session's usual cache folder, linked into ``cache`` when it
    is there (it is keyed by its source, so it is the one that would be built): the test
    below is about the scanner databases, not the minute the index takes to build."""
    cache.mkdir(parents=True, exist_ok=True)
    for source in USUAL_CACHE.glob("substances-*"):
        try:
            os.link(source, cache / source.name)
        except OSError:
            return  # another file system: the index is built here instead


def test_dask_workers_load_the_cached_databases(tmp_path, cache, monkeypatch):
    """A local cluster's worker processes read the databases compiled once, never compile."""
    pytest.importorskip("distributed")
    pytest.importorskip("hyperscan")
    pq = pytest.importorskip("pyarrow.parquet")
    from innkit.integrations.dask import annotate_corpus

    _link_substance_index(cache)
    db = _user_db(tmp_path / "user.sqlite", [("Zqbrandname", "brand")])
    monkeypatch.setenv("INNKIT_USER_DB", str(db))
    Annotator(registry=Registry(db)).annotate("warm")  # compiled here, once
    files = {f: f.stat().st_ino for f in _scanner_files(cache)}
    assert {f.name.split("-")[1] for f in files} == {"stems", "registry", "unii"}
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"doc_id": "a", "text": "Zqbrandname, then rituximab."})
                      + "\n", encoding="utf-8")
    report = annotate_corpus(corpus, tmp_path / "out", n_workers=1, user_db=str(db))
    assert report.complete and report.mentions == 2
    texts = [t for part in sorted((tmp_path / "out").glob("part-*.parquet"))
             for t in pq.read_table(part).column("text").to_pylist()]
    assert texts == ["Zqbrandname", "rituximab"]
    # Read by the client and the worker, rewritten by neither.
    assert {f: f.stat().st_ino for f in _scanner_files(cache)} == files


def test_user_names_are_queried_not_copied_into_objects(tmp_path):
    """Look-ups answer from the loaded table; entries, full names and counts agree."""
    names = _names(2_000, seed=7)
    registry = Registry(_user_db(tmp_path / "user.sqlite", names), substances=False)
    phrase = next(n for n, k in names if " " in n)
    (found,) = registry.lookup(phrase.upper())
    assert (found.full_name, found.origin, found.refers_to) == (phrase, "user", "trastuzumab")
    entries = registry.entries()
    assert len(registry) == len(entries) >= 2_000 + 1
    assert registry.full_names() == [e.full_name for e in entries]
    assert entries[0].origin == "user" and entries[-1].origin == "shipped"
    assert registry.known("trastuzumab").origin == "shipped"
    assert registry.known("zqnotaname") is None


def test_short_form_search_and_span_check_give_the_plain_answers():
    """The fast paths of abbreviation linking (str.find, bisected spans) against the plain
    regular expression and the pass over every span."""
    import re

    from innkit.annotator.abbreviations import occurrences
    from innkit.annotator.core import _Spans

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab- 5FU(),\n") for _ in range(rng.randint(0, 60)))
        short = rng.choice(["5-FU", "FU", "a", "ab", "b-a", "5FU"])
        start = rng.randint(0, len(text))
        rx = re.compile(rf"(?<![A-Za-z0-9\-]){re.escape(short)}(?![A-Za-z0-9\-])")
        plain = [(m.start(), m.end()) for m in rx.finditer(text, start)]
        assert occurrences(text, short, start) == plain, (text, short, start)
        end = rng.randint(0, len(text) + 2)
        assert occurrences(text, short, start, end) == [p for p in plain if p[0] < end]
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randint(0, 50)
            spans.append((a, a + rng.randint(0, 8)))
        taken = _Spans(spans[:5])
        plain = list(spans[:5])
        for a, b in spans[5:]:
            expected = any(a < e and s < b for s, e in plain)
            assert taken.overlaps(a, b) == expected, (plain, a, b)
            taken.add(a, b)
            plain.append((a, b))


@pytest.mark.parametrize("literal_database", [True, False], ids=["hyperscan", "segments"])
def test_many_short_forms_at_once_give_each_one_s_answer(monkeypatch, literal_database):
    from innkit.annotator import abbreviations

    monkeypatch.setattr(abbreviations, "FIND_BELOW", 0)  # these texts are short
    if not literal_database:
        monkeypatch.setattr(abbreviations, "_literal_databases", lambda forms: [])

    rng = random.Random(11)
    # with + or . (each on its own), without (one pass), all small letters (many: every
    # segment read; few: each on its own)
    for letters in ("AB5+.-", "AB5-", "ab-", "aB5-"):
        shorts = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(1, 4)))
                         for _ in range(200)} | {"A B", "5-FU"})
        assert len(shorts) > abbreviations.FIND_AT_MOST
        _same_uses(abbreviations, rng, shorts)


def test_a_growing_set_of_short_forms_reuses_its_database_with_a_second_one(monkeypatch):
    """A document's forms grow piece by piece: a kept database is used with a small one of
    the forms it lacks (its whole set is not compiled again each piece), and the uses are
    each form's own."""
    import re

    from innkit.annotator import abbreviations

    pytest.importorskip("hyperscan")
    monkeypatch.setattr(abbreviations, "FIND_BELOW", 0)
    monkeypatch.setattr(abbreviations, "_DATABASES", [])
    rng = random.Random(5)
    shorts = sorted({"".join(rng.choice("ABC5-") for _ in range(rng.randint(2, 5)))
                     for _ in range(600)})
    text = " ".join(rng.choice(shorts) + rng.choice(["", "x", "-", "A"])
                    for _ in range(3000))
    pairs = 0
    for size in range(100, len(shorts), 12):
        some = shorts[:size]
        pairs += len(abbreviations._literal_databases(tuple(some))) == 2
        found = abbreviations.occurrences_of(text, some, 7, len(text) - 5)
        for short in some:
            rx = re.compile(rf"(?<![A-Za-z0-9\-]){re.escape(short)}(?![A-Za-z0-9\-])")
            plain = [(m.start(), m.end()) for m in rx.finditer(text, 7)
                     if m.start() < len(text) - 5]
            assert found.get(short, []) == plain, short
    assert pairs > 5


def _same_uses(abbreviations, rng, shorts):
    import re

    for _ in range(200):
        text = "".join(rng.choice("AaBb5+.- (x\n") for _ in range(rng.randint(0, 80)))
        start = rng.randint(0, len(text))
        end = rng.choice([None, rng.randint(0, len(text) + 2)])
        # a random prefix: a document's short forms grow, and a grown set reuses the last
        # database for the forms it covers
        some = shorts[:rng.randint(abbreviations.FIND_AT_MOST + 1, len(shorts))]
        found = abbreviations.occurrences_of(text, some, start, end)
        assert set(found) == set(some)
        for short in some:
            rx = re.compile(rf"(?<![A-Za-z0-9\-]){re.escape(short)}(?![A-Za-z0-9\-])")
            plain = [(m.start(), m.end()) for m in rx.finditer(text, start)
                     if end is None or m.start() < end]
            assert found[short] == plain, (text, short, start, end)


def test_look_alike_words_are_the_plain_pattern_s_matches():
    from innkit.annotator import confusables
    from innkit.rules import Rules

    rules = Rules.shipped()
    alikes = rules.derived(confusables._read)
    look = sorted(alikes.table)[:3]
    rng = random.Random(13)
    for _ in range(400):
        text = "".join(rng.choice(["a", "b", "é", " ", "1", "_", "-", *look])
                       for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(text))
        plain = [(m.start(), m.end()) for m in alikes.pattern.finditer(text, start)]
        assert [(m.start(), m.end()) for m in confusables.words(text, start, rules)] == plain, \
            (text, start)
