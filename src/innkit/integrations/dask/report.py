"""What a Dask run writes beside its part files: the report, the success marker, their names."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import InvalidInputError
from ...models import Result

COLUMNS = ("doc_id", "start", "end", "text", "kind", "how", "known", "confidence", "name",
           "segmentation", "stem", "target_meaning", "source_meaning", "eras", "suggestion",
           "unii", "inn", "relation", "curie", "ambiguous", "candidates", "candidate_uniis")
"""Columns of the output Parquet files; ``eras`` is comma-separated, empty when none. The
substance a mention denotes: ``unii``, ``inn``, ``relation`` and ``curie`` (null when it
denotes none, or several: then ``ambiguous`` is true), and ``candidates``, the UNII of every
substance it may denote (a list: one, several, or none); ``candidate_uniis`` is the tsv
column of the same name (the UNIIs of an ambiguous name, ``;`` between them, else empty)."""

REPORT_NAME = "_innkit_report.json"
SUCCESS_NAME = "_SUCCESS"
PART_PREFIX = "part-"
MAX_EXAMPLES = 20
"""Skipped-record messages kept in the report; the count is always exact."""


def part_name(index: int) -> str:
    """File name of a partition's mentions: sorting the names keeps the input order."""
    return f"{PART_PREFIX}{index:05d}.parquet"


@dataclass(frozen=True, slots=True)
class PartitionProblem(Result):
    """A partition that raised: recovered on a retry, or failed for good after ``attempts``."""

    partition: int
    source: str  # which slice of which input, for a person to find it
    attempts: int
    error: str  # the last error, as "Type: message"
    recovered: bool


@dataclass(frozen=True, slots=True)
class CorpusReport(Result):
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

    # the version that wrote it, a status word beside ``complete``, and rates to the
    # precision a reader can use
    _json = (("innkit_version", lambda _: __version__), "complete",
             ("status", lambda r: "complete" if r.complete else "incomplete"), "inputs",
             "output", "leniency", "documents", "skipped", "characters", "input_bytes",
             "mentions", "partitions", "partitions_failed", "partitions_retried", "workers",
             "threads", "annotators_built", ("seconds", lambda r: round(r.seconds, 3)),
             ("worker_seconds", lambda r: round(r.worker_seconds, 3)),
             ("megabytes_per_core_second", lambda r: round(
                 r.input_bytes / 1e6 / r.worker_seconds if r.worker_seconds else 0.0, 3)),
             ("documents_per_second", lambda r: round(r.documents_per_second, 1)),
             ("megabytes_per_second", lambda r: round(r.megabytes_per_second, 3)),
             "scheduler", "skipped_examples", "warnings", "interrupted")


def read_report(output: str | os.PathLike[str]) -> dict[str, Any]:
    """The report of a run, so that readers can refuse an incomplete output."""
    path = Path(output) / REPORT_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{output} has no readable {REPORT_NAME}",
                                "it is not the output of innkit annotate --engine dask") from exc


def describe_error(exc: BaseException) -> str:
    """An exception as the report shows it: ``Type: first line of the message``."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
