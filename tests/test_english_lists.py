"""The English word lists: built on first use without importing wordfreq, the same words as
wordfreq's own reading gives, and a sorted list that answers membership and prefixes."""

from __future__ import annotations

import math

import pytest

from innkit.rules import english
from innkit.rules.english import ESTABLISHED_ZIPF, SortedWords


def _established_by_wordfreq() -> frozenset[str]:
    """The definition: every word wordfreq's frequency dict gives at least the floor."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (ESTABLISHED_ZIPF - 9)
    return frozenset(w for w, f in get_frequency_dict("en").items()
                     if f >= floor and w.isalpha() and not math.isnan(f))


def test_established_words_are_wordfreqs():
    pytest.importorskip("wordfreq")
    words = english._established()
    assert words == sorted(_established_by_wordfreq())


def test_an_unreadable_list_file_falls_back_to_wordfreq(tmp_path, monkeypatch):
    pytest.importorskip("wordfreq")
    bad = tmp_path / "large_en.msgpack.gz"
    bad.write_bytes(b"not a gzip file")
    monkeypatch.setattr(english, "_wordfreq_list", lambda: bad)
    assert english._established() == sorted(_established_by_wordfreq())


def test_sorted_words_answer_like_the_set():
    words = english.english_words()
    listed = SortedWords.from_words(words)
    assert len(listed) == len(words)
    sample = sorted(words)[::997]
    assert all(w in listed for w in sample)
    assert not any(w + "zzq" in listed for w in sample)
    assert 3 not in listed  # type: ignore[operator]
    assert list(SortedWords.from_words(["b", "a", "a"])) == ["a", "b"]


def test_a_stored_list_reads_back(tmp_path):
    from innkit.files.cache import dump_blob, load_blob

    listed = SortedWords.from_words(["ﬁrst", "plain", "é"])
    blob = load_blob(dump_blob("k", listed.sections(), {}), "k")
    again = SortedWords.load(blob)
    assert again is not None and list(again) == list(listed)
    assert "é" in again and "e" not in again
