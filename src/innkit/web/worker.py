"""Where the library's work runs: worker processes, each job bounded in time and stopped when it
runs over.

Python cannot stop a thread, so work over its time limit in a thread ran on after its 504 and
held the CPU, a worker and its memory (six pathological texts froze a server for minutes). Here
every job runs in a worker process, and a job over its time is ended by killing its process.

The processes come from one *pool process*, forked from the server when it starts: it loads the
tables and builds every scanner (the warm-up), hands the free heap back to the system and
freezes its objects out of the garbage collector's reach, then forks one worker per job in
flight. A fork shares the warm tables (copy on write) and takes milliseconds, so a killed worker
costs nothing to replace and a normal request finds a worker beside runaway ones. A worker
holds only the pages it wrote or copied; one whose own memory passes ``WORKER_BUDGET_BYTES``
is replaced by a fresh fork after its job. ``processes`` workers are
kept when idle, at most ``max_processes`` run at once, and further jobs wait (their wait counts
against the time limit). A job still running after ``DEMOTE_S`` gets a lower CPU priority,
so that a short request beside long ones keeps its speed. A job is sent as a pickled closure
(cloudpickle); the registry it uses travels as a reference to the worker's own warm copy.
Workers die with the pool process (``PR_SET_PDEATHSIG``), and the pool process ends when the
server's end of its pipe closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import io
import itertools
import json
import os
import pickle
import signal
import stat
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

import cloudpickle
from fastapi import HTTPException
from fastapi.responses import Response

from ..errors import InnkitError
from ..registry import Registry
from ..workers import die_with

DEMOTE_S = 1.0
"""A job still running after this many seconds has its worker's CPU priority lowered (nice
+10), so that short requests beside long ones keep their speed on a busy machine. A process
cannot raise its priority again: a lowered worker takes big jobs first, small ones only when
no other worker is ready, and is the first stopped when idle."""
IDLE_S = 30.0
"""Seconds an idle worker beyond the ``processes`` kept may live before it is stopped."""
WORKER_BUDGET_BYTES = 80 * 2**20
"""Memory a worker may hold of its own (its private pages: what it allocated, and the shared
pages it copied by writing to them, reference counts included) before it asks to be replaced
by a fresh fork after its job, so that neither one huge request nor the caches of thousands
of small ones stay with it for good."""
BUDGET_CHECK_JOBS = 32
"""Jobs between a worker's exact measures of its own memory (reading them walks every page,
about 10 ms for a warm worker); a growth of its allocated memory is noticed after every job."""
_RETIRE = b"retire"
"""A worker's message, after an answer, that it is over its budget."""
DEMOTED_NICE = 10
BIG_JOB_BYTES = 16_384
"""A job this large (a long text, a big batch) waits behind smaller ones and runs at the lower
priority from its start."""
SPARES = 1
"""Workers kept ready (or getting ready) beyond the jobs waiting, so that a request that comes
while every worker is busy does not wait for a fork."""
_PRIMING = -1
_REGISTRY = "registry"


class WorkerEnded(InnkitError):
    """The process doing a job ended before answering (killed from outside, out of memory)."""


ENDED = ("the worker process ended before answering (see the server log); retry, and if it "
         "happens again send less text per request")


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def _encode(work: Callable[[], Any]) -> bytes:
    """Run the work and serialise its answer in the worker, so both count against the time
    limit and neither blocks the event loop."""
    return json_bytes(work())


# -- pickling a job --------------------------------------------------------------------------
class _JobPickler(cloudpickle.Pickler):
    """Closures by value; the pool's registry by reference (the worker has its own)."""

    def __init__(self, file: io.BytesIO, registry: Registry) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.registry = registry

    def persistent_id(self, obj: Any) -> str | None:
        if obj is self.registry:
            return _REGISTRY
        if isinstance(obj, Registry):
            raise TypeError("a job may only use the registry its worker pool was started with")
        return None


class _JobUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, registry: Registry) -> None:
        super().__init__(file)
        self.registry = registry

    def persistent_load(self, pid: Any) -> Any:
        if pid == _REGISTRY:
            return self.registry
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


def _dumps_job(work: Callable[[], Any], registry: Registry) -> bytes:
    buffer = io.BytesIO()
    _JobPickler(buffer, registry).dump(work)
    return buffer.getvalue()


