"""``innkit annotate``: find and decode every drug name in documents, streaming."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from ..annotate import LENIENCY_LEVELS, Mention, annotate_chunks
from ..atomic import write_atomic
from ..formats import TSV_COLUMNS, brat_lines, html_page, jsonl_line, text_line, tsv_line
from ..reading import ReadReport, iter_text

MAX_BUFFERED = 64 * 1024 * 1024
"""html and brat output keep the document text; larger documents need jsonl or tsv."""


class _Progress:
    """A progress bar on standard error, for big inputs on a terminal only."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled and total > 0:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc="annotating",
                            file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _documents(files: tuple[str, ...], input_format: str, text_field: str, id_field: str,
               progress: _Progress) -> Iterator[tuple[str, Iterator[str], ReadReport]]:
    """(doc id, text chunks, read report) for every document of every input."""
    for name in files:
        if name == "-":
            yield from _from_stream("stdin", sys.stdin.buffer, input_format, text_field,
                                    id_field, progress)
            continue
        path = Path(name)
        try:
            stream: BinaryIO = path.open("rb")
        except OSError as exc:
            report = ReadReport(name)
            click.echo(f"innkit: cannot read {name}: {exc.strerror or exc}; check the path",
                       err=True)
            yield name, iter(()), report
            continue
        with stream:
            yield from _from_stream(name, stream, input_format, text_field, id_field, progress)


def _counting(chunks: Iterator[str], report: ReadReport, progress: _Progress) -> Iterator[str]:
    seen = 0
    for chunk in chunks:
        progress.update(report.bytes_read - seen)
        seen = report.bytes_read
        yield chunk


def _from_stream(name: str, stream: BinaryIO, input_format: str, text_field: str,
                 id_field: str, progress: _Progress):
    report = ReadReport(name)
    chunks = _counting(iter_text(stream, report), report, progress)
    if input_format == "text":
        yield name, chunks, report
        return
    # JSON Lines: one document per line, with a text and an id field.
    buffer = ""
    line_no = 0
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split("\n")
        for line in lines:
            line_no += 1
            yield from _json_doc(name, line_no, line, text_field, id_field)
    if buffer.strip():
        yield from _json_doc(name, line_no + 1, buffer, text_field, id_field)
    for problem in report.problems():
        click.echo(f"innkit: {problem}", err=True)


def _json_doc(name: str, line_no: int, line: str, text_field: str, id_field: str):
    if not line.strip():
        return
    try:
        record = json.loads(line)
        text = record[text_field]
        if not isinstance(text, str):
            raise TypeError(f"field {text_field!r} is not a string")
    except (ValueError, KeyError, TypeError) as exc:
        click.echo(f"innkit: {name} line {line_no}: skipped, not a JSON object with a "
                   f"{text_field!r} text field ({exc})", err=True)
        return
    doc_id = str(record.get(id_field, f"{name}:{line_no}"))
    yield doc_id, iter((text,)), ReadReport(doc_id)


@click.command("annotate")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "tsv", "html", "brat"]),
              default="text", show_default=True, help="Output format.")
@click.option("--leniency", type=click.Choice(LENIENCY_LEVELS), default="standard",
              show_default=True, help="How far to trust word shape alone (see the README).")
@click.option("-o", "--output", type=click.Path(dir_okay=True, allow_dash=True), default="-",
              help="Output file (a folder for brat); '-' is standard output.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write an HTML report of the (first) document here.")
@click.option("--input-format", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="jsonl: one document per line, see --text-field.")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default="doc_id", show_default=True)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="dask: annotate JSONL or Parquet on a Dask cluster into a "
              "Parquet dataset folder (-o), see docs/dask.md.")
@click.option("--scheduler", metavar="ADDR",
              help="Dask scheduler address (default: start a local cluster).")
@click.option("--workers", type=int, help="Worker processes of the local Dask cluster "
              "(default: one per core).")
