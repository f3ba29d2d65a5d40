"""Letters of other scripts that look like Latin ones (a Cyrillic ``а`` in ``trаstuzumab``).

Text pasted from other sources, or crafted to slip past checks, can hide such letters in a drug
name. innkit reads the name the letters spell in Latin, and says which letters were replaced,
instead of misreading the rest of the word. The look-alikes come from ``confusables.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..rules.core import Rules


@dataclass(frozen=True)
class _LookAlikes:
    """The look-alike letters of one set of rules, and the patterns that find them."""

    table: dict[str, tuple[str, str]]  # letter -> (Latin letter, description)
    pattern: re.Pattern[str]  # a word (letters only) with at least one look-alike letter
    # The same words, tried only where a word starts: the letters before the first look-alike
    # are taken without backtracking (the plain pattern retries every letter of every word).
    word: re.Pattern[str]
    any: re.Pattern[str]


def _read(rules: Rules) -> _LookAlikes:
    rows = rules.read("confusables.tsv", ("char", "latin", "script", "name"))
    table = {r["char"]: (r["latin"], f"{r['script']} '{r['char']}' ({r['name'].lower()}, "
                                     f"U+{ord(r['char']):04X})") for r in rows}
    chars = "".join(re.escape(c) for c in table)
    return _LookAlikes(table, re.compile(rf"[^\W\d_]*[{chars}][^\W\d_]*"),
                       re.compile(rf"(?<![^\W\d_])[^\W\d_{chars}]*+[{chars}][^\W\d_]*"),
                       re.compile(f"[{chars}]"))


def present(text: str, start: int, rules: Rules) -> bool:
    """Whether a look-alike letter stands in ``text`` from ``start``: every word :func:`words`
    finds holds one. ASCII text is told at once; other text costs one ``str.find`` of each
    letter (a few milliseconds a megabyte, some times less than a search for a character
    class), so the words of the rare text that has one are read alone."""
    if text.isascii():
        return False
    return any(text.find(char, start) >= 0 for char in rules.derived(_read).table)


def words(text: str, start: int, rules: Rules) -> Iterator[re.Match[str]]:
    """What the look-alike pattern of ``rules`` finds from ``start``, in linear time.

    Only the words around a look-alike letter are read: one character-class search finds the
    letters (a few milliseconds a megabyte, most text having none), and the word pattern is
    tried from the start of each one's word."""
    found = rules.derived(_read)
    at = start
    if 0 < start < len(text) and _LETTER.match(text, start - 1):  # a word cut at ``start``
        first = found.pattern.match(text, start)
        if first is not None:
            yield first
            at = first.end()
        else:
            while at < len(text) and _LETTER.match(text, at):
                at += 1  # no look-alike in the rest of this word
    word = found.word
    for hit in found.any.finditer(text, at):
        begin = hit.start()
        if begin < at:
            continue  # in the word just reported
        while begin > at and _LETTER.match(text, begin - 1):
            begin -= 1
        m = word.match(text, begin)
        if m is not None:
            yield m
            at = m.end()


_LETTER = re.compile(r"[^\W\d_]")


def latinise(word: str, rules: Rules) -> tuple[str, tuple[str, ...]]:
    """The word in Latin letters, and a description of each replaced letter."""
    table = rules.derived(_read).table
    out, found = [], []
    for char in word:
        hit = table.get(char)
        if hit is None:
            out.append(char)
        else:
            out.append(hit[0])
            found.append(hit[1])
    return "".join(out), tuple(dict.fromkeys(found))
