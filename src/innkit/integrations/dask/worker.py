"""What runs on a Dask worker: read one partition, annotate it, write its Parquet file whole.

A worker process annotates with the package's shared :func:`~innkit.annotator.core.shared_annotator`
(built once per process, never per document) and writes through
:func:`~innkit.atomic.atomic_output`, so a retried partition replaces its file, never doubles it.
"""

from __future__ import annotations

import codecs
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import __version__
from ...annotator.core import Annotator, Mention, shared_annotator
from ...files.atomic import atomic_output
from ...files.readers import ReadReport, SkippedRecord, iter_text, json_document
from ...registry import Registry, get_registry
from ...render import main_stem, substance_cells
from .plan import Partition, Settings
from .report import COLUMNS, MAX_EXAMPLES, part_name


@dataclass(frozen=True, slots=True)
class PartitionResult:
    index: int
    documents: int
    skipped: int
    characters: int
    mentions: int
    annotator_built: bool
    seconds: float  # on the worker, building the Annotator included
    skipped_examples: tuple[str, ...] = field(default=())


_registries: dict[str, Registry] = {}
_locks: weakref.WeakKeyDictionary[Annotator, threading.Lock] = weakref.WeakKeyDictionary()
_build_lock = threading.Lock()


def _worker_registry(user_db: str | None) -> Registry:
    """The process-wide registry: loaded once per worker process and shared by its threads."""
    if user_db is None:
        return get_registry()
    found = _registries.get(user_db)
    if found is None:
        found = _registries[user_db] = Registry(user_db)
    return found


def worker_annotator(leniency: str, user_db: str | None) -> tuple[Annotator, threading.Lock,
                                                                   bool]:
    """This process's Annotator, its lock, and whether this call built it.

    One per worker process, not per thread: annotating is pure Python (threads would only take
    turns) and the compiled scanner must not scan from two threads at once, hence the lock.
    """
    with _build_lock:
        annotator = shared_annotator(leniency, _worker_registry(user_db))
        lock = _locks.get(annotator)
        if lock is not None:
            return annotator, lock, False
        _ = annotator.scanner  # compile now, once
        lock = _locks[annotator] = threading.Lock()
        return annotator, lock, True


def warm_scanner_cache(settings: Settings) -> None:
    """Compile the scanner's databases once, here, before a local cluster starts: its workers
    share this machine's cache folder and load them from disk (milliseconds) instead of each
    compiling the same names at the same time (seconds, on a cold cache)."""
    registry = Registry(settings.user_db) if settings.user_db else get_registry()
    _ = Annotator(leniency=settings.leniency, registry=registry).scanner


def _jsonl_records(part: Partition, settings: Settings,
                   skipped: list[str]) -> Iterator[tuple[str, str]]:
    """(doc id, text) of every line that starts inside the byte range, as the CLI reads them."""
    with open(part.path, "rb") as f:
        line_no = 0
        if part.start > 0:
            # A line belongs to the partition where it starts: skip the tail of the previous one.
            f.seek(part.start - 1)
            head = f.readline()
            line_no = part.before + (0 if head == b"\n" else 1)
        pos = f.tell()
        while pos < part.stop:
            raw = f.readline()
            if not raw:
                break
            pos += len(raw)
            line_no += 1
            if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            line = raw.decode("utf-8", errors="replace")
            if line.endswith("\n"):
                line = line[:-1]
            if not line.strip():
                continue
            try:
                yield json_document(line, f"{part.name} line {line_no}", settings.text_field,
                                    settings.id_field, f"{part.name}:{line_no}")
            except SkippedRecord as exc:
                skipped.append(str(exc))


