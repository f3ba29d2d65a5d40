"""Annotate a literature-scale corpus on Dask, partition by partition.

The corpus (JSON Lines or Parquet files with a text and an id column) is cut into partitions:
byte ranges of JSONL files, groups of row groups of Parquet files. Each partition is one task;
the task reads its own slice of the input, annotates every document with the worker process's
cached :class:`~innkit.annotate.Annotator` (built once, never per document) and writes one
Parquet file of mentions. Input and output paths must therefore be visible, at the same path,
to the client and to every worker (a local disk for a LocalCluster, a shared filesystem for a
real cluster).

A partition that raises is resubmitted up to ``retries`` times; one that still fails is listed
in the report, and the output folder says so: ``_innkit_report.json`` has ``"complete": false``
and the ``_SUCCESS`` marker is absent. The report is written, marked incomplete, before the first
task runs, so an interrupted run never looks finished.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..annotate import LENIENCY_LEVELS, Annotator, Mention
from ..errors import InnkitError, InvalidInputError
from ..registry import Registry, get_registry

if TYPE_CHECKING:
    from distributed import Client

COLUMNS = ("doc_id", "start", "end", "text", "kind", "how", "known", "confidence", "name",
           "segmentation", "stem", "target_meaning", "source_meaning", "eras", "suggestion")
"""Columns of the output Parquet files; ``eras`` is comma-separated, empty when none."""

REPORT_NAME = "_innkit_report.json"
SUCCESS_NAME = "_SUCCESS"
PART_PREFIX = "part-"
DEFAULT_PARTITION_SIZE = 32 << 20
"""Upper bound on input bytes per partition: a few seconds of work for one core."""
MIN_AUTO_PARTITION = 1 << 20
"""Small inputs are cut finer (about four partitions per worker thread), but not below this."""
MAX_EXAMPLES = 20
"""Skipped-record messages kept in the report; the count is always exact."""
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
INSTALL_HINT = "install the Dask extra: pip install 'innkit[dask]'"


# -- what a run reports ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PartitionProblem:
    """A partition that raised: recovered on a retry, or failed for good after ``attempts``."""

    partition: int
    source: str  # which slice of which input, for a person to find it
    attempts: int
    error: str  # the last error, as "Type: message"
    recovered: bool

    def to_dict(self) -> dict[str, Any]:
        return {"partition": self.partition, "source": self.source, "attempts": self.attempts,
                "error": self.error, "recovered": self.recovered}


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """What one run did; ``complete`` is False whenever a partition's mentions are missing."""

    inputs: tuple[str, ...]
    output: str
    leniency: str
    documents: int  # annotated (empty texts included)
    skipped: int  # records without a string text: counted, never fatal
    characters: int
    input_bytes: int  # of the partitions that finished
    mentions: int
    partitions: int
    partitions_failed: tuple[PartitionProblem, ...]
    partitions_retried: tuple[PartitionProblem, ...]  # failed at least once, then succeeded
    workers: int
    threads: int
    annotators_built: int  # one per worker process (and leniency), not per document
    seconds: float  # wall clock, from planning to the last partition
    worker_seconds: float  # summed over partitions: throughput per core = bytes / this
    complete: bool
    scheduler: str = ""
    skipped_examples: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    interrupted: str | None = None  # why the run stopped early, when it did

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    @property
    def megabytes_per_second(self) -> float:
        return self.input_bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "innkit_version": __version__,
            "complete": self.complete,
            "status": "complete" if self.complete else "incomplete",
            "inputs": list(self.inputs),
            "output": self.output,
            "leniency": self.leniency,
            "documents": self.documents,
            "skipped": self.skipped,
            "characters": self.characters,
            "input_bytes": self.input_bytes,
            "mentions": self.mentions,
            "partitions": self.partitions,
            "partitions_failed": [p.to_dict() for p in self.partitions_failed],
            "partitions_retried": [p.to_dict() for p in self.partitions_retried],
            "workers": self.workers,
            "threads": self.threads,
            "annotators_built": self.annotators_built,
            "seconds": round(self.seconds, 3),
            "worker_seconds": round(self.worker_seconds, 3),
            "megabytes_per_core_second": round(
                self.input_bytes / 1e6 / self.worker_seconds if self.worker_seconds else 0.0, 3),
            "documents_per_second": round(self.documents_per_second, 1),
            "megabytes_per_second": round(self.megabytes_per_second, 3),
            "scheduler": self.scheduler,
            "skipped_examples": list(self.skipped_examples),
            "warnings": list(self.warnings),
            "interrupted": self.interrupted,
        }


