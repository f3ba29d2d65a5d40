"""Where ``innkit annotate`` writes: one sink per output format, and the ``--html`` report.

A sink sees each document begin, its text (if it asks for it), its mentions, and its end. A
sink writing a file writes it whole through :func:`innkit.atomic.atomic_output`: a failed run
leaves the old file (or none), never half of a new one.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from ..annotator.core import Mention
from ..files.atomic import atomic_output
from ..render import (
    HTML_MAX_CHARS,
    HTML_MAX_NAMES,
    TSV_COLUMNS,
    brat_lines,
    html_page,
    jsonl_record,
    text_line,
    tsv_line,
)
from .errors import os_fault

if TYPE_CHECKING:  # the corpus formats are imported when one is asked for
    from ..files.corpora import CorpusDocument


class Output:
    """A main output: standard output, or a file that replaces ``target`` only when complete."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._stack = contextlib.ExitStack()
        self.stream: IO[str] = sys.stdout

    def __enter__(self) -> Output:
        if self.target != "-":
            try:
                self.stream = self._stack.enter_context(
                    atomic_output(self.target, errors="backslashreplace"))
            except OSError as exc:
                raise os_fault(exc, "write", self.target) from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: Any) -> None:
        try:
            self._stack.__exit__(kind, exc, tb)
        except OSError as error:
            if exc is None:
                raise os_fault(error, "write", self.target) from error

    def write(self, text: str) -> None:
        self.stream.write(text)

    def write_bytes(self, data: bytes) -> None:
        """UTF-8 bytes, straight to the stream's byte buffer when it has one and writes UTF-8
        (no second encoding of large output); otherwise as text."""
        buffer = getattr(self.stream, "buffer", None)
        encoding = (getattr(self.stream, "encoding", None) or "").lower().replace("-", "")
        if buffer is None or encoding != "utf8":
            self.stream.write(data.decode("utf-8"))
            return
        self.stream.flush()
        buffer.write(data)

    def flush(self) -> None:
        self.stream.flush()


class Sink:
    """One output format. ``wants_text``: the sink needs the document's text as well."""

    wants_text = False

    def begin(self) -> None:
        """Before the first document."""

    def start(self, doc_id: str) -> None:
        """A document begins."""

    def layout(self, doc: CorpusDocument) -> None:
        """The document as a corpus input gave it (PubTator, BioC), after ``start``."""

    def text(self, chunk: str) -> None:
        """A piece of the document's text, in order (only when ``wants_text``)."""

    def mention(self, doc_id: str, m: Mention) -> None:
        """One name found."""

    def end(self, doc_id: str, found: int) -> None:
        """The document ended; ``found`` names were in it."""

    def finish(self, total: int, inputs: int) -> None:
        """After the last document."""


class StreamSink(Sink):
    def __init__(self, out: Output) -> None:
        self.out = out


class TextSink(StreamSink):
    def start(self, doc_id: str) -> None:
        self.out.write(f"{doc_id}\n")

    def mention(self, doc_id: str, m: Mention) -> None:
        self.out.write(text_line(m) + "\n")

    def end(self, doc_id: str, found: int) -> None:
        self.out.write(f"  {found} name{'s' if found != 1 else ''} found\n")
        self.out.flush()

    def finish(self, total: int, inputs: int) -> None:
        if inputs > 1:
            self.out.write(f"{total} names in {inputs} inputs\n")


class JsonlSink(StreamSink):
    """Lines gathered into blocks of about a megabyte and written as bytes."""

    BLOCK = 1 << 20

    def __init__(self, out: Output) -> None:
        super().__init__(out)
        self._lines: list[bytes] = []
        self._size = 0

    def mention(self, doc_id: str, m: Mention) -> None:
        line = jsonl_record(doc_id, m)
        self._lines.append(line)
        self._size += len(line)
        if self._size >= self.BLOCK:
            self._write()

    def _write(self) -> None:
        if self._lines:
            self.out.write_bytes(b"".join(self._lines))
            self._lines.clear()
            self._size = 0

    def end(self, doc_id: str, found: int) -> None:
        self._write()
        self.out.flush()

    def finish(self, total: int, inputs: int) -> None:
        self._write()


class TsvSink(StreamSink):
    def begin(self) -> None:
        self.out.write("\t".join(TSV_COLUMNS) + "\n")

    def mention(self, doc_id: str, m: Mention) -> None:
        self.out.write(tsv_line(doc_id, m) + "\n")

    def end(self, doc_id: str, found: int) -> None:
        self.out.flush()


CORPUS_FORMATS = ("pubtator", "bioc-xml", "bioc-json", "conll")
"""The corpus formats: each document written whole, as its input gave it (see corpus_formats.py)."""


