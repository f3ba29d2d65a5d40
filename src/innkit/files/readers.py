"""Reading documents of any size and state: streamed in blocks, decoded as UTF-8 (or UTF-16
or UTF-32 with a byte-order mark), with binary files refused and stray bytes counted, never
fatal."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import InnkitError
from .textfiles import SNIFF_BYTES, UTF16_BOMS, bom_encoding, looks_binary

BLOCK = 1 << 20  # 1 MiB
__all__ = ["BLOCK", "SNIFF_BYTES", "UTF16_BOMS", "ReadReport", "SkippedRecord", "iter_text",
           "json_document", "looks_binary"]


@dataclass
class ReadReport:
    """What happened while reading one document."""

    name: str
    bytes_read: int = 0
    replaced: int = 0  # bytes that were not valid text, replaced by U+FFFD
    binary: bool = False
    encoding: str = "utf-8"

    def problems(self) -> list[str]:
        out = []
        if self.binary:
            out.append(f"{self.name}: looks like a binary file (NUL bytes), skipped; give a "
                       "text file (UTF-8)")
        elif self.replaced:
            out.append(f"{self.name}: {self.replaced} byte sequence(s) were not valid "
                       f"{self.encoding} and were replaced by U+FFFD; re-save the file as UTF-8 "
                       "for exact text")
        return out


class SkippedRecord(InnkitError, ValueError):
    """A JSON Lines record that holds no document; its reason says where and why (the reader
    goes on without it, so there is nothing to fix but the record)."""


def json_document(line: str, where: str, text_field: str, id_field: str,
                  fallback_id: str) -> tuple[str, str]:
    """(doc id, text) of one JSON Lines record, as every reader of the package takes it: the
    text field must be a string; a missing id becomes ``fallback_id``. ``where`` names the line
    (``"FILE line N"``) in the :class:`SkippedRecord` raised for anything else."""
    try:
        record = json.loads(line)
        text = record[text_field]
        if not isinstance(text, str):
            raise TypeError(f"field {text_field!r} is not a string")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SkippedRecord(f"{where}: skipped, not a JSON object with a {text_field!r} text "
                            f"field ({exc})") from exc
    doc_id = str(record.get(id_field, fallback_id))
    for field, value in ((text_field, text), (id_field, doc_id)):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:  # "\ud800": a lone surrogate escape
                raise SkippedRecord(
                    f"{where}: skipped, field {field!r} holds an escape that is no character "
                    f"(a lone surrogate, {value[exc.start]!r} at {exc.start}); write the "
                    "character itself, or the surrogate pair") from None
    return doc_id, text


def iter_text(stream: BinaryIO, report: ReadReport, block: int = BLOCK) -> Iterator[str]:
    """Decoded text of ``stream`` in blocks of about ``block`` bytes."""
    first = stream.read(block)
    report.bytes_read += len(first)
    if looks_binary(first):
        report.binary = True
        return
    wide = bom_encoding(first)
    if wide is not None:
        report.encoding = wide
    elif first.startswith(codecs.BOM_UTF8):
        first = first[3:]
    errors_seen = [0]

    def count(error: UnicodeDecodeError) -> tuple[str, int]:
        errors_seen[0] += 1
        return "\ufffd", error.end

    handler = f"innkit-count-{id(errors_seen)}"
    codecs.register_error(handler, count)
    decoder = codecs.getincrementaldecoder(report.encoding)(errors=handler)
    data = first
    while data:
        text = decoder.decode(data)
        if text:
            yield text
        data = stream.read(block)
        report.bytes_read += len(data)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
    report.replaced = errors_seen[0]
