"""The English-word guard: a name found by its shape must not be an ordinary English word.

Suffix rules fire on English (atonement, tenement, refinement read as prefix + ne + ment). The
guard is the union of two dictionaries shipped by the ``english-words`` package (Webster's
Second International and GCIDE); both predate nearly every antibody name, so a word they list
is English, not a new INN.
"""

from __future__ import annotations

from functools import cache


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (loaded once, on first use; about half a second)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True))


def is_english(word: str) -> bool:
    return word.lower() in english_words()
