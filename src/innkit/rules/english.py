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
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from itertools import accumulate
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
    def from_words(cls, words: Iterable[str]) -> SortedWords:
        # Strings sort by code point, which is the order of their UTF-8 bytes.
        unique = words if isinstance(words, set | frozenset) else set(words)
        return cls.from_sorted(sorted(unique))

    @classmethod
    def from_sorted(cls, words: Iterable[str]) -> SortedWords:
        """The list of ``words``, given sorted and without repeats."""
        words = list(words)
        joined = "".join(words)
        offsets = array.array("I", [0])
        if joined.isascii():  # one character a byte: encoded at once
            offsets.extend(accumulate(map(len, words)))
            return cls(joined.encode("ascii"), offsets)
        encoded = [w.encode("utf-8", "surrogatepass") for w in words]
        offsets.extend(accumulate(map(len, encoded)))
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return self._count

    def _bisect(self, target: bytes) -> int:
        blob, offsets = self._blob, self._offsets
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) >> 1
            if blob[offsets[mid]:offsets[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        target = word.encode("utf-8", "surrogatepass")
        lo = self._bisect(target)
        return lo < self._count and self._blob[self._offsets[lo]:self._offsets[lo + 1]] == target

    def probe(self, target: bytes) -> tuple[bool, bool]:
        """Whether the UTF-8 ``target`` is in the list, and whether a longer word of the list
        starts with it (those follow it in sorted order)."""
        blob, offsets, count = self._blob, self._offsets, self._count
        lo = self._bisect(target)
        found = lo < count and blob[offsets[lo]:offsets[lo + 1]] == target
        after = lo + 1 if found else lo
        return found, after < count and blob.startswith(target, offsets[after],
                                                        offsets[after + 1])

    def __iter__(self) -> Iterator[str]:
        blob, offsets = self._blob, self._offsets
        for i in range(self._count):
            yield blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogatepass")

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
    from ``build()`` (the words, sorted, each once) and stored for the next process."""
    def make() -> tuple[SortedWords, list[bytes], dict]:
        words = SortedWords.from_sorted(build())
        return words, words.sections(), {}

    return cached(f"{kind}-{key[:24]}.bin", key, KEPT[kind], SortedWords.load, make)


@cache
def _sorted_words() -> SortedWords:
    return _cached_words("english", _source_key(), lambda: sorted(english_words()))


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


def _wordfreq_list() -> Path | None:
    """wordfreq's English list (the large one, which its "best" list for English is), found
    without importing wordfreq: the import alone costs a small run a fifth of a second."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "data" / "large_en.msgpack.gz"


def _wordfreq_key() -> str:
    """The English lists wordfreq reads (their sizes and times), not its version: reading
    package metadata costs a small run a fiftieth of a second."""
    found = _wordfreq_list()
    parts = [f"zipf>={ESTABLISHED_ZIPF}"]
    if found is not None:
        parts += [file_stamp(found.parent / name) for name in ("large_en.msgpack.gz",
                                                               "small_en.msgpack.gz")]
    return cache_key("wordfreq", *parts)


def _frequency_buckets() -> list[list[str]]:
    """wordfreq's English words by frequency bucket (bucket i: -i centibels), as
    ``wordfreq.get_frequency_list("en")`` gives them: read straight from its list file (a
    twentieth of a second) when that file is in the format wordfreq documents (cBpack: a
    gzipped msgpack list, a header, then the buckets), else through wordfreq."""
    import gzip

    found = _wordfreq_list()
    try:
        import msgpack
    except ImportError:
        found = None
    if found is not None:
        try:
            with gzip.open(found, "rb") as f:
                data = msgpack.load(f, raw=False)
        except (OSError, EOFError, ValueError, msgpack.UnpackException):
            data = None
        if (isinstance(data, list) and data and isinstance(data[0], dict)
                and data[0].get("format") == "cB" and data[0].get("version") == 1
                and all(isinstance(b, list) for b in data[1:])):
            return data[1:]
    from wordfreq import get_frequency_list

    return get_frequency_list("en")


def _established() -> list[str]:
    """The words of wordfreq's English list at or above ESTABLISHED_ZIPF, letters only, sorted:
    the words ``get_frequency_dict("en")`` gives at least that frequency (a word listed in two
    buckets has the rarer one's frequency there, so it counts only if that one is enough)."""
    floor = 10 ** (ESTABLISHED_ZIPF - 9)  # Zipf = log10(frequency per billion words)
    buckets = _frequency_buckets()
    # wordfreq's frequency of bucket i is 10 ** (-i / 100), falling with i: the buckets
    # frequent enough are the first ``cut``.
    cut = 0
    while cut < len(buckets) and 10 ** (-cut / 100) >= floor:
        cut += 1
    rarer = set().union(*buckets[cut:])
    # Each bucket is in alphabetical order: sorting their words one bucket after another
    # merges runs, twice as fast as sorting a set.
    words = sorted(w for bucket in buckets[:cut] for w in bucket if w.isalpha())
    return list(dict.fromkeys(w for w in words if w not in rarer))


@cache
def _established_words() -> SortedWords:
    return _cached_words("wordfreq", _wordfreq_key(), _established)


@lru_cache(maxsize=65536)
def is_established(word: str) -> bool:
    """Whether ``word`` is in current English use (wordfreq Zipf >= ESTABLISHED_ZIPF): newer
    than the dictionaries of ``is_english`` (smartphone, telemedicine, aminotransferase)."""
    return word.lower() in _established_words()

