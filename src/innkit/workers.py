"""Worker processes, whatever forks them (annotate and decode workers, the web server's pool):
how many cores there are, whether forking is safe, and how a worker is bound to its parent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

MAX_JOBS = 8
"""Worker processes a command starts at most, whatever the number of cores."""


def available_cores() -> int:
    """Cores this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def busy_elsewhere(loadavg: str | None = None) -> int:
    """Processes running or waiting to run on this machine besides this one, as the lower of
    the kernel's count of them right now and its average over the last minute (a process that
    only passes by moves the one, not the other); 0 where neither is known (``loadavg``: the
    text of /proc/loadavg, read when not given). A worker process on a core that another
    keeps busy only waits for it, and keeps the others waiting."""
    try:
        if loadavg is None:
            with open("/proc/loadavg", encoding="ascii") as f:
                loadavg = f.read()
        fields = loadavg.split()
        now = int(fields[3].split("/")[0]) - 1  # runnable tasks, this one among them
        minute = float(fields[0])
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, min(now, int(minute)))


def can_fork() -> bool:
    """Whether workers may be forked from this process: on Linux (macOS's system libraries
    are not safe in a forked child), with no other thread running, whose locks the children
    would inherit as they stand."""
    import threading

    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


@contextlib.contextmanager
def no_interrupts() -> Iterator[None]:
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


def die_with(parent: int) -> None:
    """A worker ends when the process that started it ends, however it ends (even killed
    with SIGKILL, when it can clean nothing up): on Linux the kernel is asked to send the
    worker SIGKILL then; a parent already gone ends the worker now."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)
