"""One long text on several cores: its pieces scanned and decoded in worker processes, and
stitched in order here.

Most of the work on a bulk text (the scan, judging words, decoding names) depends on each piece
alone; only the short forms a text defines run through it, so they are linked here, piece by
piece, in order. The answer is that of :func:`innkit.annotate.annotate_chunks`: a piece whose
first name would start before the previous piece's last name ends (a name cut by the piece's
edge), or that holds invisible characters, is annotated again here, as annotate_chunks would.

Workers send each decoding once (keyed by the text it decodes: a mention's decoding is the
decoding of its text); here they go into the annotator's own cache, and a decoding that has
left it is decoded again here, so nothing rests on what was sent.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..models import Decoding
from ..registry import Registry, get_registry, set_registry
from .core import (
    Mention,
    Piece,
    has_invisible,
    link,
    pieces,
    shared_annotator,
    uses_of,
    with_look_alikes,
)

if TYPE_CHECKING:  # the process machinery is imported when a long document needs it
    from concurrent.futures import Future, ProcessPoolExecutor

PARALLEL_FROM = 2_000_000
"""Characters of a document annotated here before workers start: a worker process takes about
half a second to be ready, the time of some three megabytes, so a short document never starts
one."""
IN_FLIGHT = 3
"""Pieces a worker has at a time: one it works on, two waiting."""
AHEAD = 6
"""Pieces read ahead of the one being stitched, per process (this one and each worker):
a few megabytes of text."""
MAX_JOBS = 8
SENT_AT_MOST = 50_000
"""Decodings a worker remembers having sent, and this process having given or received; then
each starts again (sending some twice)."""
GIVEN_AT_MOST = 5_000
"""Decodings handed to a worker with one piece."""


def available_cores() -> int:
    """Cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs() -> int:
    """Worker processes: one per core but one, for this process works on pieces too."""
    return max(0, min(available_cores() - 1, MAX_JOBS))


_Row = tuple[int, int, str, bool, str, str, str | None]
"""A mention without its decoding: start, end, text, known, how, confidence, suggestion."""
_Done = tuple[list[Mention], list[tuple[str, tuple[Decoding, str]]],
              dict[str, list[tuple[int, int]]], list[Mention]]
"""A piece's names, its definitions, the uses of the short forms, its look-alike words."""
_SENT: set[str] = set()  # in a worker: texts whose decoding this process has sent


def _piece_names(leniency: str, piece: Piece, shorts: tuple[str, ...]) -> _Done | None:
    """Everything of a piece that does not depend on the pieces before it: its names, its
    definitions, the uses of those and of ``shorts`` (the short forms the document had defined
    when the piece was handed out), and its look-alike words; None when the piece must be
    annotated where the whole document is (invisible characters)."""
    if has_invisible(piece.text, piece.begin):
        return None
    annotator = shared_annotator(leniency)
    found = annotator.found(piece.text, offset=piece.base, stop=piece.stop, begin=piece.begin)
    local: dict[str, tuple[Decoding, str]] = {}
    uses: dict[str, list[tuple[int, int]]] = {}
    if leniency != "strict":
        annotator.define(piece.text, found, piece.base, local)
        uses = uses_of(piece.text, [*shorts, *local], piece.begin, piece.stop)
    looks = annotator.look_alikes(piece.text, piece.base, piece.begin, piece.stop)
    return found, list(local.items()), uses, looks