def annotate_cmd(files: tuple[str, ...], fmt: str, leniency: str, output: str,
                 html_path: str | None, input_format: str, text_field: str,
                 id_field: str, engine: str, scheduler: str | None, workers: int | None) -> None:
    """Find and decode every drug name in FILES ('-' reads standard input).

    \b
    Examples:
      innkit annotate examples/monograph.txt
      innkit annotate --format jsonl notes/*.txt > mentions.jsonl
      innkit annotate --format html -o report.html label.txt
    """
    if engine == "dask" or scheduler or workers is not None:
        from ..integrations.dask import run_cli

        run_cli(click.get_current_context(), files, output, engine=engine, scheduler=scheduler,
                workers=workers, leniency=leniency, input_format=input_format,
                text_field=text_field, id_field=id_field)
        return
    sizes = sum(Path(f).stat().st_size for f in files if f != "-" and Path(f).is_file())
    progress = _Progress(sizes, sys.stderr.isatty() and (sizes > 8 << 20 or len(files) > 20))
    if fmt == "brat" and output == "-" and len(files) > 1:
        raise click.UsageError("brat output of several files needs -o FOLDER")
    out = sys.stdout
    handle = None
    if output != "-" and fmt in ("jsonl", "tsv", "text"):
        # Written beside the target and renamed at the end: never a half-written file.
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        handle = open(output + ".tmp", "w", encoding="utf-8")  # noqa: SIM115
        out = handle
    total = 0
    try:
        if fmt == "tsv":
            out.write("\t".join(TSV_COLUMNS) + "\n")
        first_html_done = False
        for doc_id, chunks, report in _documents(files, input_format, text_field, id_field,
                                                 progress):
            keep = fmt in ("html", "brat") or (html_path and not first_html_done)
            kept: list[str] = []
            if keep:
                chunks = _keeping(chunks, kept)
            mentions: list[Mention] = []
            if fmt == "text":
                out.write(f"{doc_id}\n")
            found = 0
            for m in annotate_chunks(chunks, leniency=leniency):
                total += 1
                found += 1
                if fmt == "jsonl":
                    out.write(jsonl_line(doc_id, m) + "\n")
                elif fmt == "tsv":
                    out.write(tsv_line(doc_id, m) + "\n")
                elif fmt == "text":
                    out.write(text_line(m) + "\n")
                if keep:
                    mentions.append(m)
            out.flush()
            for problem in report.problems():
                click.echo(f"innkit: {problem}", err=True)
            if fmt == "text":
                out.write(f"  {found} name{'s' if found != 1 else ''} found\n")
            if keep:
                text = "".join(kept)
                if fmt == "html":
                    target = Path(output if output != "-" else "")
                    page = html_page(doc_id, text, mentions)
                    if output == "-":
                        sys.stdout.write(page)
                    else:
                        write_atomic(target, page)
                elif fmt == "brat":
                    _write_brat(doc_id, text, mentions, output)
                if html_path and not first_html_done:
                    write_atomic(Path(html_path), html_page(doc_id, text, mentions))
                    out.flush()
                    click.echo(f"HTML report written to {html_path}", err=True)
                    first_html_done = True
        if handle is not None:
            handle.close()
            os.replace(output + ".tmp", output)
            handle = None
    finally:
        progress.close()
        if handle is not None:
            handle.close()
            Path(output + ".tmp").unlink(missing_ok=True)
    if fmt == "text" and len(files) > 1:
        out.write(f"{total} names in {len(files)} inputs\n")


def _keeping(chunks: Iterator[str], kept: list[str]) -> Iterator[str]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_BUFFERED:
            raise click.ClickException(f"document larger than {MAX_BUFFERED >> 20} MB: html and "
                                       "brat output keep the whole text; use --format jsonl")
        kept.append(chunk)
        yield chunk


def _write_brat(doc_id: str, text: str, mentions: list[Mention], output: str) -> None:
    lines = "\n".join(brat_lines(mentions)) + ("\n" if mentions else "")
    if output == "-":
        sys.stdout.write(lines)
        return
    folder = Path(output)
    stem = Path(doc_id).stem or "stdin"
    write_atomic(folder / f"{stem}.txt", text)
    write_atomic(folder / f"{stem}.ann", lines)