class CorpusSink(StreamSink):
    """``--format pubtator|bioc-xml|bioc-json|conll``: a document is kept (its text, or its
    pieces from a PubTator or BioC input) with its mentions, and written when it ends."""

    wants_text = True

    def __init__(self, out: Output, fmt: str) -> None:
        super().__init__(out)
        self.fmt = fmt
        self.documents = 0
        self._doc: CorpusDocument | None = None
        self._chunks: list[str] = []
        self._mentions: list[Mention] = []

    def start(self, doc_id: str) -> None:
        self._doc = None
        self._chunks = []
        self._mentions = []

    def layout(self, doc: CorpusDocument) -> None:
        self._doc = doc

    def text(self, chunk: str) -> None:
        if self._doc is None:
            self._chunks.append(chunk)

    def mention(self, doc_id: str, m: Mention) -> None:
        self._mentions.append(m)

    def end(self, doc_id: str, found: int) -> None:
        from .. import corpus_formats as cf
        from ..files.corpora import text_document

        doc = self._doc or text_document(doc_id, "".join(self._chunks))
        self._chunks = []
        dropped: list[str] = []
        first = self.documents == 0
        if self.fmt == "pubtator":
            self.out.write(cf.pubtator_document(doc, self._mentions, dropped))
        elif self.fmt == "conll":
            self.out.write(cf.conll_document(doc, self._mentions))
        elif self.fmt == "bioc-xml":
            if first:
                self.out.write(cf.bioc_xml_head(doc))
            self.out.write(cf.bioc_xml_document(cf.bioc_document(doc, self._mentions, dropped)))
        else:
            if first:
                self.out.write(cf.bioc_json_head(doc))
            self.out.write(cf.bioc_json_document(cf.bioc_document(doc, self._mentions, dropped),
                                                 first))
        self.documents += 1
        self._mentions = []
        for problem in dropped:
            click.echo(f"innkit: {problem}", err=True)
        self.out.flush()

    def finish(self, total: int, inputs: int) -> None:
        from .. import corpus_formats as cf
        from ..files.corpora import text_document

        if self.fmt.startswith("bioc") and self.documents == 0:
            empty = text_document("", "")
            self.out.write(cf.bioc_xml_head(empty) if self.fmt == "bioc-xml"
                           else cf.bioc_json_head(empty))
        if self.fmt == "bioc-xml":
            self.out.write(cf.BIOC_XML_TAIL)
        elif self.fmt == "bioc-json":
            self.out.write(cf.BIOC_JSON_TAIL)


class _Page:
    """The first document's text (up to the HTML cap) and its mentions, for one HTML page."""

    def __init__(self, max_chars: int, max_names: int = HTML_MAX_NAMES) -> None:
        self.max_chars = max_chars
        self.max_names = max_names
        self.cut: int | None = None  # where the page stops when the names reach the limit
        self.doc_id: str | None = None
        self.kept: list[str] = []
        self.kept_chars = 0
        self.total_chars = 0
        self.mentions: list[Mention] = []
        self.total_mentions = 0
        self.others = 0
        self.done = False

    def start(self, doc_id: str) -> bool:
        if self.doc_id is None:
            self.doc_id = doc_id
            return True
        self.others += 1
        return False

    def text(self, chunk: str) -> None:
        self.total_chars += len(chunk)
        room = self.max_chars - self.kept_chars
        if room > 0:
            self.kept.append(chunk[:room])
            self.kept_chars += min(room, len(chunk))

    def mention(self, m: Mention) -> None:
        self.total_mentions += 1
        if self.cut is not None:
            return
        if len(self.mentions) >= self.max_names:
            self.cut = m.start
        elif m.end <= self.kept_chars:
            self.mentions.append(m)

    def shown(self) -> int:
        return self.kept_chars if self.cut is None else min(self.cut, self.kept_chars)

    def render(self) -> str:
        self.done = True
        return html_page(self.doc_id or "", "".join(self.kept)[:self.shown()], self.mentions,
                         total_chars=self.total_chars, total_mentions=self.total_mentions)

    def note(self) -> str | None:
        if self.total_chars > self.shown():
            return (f"the HTML report shows the first {self.shown():,} of "
                    f"{self.total_chars:,} characters ({len(self.mentions):,} of "
                    f"{self.total_mentions:,} names); use --format jsonl or tsv for all")
        return None


class HtmlSink(Sink):
    """``--format html``: one page of the first document (to -o or standard output)."""

    wants_text = True

    def __init__(self, out: Output, max_chars: int = HTML_MAX_CHARS) -> None:
        self.out = out
        self.page = _Page(max_chars)
        self.current = False

    def start(self, doc_id: str) -> None:
        self.current = self.page.start(doc_id)

    def text(self, chunk: str) -> None:
        if self.current:
            self.page.text(chunk)

    def mention(self, doc_id: str, m: Mention) -> None:
        if self.current:
            self.page.mention(m)

    def end(self, doc_id: str, found: int) -> None:
        if self.current:
            self.out.write(self.page.render())
            self.page.kept = []
            note = self.page.note()
            if note:
                click.echo(f"innkit: {note}", err=True)
        self.current = False

    def finish(self, total: int, inputs: int) -> None:
        if self.page.others:
            click.echo(f"innkit: the HTML page shows the first document only; {self.page.others}"
                       " more were annotated but not shown (use --format jsonl, or brat -o "
                       "FOLDER for one file per document)", err=True)