def _dumps_outcome(ok: bool, value: Any) -> bytes:
    """The job's answer or its error; an error that cannot be pickled travels as its text."""
    try:
        return pickle.dumps((ok, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # whatever the value, the server gets an answer
        shown = value if not ok else exc
        return pickle.dumps((False, RuntimeError(f"{type(shown).__name__}: {shown}")))


# -- the processes ---------------------------------------------------------------------------
def _quiet_signals() -> None:
    """Ctrl-C reaches the whole process group: the server stops the pool itself."""
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _close_sockets(keep: set[int]) -> None:
    """A process forked from the server must not hold its listening socket or its clients'
    connections (a client would never see its connection close)."""
    for entry in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(entry)
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)


def _resident_bytes(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _own_bytes() -> int:
    """This process's private written pages: what it holds beyond the pages it still shares
    with the pool (walks every page: call it seldom). Pages of files it only read (the
    substance index, the screening arrays) are not counted, though no other process may map
    them yet: they are the page cache's, read by every process from one copy, and the
    system takes them back when it needs the memory."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return total


def _anonymous_bytes() -> int:
    """This process's resident anonymous memory (cheap to read). A fork starts with the pool's;
    it grows by what the process allocates, not by the pages it shares, whether copied or
    not, nor by the pages of mapped files it touches."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Budget:
    """Whether a worker holds more memory of its own than ``WORKER_BUDGET_BYTES``: its growth in
    anonymous memory after every job (cheap, and a lower bound), its private pages (copied
    ones too) now and then."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = WORKER_BUDGET_BYTES if limit is None else limit
        self.start = self.measured_at = _anonymous_bytes()
        self.jobs = 0

    def exceeded(self) -> bool:
        self.jobs += 1
        resident = _anonymous_bytes()
        if resident - self.start > self.limit:
            return True
        if self.jobs % BUDGET_CHECK_JOBS and resident - self.measured_at < self.limit // 8:
            return False
        self.measured_at = resident
        return _own_bytes() > self.limit


def _worker_main(conn: Connection, registry: Registry) -> None:
    """One worker: jobs one at a time until the pool closes the pipe. It does not run the
    warm-up again: that would copy the pages of every table and index into it, where a job
    copies only those it touches."""
    budget = _Budget()
    conn.send_bytes(b"")  # ready
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            outcome = (True, _JobUnpickler(io.BytesIO(payload), registry).load()())
        except BaseException as exc:  # the server decides what an error means
            outcome = (False, exc)
        conn.send_bytes(_dumps_outcome(*outcome))
        del payload, outcome
        if budget.exceeded():
            conn.send_bytes(_RETIRE)  # the pool stops this process once it is idle


@dataclass
class _Child:
    pid: int
    conn: Connection
    job: int | None = None
    idle_since: float = 0.0
    started: float = 0.0
    demoted: bool = False
    retiring: bool = False


class _Pool:
    """The pool process: queues jobs, forks workers, kills the ones whose job was cancelled."""

    def __init__(self, conn: Connection, registry: Registry,
                 processes: int, max_processes: int) -> None:
        self.conn = conn
        self.registry = registry
        self.processes = processes
        self.max_processes = max_processes
        self.children: list[_Child] = []
        self.dying: list[int] = []
        self.queue: deque[tuple[int, bytes]] = deque()

    def fork(self) -> _Child:
        ours, theirs = Pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                ours.close()
                self.conn.close()
                for child in self.children:
                    child.conn.close()
                die_with(parent)
                _worker_main(theirs, self.registry)
            except BaseException:  # a worker never returns into the pool's code
                status = 1
            finally:
                os._exit(status)
        theirs.close()
        child = _Child(pid, ours, job=_PRIMING, idle_since=time.monotonic())
        self.children.append(child)
        return child

    def remove(self, child: _Child, kill: bool) -> None:
        """Stop a worker; it is reaped later (freeing a big worker's memory takes a while, and
        the pool must go on dispatching meanwhile)."""
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
        child.conn.close()
        self.children.remove(child)
        self.dying.append(child.pid)

    def reap(self, block: bool = False) -> None:
        for pid in list(self.dying):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, 0 if block else os.WNOHANG)[0] == 0:
                    continue
            self.dying.remove(pid)

    def dispatch(self) -> None:
        """Small jobs first (a big text waits behind a name), each to a ready worker; a big
        job's worker gets the lower priority at once."""
        while self.queue:
            job, payload = min(self.queue, key=lambda queued: len(queued[1]) > BIG_JOB_BYTES)
            big = len(payload) > BIG_JOB_BYTES
            # a demoted worker takes big jobs first, and small ones only when no other is ready
            idle = min((c for c in self.children if c.job is None and not c.retiring),
                       key=lambda c: c.demoted != big, default=None)
            if idle is None:
                break
            self.queue.remove((job, payload))
            try:
                idle.conn.send_bytes(payload)
            except OSError:
                self.remove(idle, kill=True)
                self.queue.appendleft((job, payload))
                continue
            idle.job = job
            idle.started = time.monotonic()
            if big and not idle.demoted:
                self.demote(idle)
        coming = sum(c.job in (None, _PRIMING) and not c.demoted for c in self.children)
        for _ in range(min(len(self.queue) + SPARES - coming,
                           self.max_processes - len(self.children))):
            self.fork()

    def demote(self, child: _Child) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, child.pid, DEMOTED_NICE)
        child.demoted = True

    def demote_long_jobs(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.job not in (None, _PRIMING) and not child.demoted and \
                    now - child.started > DEMOTE_S:
                self.demote(child)

    def cancel(self, job: int) -> None:
        for queued in self.queue:
            if queued[0] == job:
                self.queue.remove(queued)
                return
        for child in self.children:
            if child.job == job:
                self.remove(child, kill=True)
                return

    def retire_idle(self) -> None:
        idle = sorted((c for c in self.children if c.job is None), key=lambda c: c.demoted)
        now = time.monotonic()
        for child in idle[self.processes:]:
            if now - child.idle_since > IDLE_S:
                self.remove(child, kill=True)

    def answer(self, child: _Child) -> None:
        try:
            data = child.conn.recv_bytes()
        except (EOFError, OSError):  # it died
            job = child.job
            self.remove(child, kill=True)
            if job not in (None, _PRIMING):
                self.conn.send(("done", job, _dumps_outcome(False, WorkerEnded(ENDED))))
            return
        if data == _RETIRE:  # over its memory budget: stopped once its job (if any) is done
            child.retiring = True
            if child.job is None:
                self.remove(child, kill=True)
            return
        if child.job != _PRIMING:
            self.conn.send(("done", child.job, data))
        child.job = None
        child.idle_since = time.monotonic()
        if child.retiring:
            self.remove(child, kill=True)

    def serve(self) -> None:
        try:
            for _ in range(self.processes):
                self.fork()
            while True:
                watching = self.dying or any(c.job not in (None, _PRIMING) and not c.demoted
                                             for c in self.children)
                ready = wait([self.conn, *(c.conn for c in self.children)],
                             timeout=DEMOTE_S / 4 if watching else IDLE_S)
                for conn in ready:
                    if conn is self.conn:
                        while True:  # every message waiting, before any fork
                            message = self.conn.recv()
                            if message[0] == "job":
                                self.queue.append((message[1], message[2]))
                            elif message[0] == "cancel":
                                self.cancel(message[1])
                            else:  # "stop"
                                return
                            if not self.conn.poll(0):
                                break
                    else:
                        child = next((c for c in self.children if c.conn is conn), None)
                        if child is not None:
                            self.answer(child)
                self.dispatch()
                self.demote_long_jobs()
                self.retire_idle()
                self.reap()
        except (EOFError, OSError):  # the server went away
            return
        finally:
            for child in list(self.children):
                self.remove(child, kill=True)
            self.reap(block=True)


def _trim_heap() -> None:
    """Hand the C heap's free pages back to the system. glibc keeps them resident, and building
    the caches on a first run leaves some 300 MB free, which every fork would inherit."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _pool_main(conn: Connection, registry: Registry, warm: Callable[[Registry], None] | None,
               processes: int, max_processes: int) -> None:
    _quiet_signals()
    gc.collect()  # finalise the server's garbage now, before this process opens new files
    _close_sockets({conn.fileno()})
    try:
        if warm is not None:
            warm(registry)
    except Exception as exc:  # reported to the server, which stops
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    gc.collect()
    _trim_heap()
    gc.freeze()  # the warm tables stay shared with the forks: no collection touches them
    conn.send(("ready", None))
    _Pool(conn, registry, processes, max_processes).serve()


class Worker:
    """The server's side of the pool: sends jobs, enforces their time limit, reads answers.

    ``registry`` gives the registry the jobs use (called once, when the pool starts);
    ``warm`` is run in the pool process before it says it is ready.
    """

    def __init__(self, processes: int, time_limit_s: float, registry: Callable[[], Registry],
                 *, max_processes: int | None = None,
                 warm: Callable[[Registry], None] | None = None) -> None:
        self.processes = processes
        self.max_processes = max(processes, max_processes or processes)
        self.time_limit_s = time_limit_s
        self._registry_of = registry
        self._warm = warm
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._pending: dict[int, Future] = {}
        self._pool: tuple[int, Connection, Registry, Future] | None = None
        # sends wait while the pool process forks; the event loop must not
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="innkit-web-send")

    @property
    def pool_pid(self) -> int | None:
        """The pool process's id while it runs (its workers are its children)."""
        pool = self._pool
        return pool[0] if pool is not None else None

    def _start(self) -> tuple[int, Connection, Registry, Future]:
        with self._lock:
            if self._pool is not None:
                return self._pool
            registry = self._registry_of()
            ours, theirs = Pipe()
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    ours.close()
                    _pool_main(theirs, registry, self._warm, self.processes, self.max_processes)
                except BaseException:  # never return into the server's code
                    status = 1
                finally:
                    os._exit(status)
            theirs.close()
            ready: Future = Future()
            self._pool = (pid, ours, registry, ready)
            threading.Thread(target=self._read, args=(self._pool,), daemon=True,
                             name="innkit-web-pool").start()
            return self._pool

    async def start(self) -> None:
        """Start the pool and wait until it is warm (however long the warm-up takes)."""
        await asyncio.wrap_future(self._start()[3])

    def _read(self, pool: tuple[int, Connection, Registry, Future]) -> None:
        """The pool's answers, in a thread of the server (unpickled there, off the loop)."""
        pid, conn, _registry, ready = pool
        try:
            while True:
                message = conn.recv()
                if message[0] == "done":
                    future = self._pending.pop(message[1], None)
                    if future is not None and not future.done():
                        try:
                            outcome = pickle.loads(message[2])
                        except Exception as exc:  # an error class not importable
                            outcome = (False, RuntimeError(f"unreadable answer: {exc}"))
                        with contextlib.suppress(Exception):
                            future.set_result(outcome)
                elif message[0] == "ready":
                    ready.set_result(None)
                else:  # "failed"
                    ready.set_exception(RuntimeError(f"the warm-up failed: {message[1]}"))
        except (EOFError, OSError):
            pass
        with self._lock:
            if self._pool is pool:
                self._pool = None
        conn.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        if not ready.done():
            ready.set_exception(RuntimeError("the worker pool ended during its warm-up"))
        for job in list(self._pending):
            future = self._pending.pop(job, None)
            if future is not None and not future.done():
                with contextlib.suppress(Exception):
                    future.set_result((False, WorkerEnded(ENDED)))

    def _send(self, conn: Connection, message: tuple[Any, ...]) -> None:
        with self._lock:
            conn.send(message)

    def close(self) -> None:
        """Stop the pool and its workers (running jobs are killed)."""
        pool = self._pool
        if pool is None:
            return
        with contextlib.suppress(OSError):
            self._send(pool[1], ("stop",))
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pool[0], 0)

    async def run(self, work: Callable[[], Any]) -> Any:
        """The work's result, or HTTP 504 when it is not done within the time limit (then its
        worker is killed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.time_limit_s
        _pid, conn, registry, ready = self._start()
        payload = _dumps_job(work, registry)
        job = next(self._ids)
        future: Future = Future()
        self._pending[job] = future
        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.wrap_future(ready)
                try:
                    await loop.run_in_executor(self._sender, self._send, conn,
                                               ("job", job, payload))
                except OSError:  # the pool ended; the next request starts a new one
                    raise WorkerEnded(ENDED) from None
                ok, value = await asyncio.wrap_future(future)
        except TimeoutError:
            self._forget(conn, job)
            raise HTTPException(504, f"the request took longer than the {self.time_limit_s:g} s "
                                "time limit and was stopped; send fewer names or a shorter "
                                "text") from None
        except WorkerEnded as exc:
            self._forget(conn, job)
            raise HTTPException(503, str(exc)) from None
        except BaseException:  # cancelled (the client went away): stop its work too
            self._forget(conn, job)
            raise
        if ok:
            return value
        if isinstance(value, WorkerEnded):
            raise HTTPException(503, str(value))
        raise value

    def _forget(self, conn: Connection, job: int) -> None:
        self._pending.pop(job, None)
        with contextlib.suppress(RuntimeError):  # the sender is shut down with the app
            self._sender.submit(self._quiet_send, conn, ("cancel", job))

    def _quiet_send(self, conn: Connection, message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError):
            self._send(conn, message)

    async def json(self, work: Callable[[], Any]) -> Response:
        """The work's result as a JSON answer, serialised in the worker too."""
        body = await self.run(partial(_encode, work))
        return Response(body, media_type="application/json")
