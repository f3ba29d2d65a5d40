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
import contextlib
import hashlib
import importlib.util
import os
import struct
from functools import cache, lru_cache
from pathlib import Path

_MAGIC = b"innkit-english\x00\x01"
_SOURCES = ("web2", "gcide")


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (loaded once, on first use; about half a second)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(list(_SOURCES), lower=True, alpha=True))


def _source_key() -> str:
    spec = importlib.util.find_spec("english_words")
    parts = [_MAGIC.hex(), *_SOURCES]
    if spec is not None and spec.submodule_search_locations:
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        for name in _SOURCES:
            with contextlib.suppress(OSError):
                st = (data / f"{name}_alpha_lower.pickle").stat()
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _cache_file(key: str, kind: str = "english") -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "innkit" / f"{kind}-{key[:24]}.bin"


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

    def dump(self, key: str) -> bytes:
        offsets = self._offsets.tobytes()
        body = struct.pack("<II", len(offsets), len(self._blob)) + offsets + self._blob
        return _MAGIC + key.encode() + hashlib.sha256(body).digest() + body

    @classmethod
    def load(cls, data: bytes, key: str) -> SortedWords | None:
        """The list stored in ``data`` when it is whole and built from ``key``, else None."""
        head = _MAGIC + key.encode()
        if not data.startswith(head):
            return None
        digest, body = data[len(head):len(head) + 32], data[len(head) + 32:]
        if len(body) < 8 or hashlib.sha256(body).digest() != digest:
            return None
        n_off, n_blob = struct.unpack_from("<II", body)
        if len(body) != 8 + n_off + n_blob or n_off % 4:
            return None
        offsets = array.array("I")
        offsets.frombytes(body[8:8 + n_off])
        if not offsets or offsets[-1] != n_blob:
            return None
        return cls(body[8 + n_off:], offsets)


def _cached_words(kind: str, key: str, build) -> SortedWords:
    """A word list from the cache folder when it is whole and built from ``key``; else built
    by ``build()`` and stored for the next process."""
    from ..files.atomic import write_atomic

    path = _cache_file(key, kind)
    with contextlib.suppress(OSError):
        found = SortedWords.load(path.read_bytes(), key)
        if found is not None:
            return found
    words = SortedWords.from_words(build())
    with contextlib.suppress(OSError):  # a read-only cache folder: rebuilt next time
        write_atomic(path, words.dump(key))
    return words


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
    parts = [_MAGIC.hex(), f"zipf>={ESTABLISHED_ZIPF}"]
    if spec is not None and spec.origin:
        data = Path(spec.origin).parent / "data"
        for name in ("large_en.msgpack.gz", "small_en.msgpack.gz"):
            with contextlib.suppress(OSError):
                st = (data / name).stat()
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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
