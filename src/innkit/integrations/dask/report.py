"""What a Dask run writes beside its part files: the report, the success marker, their names."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import InvalidInputError

COLUMNS = ("doc_id", "start", "end", "text", "kind", "how", "known", "confidence", "name",
           "segmentation", "stem", "target_meaning", "source_meaning", "eras", "suggestion")
"""Columns of the output Parquet files; ``eras`` is comma-separated, empty when none."""

REPORT_NAME = "_innkit_report.json"
SUCCESS_NAME = "_SUCCESS"
PART_PREFIX = "part-"
MAX_EXAMPLES = 20
"""Skipped-record messages kept in the report; the count is always exact."""


def part_name(index: int) -> str:
    """File name of a partition's mentions: sorting the names keeps the input order."""
    return f"{PART_PREFIX}{index:05d}.parquet"


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
