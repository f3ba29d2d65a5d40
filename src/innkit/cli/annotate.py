"""``innkit annotate``: find and decode every drug name in documents, streaming."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from ..annotator.core import LENIENCY_LEVELS
from ..annotator.parallel import PARALLEL_FROM, Workers
from ..annotator.stitch import annotate_chunks
from ..files.readers import ReadReport, SkippedRecord, iter_text, json_document
from .errors import (
    CappedLines,
    CliFault,
    ClosedStreamError,
    ExitStatus,
    closed_stream_fault,
    input_fault,
    os_fault,
)
from .sinks import CORPUS_FORMATS, BratSink, HtmlReport, Output, Sink, main_sink

if TYPE_CHECKING:  # the corpus readers are imported when a corpus input is read
    from ..files.corpora import CorpusDocument

INPUT_FORMATS = ("text", "jsonl", "pubtator", "bioc")


GC_THRESHOLD = (1_000_000, 20, 100)
"""The cyclic garbage collector's thresholds while the command annotates (Python's: 700, 10,
10). Annotating makes hundreds of thousands of short-lived tuples and mentions, nearly none in
cycles (a run over the 28 MB bulk text leaves a dozen objects of cyclic garbage, those of the
worker pool's threads), beside the large tables of names and rules loaded: at Python's
thresholds the collector ran some 800 times over the bulk text and took an eighth of the run,
walking those tables again and again; at 50,000 objects it still ran a few times in each
process, each time walking the tens of thousands of recent mentions and decodings the pieces
on their way and the caches hold (15 ms a time: 0.06 s of the stitching process, 0.045 s of a
worker). At a million it runs about once in 100 MB of text, and cyclic garbage stays bounded."""


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """The collector at :data:`GC_THRESHOLD` for the command's run, then as it was (the
    command may run inside another program, such as a test)."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Progress:
    """A progress bar on standard error, for big inputs on a terminal only."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled and total > 0:
            from tqdm import tqdm

            # No monitor thread: workers are forked only from a process without other threads.
            tqdm.monitor_interval = 0
            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc="annotating",
                            file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Inputs:
    """Reads every input in turn and counts the ones that could not be read, or only in part."""

    def __init__(self, files: tuple[str, ...], input_format: str, text_field: str,
                 id_field: str, progress: _Progress) -> None:
        self.files = files
        self.input_format = input_format
        self.text_field = text_field
        self.id_field = id_field
        self.progress = progress
        self.problems = 0
        self.skipped = CappedLines()

    def warn(self, message: str) -> None:
        self.problems += 1
        click.echo(f"innkit: {message}", err=True)

    def documents(self) -> Iterator[tuple[str, Iterator[str], ReadReport,
                                          CorpusDocument | None]]:
        """(doc id, text chunks, read report, the document as a corpus input gave it) for
        every document of every input."""
        for name in self.files:
            if name == "-":
                yield from self._from_stream("stdin", sys.stdin.buffer)
                continue
            try:
                stream: BinaryIO = Path(name).open("rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                self.warn(input_fault(exc, name))
                continue
            with stream:
                yield from self._from_stream(name, stream)

    def report(self, report: ReadReport) -> None:
        for problem in report.problems():
            if report.binary:
                self.warn(problem)
            else:
                click.echo(f"innkit: {problem}", err=True)

    def _chunks(self, name: str, stream: BinaryIO, report: ReadReport) -> Iterator[str]:
        seen = 0
        try:
            for chunk in iter_text(stream, report):
                self.progress.update(report.bytes_read - seen)
                seen = report.bytes_read
                yield chunk
        except ClosedStreamError as exc:
            raise closed_stream_fault(exc) from exc
        except OSError as exc:
            raise os_fault(exc, "read", name) from exc

    def _from_stream(self, name: str, stream: BinaryIO):
        report = ReadReport(name)
        if self.input_format == "bioc":
            from ..files.corpora import read_bioc

            yield from self._corpus(name, read_bioc(stream, name))
            return
        chunks = self._chunks(name, stream, report)
        if self.input_format == "text":
            yield name, chunks, report, None
            return
        if self.input_format == "pubtator":
            from ..files.corpora import read_pubtator

            problems: list[str] = []
            yield from self._corpus(name, read_pubtator(_lines(chunks), name, problems))
            for problem in problems[:5]:
                click.echo(f"innkit: {problem}", err=True)
            if len(problems) > 5:
                click.echo(f"innkit: {name}: {len(problems) - 5} more lines passed over",
                           err=True)
            self.report(report)
            return
        # JSON Lines: one document per line, with a text and an id field.
        buffer = ""
        line_no = 0
        for chunk in chunks:
            buffer += chunk
            *lines, buffer = buffer.split("\n")
            for line in lines:
                line_no += 1
                yield from self._json_doc(name, line_no, line)
        if buffer.strip():
            yield from self._json_doc(name, line_no + 1, buffer)
        self.skipped.close("skipped records")
        self.report(report)

    def _corpus(self, name: str, documents: Iterator[CorpusDocument]):
        """Each document of a PubTator or BioC input; an input that is not one is counted
        as unread, and the others go on."""
        from ..files.corpora import CorpusError, MissingLibraryError

        try:
            for doc in documents:
                yield doc.doc_id, iter((doc.text,)), ReadReport(doc.doc_id), doc
        except CorpusError as exc:
            self.warn(str(exc))
        except MissingLibraryError as exc:
            raise CliFault(str(exc), ExitStatus.ENVIRONMENT) from exc
        except OSError as exc:
            raise os_fault(exc, "read", name) from exc

    def _json_doc(self, name: str, line_no: int, line: str):
        if not line.strip():
            return
        try:
            doc_id, text = json_document(line, f"{name} line {line_no}", self.text_field,
                                         self.id_field, f"{name}:{line_no}")
        except SkippedRecord as exc:
            # a warning only, as for bytes that were not UTF-8: the input itself was read
            self.skipped.echo(str(exc))
            return
        yield doc_id, iter((text,)), ReadReport(doc_id), None


@click.command("annotate")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "tsv", "html", "brat",
                                                   *CORPUS_FORMATS]),
              default="text", show_default=True,
              help="Output format (pubtator, bioc-xml, bioc-json, conll: see docs/formats.md).")
@click.option("--leniency", type=click.Choice(LENIENCY_LEVELS), default="standard",
              show_default=True, help="How far to trust word shape alone (see the README).")
@click.option("-o", "--output", type=click.Path(dir_okay=True, allow_dash=True), default="-",
              help="Output file (a folder for brat); '-' is standard output.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write an HTML report of the (first) document here.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="text",
              show_default=True, help="jsonl: one document per line, see --text-field; "
              "pubtator, bioc: a corpus (BioC XML or JSON).")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default="doc_id", show_default=True)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="dask: annotate JSONL or Parquet on a Dask cluster into a "
              "Parquet dataset folder (-o), see docs/dask.md.")
@click.option("--scheduler", metavar="ADDR",
              help="Dask scheduler address (default: start a local cluster).")
@click.option("--workers", type=int, help="Worker processes of the local Dask cluster "
              "(default: one per core).")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Local engine: processes sharing a long document (over two million "
                   "characters) "
                   "(default: one per core, but for cores other processes keep busy; "
                   "1: this process alone).")
def annotate_cmd(files: tuple[str, ...], fmt: str, leniency: str, output: str,
                 html_path: str | None, input_format: str, text_field: str,
                 id_field: str, engine: str, scheduler: str | None, workers: int | None,
                 jobs: int | None) -> None:
    """Find and decode every drug name in FILES ('-' reads standard input).

    \b
    Examples:
      innkit annotate examples/monograph.txt
      innkit annotate --format jsonl notes/*.txt > mentions.jsonl
      innkit annotate --format html -o report.html label.txt
    """
    if engine == "dask" or scheduler or workers is not None:
        from .dask import run_cli

        run_cli(click.get_current_context(), files, output, engine=engine, scheduler=scheduler,
                workers=workers, leniency=leniency, input_format=input_format,
                text_field=text_field, id_field=id_field)
        return
    if fmt.startswith("bioc") or input_format == "bioc":
        from ..files.corpora import MissingLibraryError, bioc_module

        try:
            bioc_module()
        except MissingLibraryError as exc:
            raise CliFault(str(exc), ExitStatus.ENVIRONMENT) from exc
    if fmt == "brat" and output == "-" and len(files) > 1:
        raise click.UsageError("brat output of several files needs -o FOLDER")
    sizes = [Path(f).stat().st_size for f in files if f != "-" and Path(f).is_file()] or [0]
    total = sum(sizes)
    progress = _Progress(total, sys.stderr.isatty() and (total > 8 << 20 or len(files) > 20))
    inputs = _Inputs(files, input_format, text_field, id_field, progress)
    out = Output(output if fmt != "brat" else "-")
    report = HtmlReport(html_path) if html_path else None
    try:
        with out, _few_collections():
            sink = main_sink(fmt, out, output)
            _run(inputs, [sink, *([report] if report else [])], leniency, len(files),
                 None if jobs is None else jobs - 1, longest=max(sizes))
    finally:
        progress.close()
    if inputs.problems:
        click.echo(f"innkit: {inputs.problems} input(s) could not be read (see above); the "
                   "output holds everything else", err=True)
        click.get_current_context().exit(int(ExitStatus.BAD_INPUT))
    if report is not None and report.failed:
        click.get_current_context().exit(int(ExitStatus.ENVIRONMENT))


def _run(inputs: _Inputs, sinks: list[Sink], leniency: str, n_inputs: int,
         helpers: int | None = None, longest: int = 0) -> None:
    """Every document through every sink; a failed brat document leaves no half file.
    ``helpers``: worker processes for long documents (None: see ``default_jobs``), started
    at once when a file of ``longest`` bytes is long enough to share."""
    for s in sinks:
        s.begin()
    readers = [s for s in sinks if s.wants_text]
    try:
        with Workers(helpers, leniency) as workers:
            if longest >= min(PARALLEL_FROM, workers.start_from):
                workers.start()
            _documents(inputs, sinks, readers, leniency, n_inputs, workers)
    except BaseException:
        for s in sinks:
            if isinstance(s, BratSink):
                s.abort()
        raise


def _documents(inputs: _Inputs, sinks: list[Sink], readers: list[Sink], leniency: str,
               n_inputs: int, workers: Workers) -> None:
    total = 0
    for doc_id, chunks, report, layout in inputs.documents():
        for s in sinks:
            s.start(doc_id)
            if layout is not None:
                s.layout(layout)
        if readers:
            chunks = _teeing(chunks, readers)
        found = 0
        for m in annotate_chunks(chunks, leniency=leniency, workers=workers):
            found += 1
            for s in sinks:
                s.mention(doc_id, m)
        total += found
        if inputs.input_format == "text":
            inputs.report(report)
        for s in sinks:
            s.end(doc_id, found)
    for s in sinks:
        s.finish(total, n_inputs)


def _teeing(chunks: Iterator[str], readers: list[Sink]) -> Iterator[str]:
    for chunk in chunks:
        for s in readers:
            s.text(chunk)
        yield chunk


def _lines(chunks: Iterator[str]) -> Iterator[str]:
    """The lines of a text read in chunks, each with its line end."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split("\n")
        for line in lines:
            yield line + "\n"
    if buffer:
        yield buffer