# -- partitions ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Partition:
    """One task's slice of one input file."""

    index: int
    name: str  # the input as given: fallback ids read "name:line"
    path: str  # absolute, as the workers open it
    fmt: str  # jsonl or parquet
    start: int  # jsonl: first byte; parquet: first row group
    stop: int  # jsonl: end byte (exclusive); parquet: end row group (exclusive)
    size: int  # input bytes (Parquet: uncompressed size of the row groups)
    source: int  # ordinal of the input file (the same file may be given twice)
    before: int = 0  # jsonl: newlines before ``start``; parquet: rows before ``start``

    def describe(self) -> str:
        unit = "bytes" if self.fmt == "jsonl" else "row groups"
        return f"{self.name} {unit} {self.start}-{self.stop}"


@dataclass(frozen=True, slots=True)
class _Settings:
    text_field: str
    id_field: str
    leniency: str
    user_db: str | None


@dataclass(frozen=True, slots=True)
class _PartitionResult:
    index: int
    documents: int
    skipped: int
    characters: int
    mentions: int
    annotator_built: bool
    seconds: float  # on the worker, building the Annotator included
    skipped_examples: tuple[str, ...] = field(default=())


# -- on the workers -----------------------------------------------------------------------------
_registries: dict[str, Registry] = {}
_annotators: dict[tuple[str, str | None], tuple[Annotator, threading.Lock]] = {}
_build_lock = threading.Lock()


def _worker_registry(user_db: str | None) -> Registry:
    """The process-wide registry: loaded once per worker process and shared by its threads."""
    if user_db is None:
        return get_registry()
    found = _registries.get(user_db)
    if found is None:
        found = _registries[user_db] = Registry(user_db)
    return found


def _worker_annotator(leniency: str, user_db: str | None) -> tuple[Annotator, threading.Lock,
                                                                    bool]:
    """This process's Annotator, its lock, and whether this call built it.

    One per worker process, not per thread: annotating is pure Python (threads would only take
    turns) and the compiled scanner must not scan from two threads at once, hence the lock.
    """
    with _build_lock:
        registry = _worker_registry(user_db)
        found = _annotators.get((leniency, user_db))
        if found is not None and found[0].registry is registry:  # set_registry() replaces it
            return found[0], found[1], False
        annotator = Annotator(leniency=leniency, registry=registry)
        _ = annotator.scanner  # compile now, once
        _annotators[(leniency, user_db)] = (annotator, threading.Lock())
        return annotator, _annotators[(leniency, user_db)][1], True


def _warm_scanner_cache(settings: _Settings) -> None:
    """Compile the scanner's databases once, here, before a local cluster starts: its workers
    share this machine's cache folder and load them from disk (milliseconds) instead of each
    compiling the same names at the same time (seconds, on a cold cache)."""
    registry = Registry(settings.user_db) if settings.user_db else get_registry()
    _ = Annotator(leniency=settings.leniency, registry=registry).scanner


