"""The command line's one error path: every expected failure is one line naming the problem
and the fix, and a documented exit status (see ``ExitStatus``)."""

from __future__ import annotations

import errno
import io
import os
import sys
from enum import IntEnum

import click


class ExitStatus(IntEnum):
    """What the exit status of every innkit command means."""

    OK = 0
    PROBLEMS = 1
    """The command ran and found problems: a name unknown (lookup, decode --strict), a name
    that does not comply (validate), rows refused (registry import/add/remove)."""
    BAD_INPUT = 2
    """Bad input or usage: a wrong option, an input file missing, a folder or binary, an
    argument that is not UTF-8, standard input closed. (Skipped JSON Lines records and bytes
    that were not UTF-8 are warnings: the input itself was read.)"""
    ENVIRONMENT = 3
    """The environment failed: an output cannot be written (read-only, full disk, no
    permission), a read error, standard output closed, the user database corrupt or locked."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C, SIGINT)."""
    HUNG_UP = 129
    """The terminal hung up (SIGHUP)."""
    TERMINATED = 143
    """Terminated (SIGTERM)."""


EXIT_STATUS_HELP = (
    "Exit status: 0 done; 1 ran and found problems (unknown or non-compliant names, rows "
    "refused); 2 bad input or usage (missing, folder or binary inputs, arguments not UTF-8, "
    "standard input closed); 3 environment fault (output not writable, disk full, read error, "
    "user database corrupt or locked); 130, 143, 129 stopped by SIGINT (Ctrl-C), SIGTERM, "
    "SIGHUP. Outputs written to a file are complete or absent."
)


class CliFault(click.ClickException):
    """An expected failure: printed as ``innkit: message`` with its exit status. A click
    exception, not an InnkitError: it is the command line's own way out, raised and caught
    inside it (click shows it and sets the status), never seen by a library caller."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = int(status)

    def show(self, file=None) -> None:
        click.echo(f"innkit: {self.format_message()}", err=True)


_FIXES = {
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "check the path: a part of it is a file, not a folder",
    errno.EISDIR: "give a file, not a folder",
    errno.EACCES: "check its permissions, or choose another place",
    errno.EPERM: "check its permissions, or choose another place",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.ENOSPC: "the disk is full: free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up: free some space or write elsewhere",
    errno.EFBIG: "the file is too large for this file system: write elsewhere",
    errno.EIO: "the device reported an I/O error: check the disk or copy the file elsewhere",
    errno.ENAMETOOLONG: "use a shorter name",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n)",
    errno.EBADF: "the stream is closed: redirect it to a file or a pipe",
}


def os_fault(exc: OSError, action: str, what: object | None = None) -> CliFault:
    """``cannot <action> <what>: <strerror>; <fix>`` as an environment fault."""
    where = what if what is not None else exc.filename
    name = f" {where}" if where not in (None, "") else ""
    reason = exc.strerror or str(exc)
    fix = _FIXES.get(exc.errno or 0, "check the path and permissions")
    return CliFault(f"cannot {action}{name}: {reason}; {fix}", ExitStatus.ENVIRONMENT)


def input_fault(exc: OSError, name: str) -> str:
    """The one line for an input that cannot be opened (the run goes on without it)."""
    reason = exc.strerror or str(exc)
    fix = _FIXES.get(exc.errno or 0, "check the path and permissions")
    return f"cannot read {name}: {reason}; {fix}"


class ClosedStreamError(OSError):
    """Standard input or output was closed by the shell (``<&-``, ``>&-``). An OSError, not an
    InnkitError: it stands for the failed read or write of a real stream (EBADF), so code that
    handles the operating system's errors handles it too."""

    def __init__(self, which: str) -> None:
        super().__init__(errno.EBADF, f"standard {which} is closed")
        self.which = which


class ClosedStream(io.RawIOBase):
    """Stands in for a standard stream that does not exist, failing on use, not on sight."""

    def __init__(self, which: str) -> None:
        super().__init__()
        self.which = which
        self.buffer = self
        self.encoding = "utf-8"
        self.errors = "strict"

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return self.which == "input"

    def writable(self) -> bool:
        return self.which == "output"

    def fileno(self) -> int:
        raise ClosedStreamError(self.which)

    def readinto(self, _buffer) -> int:
        raise ClosedStreamError(self.which)

    def read(self, _size: int = -1):
        raise ClosedStreamError(self.which)

    def readline(self, _size: int | None = -1):
        raise ClosedStreamError(self.which)

    def __iter__(self):
        raise ClosedStreamError(self.which)

    def write(self, _data) -> int:
        raise ClosedStreamError(self.which)

    def flush(self) -> None:
        return None


def closed_stream_fault(exc: ClosedStreamError) -> CliFault:
    if exc.which == "input":
        return CliFault("standard input is closed; give the input as arguments or files, or "
                        "pipe it in (innkit decode < names.txt)", ExitStatus.BAD_INPUT)
    return CliFault("standard output is closed; redirect it to a file (> out.txt) or use -o "
                    "where the command has it", ExitStatus.ENVIRONMENT)


def not_utf8(value: str) -> bool:
    """True for text holding bytes that were not UTF-8 (surrogate escapes, lone surrogates)."""
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def quiet_broken_pipe() -> None:
    """After EPIPE: point standard output at /dev/null so that the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


SHOWN_AT_MOST = 20
"""Problem lines printed for one input; the rest are counted in one closing line."""


class CappedLines:
    """Problem lines on standard error, the first :data:`SHOWN_AT_MOST` printed and the rest
    only counted, so that a file of a million bad rows prints a screenful, not a million
    lines; :meth:`close` says how many were left out."""

    def __init__(self, prefix: str = "innkit: ", at_most: int = SHOWN_AT_MOST) -> None:
        self.prefix = prefix
        self.at_most = at_most
        self.seen = 0

    def echo(self, line: str) -> None:
        self.seen += 1
        if self.seen <= self.at_most:
            click.echo(f"{self.prefix}{line}", err=True)

    def close(self, what: str = "problems") -> None:
        left = self.seen - self.at_most
        if left > 0:
            click.echo(f"{self.prefix}... and {left:,} more {what} not shown "
                       f"({self.seen:,} in all)", err=True)
            self.seen = self.at_most
