"""The one place where raw text becomes the lower-case form the decoder reads (spec 5.1)."""

from __future__ import annotations

import re
import unicodedata

# Every dash and hyphen look-alike that turns up in copied drug names, mapped to ASCII '-'.
_DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASHES = dict.fromkeys(map(ord, _DASH_CHARS), "-")
# Invisible characters that split or join words in pasted text.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACE_RE = re.compile(r"\s+")
_SPACED_HYPHEN_RE = re.compile(r"\s*-\s*")

MAX_NAME_LENGTH = 300
"""Longest input ``decode`` reads as one name; real INN phrases stay under 100 letters."""


def normalize_name(text: str) -> str:
    """NFKC, lower case, ASCII hyphens, no invisible characters, single spaces, trimmed."""
    if text.isascii():  # NFKC and the translations leave ASCII as it is
        if text.isalpha():  # the common case: one plain word
            return text.lower()
        text = " ".join(text.split()).lower()  # split() splits where \s matches
        return _SPACED_HYPHEN_RE.sub("-", text) if "-" in text else text
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_INVISIBLE)
    text = _SPACE_RE.sub(" ", text).strip().lower()
    return _SPACED_HYPHEN_RE.sub("-", text)
