"""The English-word guard: a name found by its shape must not be an ordinary English word.

Suffix rules fire on English (atonement, tenement, refinement read as prefix + ne + ment). The
guard is the union of two dictionaries shipped by the ``english-words`` package (Webster's
Second International and GCIDE); both predate nearly every antibody name, so a word they list
is English, not a new INN.

Unpickling the two lists into a set of 260,000 strings takes a fifth of a second, more than a
small ``annotate`` run spends on everything else; so the guard answers from a sorted copy kept
in the cache folder (one block of bytes and an offset array, read in milliseconds, searched by
bisection) and builds the set only for callers that want the whole list.
"""

from __future__ import annotations

import array
import importlib.util
from functools import cache, lru_cache
from pathlib import Path

from ..files.cache import Blob, Kept, cache_key, cached, file_stamp

_SOURCES = ("web2", "gcide")
KEPT = {kind: Kept(f"{kind}-*.bin", keep=4) for kind in ("english", "wordfreq")}
"""Word lists kept in the cache folder, by kind (the most recently used)."""


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (loaded once, on first use; about half a second)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(list(_SOURCES), lower=True, alpha=True))


def _source_key() -> str:
    spec = importlib.util.find_spec("english_words")
    parts = list(_SOURCES)
    if spec is not None and spec.submodule_search_locations:
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        parts += [file_stamp(data / f"{name}_alpha_lower.pickle") for name in _SOURCES]
    return cache_key("english", *parts)


class SortedWords:
    """A sorted word list as one block of UTF-8 bytes plus offsets: membership by bisection."""

    def __init__(self, blob: bytes, offsets: array.array) -> None:
        self._blob = blob
        self._offsets = offsets
        self._count = len(offsets) - 1

    @classmethod
    def from_words(cls, words: frozenset[str] | set[str]) -> SortedWords:
        encoded = sorted(w.encode() for w in words)
        offsets = array.array("I", [0])
        total = 0
        for w in encoded:
            total += len(w)
            offsets.append(total)
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return self._count

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        target = word.encode("utf-8", "surrogatepass")
        blob, offsets = self._blob, self._offsets
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) >> 1
            if blob[offsets[mid]:offsets[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        return lo < self._count and blob[offsets[lo]:offsets[lo + 1]] == target

    def sections(self) -> list[bytes]:
        """The list as stored in the cache: the offsets, then the words."""
        return [self._offsets.tobytes(), self._blob]

    @classmethod
    def load(cls, blob: Blob) -> SortedWords | None:
        """The list stored in ``blob``, or None when its parts do not fit together."""
        if len(blob.sections) != 2:
            return None
        raw, words = blob.sections
        offsets = array.array("I")
        if len(raw) % offsets.itemsize:
            return None
        offsets.frombytes(raw)
        if not offsets or offsets[-1] != len(words):
            return None
        return cls(words, offsets)


def _cached_words(kind: str, key: str, build) -> SortedWords:
    """A word list from the cache folder when it is whole and built from ``key``; else built
    by ``build()`` and stored for the next process."""
    def make() -> tuple[SortedWords, list[bytes], dict]:
        words = SortedWords.from_words(build())
        return words, words.sections(), {}

    return cached(f"{kind}-{key[:24]}.bin", key, KEPT[kind], SortedWords.load, make)


@cache
def _sorted_words() -> SortedWords:
    return _cached_words("english", _source_key(), english_words)


@lru_cache(maxsize=65536)
def is_english(word: str) -> bool:
    return word.lower() in _sorted_words()


ESTABLISHED_ZIPF = 1.5
"""A word at least this frequent in wordfreq's English list (Zipf scale: about once in 30
million words) is established vocabulary. Of the words the stems alone found in the training
text of the corpora, every one above 1.75 was a false alarm (smartphone 4.1, undergone 3.6,
synthase 2.7, aminotransferase 2.1, cyclooxygenase 1.8), and one real name stood between 1.5
and 1.75 (kynurenine 1.57). A drug that common is in the substance index already, so for an
unknown word the list means vocabulary, not a newly coined name. The dictionaries of
``is_english`` predate smartphones and most of molecular biology; this list does not."""


def _wordfreq_key() -> str:
    """The English lists wordfreq reads (their sizes and times), not its version: reading
    package metadata costs a small run a fiftieth of a second."""
    spec = importlib.util.find_spec("wordfreq")
    parts = [f"zipf>={ESTABLISHED_ZIPF}"]
    if spec is not None and spec.origin:
        data = Path(spec.origin).parent / "data"
        parts += [file_stamp(data / name) for name in ("large_en.msgpack.gz",
                                                       "small_en.msgpack.gz")]
    return cache_key("wordfreq", *parts)


def _established() -> frozenset[str]:
    import math

    from wordfreq import get_frequency_dict

    floor = 10 ** (ESTABLISHED_ZIPF - 9)  # Zipf = log10(frequency per billion words)
    return frozenset(w for w, f in get_frequency_dict("en").items()
                     if f >= floor and w.isalpha() and not math.isnan(f))


@cache
def _established_words() -> SortedWords:
    return _cached_words("wordfreq", _wordfreq_key(), _established)


@lru_cache(maxsize=65536)
def is_established(word: str) -> bool:
    """Whether ``word`` is in current English use (wordfreq Zipf >= ESTABLISHED_ZIPF): newer
    than the dictionaries of ``is_english`` (smartphone, telemedicine, aminotransferase)."""
    return word.lower() in _established_words()