def _jsonl_records(part: _Partition, settings: _Settings,
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
                record = json.loads(line)
                text = record[settings.text_field]
                if not isinstance(text, str):
                    raise TypeError(f"field {settings.text_field!r} is not a string")
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                skipped.append(f"{part.name} line {line_no}: skipped, not a JSON object with a "
                               f"{settings.text_field!r} text field ({exc})")
                continue
            yield str(record.get(settings.id_field, f"{part.name}:{line_no}")), text


def _parquet_records(part: _Partition, settings: _Settings,
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


def _row(doc_id: str, m: Mention) -> tuple[Any, ...]:
    d = m.decoding
    stem = d.stem or (d.stems[0].stem if d.stems else None)
    return (doc_id, m.start, m.end, m.text, d.kind, m.how, m.known, m.confidence, d.name,
            d.segmentation, stem, d.target_meaning, d.source_meaning, ",".join(d.eras),
            m.suggestion)


def _schema():
    import pyarrow as pa

    text = pa.string()
    types = {"start": pa.int64(), "end": pa.int64(), "known": pa.bool_()}
    return pa.schema([(c, types.get(c, text)) for c in COLUMNS])


def part_name(index: int) -> str:
    """File name of a partition's mentions: sorting the names keeps the input order."""
    return f"{PART_PREFIX}{index:05d}.parquet"


def _run_partition(part: _Partition, settings: _Settings, output: str,
                   fault_hook: Callable[[int], None] | None = None) -> _PartitionResult:
    """Annotate one partition and write its Parquet file atomically; runs on a worker."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    if fault_hook is not None:
        fault_hook(part.index)
    annotator, lock, built = _worker_annotator(settings.leniency, settings.user_db)
    skipped: list[str] = []
    read = _jsonl_records if part.fmt == "jsonl" else _parquet_records
    rows: list[tuple[Any, ...]] = []
    documents = characters = 0
    for doc_id, text in read(part, settings, skipped):
        documents += 1
        characters += len(text)
        with lock:
            mentions = annotator.annotate(text)
        rows.extend(_row(doc_id, m) for m in mentions)
    schema = _schema()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    table = pa.table([pa.array(list(col), type=schema.field(i).type)
                      for i, col in enumerate(columns)], schema=schema)
    target = Path(output) / part_name(part.index)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)  # a retry overwrites the same name: never two copies
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return _PartitionResult(part.index, documents, len(skipped), characters, len(rows), built,
                            time.perf_counter() - started, tuple(skipped[:MAX_EXAMPLES]))


def _count_newlines(path: str, start: int, stop: int) -> int:
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


def _probe(paths: list[str], output: str) -> dict[str, Any]:
    """What a worker sees: its innkit version, unreadable inputs, whether it can write."""
    return {
        "version": __version__,
        "unreadable": [p for p in paths if not os.access(p, os.R_OK)],
        "writable": os.access(output, os.W_OK),
    }


# -- on the client ------------------------------------------------------------------------------
def _require() -> None:
    try:
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise InnkitError(f"the Dask engine needs {exc.name}", INSTALL_HINT) from exc


def _sources(inputs: Sequence[str], input_format: str | None) -> list[tuple[str, str, str]]:
    """(name as given, absolute path, format) of every input file; bad inputs fail here."""
    if input_format not in (None, "jsonl", "parquet"):
        raise InvalidInputError(f"input format {input_format!r} is not supported",
                                "use jsonl or parquet")
    out: list[tuple[str, str, str]] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in PARQUET_SUFFIXES
                           and not p.name.startswith(("_", ".")))
            if not files or input_format == "jsonl":
                raise InvalidInputError(f"{name} is a folder without Parquet files",
                                        "give JSONL or Parquet files, or a Parquet dataset folder")
            out.extend((str(p), str(p.resolve()), "parquet") for p in files)
            continue
        if not path.is_file():
            raise InvalidInputError(f"cannot read {name}: no such file", "check the path")
        fmt = input_format or _infer_format(name)
        out.append((name, str(path.resolve()), fmt))
    return out


def _infer_format(name: str) -> str:
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith((".gz", ".bz2", ".xz", ".zst", ".zip")):
        raise InvalidInputError(f"{name} is compressed and cannot be split into partitions",
                                "decompress it, or convert it to Parquet")
    raise InvalidInputError(f"cannot tell the format of {name} from its name",
                            "name it .jsonl or .parquet, or pass input_format "
                            "(--input-format jsonl)")


def _check_jsonl(name: str, path: str) -> int:
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
        size = os.path.getsize(path)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {name}: {exc.strerror or exc}",
                                "check the path and permissions") from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInputError(f"{name} is UTF-16", "re-save it as UTF-8")
    if b"\x00" in head:
        raise InvalidInputError(f"{name} looks like a binary file (NUL bytes)",
                                "give JSON Lines text (UTF-8), or name Parquet files .parquet")
    return size


@dataclass(frozen=True, slots=True)
class _Inputs:
    """The checked inputs: sizes, Parquet metadata, and warnings for the user."""

    sources: list[tuple[str, str, str]]
    sizes: dict[str, int]
    metas: dict[str, Any]
    warnings: list[str]


def _inspect(sources: list[tuple[str, str, str]], text_field: str, id_field: str) -> _Inputs:
    """Check every input on the client, before anything is written or started."""
    import pyarrow.parquet as pq

    sizes: dict[str, int] = {}
    metas: dict[str, Any] = {}
    warnings: list[str] = []
    for name, path, fmt in sources:
        if fmt == "jsonl":
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
    return _Inputs(sources, sizes, metas, warnings)


def _plan(inputs: _Inputs, partition_size: int | None, threads: int) -> list[_Partition]:
    """Partitions of every input, in input order: about four per worker thread on small inputs."""
    sizes, metas = inputs.sizes, inputs.metas
    total = sum(sizes.values())
    if partition_size is None:
        target = max(MIN_AUTO_PARTITION, math.ceil(total / max(1, 4 * threads)))
        target = min(DEFAULT_PARTITION_SIZE, target)
    else:
        target = partition_size
    parts: list[_Partition] = []
    for source, (name, path, fmt) in enumerate(inputs.sources):
        if fmt == "jsonl":
            size = sizes[path]
            for start in range(0, size, target):
                stop = min(size, start + target)
                parts.append(_Partition(len(parts), name, path, fmt, start, stop, stop - start,
                                        source))
            continue
        meta = metas[path]
        first, rows_before, acc, rows = 0, 0, 0, 0
        for i in range(meta.num_row_groups):
            acc += meta.row_group(i).total_byte_size
            rows += meta.row_group(i).num_rows
            if acc >= target or i == meta.num_row_groups - 1:
                parts.append(_Partition(len(parts), name, path, fmt, first, i + 1, acc,
                                        source, rows_before))
                first, rows_before, acc, rows = i + 1, rows_before + rows, 0, 0
    return parts


def _line_numbers(client: Client, parts: list[_Partition],
                  retries: int) -> tuple[list[_Partition], dict[int, str]]:
    """Give every JSONL partition the count of newlines before it (a fast parallel pass)."""
    sizes = {p.path: os.path.getsize(p.path) for p in parts if p.fmt == "jsonl"}
    todo = [p for p in parts if p.fmt == "jsonl" and p.stop < sizes[p.path]]
    futures = {p.index: client.submit(_count_newlines, p.path, p.start, p.stop, retries=retries,
                                      key=f"innkit-count-{uuid.uuid4().hex}") for p in todo}
    counts: dict[int, int] = {}
    broken: dict[str, str] = {}
    for index, fut in futures.items():
        try:
            counts[index] = fut.result()
        except Exception as exc:
            broken.setdefault(parts[index].path, f"counting lines failed: {_describe(exc)}")
    out: list[_Partition] = []
    errors: dict[int, str] = {}
    before: dict[int, int] = {}
    for p in parts:
        if p.fmt == "jsonl":
            if p.path in broken:
                errors[p.index] = broken[p.path]
            p = replace(p, before=before.get(p.source, 0))
            before[p.source] = p.before + counts.get(p.index, 0)
        out.append(p)
    return out, errors


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


@contextmanager
def _connect(scheduler: str | Client | None, n_workers: int | None) -> Iterator[Client]:
    """A client: the one given, one connected to an address, or one on a new LocalCluster."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InnkitError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                              "check the address, e.g. tcp://HOST:8786, and that the "
                              "scheduler runs") from exc
        try:
            yield client
        finally:
            client.close()
        return
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    count = n_workers or cores
    try:
        cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    except RuntimeError as exc:
        raise InnkitError(f"could not start a local Dask cluster: {exc}",
                          "from a script, start it under if __name__ == '__main__':, or pass "
                          "a scheduler address") from exc
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def _preflight(client: Client, paths: list[str], output: str) -> tuple[int, int]:
    """Fail early, with the fix, when workers are missing or cannot see the files."""
    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError as exc:
        raise InnkitError("no Dask worker joined the scheduler within 60 s",
                          "start workers with: dask worker SCHEDULER_ADDRESS") from exc
    answers = client.run(_probe, paths, output, on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            raise InnkitError(f"Dask worker {worker} cannot run innkit: {_describe(answer)}",
                              f"install innkit {__version__} with the [dask] extra on every "
                              "worker")
        if answer["version"] != __version__:
            raise InnkitError(f"Dask worker {worker} has innkit {answer['version']}, this client "
                              f"{__version__}", "install the same innkit version everywhere")
        if answer["unreadable"]:
            raise InnkitError(f"Dask worker {worker} cannot read {answer['unreadable'][0]}",
                              "inputs must be on a filesystem every worker sees at the same path")
        if not answer["writable"]:
            raise InnkitError(f"Dask worker {worker} cannot write to {output}",
                              "the output folder must be on a filesystem every worker can write")
    threads = client.nthreads()
    return len(threads), sum(threads.values())


def _prepare_output(out: Path) -> None:
    """An empty folder, or a previous innkit output whose files are removed (ours only)."""
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"output {out} is a file",
                                "the Dask engine writes a Parquet dataset folder: give a folder")
    if out.is_dir():
        entries = list(out.iterdir())
        ours = [p for p in entries if p.name in (REPORT_NAME, SUCCESS_NAME)
                or (p.name.startswith(PART_PREFIX) and p.suffix == ".parquet")
                or (p.name.startswith(".") and p.name.endswith(".tmp"))]
        if len(ours) != len(entries) or (entries and not (out / REPORT_NAME).exists()):
            raise InvalidInputError(f"output folder {out} is not empty and is not an innkit "
                                    "output", "choose a new folder")
        for p in ours:
            p.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass
class _State:
    """What a run has done so far; kept by the caller, so an interrupted run still reports."""

    results: dict[int, _PartitionResult] = field(default_factory=dict)
    failed: list[PartitionProblem] = field(default_factory=list)
    last_error: dict[int, str] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)


