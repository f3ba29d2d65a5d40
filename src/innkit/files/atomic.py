"""Writing files whole or not at all: a temporary file beside the target, renamed over it.

Each run gets its own temporary name (two runs writing the same target never share one), the
data is flushed to disk before the rename, and the file gets the permissions a plain ``open``
would give it (``0o666`` less the umask) or, when it replaces a file, that file's permissions.
A temporary name holds the writing process's id and host (:func:`temporary_owner`), so that a
temporary file left by a process that was killed can be told from one still being written.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _host() -> str:
    import socket  # here: most runs write nothing, and the import costs a short run 2 ms

    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def _temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``: ``.NAME.PID@HOST.RANDOM.tmp``; those of earlier
    writers of ``target`` that were killed before they could remove theirs go first."""
    import glob
    import tempfile

    with contextlib.suppress(OSError):
        for old in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
            if abandoned(old):
                with contextlib.suppress(OSError):
                    old.unlink()
    return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}@{_host()}.",
                            suffix=".tmp")


_OWNER = re.compile(r"\.(\d+)@([A-Za-z0-9-]+)\.[^.]+\.tmp$")


def temporary_owner(path: Path) -> tuple[int, str] | None:
    """(process id, host) of the process writing the temporary file ``path``, or None for a
    name not made here."""
    m = _OWNER.search(path.name)
    return (int(m.group(1)), m.group(2)) if m else None


def abandoned(path: Path, idle: float = 86400.0) -> bool:
    """Whether a temporary file's writer is gone: a process of this host that no longer
    exists, or (another host's, or a name not made here) untouched for ``idle`` seconds."""
    import time

    owner = temporary_owner(path)
    if owner is not None and owner[1] == _host():
        if owner[0] == os.getpid():
            return False
        try:
            os.kill(owner[0], 0)
        except ProcessLookupError:
            return True
        except OSError:  # alive, another user's
            return False
        return False
    try:
        return time.time() - path.stat().st_mtime > idle
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_output(path: Path | str, *, binary: bool = False,
                  errors: str = "strict") -> Iterator[IO[Any]]:
    """A file to write ``path`` through: it replaces ``path`` only when the block ends without
    an exception; otherwise the temporary file is removed and ``path`` is left as it was.

    Text is UTF-8 with ``\\n`` line endings whatever the platform; ``errors`` is the codec's
    error handler for text that is not valid Unicode.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(target)
    try:
        os.fchmod(fd, _mode_for(target))
        f: IO[Any] = (os.fdopen(fd, "wb") if binary else
                      os.fdopen(fd, "w", encoding="utf-8", errors=errors, newline="\n"))
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    with atomic_output(path, binary=isinstance(data, bytes)) as f:
        f.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_sqlite(path: Path | str) -> Iterator[Any]:
    """A new SQLite database to fill, which replaces ``path`` only when the block ends without
    an exception (committed and closed first); else it is removed. Journal and sync are off
    while it is filled: the rename is what makes it whole."""
    import sqlite3

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(target)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            yield db
            db.commit()
        finally:
            db.close()
        os.chmod(tmp, _mode_for(target))  # as a plain open would make it, or as the old file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
