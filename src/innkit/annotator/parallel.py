"""One long text on several cores: its pieces scanned and decoded in worker processes, and
handed back in order to the stitcher (:func:`innkit.annotator.stitch.annotate_chunks`).

Most of the work on a bulk text (the scan, judging words, decoding names) depends on each piece
alone; only the short forms a text defines run through it, so they are linked in this process,
piece by piece, in order. The answer is that of the stitcher in one process: a piece whose first
name would start before the previous piece's last name ends (a name cut by the piece's edge),
or that holds invisible characters, is annotated again here.

Workers send each decoding once (keyed by the text it decodes: a mention's decoding is the
decoding of its text); here they go into the annotator's own cache, and a decoding that has
left it is decoded again here, so nothing rests on what was sent.

On Linux, when this process runs no other thread, workers are forked from it once its scanner,
registry and decoder tables are loaded: they start in milliseconds and share those read-only
pages with it (copy on write), instead of each loading its own copy in a fresh interpreter.
The only database open then is the in-memory table of known names (the user registry is
copied into it and let go; the substance index is a memory-mapped file), which a fork copies
whole. Elsewhere, or with other threads running (a fork copies their locks as they are), they
are spawned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import inspect
import os
import signal
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from .. import models
from ..decoder.decode import UNLISTED_WORDS
from ..models import Decoding, Mention
from ..registry import Registry, get_registry, set_registry
from ..vocab import How, Leniency
from ..workers import MAX_JOBS, available_cores, busy_elsewhere, can_fork, die_with, no_interrupts
from .core import Annotator, shared_annotator
from .stream import Piece, PieceNames, piece_names

if TYPE_CHECKING:  # the process machinery is imported when a long document needs it
    from concurrent.futures import Future, ProcessPoolExecutor

PARALLEL_FROM = 2_000_000
"""Characters of a document annotated here before workers start: a worker process takes about
half a second to be ready, the time of some three megabytes, so a short document never starts
one."""
FORKED_FROM = 1_000_000
"""As PARALLEL_FROM, where workers are forked (ready in milliseconds): a document longer than
its first piece (a megabyte read at a time) is shared. Once forked workers are running (the
command starts them when a file is this long), every piece of a document of more than one
is shared, the first too."""
IN_FLIGHT = 3
"""Pieces a worker has at a time: one it works on, two waiting."""
AHEAD = 6
"""Pieces read ahead of the one being stitched, per process (this one and each worker):
a few megabytes of text."""
SENT_AT_MOST = 50_000
"""Decodings a worker remembers having sent, and this process having given or received; then
each starts again (sending some twice)."""
GIVEN_AT_MOST = 5_000
"""Decodings handed to a worker with one piece."""


def default_jobs() -> int:
    """Worker processes: one per core but one, for this process works on pieces too, and
    none for a core that other processes keep busy beyond the first such process (see
    :func:`~innkit.workers.busy_elsewhere`): on a loaded machine a document shared between
    processes that wait for each other is slower than in one process (the 28 MB bulk text,
    with four other processes on two cores: 8.3 s shared, 6.0 s in one process)."""
    cores = available_cores()
    return max(0, min(cores - 1, cores - max(1, busy_elsewhere()), MAX_JOBS))


def _rebuilt(cls: type, names: tuple[str, ...], values: tuple[object, ...]) -> object:
    """A frozen result as it was sent: its fields set as they were, no check run again."""
    result = object.__new__(cls)
    for name, value in zip(names, values, strict=True):
        object.__setattr__(result, name, value)
    return result


def _reducer(cls: type):
    """How a result class travels between the processes: its field values in order. (The
    pickling Python gives a frozen dataclass with slots asks for its fields once per object,
    and a piece's names and decodings are thousands of objects.) Read in C, and rebuilt by
    the class itself where its ``__init__`` takes every field in order and runs no check (the
    results' own, which store each field through its slot: a third faster to load than
    setting them one by one here)."""
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    values = attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))
    if (names and all(f.init for f in fields) and not hasattr(cls, "__post_init__")
            and list(inspect.signature(cls).parameters) == list(names)):
        def reduce(result: object) -> tuple[object, ...]:
            return cls, values(result)
    else:
        def reduce(result: object) -> tuple[object, ...]:
            return _rebuilt, (cls, names, values(result))

    return reduce


def _register_reducers() -> None:
    """Results sent between this process and the workers by :func:`_reducer` (both sides,
    before the first is sent); other pickling is left as it is."""
    from multiprocessing.reduction import ForkingPickler

    for cls in vars(models).values():
        if (isinstance(cls, type) and issubclass(cls, models.Result)
                and dataclasses.is_dataclass(cls) and cls.__module__ == models.__name__):
            ForkingPickler.register(cls, _reducer(cls))


_Row = tuple[int, int, str, bool, str, str, str | None]
"""A mention without its decoding: start, end, text, known, how, confidence, suggestion."""


@dataclass(frozen=True, slots=True)
class _Sent:
    """A piece's names as a worker sends them: rows, and the decodings it has not sent before
    (``new``); the rest as in :class:`~innkit.annotator.stream.PieceNames`."""

    rows: list[_Row]
    new: dict[str, Decoding]
    defined: list[tuple[str, tuple[Decoding, How]]]
    uses: dict[str, list[tuple[int, int]]] | None
    looks: list[Mention]
    looked: int


_SENT: set[str] = set()  # in a worker: texts whose decoding this process has sent


def _annotator(leniency: Leniency | str, registry: dict[str, Any]) -> Annotator:
    """In a worker: the annotator of the document's registry (given by its arguments), the
    process-wide one, replaced when a document comes with another."""
    if get_registry().arguments() != registry:
        set_registry(Registry(**registry))
    return shared_annotator(leniency)


def _work(leniency: Leniency | str, registry: dict[str, Any], piece: Piece | None,
          shorts: tuple[str, ...] = (), known: dict[str, Decoding] | None = None) -> _Sent | None:
    """In a worker: :func:`~innkit.annotator.stream.piece_names`, its names sent as rows and
    each decoding once; None for no piece (a worker started ahead of need). ``known``:
    decodings made elsewhere since, kept so as not to decode the same names again."""
    if piece is None:
        return None
    annotator = _annotator(leniency, registry)
    if known:
        annotator.remember(known)
        _SENT.update(known)
    names = piece_names(annotator, piece, shorts)
    if names is None:
        return None
    if len(_SENT) > SENT_AT_MOST:
        _SENT.clear()
    new: dict[str, Decoding] = {}
    for m in names.found:
        if m.text not in _SENT:
            _SENT.add(m.text)
            new[m.text] = m.decoding
    rows: list[_Row] = [(m.start, m.end, m.text, m.known, m.how, m.confidence, m.suggestion)
                        for m in names.found]
    return _Sent(rows, new, names.defined, names.uses, names.looks, names.looked)


def _warm(leniency: Leniency | str, registry: dict[str, Any], parent: int | None = None) -> None:
    """A worker's first act: bound to its parent's life, the registry the document's process
    uses, and the scanner loaded from the disk cache (a forked worker has both already)."""
    if parent is not None:
        die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _register_reducers()
    if get_registry().arguments() != registry:
        set_registry(Registry(**registry))
    _ = shared_annotator(leniency).scanner


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """The objects of this process set aside from the cyclic garbage collector while workers
    are forked: a collection in a worker would otherwise write to every page holding one
    (their collector headers), copying the loaded tables into each worker."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _loaded(annotator: Annotator) -> None:
    """What every worker reads, loaded here before forking so that the workers share it: the
    scanner, and the decoder's name tables (loaded by decoding words no name list holds, an
    antibody-shaped one and a plain one: the decoder reads every list for them)."""
    load_pending = getattr(annotator.scanner, "load_pending", None)
    if load_pending is not None:  # the UNII database, if only deferred (not yet needed)
        load_pending()
    for word in UNLISTED_WORDS:
        annotator.decoding(word)


class Workers:
    """A pool of worker processes for long documents, started on first need and shared by
    every document of a run. ``jobs`` 0 (the default on one core) never starts one."""

    def __init__(self, jobs: int | None = None,
                 leniency: Leniency | str = Leniency.STANDARD) -> None:
        self.jobs = default_jobs() if jobs is None else max(0, jobs)
        self.leniency = Leniency(leniency)
        self._pool: ProcessPoolExecutor | None = None
        self._forked = False  # the pool's workers are forked from this process
        self.broken = False

    @property
    def start_from(self) -> int:
        """Characters of a document annotated in this process before its pieces are shared:
        fewer where workers are forked, for they are ready at once."""
        if self._pool is not None:
            return 0 if self._forked else PARALLEL_FROM
        return FORKED_FROM if can_fork() else PARALLEL_FROM

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, piece: Piece | None, leniency: Leniency | str, registry: dict[str, Any],
               shorts: tuple[str, ...] = (),
               known: dict[str, Decoding] | None = None) -> Future | None:
        """The piece handed to a worker, or None when there is none (then it is done here).
        ``registry``: the arguments of the document's registry; the first submission's warm
        the workers."""
        if self.jobs < 1 or self.broken:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            if self._pool is None:
                _register_reducers()
                method = "spawn"
                if can_fork():
                    method = "fork"
                    _loaded(shared_annotator(self.leniency))
                    for stream in (sys.stdout, sys.stderr):  # or a child writes it again
                        with contextlib.suppress(Exception):
                            stream.flush()
                self._pool = ProcessPoolExecutor(
                    self.jobs, mp_context=multiprocessing.get_context(method),
                    initializer=_warm, initargs=(self.leniency, registry, os.getpid()))
                self._forked = method == "fork"
                if self._forked:
                    # the workers are forked at the first submission
                    with _frozen(), no_interrupts():
                        return self._pool.submit(_work, leniency, registry, piece, shorts, known)
            with no_interrupts():  # a submit may start a worker: it inherits the setting
                return self._pool.submit(_work, leniency, registry, piece, shorts, known)
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
                if self.submit(None, self.leniency, get_registry().arguments()) is None:
                    return

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _Slot:
    """A piece on its way: with a worker (``future``), worked on here (``result``), or
    waiting for either."""

    __slots__ = ("future", "here", "piece", "ready", "result")

    def __init__(self, piece: Piece, here: bool) -> None:
        self.piece = piece
        self.future: Future | None = None
        self.result: PieceNames | None = None
        self.ready = False  # result is the piece's answer (None: annotate it whole here)
        self.here = here  # nobody has it: it is annotated whole here when its turn comes

    @property
    def idle(self) -> bool:
        """Neither handed out nor done."""
        return self.future is None and not self.ready and not self.here

    @property
    def finished(self) -> bool:
        """A worker has sent its result."""
        return self.future is not None and self.future.done()