def _execute(client: Client, parts: list[_Partition], settings: _Settings, output: str,
             retries: int, progress: bool, fault_hook: Callable[[int], None] | None,
             errors: dict[int, str], state: _State) -> None:
    """Run every partition, resubmitting one that raised up to ``retries`` times."""
    from distributed import as_completed
    from tqdm import tqdm

    token = uuid.uuid4().hex[:12]
    state.failed.extend(PartitionProblem(i, parts[i].describe(), 0, error, False)
                        for i, error in errors.items())
    running: dict[str, tuple[_Partition, int]] = {}
    pending = as_completed()

    def submit(part: _Partition, attempt: int) -> None:
        fut = client.submit(_run_partition, part, settings, output, fault_hook,
                            key=f"innkit-annotate-{token}-{part.index}-{attempt}")
        running[fut.key] = (part, attempt)
        pending.add(fut)

    with tqdm(total=len(parts), unit="partition", desc="annotating", file=sys.stderr,
              disable=not progress, leave=False) as bar:
        bar.update(len(errors))
        for part in parts:
            if part.index not in errors:
                submit(part, 1)
        for fut in pending:
            part, attempt = running.pop(fut.key)
            state.attempts[part.index] = attempt
            try:
                result = fut.result()
            except Exception as exc:
                state.last_error[part.index] = _describe(exc)
                if attempt <= retries:
                    submit(part, attempt + 1)
                    continue
                state.failed.append(PartitionProblem(part.index, part.describe(), attempt,
                                                     state.last_error[part.index], False))
            else:
                state.results[part.index] = result
            finally:
                fut.release()
            bar.update(1)


