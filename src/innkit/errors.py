"""Typed errors for callers who prefer exceptions (``strict=True``) to ``kind="unknown"``."""

from __future__ import annotations


class InnkitError(Exception):
    """Base class: every innkit error carries a reason and a hint on how to fix it."""

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason = reason
        self.hint = hint
        super().__init__(f"{reason} ({hint})" if hint else reason)


class InvalidInputError(InnkitError, ValueError):
    """The input is not text innkit can read (binary, too long, wrong type)."""


class UnknownNameError(InnkitError, LookupError):
    """The input is text, but no rule of the naming scheme explains it."""


class DataError(InnkitError):
    """A curated data table is missing or malformed (a packaging or editing fault)."""
