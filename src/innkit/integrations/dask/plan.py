"""Planning a Dask run on the client: which inputs, in which format, cut into which partitions.

Everything here runs before a task is submitted, so a bad input fails with its fix before the
output folder is touched: JSONL byte ranges and Parquet row groups are sized from the files.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InvalidInputError
from ...files.readers import SNIFF_BYTES, UTF16_BOMS, looks_binary

DEFAULT_PARTITION_SIZE = 32 << 20
"""Upper bound on input bytes per partition: a few seconds of work for one core."""
MIN_AUTO_PARTITION = 1 << 20
"""Small inputs are cut finer (about four partitions per worker thread), but not below this."""
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".txt",)
INPUT_FORMATS = ("jsonl", "parquet", "text")
"""text: each file one document, named by its path (a folder: every ``.txt`` file in it)."""


@dataclass(frozen=True, slots=True)
class Partition:
    """One task's slice of one input file."""

    index: int
    name: str  # the input as given: fallback ids read "name:line"
    path: str  # absolute, as the workers open it
    fmt: str  # jsonl, parquet or text (a whole file)
    start: int  # jsonl: first byte; parquet: first row group
    stop: int  # jsonl: end byte (exclusive); parquet: end row group (exclusive)
    size: int  # input bytes (Parquet: uncompressed size of the row groups)
    source: int  # ordinal of the input file (the same file may be given twice)
    before: int = 0  # jsonl: newlines before ``start``; parquet: rows before ``start``

    def describe(self) -> str:
        if self.fmt == "text":
            return self.name
        unit = "bytes" if self.fmt == "jsonl" else "row groups"
        return f"{self.name} {unit} {self.start}-{self.stop}"


@dataclass(frozen=True, slots=True)
class Settings:
    """What every task needs besides its partition."""

    text_field: str
    id_field: str
    leniency: str
    user_db: str | None


@dataclass(frozen=True, slots=True)
class CheckedInputs:
    """The checked inputs: sizes, Parquet metadata, and warnings for the user."""

    sources: list[tuple[str, str, str]]
    sizes: dict[str, int]
    metas: dict[str, Any]
    warnings: list[str]


def sources(inputs: Sequence[str], input_format: str | None) -> list[tuple[str, str, str]]:
    """(name as given, absolute path, format) of every input file; bad inputs fail here."""
    if input_format not in (None, *INPUT_FORMATS):
        raise InvalidInputError(f"input format {input_format!r} is not supported",
                                f"use {', '.join(INPUT_FORMATS)}")
    out: list[tuple[str, str, str]] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            out.extend(_folder(name, path, input_format))
            continue
        if not path.is_file():
            raise InvalidInputError(f"cannot read {name}: no such file", "check the path")
        fmt = input_format or _infer_format(name)
        out.append((name, str(path.resolve()), fmt))
    return out


def _folder(name: str, path: Path, input_format: str | None) -> list[tuple[str, str, str]]:
    """The files of a folder: a Parquet dataset, or ``.txt`` documents (hidden files and
    names starting with ``_`` left out)."""
    found = sorted(p for p in path.rglob("*") if p.is_file()
                   and not p.name.startswith(("_", ".")))
    for fmt, suffixes in (("parquet", PARQUET_SUFFIXES), ("text", TEXT_SUFFIXES)):
        files = [p for p in found if p.suffix.lower() in suffixes]
        if files and input_format in (None, fmt):
            return [(str(p), str(p.resolve()), fmt) for p in files]
    raise InvalidInputError(f"{name} is a folder without Parquet or .txt files",
                            "give JSONL, Parquet or .txt files, a Parquet dataset folder or a "
                            "folder of .txt files")


def _infer_format(name: str) -> str:
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(TEXT_SUFFIXES):
        return "text"
    if lower.endswith((".gz", ".bz2", ".xz", ".zst", ".zip")):
        raise InvalidInputError(f"{name} is compressed and cannot be split into partitions",
                                "decompress it, or convert it to Parquet")
    raise InvalidInputError(f"cannot tell the format of {name} from its name",
                            "name it .jsonl, .parquet or .txt, or give --input-format "
                            "jsonl or text")


def _check_jsonl(name: str, path: str) -> int:
    """The size of a JSON Lines input, after the same text-or-binary sniff every reader uses."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
        size = os.path.getsize(path)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {name}: {exc.strerror or exc}",
                                "check the path and permissions") from exc
    if head.startswith(UTF16_BOMS):  # byte ranges cut UTF-16 anywhere: refuse it here
        raise InvalidInputError(f"{name} is UTF-16", "re-save it as UTF-8")
    if looks_binary(head):
        raise InvalidInputError(f"{name} looks like a binary file (NUL bytes)",
                                "give JSON Lines text (UTF-8), or name Parquet files .parquet")
    return size


def inspect_inputs(found: list[tuple[str, str, str]], text_field: str,
                   id_field: str) -> CheckedInputs:
    """Check every input on the client, before anything is written or started."""
    import pyarrow.parquet as pq

    sizes: dict[str, int] = {}
    metas: dict[str, Any] = {}
    warnings: list[str] = []
    for name, path, fmt in found:
        if fmt in ("jsonl", "text"):
            sizes[path] = _check_jsonl(name, path)
            continue
        try:
            meta = pq.ParquetFile(path).metadata
        except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
            raise InvalidInputError(f"cannot read {name} as Parquet: {exc}",
                                    "give a Parquet file, or name JSON Lines files .jsonl") from exc
        columns = meta.schema.to_arrow_schema().names
        if text_field not in columns:
            raise InvalidInputError(f"{name} has no column {text_field!r}",
                                    f"its columns are {', '.join(columns)}: name the text "
                                    "column with --text-field")
        if id_field not in columns:
            warnings.append(f"{name} has no column {id_field!r}: documents are named "
                            f"{name}:ROW")
        metas[path] = meta
        sizes[path] = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return CheckedInputs(found, sizes, metas, warnings)


def plan_partitions(inputs: CheckedInputs, partition_size: int | None,
                    threads: int) -> list[Partition]:
    """Partitions of every input, in input order: about four per worker thread on small inputs."""
    sizes, metas = inputs.sizes, inputs.metas
    total = sum(sizes.values())
    if partition_size is None:
        target = max(MIN_AUTO_PARTITION, math.ceil(total / max(1, 4 * threads)))
        target = min(DEFAULT_PARTITION_SIZE, target)
    else:
        target = partition_size
    parts: list[Partition] = []
    for source, (name, path, fmt) in enumerate(inputs.sources):
        if fmt == "text":  # a document is never cut: one file, one partition
            parts.append(Partition(len(parts), name, path, fmt, 0, sizes[path], sizes[path],
                                   source))
            continue
        if fmt == "jsonl":
            size = sizes[path]
            for start in range(0, size, target):
                stop = min(size, start + target)
                parts.append(Partition(len(parts), name, path, fmt, start, stop, stop - start,
                                       source))
            continue
        meta = metas[path]
        first, rows_before, acc, rows = 0, 0, 0, 0
        for i in range(meta.num_row_groups):
            acc += meta.row_group(i).total_byte_size
            rows += meta.row_group(i).num_rows
            if acc >= target or i == meta.num_row_groups - 1:
                parts.append(Partition(len(parts), name, path, fmt, first, i + 1, acc,
                                       source, rows_before))
                first, rows_before, acc, rows = i + 1, rows_before + rows, 0, 0
    return parts