def annotate_corpus(inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                    output: str | os.PathLike[str], *, text_field: str = "text",
                    id_field: str = "doc_id", input_format: str | None = None,
                    leniency: str = "standard", scheduler: str | Client | None = None,
                    n_workers: int | None = None, partition_size: int | None = None,
                    retries: int = 2, progress: bool = False, user_db: str | None = None,
                    fault_hook: Callable[[int], None] | None = None) -> CorpusReport:
    """Annotate JSONL or Parquet documents on Dask into a Parquet dataset folder of mentions.

    ``scheduler``: a ``tcp://`` address, a ``distributed.Client``, or None for a new
    LocalCluster of ``n_workers`` single-threaded processes (default: one per core).
    ``input_format``: ``jsonl`` or ``parquet``; None infers it from each file's suffix.
    ``partition_size``: input bytes per task (None: up to 32 MiB, finer on small inputs).
    ``retries``: resubmissions of a partition that raised, before it is reported as failed.
    ``user_db``: a user registry database the workers open (None: each worker's default).
    ``fault_hook``: for tests, called with the partition index at the start of every attempt.

    Mentions are those of ``Annotator(leniency=...).annotate`` on each document, in input
    order when the part files are read in name order. Records without a string text are
    skipped and counted. The returned report is also written to ``_innkit_report.json``.
    """
    _require()
    if leniency not in LENIENCY_LEVELS:
        raise InvalidInputError(f"leniency must be one of {', '.join(LENIENCY_LEVELS)}, "
                                f"not {leniency!r}")
    if retries < 0:
        raise InvalidInputError("retries must be 0 or more")
    if partition_size is not None and partition_size < 1:
        raise InvalidInputError("partition_size must be a positive number of bytes")
    names = ([os.fspath(inputs)] if isinstance(inputs, str | os.PathLike)
             else [os.fspath(i) for i in inputs])
    if not names:
        raise InvalidInputError("no input files", "give JSONL or Parquet files")
    inputs_checked = _inspect(_sources(names, input_format), text_field, id_field)
    out = Path(output).resolve()
    _prepare_output(out)
    settings = _Settings(text_field, id_field, leniency,
                         str(Path(user_db).resolve()) if user_db else None)
    started = time.perf_counter()
    _write_json_atomic(out / REPORT_NAME, {
        "innkit_version": __version__, "complete": False, "status": "running", "inputs": names,
        "output": str(out), "started": datetime.now(UTC).isoformat(timespec="seconds")})
    state = _State()
    parts: list[_Partition] = []
    warnings = inputs_checked.warnings
    workers = threads = 0
    address = ""
    try:
        if scheduler is None:
            _warm_scanner_cache(settings)
        with _connect(scheduler, n_workers) as client:
            address = str(client.scheduler.address)
            paths = sorted({s[1] for s in inputs_checked.sources})
            workers, threads = _preflight(client, paths, str(out))
            parts = _plan(inputs_checked, partition_size, threads)
            parts, errors = _line_numbers(client, parts, retries)
            _execute(client, parts, settings, str(out), retries, progress, fault_hook, errors,
                     state)
    except Exception as exc:
        if not parts or isinstance(exc, InnkitError):
            _write_json_atomic(out / REPORT_NAME, {
                "innkit_version": __version__, "complete": False, "status": "failed",
                "inputs": names, "output": str(out), "interrupted": _describe(exc)})
            raise
        # The scheduler went away, say: report what finished, mark the rest as not run.
        return _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                       started, _describe(exc))
    except BaseException as exc:  # Ctrl-C: leave an honest report behind, then stop
        _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                started, _describe(exc))
        raise
    return _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                   started, None)


