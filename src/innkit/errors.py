"""Typed errors for callers who prefer exceptions (``strict=True``) to ``kind="unknown"``.

Every exception innkit raises is an :class:`InnkitError`, so that one ``except`` catches them
all; each also keeps the built-in base its callers may catch (``ValueError``, ``LookupError``).
"""

from __future__ import annotations


class InnkitError(Exception):
    """Base class: every innkit error carries a reason and a hint on how to fix it."""

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason = reason
        self.hint = hint
        # a reason that already ends with its hint is not given the hint twice
        super().__init__(f"{reason} ({hint})" if hint and hint not in reason else reason)


class InvalidInputError(InnkitError, ValueError):
    """The input is not text innkit can read (binary, too long, wrong type)."""


class UnknownNameError(InnkitError, LookupError):
    """The input is text, but no rule of the naming scheme explains it."""


class DataError(InnkitError):
    """A curated data table is missing or malformed (a packaging or editing fault)."""


def require_text(value: object, what: str = "name") -> str:
    """``value`` if it is text innkit can read; else :class:`InvalidInputError` saying why.

    Public functions call this first, so that None, bytes or a string holding lone
    surrogates (bytes that were not UTF-8, decoded with ``surrogateescape``) get one clear
    error rather than an AttributeError or UnicodeEncodeError from deep inside.
    """
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InvalidInputError(
                    f"the {what} holds a lone surrogate (U+{ord(value[exc.start]):04X}) at "
                    f"position {exc.start}, which is not text",
                    "decode bytes with errors='replace', not 'surrogateescape'") from None
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise InvalidInputError(f"the {what} is bytes, not text",
                                "decode it first, e.g. data.decode('utf-8')")
    raise InvalidInputError(f"the {what} is {type(value).__name__}, not text",
                            "pass a str")
