"""A user's small text file read whole, with one set of checks for every reader of the package:
missing, not a file, too large, binary (NUL bytes in its head) or not UTF-8. The audit's CSV
tables, the screen's name lists and the readers of documents all sniff binary data here."""

from __future__ import annotations

import codecs
from enum import StrEnum
from pathlib import Path

from ..errors import InnkitError

UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, *UTF32_BOMS)
"""Byte-order marks of text in 16 or 32 bits (which has NUL bytes, and cannot be cut at any
byte); UTF-32 little-endian's begins with UTF-16 little-endian's, see :func:`bom_encoding`."""
SNIFF_BYTES = 8192
"""How much of a file's head is looked at to tell text from binary."""


def bom_encoding(head: bytes) -> str | None:
    """The codec of text starting with a UTF-32 or UTF-16 byte-order mark (UTF-32's first:
    its little-endian mark begins with UTF-16's), or None."""
    if head.startswith(UTF32_BOMS):
        return "utf-32"
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    return None


_SHOWN = {"utf-8-sig": "UTF-8"}


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the first few kilobytes, and no UTF-16 or UTF-32 byte-order mark (which
    has them)."""
    if head.startswith(UTF16_BOMS):
        return False
    return b"\x00" in head[:SNIFF_BYTES]


class FileProblem(StrEnum):
    """Why a file could not be read as text; each reader gives the fix for its own files."""

    MISSING = "missing"
    UNREADABLE = "unreadable"
    NOT_A_FILE = "not a file"
    TOO_LARGE = "too large"
    BINARY = "binary"
    NOT_UTF8 = "not utf-8"


class TextFileError(InnkitError, ValueError):
    """``reason`` names the file and the problem; ``problem`` says which, so that each reader
    can give the fix for its own files (the hint is left to it)."""

    def __init__(self, problem: FileProblem, reason: str) -> None:
        super().__init__(reason)
        self.problem = problem


def read_text_file(path: Path, *, max_bytes: int, what: str) -> str:
    """The whole text of ``path`` (UTF-8, a byte-order mark dropped); ``what`` is what the file
    should have been ("a CSV table"), for the message about binary data."""
    try:
        if not path.exists():
            raise TextFileError(FileProblem.MISSING, f"{path}: no such file")
        if not path.is_file():
            raise TextFileError(FileProblem.NOT_A_FILE, f"{path}: not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise TextFileError(FileProblem.TOO_LARGE, f"{path}: {size:,} bytes, more than the "
                                f"{max_bytes // 2**20} MB read at most")
        data = path.read_bytes()
    except OSError as exc:
        raise TextFileError(FileProblem.UNREADABLE,
                            f"{path}: cannot read ({exc.strerror or exc})") from None
    if looks_binary(data[:SNIFF_BYTES]):
        raise TextFileError(FileProblem.BINARY, f"{path}: binary data, not {what}")
    encoding = bom_encoding(data) or "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TextFileError(FileProblem.NOT_UTF8,
                            f"{path}: not {_SHOWN.get(encoding, encoding.upper())} text (byte "
                            f"{exc.start})") from None