def _finish(names: list[str], out: Path, leniency: str, parts: list[_Partition], state: _State,
            workers: int, threads: int, address: str, warnings: list[str], started: float,
            interrupted: str | None) -> CorpusReport:
    """The report of a run, written next to the part files; ``_SUCCESS`` only when complete."""
    done = [state.results[i] for i in sorted(state.results)]
    failed = list(state.failed)
    if interrupted:
        seen = {p.partition for p in failed} | set(state.results)
        failed += [PartitionProblem(p.index, p.describe(), 0, f"not run: {interrupted}", False)
                   for p in parts if p.index not in seen]
    recovered = [PartitionProblem(i, parts[i].describe(), state.attempts[i], error, True)
                 for i, error in sorted(state.last_error.items()) if i in state.results]
    report = CorpusReport(
        inputs=tuple(names),
        output=str(out),
        leniency=leniency,
        documents=sum(r.documents for r in done),
        skipped=sum(r.skipped for r in done),
        characters=sum(r.characters for r in done),
        input_bytes=sum(parts[r.index].size for r in done),
        mentions=sum(r.mentions for r in done),
        partitions=len(parts),
        partitions_failed=tuple(sorted(failed, key=lambda p: p.partition)),
        partitions_retried=tuple(recovered),
        workers=workers,
        threads=threads,
        annotators_built=sum(r.annotator_built for r in done),
        seconds=time.perf_counter() - started,
        worker_seconds=sum(r.seconds for r in done),
        complete=not failed and not interrupted and len(done) == len(parts),
        scheduler=address,
        skipped_examples=tuple(e for r in done for e in r.skipped_examples)[:MAX_EXAMPLES],
        warnings=tuple(warnings),
        interrupted=interrupted,
    )
    _write_json_atomic(out / REPORT_NAME, report.to_dict())
    if report.complete:
        (out / SUCCESS_NAME).write_bytes(b"")
    return report