def _parquet_records(part: Partition, settings: Settings,
                     skipped: list[str]) -> Iterator[tuple[str, str]]:
    """(doc id, text) of every row of the row groups; rows are numbered from 1 per file."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(part.path)
    names = pf.schema_arrow.names
    columns = [settings.text_field]
    with_ids = settings.id_field in names and settings.id_field != settings.text_field
    if with_ids:
        columns.append(settings.id_field)
    table = pf.read_row_groups(list(range(part.start, part.stop)), columns=columns)
    texts = table.column(settings.text_field).to_pylist()
    ids = table.column(settings.id_field).to_pylist() if with_ids else [None] * len(texts)
    for k, (text, doc_id) in enumerate(zip(texts, ids, strict=True)):
        row_no = part.before + k + 1
        if not isinstance(text, str):
            what = "missing" if text is None else f"not a string ({type(text).__name__})"
            skipped.append(f"{part.name} row {row_no}: skipped, {settings.text_field!r} is {what}")
            continue
        yield (str(doc_id) if doc_id is not None else f"{part.name}:{row_no}"), text


def _text_records(part: Partition, settings: Settings,
                  skipped: list[str]) -> Iterator[tuple[str, str]]:
    """The one document of a text file, named by its path as given, read as the command
    line reads it (UTF-8, a stray byte replaced and counted in the skipped messages)."""
    report = ReadReport(part.name)
    with open(part.path, "rb") as f:
        text = "".join(iter_text(f, report))
    skipped.extend(f"{problem} (not skipped)" for problem in report.problems())
    yield part.name, text


def _row(doc_id: str, m: Mention) -> tuple[Any, ...]:
    d = m.decoding
    sub = d.substance
    one = sub if sub is not None and not sub.ambiguous else None
    return (doc_id, m.start, m.end, m.text, d.kind, m.how, m.known, m.confidence, d.name,
            d.segmentation, main_stem(d), d.target_meaning, d.source_meaning, ",".join(d.eras),
            m.suggestion, one and one.unii, one and one.inn, sub and sub.relation,
            one and one.curie, bool(sub and sub.ambiguous),
            [c.unii for c in sub.denotes] if sub else [], substance_cells(sub)[4])


def _table(rows: list[tuple[Any, ...]]):
    import pyarrow as pa

    text = pa.string()
    types = {"start": pa.int64(), "end": pa.int64(), "known": pa.bool_(),
             "ambiguous": pa.bool_(), "candidates": pa.list_(pa.string())}
    schema = pa.schema([(c, types.get(c, text)) for c in COLUMNS])
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    return pa.table([pa.array(list(col), type=schema.field(i).type)
                     for i, col in enumerate(columns)], schema=schema)


def run_partition(part: Partition, settings: Settings, output: str,
                  fault_hook: Callable[[int], None] | None = None) -> PartitionResult:
    """Annotate one partition and write its Parquet file atomically."""
    import pyarrow.parquet as pq

    started = time.perf_counter()
    if fault_hook is not None:
        fault_hook(part.index)
    annotator, lock, built = worker_annotator(settings.leniency, settings.user_db)
    skipped: list[str] = []
    read = {"jsonl": _jsonl_records, "text": _text_records}.get(part.fmt, _parquet_records)
    rows: list[tuple[Any, ...]] = []
    documents = characters = 0
    for doc_id, text in read(part, settings, skipped):
        documents += 1
        characters += len(text)
        with lock:
            mentions = annotator.annotate(text)
        rows.extend(_row(doc_id, m) for m in mentions)
    # A retry writes the same name: the file is replaced whole, never two copies.
    with atomic_output(Path(output) / part_name(part.index), binary=True) as f:
        pq.write_table(_table(rows), f, compression="zstd")
    return PartitionResult(part.index, documents, len(skipped), characters, len(rows), built,
                           time.perf_counter() - started, tuple(skipped[:MAX_EXAMPLES]))


def count_newlines(path: str, start: int, stop: int) -> int:
    """Newlines in a byte range: the line numbers JSONL partitions start from."""
    count = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = stop - start
        while left > 0:
            block = f.read(min(left, 8 << 20))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def probe(paths: list[str], output: str) -> dict[str, Any]:
    """What a worker sees: its innkit version, unreadable inputs, whether it can write."""
    return {
        "version": __version__,
        "unreadable": [p for p in paths if not os.access(p, os.R_OK)],
        "writable": os.access(output, os.W_OK),
    }