class Schedule:
    """One document's pieces on their way to the stitcher, first first, shared between this
    process and the ``workers``' processes.

    Each worker has a piece and two more waiting; while the first piece's result is not back,
    this process works on the last piece no worker has, so no core waits. (Nothing handed to
    a worker is taken back: cancelling queued work trips Python 3.11's pool when a worker
    dies.) ``defined``: the short forms the document has defined so far, as the stitcher grows
    them; a worker is told them to find their uses in its piece.
    """

    def __init__(self, workers: Workers, annotator: Annotator,
                 defined: Mapping[str, object]) -> None:
        self.workers = workers
        self.annotator = annotator
        self.registry = annotator.registry.arguments()
        self.defined = defined
        self.pending: deque[_Slot] = deque()
        self.shared: set[str] = set()  # texts whose decodings the workers have (sent or given)
        self.ahead = (workers.jobs + 1) * AHEAD
        self._source: Iterator[Piece] | None = None  # where flow() reads pieces from

    def __len__(self) -> int:
        return len(self.pending)

    def add(self, piece: Piece) -> None:
        """The document's next piece: done here while the document is short, else handed to a
        worker when one has room."""
        workers = self.workers
        whole = piece.stop is None and piece.base + piece.begin == 0  # a one-piece document
        here = (whole or piece.base + len(piece.text) < min(PARALLEL_FROM, workers.start_from)
                or workers.jobs < 1 or workers.broken)
        self.pending.append(_Slot(piece, here))
        self._dispatch()

    def due(self) -> bool:
        """Whether the first piece is to be stitched now: it is done here, its names are
        back (stitched and written while the workers go on, not all at the end), or enough
        pieces are read ahead of it."""
        if not self.pending:
            return False
        first = self.pending[0]
        return first.here or first.ready or first.finished or len(self.pending) > self.ahead

    def flow(self, source: Iterator[Piece]) -> Iterator[tuple[Piece, PieceNames | None]]:
        """Each piece of ``source`` with its names (see :meth:`next_done`), in order.

        Pieces are read on while none is due, and while a worker has room and no piece to
        take: a worker never waits while this process stitches and writes a run of pieces
        that came back together, nor this process while the first piece is out."""
        self._source = source
        while True:
            while self._hungry() and self._read():
                pass
            if not self.pending:
                return
            yield self.next_done()

    def _hungry(self) -> bool:
        """Whether to read the next piece before stitching the first."""
        if not self.pending:
            return True
        if len(self.pending) > self.ahead:
            return False
        if not self.due():
            return True
        if self.workers.jobs < 1 or self.workers.broken:
            return False
        return self._busy() < IN_FLIGHT * self.workers.jobs and not any(
            s.idle for s in self.pending)

    def _read(self) -> bool:
        """The source's next piece added; False when it has none left (or there is none)."""
        if self._source is None:
            return False
        piece = next(self._source, None)
        if piece is None:
            self._source = None
            return False
        self.add(piece)
        return True

    def _busy(self) -> int:
        return sum(1 for s in self.pending if s.future is not None and not s.future.done())

    def next_done(self) -> tuple[Piece, PieceNames | None]:
        """The first piece and its names, waiting for them if need be (working on other
        pieces meanwhile, read on if need be); names None: the stitcher annotates the piece
        whole."""
        first = self.pending[0]
        while not (first.ready or first.here):
            if first.future is None:
                first.here = True  # nobody has it: annotate it whole now
                break
            if first.future.done():
                self._collect(first)
                break
            for slot in self.pending:  # take in what workers have done meanwhile
                if slot.finished:
                    self._collect(slot)
            if first.ready:
                break
            idle = next((s for s in reversed(self.pending) if s.idle), None)
            if idle is None and len(self.pending) <= self.ahead and self._read():
                idle = next((s for s in reversed(self.pending) if s.idle), None)
            if idle is None:
                self._collect(first)
                break
            # stitched here: the uses of every form are looked for then, at once
            idle.result = piece_names(self.annotator, idle.piece, None)
            idle.ready = True
        self.pending.popleft()
        self._dispatch()
        return first.piece, None if first.here else first.result

    def clear(self) -> None:
        """Forget the pieces on their way (the document is abandoned or done)."""
        self.pending.clear()

    def _news(self) -> dict[str, Decoding]:
        """Decodings made here that no worker has been given (some thousands at most)."""
        if len(self.shared) > SENT_AT_MOST:
            self.shared.clear()
        made = dict(islice(((t, d) for t, d in self.annotator.decodings.items()
                            if t not in self.shared), GIVEN_AT_MOST))
        self.shared.update(made)
        return made

    def _dispatch(self) -> None:
        """Hand waiting pieces, first first, to workers with room (IN_FLIGHT each)."""
        busy = self._busy()
        for slot in self.pending:
            if busy >= IN_FLIGHT * self.workers.jobs:
                break
            if slot.idle:
                slot.future = self.workers.submit(slot.piece, self.annotator.leniency,
                                                  self.registry, tuple(self.defined),
                                                  self._news())
                if slot.future is None:  # no workers after all
                    return
                busy += 1

    def _collect(self, slot: _Slot) -> None:
        """A worker's result, its decodings taken in (not decoded here again)."""
        slot.future, future = None, slot.future
        slot.ready = True
        try:
            sent = future.result()  # type: ignore[union-attr]
        except Exception:  # a worker died (killed, out of memory) or failed: go on here
            self.workers.broken = True
            return
        if sent is None:
            return
        self.annotator.remember(sent.new)
        self.shared.update(sent.new)
        decoding = self.annotator.decoding
        found = [Mention(a, b, text, decoding(text), k, how, confidence, suggestion)
                 for a, b, text, k, how, confidence, suggestion in sent.rows]
        slot.result = PieceNames(found, sent.defined, sent.uses, sent.looks, sent.looked)