def run_cli(ctx: Any, files: tuple[str, ...], output: str, *, engine: str, scheduler: str | None,
            workers: int | None, leniency: str, input_format: str, text_field: str,
            id_field: str) -> None:
    """``innkit annotate --engine dask``: checks the options, runs, prints a summary."""
    import click
    from click.core import ParameterSource

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)

    if engine != "dask":
        raise click.UsageError("--scheduler and --workers apply to --engine dask only")
    if scheduler and workers:
        raise click.UsageError("--workers sizes a new local cluster; a cluster at --scheduler "
                               "has its own workers")
    if workers is not None and workers < 1:
        raise click.UsageError("--workers must be 1 or more")
    if given("fmt") or given("html_path"):
        raise click.UsageError("--engine dask writes a Parquet dataset folder; --format and "
                               "--html apply to --engine local")
    if given("input_format") and input_format == "text":
        raise click.UsageError("--engine dask reads JSON Lines or Parquet, not plain text: "
                               "one JSON object per line, see --text-field")
    if output == "-":
        raise click.UsageError("--engine dask writes a Parquet dataset folder: give -o FOLDER")
    if "-" in files:
        raise click.UsageError("--engine dask reads files that every worker can open, not "
                               "standard input")
    user_db = ctx.find_root().params.get("user_db")
    try:
        report = annotate_corpus(
            files, output, text_field=text_field, id_field=id_field,
            input_format="jsonl" if given("input_format") else None, leniency=leniency,
            scheduler=scheduler, n_workers=workers, progress=sys.stderr.isatty(),
            user_db=user_db)
    except InnkitError as exc:
        click.echo(f"innkit: {exc}", err=True)
        ctx.exit(2)
    for warning in report.warnings:
        click.echo(f"innkit: {warning}", err=True)
    for example in report.skipped_examples[:5]:
        click.echo(f"innkit: {example}", err=True)
    if report.skipped > 5:
        click.echo(f"innkit: {report.skipped - 5} more records skipped (see {REPORT_NAME})",
                   err=True)
    click.echo(f"{report.documents} documents ({report.skipped} skipped) in "
               f"{report.partitions} partitions on {report.workers} workers: {report.mentions} "
               f"names in {report.seconds:.1f} s ({report.documents_per_second:.0f} documents/s, "
               f"{report.megabytes_per_second:.2f} MB/s)")
    click.echo(f"Parquet dataset: {report.output}")
    if not report.complete:
        failed = report.partitions_failed
        first = failed[0] if failed else None
        detail = (f"; partition {first.partition} ({first.source}) after {first.attempts} "
                  f"attempts: {first.error}" if first else "")
        click.echo(f"innkit: output INCOMPLETE: {len(failed)} of {report.partitions} partitions "
                   f"failed{detail}; {REPORT_NAME} lists them", err=True)
        ctx.exit(1)


def read_report(output: str | os.PathLike[str]) -> dict[str, Any]:
    """The report of a run, so that readers can refuse an incomplete output."""
    path = Path(output) / REPORT_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{output} has no readable {REPORT_NAME}",
                                "it is not the output of innkit annotate --engine dask") from exc


__all__ = ["COLUMNS", "REPORT_NAME", "SUCCESS_NAME", "CorpusReport", "PartitionProblem",
           "annotate_corpus", "part_name", "read_report", "run_cli"]
