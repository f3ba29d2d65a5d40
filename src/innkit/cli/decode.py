"""``innkit decode`` and ``innkit explain``."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

from ..decoder.decode import decode
from ..models import Decoding
from ..render import identity_label, render_card, substance_cells, summary
from ..vocab import Kind
from ..workers import MAX_JOBS, available_cores, can_fork, die_with, no_interrupts

TSV_COLUMNS = (
    "input", "name", "kind", "segmentation", "prefix", "target_substem", "target_meaning",
    "source_substem", "source_meaning", "stem", "stem_meaning", "eras", "modifiers",
    "fda_suffix", "radiolabel", "ambiguous", "warnings", "reason", "unii", "inn", "relation",
    "inn_number", "substance_ambiguous", "candidate_uniis",
)
"""New columns go at the end, so that the position of every older one holds. ``ambiguous`` says
the antibody readings tie; ``substance_ambiguous`` that the name denotes several substances (then
``unii``, ``inn`` and ``inn_number`` are empty and ``candidate_uniis`` lists each, ``;`` between
them)."""


_SUBSTANCE_CELLS = {"unii": 0, "inn": 1, "relation": 2, "substance_ambiguous": 3,
                    "candidate_uniis": 4}
"""Columns filled from :func:`~innkit.render.substance_cells`, by its position."""


def _single(d: Decoding) -> bool:
    """The decoding's identifiers belong to one substance (or to none): not an ambiguous name."""
    return d.substance is None or not d.substance.ambiguous


