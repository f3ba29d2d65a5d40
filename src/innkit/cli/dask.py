"""``innkit annotate --engine dask``: the options it accepts, the run, and the summary it prints.

The engine itself is :mod:`innkit.integrations.dask`; this module is only its command line.
"""

from __future__ import annotations

import sys
from typing import Any

import click
from click.core import ParameterSource

from ..errors import InnkitError
from ..integrations.dask import REPORT_NAME, CorpusReport, annotate_corpus
from ..registry.store import StoreError


def _given(ctx: Any, name: str) -> bool:
    """Whether the user set the option (rather than its default)."""
    return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None)


def _check_options(ctx: Any, files: tuple[str, ...], output: str, *, engine: str,
                   scheduler: str | None, workers: int | None, input_format: str) -> None:
    """Refuse, with the fix, the options that mean nothing to the Dask engine."""
    if engine != "dask":
        raise click.UsageError("--scheduler and --workers apply to --engine dask only")
    if scheduler and workers:
        raise click.UsageError("--workers sizes a new local cluster; a cluster at --scheduler "
                               "has its own workers")
    if workers is not None and workers < 1:
        raise click.UsageError("--workers must be 1 or more")
    if _given(ctx, "fmt") or _given(ctx, "html_path"):
        raise click.UsageError("--engine dask writes a Parquet dataset folder; --format and "
                               "--html apply to --engine local")
    if input_format in ("pubtator", "bioc"):
        raise click.UsageError(f"--engine dask reads JSON Lines, Parquet or .txt files, not "
                               f"--input-format {input_format}: use --engine local")
    if output == "-":
        raise click.UsageError("--engine dask writes a Parquet dataset folder: give -o FOLDER")
    if "-" in files:
        raise click.UsageError("--engine dask reads files that every worker can open, not "
                               "standard input")


def _summarise(ctx: Any, report: CorpusReport) -> None:
    """Warnings and skipped records on standard error, one summary line, exit 1 if incomplete."""
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


def run_cli(ctx: Any, files: tuple[str, ...], output: str, *, engine: str, scheduler: str | None,
            workers: int | None, leniency: str, input_format: str, text_field: str,
            id_field: str) -> None:
    """``innkit annotate --engine dask``: checks the options, runs, prints a summary."""
    _check_options(ctx, files, output, engine=engine, scheduler=scheduler, workers=workers,
                   input_format=input_format)
    user_db = ctx.find_root().params.get("user_db")
    try:
        report = annotate_corpus(
            files, output, text_field=text_field, id_field=id_field,
            input_format=input_format if _given(ctx, "input_format") else None,
            leniency=leniency,
            scheduler=scheduler, n_workers=workers, progress=sys.stderr.isatty(),
            user_db=user_db)
    except StoreError:
        raise  # the environment, not the input: the command line's fault for it (exit 3)
    except InnkitError as exc:
        click.echo(f"innkit: {exc}", err=True)
        ctx.exit(2)
    _summarise(ctx, report)