class HtmlReport(HtmlSink):
    """``--html FILE``: a side report of the first document. It fails alone, with a warning."""

    def __init__(self, path: str, max_chars: int = HTML_MAX_CHARS) -> None:
        self.path = path
        self.page = _Page(max_chars)
        self.current = False
        self.failed: str | None = None

    def end(self, doc_id: str, found: int) -> None:
        if not self.current:
            return
        self.current = False
        try:
            with atomic_output(self.path, errors="backslashreplace") as f:
                f.write(self.page.render())
        except OSError as exc:
            self.failed = os_fault(exc, "write the HTML report", self.path).format_message()
            click.echo(f"innkit: warning: {self.failed}; the main output goes on", err=True)
            return
        finally:
            self.page.kept = []
        note = self.page.note()
        click.echo(f"HTML report written to {self.path}" + (f" ({note})" if note else ""),
                   err=True)

    def finish(self, total: int, inputs: int) -> None:
        return None


class BratSink(Sink):
    """brat standoff: ``NAME.txt`` and ``NAME.ann`` per document in a folder, each written
    whole and streamed; or the annotations alone on standard output."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.wants_text = output != "-"
        self._stack: contextlib.ExitStack | None = None
        self._txt: IO[str] | None = None
        self._ann: IO[str] | None = None
        self._index = 0
        self._norms = 0  # normalisation lines written in the document
        self._stems: set[str] = set()

    def start(self, doc_id: str) -> None:
        self._index = 0
        self._norms = 0
        if self.output == "-":
            return
        stem = Path(doc_id).stem or "stdin"
        if stem in self._stems:
            n = 2
            while f"{stem}-{n}" in self._stems:
                n += 1
            click.echo(f"innkit: {doc_id}: another input is also named {stem}; written as "
                       f"{stem}-{n}.txt/.ann", err=True)
            stem = f"{stem}-{n}"
        self._stems.add(stem)
        folder = Path(self.output)
        stack = contextlib.ExitStack()
        try:
            self._txt = stack.enter_context(atomic_output(folder / f"{stem}.txt",
                                                          errors="backslashreplace"))
            self._ann = stack.enter_context(atomic_output(folder / f"{stem}.ann",
                                                          errors="backslashreplace"))
        except OSError as exc:
            stack.close()
            raise os_fault(exc, "write", exc.filename or folder) from exc
        self._stack = stack

    def text(self, chunk: str) -> None:
        if self._txt is not None:
            self._txt.write(chunk)

    def mention(self, doc_id: str, m: Mention) -> None:
        self._index += 1
        found = list(brat_lines([m], start=self._index, norm_start=self._norms + 1))
        self._norms += sum(line.startswith("N") for line in found)
        lines = "\n".join(found) + "\n"
        if self._ann is not None:
            self._ann.write(lines)
        else:
            sys.stdout.write(lines)

    def end(self, doc_id: str, found: int) -> None:
        stack, self._stack, self._txt, self._ann = self._stack, None, None, None
        if stack is not None:
            try:
                stack.close()
            except OSError as exc:
                raise os_fault(exc, "write", exc.filename or self.output) from exc

    def finish(self, total: int, inputs: int) -> None:
        """The folder's ``annotation.conf`` and ``tools.conf``, so that brat opens it."""
        from .. import corpus_formats as cf

        if self.output == "-":
            return
        folder = Path(self.output)
        for name, text in (("annotation.conf", cf.brat_annotation_conf()),
                           ("tools.conf", cf.brat_tools_conf())):
            try:
                with atomic_output(folder / name) as f:
                    f.write(text)
            except OSError as exc:
                raise os_fault(exc, "write", folder / name) from exc

    def abort(self) -> None:
        """A failed run: the document's temporary files go, the old files stay."""
        stack, self._stack = self._stack, None
        if stack is not None:
            with contextlib.suppress(BaseException):
                stack.__exit__(RuntimeError, RuntimeError("aborted"), None)


def main_sink(fmt: str, out: Output, output: str) -> Sink:
    if fmt == "text":
        return TextSink(out)
    if fmt == "jsonl":
        return JsonlSink(out)
    if fmt == "tsv":
        return TsvSink(out)
    if fmt == "html":
        return HtmlSink(out)
    if fmt in CORPUS_FORMATS:
        return CorpusSink(out, fmt)
    return BratSink(output)