def _work(leniency: str, piece: Piece | None, shorts: tuple[str, ...] = (),
          known: dict[str, Decoding] | None = None) -> tuple[Any, ...] | None:
    """In a worker: :func:`_piece_names`, its names sent as rows and each decoding once; None
    for no piece (a worker started ahead of need). ``known``: decodings made elsewhere since,
    kept so as not to decode the same names again."""
    if piece is None:
        return None
    if known:
        shared_annotator(leniency).remember(known)
        _SENT.update(known)
    done = _piece_names(leniency, piece, shorts)
    if done is None:
        return None
    found, local, uses, looks = done
    if len(_SENT) > SENT_AT_MOST:
        _SENT.clear()
    new: dict[str, Decoding] = {}
    for m in found:
        if m.text not in _SENT:
            _SENT.add(m.text)
            new[m.text] = m.decoding
    rows: list[_Row] = [(m.start, m.end, m.text, m.known, m.how, m.confidence, m.suggestion)
                        for m in found]
    return rows, new, local, uses, looks


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Ctrl-C held back while worker processes start, so that they are born with it blocked:
    the command's own process stops them, and a worker never prints a KeyboardInterrupt. A
    Ctrl-C that comes meanwhile is not lost: it reaches this process once they have started."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks to inherit
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _warm(leniency: str, registry: dict[str, Any]) -> None:
    """A worker's first act: the registry the document's process uses, and the scanner
    loaded from the disk cache."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_registry(Registry(**registry))
    _ = shared_annotator(leniency).scanner


class Workers:
    """A pool of worker processes for long documents, started on first need and shared by
    every document of a run. ``jobs`` 0 (the default on one core) never starts one."""

    def __init__(self, jobs: int | None = None, leniency: str = "standard") -> None:
        self.jobs = default_jobs() if jobs is None else max(0, jobs)
        self.leniency = leniency
        self._pool: ProcessPoolExecutor | None = None
        self.broken = False

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, piece: Piece | None, leniency: str, shorts: tuple[str, ...] = (),
               known: dict[str, Decoding] | None = None) -> Future | None:
        """The piece handed to a worker, or None when there is none (then it is done here)."""
        if self.jobs < 1 or self.broken:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            if self._pool is None:
                # spawn: a fresh interpreter, not a copy of this one with its open SQLite files
                self._pool = ProcessPoolExecutor(
                    self.jobs, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm, initargs=(self.leniency, get_registry().arguments()))
            with _no_interrupts():  # a submit may start a worker: it inherits the setting
                return self._pool.submit(_work, leniency, piece, shorts, known)
        except (BrokenProcessPool, RuntimeError, OSError):
            self.broken = True
            return None

    def start(self) -> None:
        """Start the workers now, ahead of need (a long file is coming): they load while this
        process reads its first pieces. This process's own scanner is loaded first, so that on
        a fresh machine the disk caches are built once, here, not by every worker at once."""
        if self._pool is None and self.jobs > 0 and not self.broken:
            _ = shared_annotator(self.leniency).scanner
            for _ in range(self.jobs):  # each waiting task brings up one more process
                if self.submit(None, self.leniency) is None:
                    return

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _Slot:
    """A piece on its way: with a worker (``future``), worked on here (``result``), or
    waiting for either."""

    __slots__ = ("future", "here", "piece", "ready", "result")

    def __init__(self, piece: Piece) -> None:
        self.piece = piece
        self.future: Future | None = None
        self.result: _Done | None = None
        self.ready = False  # result is the piece's answer (None: annotate it whole here)
        self.here = False


def annotate_stream(chunks: Iterable[str], *, leniency: str = "standard",
                    workers: Workers | None = None) -> Iterator[Mention]:
    """:func:`~innkit.annotate.annotate_chunks` of the default registry, its pieces shared
    between this process and the ``workers``' processes: the same mentions in the same order.

    Each worker has a piece and two more waiting; while the first piece's result is not back,
    this process works on the last piece no worker has, so no core waits. (Nothing handed to
    a worker is taken back: cancelling queued work trips Python 3.11's pool when a worker
    dies.) Workers are fresh interpreters (spawned), so a script that uses them runs under
    ``if __name__ == "__main__":``, as for any use of :mod:`multiprocessing`.
    """
    annotator = shared_annotator(leniency)
    defined: dict[str, tuple[Decoding, str]] = {}
    last_end = 0
    pending: deque[_Slot] = deque()
    jobs = workers.jobs if workers is not None else 0

    def stitched(piece: Piece, result: _Done | None) -> list[Mention]:
        nonlocal last_end
        floor = max(0, last_end - piece.base)
        if result is None or (result[0] and result[0][0].start < last_end):
            mentions = annotator.annotate(piece.text, offset=piece.base, stop=piece.stop,
                                          begin=piece.begin, floor=floor,
                                          abbreviations=defined)
        else:
            found, local, uses, looks = result
            if leniency != "strict":
                for short, definition in local:
                    defined.setdefault(short, definition)
                found = link(piece.text, found, piece.base, piece.begin, piece.stop, defined,
                             floor, uses)
            mentions = with_look_alikes(found, looks)
        if mentions:
            last_end = mentions[-1].end
        return mentions

    shared: set[str] = set()  # texts whose decodings the workers have (sent or received)

    def news() -> dict[str, Decoding]:
        """Decodings made here that no worker has been given (some thousands at most)."""
        if len(shared) > SENT_AT_MOST:
            shared.clear()
        made = dict(islice(((t, d) for t, d in annotator.decodings.items()
                            if t not in shared), GIVEN_AT_MOST))
        shared.update(made)
        return made

    def dispatch() -> None:
        """Hand waiting pieces, first first, to workers with room (IN_FLIGHT each)."""
        if workers is None:
            return
        busy = sum(1 for s in pending if s.future is not None and not s.future.done())
        for slot in pending:
            if busy >= IN_FLIGHT * jobs:
                break
            if slot.future is None and not slot.ready and not slot.here:
                slot.future = workers.submit(slot.piece, leniency, tuple(defined), news())
                if slot.future is None:  # no workers after all
                    return
                busy += 1

    def collect(slot: _Slot) -> None:
        """A worker's result, its decodings taken in (not decoded here again)."""
        slot.future, future = None, slot.future
        slot.ready = True
        try:
            sent = future.result()  # type: ignore[union-attr]
        except Exception:  # a worker died (killed, out of memory) or failed: go on here
            if workers is not None:
                workers.broken = True
            return
        if sent is None:
            return
        rows, new, local, uses, looks = sent
        annotator.remember(new)
        shared.update(new)
        decoding = annotator.decoding
        found = [Mention(a, b, text, decoding(text), k, how, confidence, suggestion)
                 for a, b, text, k, how, confidence, suggestion in rows]
        slot.result = (found, local, uses, looks)

    def next_done() -> list[Mention]:
        first = pending[0]
        while not (first.ready or first.here):
            if first.future is None:
                first.here = True  # nobody has it: annotate it whole now
                break
            if first.future.done():
                collect(first)
                break
            for slot in pending:  # take in what workers have done meanwhile
                if slot.future is not None and slot.future.done():
                    collect(slot)
            if first.ready:
                break
            idle = next((s for s in reversed(pending)
                         if s.future is None and not s.ready and not s.here), None)
            if idle is None:
                collect(first)
                break
            idle.result = _piece_names(leniency, idle.piece, tuple(defined))
            idle.ready = True
        pending.popleft()
        dispatch()
        return stitched(first.piece, None if first.here else first.result)

    ahead = (jobs + 1) * AHEAD
    try:
        for piece in pieces(chunks):
            slot = _Slot(piece)
            slot.here = (piece.base + len(piece.text) < PARALLEL_FROM or jobs < 1
                         or (workers is not None and workers.broken))
            pending.append(slot)
            dispatch()
            while pending and (pending[0].here or len(pending) > ahead):
                yield from next_done()
        while pending:
            yield from next_done()
    finally:
        pending.clear()
