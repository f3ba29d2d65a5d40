"""Running a Dask job from the client: connect, check the workers, submit every partition,
retry the ones that raise, and leave an honest report whatever happens."""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import __version__
from ...annotator.core import LENIENCY_LEVELS
from ...errors import InnkitError, InvalidInputError
from ...files.atomic import write_atomic
from ...workers import available_cores
from .plan import Partition, Settings, inspect_inputs, plan_partitions, sources
from .report import (
    MAX_EXAMPLES,
    PART_PREFIX,
    REPORT_NAME,
    SUCCESS_NAME,
    CorpusReport,
    PartitionProblem,
    describe_error,
)
from .worker import PartitionResult, count_newlines, probe, run_partition, warm_scanner_cache

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "install the Dask extra: pip install -e '.[dask]' in a clone of innkit"


# -- on the client ------------------------------------------------------------------------------
def _require() -> None:
    try:
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise InnkitError(f"the Dask engine needs {exc.name}", INSTALL_HINT) from exc


def _line_numbers(client: Client, parts: list[Partition],
                  retries: int) -> tuple[list[Partition], dict[int, str]]:
    """Give every JSONL partition the count of newlines before it (a fast parallel pass)."""
    sizes = {p.path: os.path.getsize(p.path) for p in parts if p.fmt == "jsonl"}
    todo = [p for p in parts if p.fmt == "jsonl" and p.stop < sizes[p.path]]
    futures = {p.index: client.submit(count_newlines, p.path, p.start, p.stop, retries=retries,
                                      key=f"innkit-count-{uuid.uuid4().hex}") for p in todo}
    counts: dict[int, int] = {}
    broken: dict[str, str] = {}
    for index, fut in futures.items():
        try:
            counts[index] = fut.result()
        except Exception as exc:
            broken.setdefault(parts[index].path, f"counting lines failed: {describe_error(exc)}")
    out: list[Partition] = []
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
    count = n_workers or available_cores()
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
    answers = client.run(probe, paths, output, on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            raise InnkitError(f"Dask worker {worker} cannot run innkit: {describe_error(answer)}",
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
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _write_status(out: Path, names: list[str], *, status: str, **more: str) -> None:
    """The report of a run that is not complete (yet): it never looks finished."""
    _write_json_atomic(out / REPORT_NAME, {"innkit_version": __version__, "complete": False,
                                           "status": status, "inputs": names,
                                           "output": str(out), **more})


@dataclass
class _State:
    """What a run has done so far; kept by the caller, so an interrupted run still reports."""

    results: dict[int, PartitionResult] = field(default_factory=dict)
    failed: list[PartitionProblem] = field(default_factory=list)
    last_error: dict[int, str] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)


def _execute(client: Client, parts: list[Partition], settings: Settings, output: str,
             retries: int, progress: bool, fault_hook: Callable[[int], None] | None,
             errors: dict[int, str], state: _State) -> None:
    """Run every partition, resubmitting one that raised up to ``retries`` times."""
    from distributed import as_completed
    from tqdm import tqdm

    token = uuid.uuid4().hex[:12]
    state.failed.extend(PartitionProblem(i, parts[i].describe(), 0, error, False)
                        for i, error in errors.items())
    running: dict[str, tuple[Partition, int]] = {}
    pending = as_completed()

    def submit(part: Partition, attempt: int) -> None:
        fut = client.submit(run_partition, part, settings, output, fault_hook,
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
                state.last_error[part.index] = describe_error(exc)
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


def _checked_names(inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   leniency: str, retries: int, partition_size: int | None) -> list[str]:
    """The input names, once the options are known to be sound."""
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
    return names


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
    names = _checked_names(inputs, leniency, retries, partition_size)
    inputs_checked = inspect_inputs(sources(names, input_format), text_field, id_field)
    out = Path(output).resolve()
    _prepare_output(out)
    settings = Settings(text_field, id_field, leniency,
                         str(Path(user_db).resolve()) if user_db else None)
    started = time.perf_counter()
    _write_status(out, names, status="running",
                  started=datetime.now(UTC).isoformat(timespec="seconds"))
    state = _State()
    parts: list[Partition] = []
    warnings = inputs_checked.warnings
    workers = threads = 0
    address = ""
    try:
        if scheduler is None:
            warm_scanner_cache(settings)
        with _connect(scheduler, n_workers) as client:
            address = str(client.scheduler.address)
            paths = sorted({s[1] for s in inputs_checked.sources})
            workers, threads = _preflight(client, paths, str(out))
            parts = plan_partitions(inputs_checked, partition_size, threads)
            parts, errors = _line_numbers(client, parts, retries)
            _execute(client, parts, settings, str(out), retries, progress, fault_hook, errors,
                     state)
    except Exception as exc:
        if not parts or isinstance(exc, InnkitError):
            _write_status(out, names, status="failed", interrupted=describe_error(exc))
            raise
        # The scheduler went away, say: report what finished, mark the rest as not run.
        return _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                       started, describe_error(exc))
    except BaseException as exc:  # Ctrl-C: leave an honest report behind, then stop
        _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                started, describe_error(exc))
        raise
    return _finish(names, out, leniency, parts, state, workers, threads, address, warnings,
                   started, None)


def _finish(names: list[str], out: Path, leniency: str, parts: list[Partition], state: _State,
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