def _tsv_cell(key: str, d: Decoding) -> str:
    if key == "eras":
        return ",".join(d.eras)
    if key == "modifiers":
        return ";".join(f"{m.word}:{m.kind}" for m in d.modifiers)
    if key == "radiolabel":
        return d.radiolabel.isotope if d.radiolabel else ""
    if key == "warnings":
        return " | ".join(d.warnings)
    if key == "segmentation":
        return d.segmentation or ""
    if key in _SUBSTANCE_CELLS:
        return substance_cells(d.substance)[_SUBSTANCE_CELLS[key]]
    if key == "inn_number":
        return dict(d.identifiers).get("inn_number", "") if _single(d) else ""
    value = getattr(d, key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def _text_line(d: Decoding) -> str:
    label = identity_label(d)
    return f"{d.input}{f' ({label})' if label else ''}  →  {summary(d)}"


def _read_stdin_names(waiting: Callable[[], None]) -> Iterator[str | bytes]:
    """Names from standard input, one per line, decoded lazily so that huge inputs stream.

    ``waiting`` runs before each read that may block (the output is flushed then): a program
    that writes a name and waits for its line gets it at once, and a file or a pipe full of
    names is answered in large writes, not in one system call per name."""
    for chunk in _read_stdin_chunks(waiting):
        yield from chunk


def _read_stdin_chunks(waiting: Callable[[], None]) -> Iterator[list[str | bytes]]:
    """The names of :func:`_read_stdin_names`, a list for each read of standard input (what
    was there, up to ``_CHUNK`` bytes): a long list shared by processes is cut from these."""
    try:
        fd = sys.stdin.buffer.fileno()
    except (AttributeError, OSError, ValueError):  # a stream in memory (tests): no descriptor
        fd = -1
    if fd < 0:
        for raw in sys.stdin.buffer:
            waiting()
            yield list(_names_of((raw,)))
        return
    pending = b""
    while True:
        waiting()
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            break
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        yield list(_names_of(lines))
    if pending:
        yield list(_names_of((pending,)))


_CHUNK = 1 << 16
"""Bytes read from standard input at a time (what is there, up to this)."""


def _names_of(lines: Iterable[bytes]) -> Iterator[str | bytes]:
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield line  # decode() reports it as binary input, line by line


def _jsonl_line(d: Decoding) -> str:
    return d.to_json() + "\n"


def _tsv_line(d: Decoding) -> str:
    return "\t".join([_tsv_cell(k, d) for k in TSV_COLUMNS]) + "\n"


def _plain_line(d: Decoding) -> str:
    return _text_line(d) + "\n"


_LINE: dict[str, Callable[[Decoding], str]] = {
    "jsonl": _jsonl_line, "tsv": _tsv_line, "text": _plain_line}
"""The line of one decoding in each streamed format (``json`` is one document, not lines)."""


def _emit(decodings: Iterable[Decoding], fmt: str, single: bool) -> None:
    out = sys.stdout
    if fmt == "json":
        items = [d.to_dict() for d in decodings]
        json.dump(items[0] if single and len(items) == 1 else items, out, indent=2,
                  ensure_ascii=False)
        out.write("\n")
        return
    if fmt == "tsv":
        out.write("\t".join(TSV_COLUMNS) + "\n")
    write, line = out.write, _LINE[fmt]
    for d in decodings:
        write(line(d))
    out.flush()


_SETTLED: list[bool] = []
"""Whether the collector ran before each :func:`_settle` still in force."""


def _settle() -> bool:
    """After the first decoding (the tables and indexes are loaded now, and live as long as the
    run): the cyclic garbage collector frozen and off while names stream. Decodings make no
    reference cycles (``tests/test_no_cycles.py`` checks it), so a collection frees nothing,
    yet each one walked the hundreds of thousands of recent decodings the caches keep: with a
    threshold of 200,000 objects, 100 ms a time and 8% of a long list's run. False when a
    caller in this process has frozen already (nothing done)."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    _SETTLED.append(gc.isenabled())
    gc.disable()
    return True


def _unsettle() -> None:
    """The collector as before :func:`_settle` (a caller in the same process, a test or an
    embedding, collects as before)."""
    gc.unfreeze()
    if _SETTLED and _SETTLED.pop():
        gc.enable()


def _decode_lines(names: list[str | bytes], fmt: str,
                  encoding: tuple[str, str] | None = None) -> tuple[str | bytes, bool]:
    """The output lines of a batch of names, and whether any was not decoded (in a worker
    process, or here). With ``encoding`` (standard output's encoding and error handler),
    the lines come as the bytes standard output would write: a worker's lines cross to the
    writing process as they are, not decoded and encoded again on the way."""
    line = _LINE[fmt]
    failed = False
    out = []
    for name in names:
        d = decode(name)
        failed = failed or d.kind == Kind.UNKNOWN
        out.append(line(d))
    text = "".join(out)
    if encoding is not None:
        try:
            return text.encode(*encoding), failed
        except (UnicodeError, LookupError):  # written as text, which reports it as before
            pass
    return text, failed


def _byte_output() -> tuple[tuple[str, str], Any] | None:
    """Standard output's encoding and error handler, and its binary buffer, when lines may be
    written to the buffer as bytes with the same result (no newline translation); None for
    a stream without one (a stream in memory)."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    encoding, errors = getattr(out, "encoding", None), getattr(out, "errors", None)
    if buffer is None or not isinstance(encoding, str) or not isinstance(errors, str) \
            or os.linesep != "\n":
        return None
    return (encoding, errors), buffer


PARALLEL_FROM = 2_000
"""Names decoded in this process before worker processes start: a short list (or a program
asking one name at a time) never starts one."""
BATCH = 500
"""Names handed to a worker at a time (a few milliseconds of work each)."""
SMALL_BATCH = 100
"""A read of fewer names is decoded here: shipping it would cost more than it saves."""
IN_FLIGHT = 2
"""Batches a worker has at a time: one it works on, one waiting."""
AHEAD = 8
"""Batches, per process, whose lines may wait to be written in order (bounded memory)."""


def _worker_start(parent: int) -> None:
    """A worker's first act: bound to its parent's life, and deaf to the stopping signals,
    which the command's own process handles (it stops the workers)."""
    import signal

    die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


class _Shared:
    """A long list of names on standard input decoded by ``helpers`` worker processes forked
    from this one (they share its loaded tables), the lines written in input order.

    A read's names are cut into batches, each handed to a worker once one has room; this
    process reads, hands out and writes (its share of a core: the decoding is the workers'),
    and decodes a short read itself. Lines are written as soon as every batch before theirs
    is written, and all of them before a read that would wait: a program that writes names
    and waits for their lines gets them at once. The output is byte for byte that of one
    process."""

    def __init__(self, helpers: int, fmt: str) -> None:
        self.helpers = helpers
        self.fmt = fmt
        self.pool: Any = None
        self.broken = False
        self.failed = False
        self.slots: deque[list[Any]] = deque()  # [future or None, names, lines or None]
        self.bytes_out = _byte_output()

    def start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        for stream in (sys.stdout, sys.stderr):  # or a child writes it again
            with contextlib.suppress(Exception):
                stream.flush()
        gc.freeze()  # what is loaded is not walked, nor copied into the workers by it
        try:
            with no_interrupts():  # workers are born with Ctrl-C blocked, then ignore it
                self.pool = ProcessPoolExecutor(
                    self.helpers, mp_context=multiprocessing.get_context("fork"),
                    initializer=_worker_start, initargs=(os.getpid(),))
                self.pool.submit(int).result()  # the workers are forked now, not later
        except (OSError, RuntimeError, ValueError, ImportError):
            self.broken = True
            self.close()

    def add(self, names: list[str | bytes]) -> None:
        """A read's names: shipped in batches (once the workers have room) or decoded here; the
        lines that are due written."""
        for at in range(0, len(names), BATCH):
            batch = names[at:at + BATCH]
            future = None
            if self.pool is not None and not self.broken and len(batch) >= SMALL_BATCH:
                while self.slots and self._busy() >= IN_FLIGHT * self.helpers:
                    self.write(wait=True)  # the workers are full: this process writes
                future = self._submit(batch)
            if future is not None:
                self.slots.append([future, batch, None])
            else:
                self.slots.append([None, batch, self._here(batch)])
            self.write(wait=len(self.slots) > AHEAD * self.helpers)

    def _busy(self) -> int:
        """Batches the workers have not finished."""
        return sum(1 for future, _, _ in self.slots if future is not None and not future.done())

    def _submit(self, batch: list[str | bytes]) -> Any:
        try:
            with no_interrupts():
                return self.pool.submit(_decode_lines, batch, self.fmt,
                                        self.bytes_out[0] if self.bytes_out else None)
        except (RuntimeError, OSError):  # the pool broke (a worker was killed)
            self.broken = True
            return None

    def _here(self, batch: list[str | bytes]) -> str | bytes:
        lines, failed = _decode_lines(batch, self.fmt)
        self.failed = self.failed or failed
        return lines

    def write(self, *, wait: bool) -> None:
        """Write the lines that are ready, in order; with ``wait``, at least the first batch's
        (waiting for its worker)."""
        slots, out = self.slots, sys.stdout
        while slots:
            future, batch, lines = slots[0]
            if future is not None:
                if not (wait or future.done()):
                    break
                try:
                    lines, failed = future.result()
                except Exception:  # a worker died (killed, out of memory): decoded here
                    self.broken = True
                    lines, failed = _decode_lines(batch, self.fmt)
                self.failed = self.failed or failed
            slots.popleft()
            if isinstance(lines, bytes) and self.bytes_out is not None:
                out.flush()  # what was written as text goes first
                self.bytes_out[1].write(lines)
            else:
                out.write(lines)
            wait = False

    def drain(self) -> None:
        """Every line written and flushed (before a read that may wait for its names)."""
        while self.slots:
            self.write(wait=True)
        sys.stdout.flush()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _waits(fd: int) -> bool:
    """Whether a read of ``fd`` would wait now (a pipe with nothing in it yet)."""
    import select

    try:
        ready, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return not ready


def _emit_shared(fmt: str, helpers: int) -> bool:
    """Names on standard input in ``fmt`` lines, shared with worker processes once the list
    is long; whether any was not decoded."""
    out = sys.stdout
    shared = _Shared(helpers, fmt)
    try:
        fd = sys.stdin.buffer.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1

    def waiting() -> None:
        if fd < 0 or _waits(fd):
            shared.drain()
        else:
            shared.write(wait=False)

    if fmt == "tsv":
        out.write("\t".join(TSV_COLUMNS) + "\n")
    seen = 0
    froze = started = False
    try:
        for names in _read_stdin_chunks(waiting):
            if not started and names:
                shared.add(names[:1])  # the tables are loaded by the first name: as above
                names, started = names[1:], True
                froze = _settle()
            seen += len(names)
            if shared.pool is None and not shared.broken and seen >= PARALLEL_FROM \
                    and fd >= 0 and len(names) >= SMALL_BATCH and can_fork():
                shared.start()
            shared.add(names)
        shared.drain()
    finally:
        shared.close()
        if froze:
            _unsettle()
    return shared.failed


def _helpers(jobs: int | None) -> int:
    """Worker processes for a long list: one per core, none on one core or with ``--jobs 1``
    (this process, which reads and writes, decodes alone)."""
    if jobs is None:
        jobs = min(available_cores(), MAX_JOBS)
    return jobs if jobs > 1 else 0


@click.command("decode")
@click.argument("names", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "tsv"]),
              default="text", show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any name is not decoded.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Processes decoding a long list of names on standard input (text, jsonl, "
                   "tsv) (default: one per core; 1: this process alone).")
def decode_cmd(names: tuple[str, ...], fmt: str, strict: bool, jobs: int | None) -> None:
    """Decode NAMES (or names on standard input, one per line).

    \b
    Examples:
      innkit decode "inotuzumab ozogamicin" ecromeximab
      innkit decode --format jsonl < names.txt
    """
    if names:
        source: Iterable[str | bytes] = names
    elif sys.stdin.isatty():
        raise click.UsageError("give names as arguments, or pipe them in one per line")
    elif fmt != "json" and (helpers := _helpers(jobs)) > 0:
        if _emit_shared(fmt, helpers) and strict:
            sys.exit(1)
        return
    else:
        source = _read_stdin_names(lambda: sys.stdout.flush())
    failed = False
    froze = False

    def decoded() -> Iterator[Decoding]:
        nonlocal failed, froze
        for i, name in enumerate(source):
            d = decode(name)
            if i == 0:
                froze = _settle()
            failed = failed or d.kind == Kind.UNKNOWN
            yield d

    try:
        _emit(decoded(), fmt, single=len(names) == 1)
    finally:
        if froze:  # a caller in the same process (a test, an embedding) collects as before
            _unsettle()
    if strict and failed:
        sys.exit(1)


@click.command("explain")
@click.argument("name", nargs=-1, required=True)
def explain_cmd(name: tuple[str, ...]) -> None:
    """Print a readable card that explains each part of NAME.

    Words are joined, so quoting is optional: innkit explain inotuzumab ozogamicin
    """
    click.echo(render_card(decode(" ".join(name))))
