"""Compiled code kept in the cache folder for the source text that ``dataclasses`` writes.

``dataclasses`` writes the methods of each class (``__init__``, ``__repr__``, ``__eq__`` ...)
as source text and compiles it with ``exec``, every time the class is defined: under Python
3.11, some 260 compilations for innkit's classes, 16 ms of every start of the command line.
The same text compiles to the same code, so the code is kept in the cache folder, by its text,
and read back with marshal (as Python keeps a module's code in ``__pycache__``).
``dataclasses`` is handed an ``exec`` that runs the kept code for a text it has seen and
compiles any other, as ``exec`` would; the classes are what they were. What a process compiled
anew is stored when it ends.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

from .cache import CacheFolderError, Kept, cache_folder, cache_key, prune, read_blob, write_blob

KEPT_CODES = 4000
"""At most this many texts are kept (a process that defines classes without end starts the
file again)."""
_KEPT = Kept("code-*.bin", keep=2)


class _Codes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, CodeType] | None = None
        self._new: dict[str, CodeType] = {}
        self._key = cache_key("code", sys.implementation.cache_tag or "-", str(marshal.version))

    def _path(self) -> Path:
        return cache_folder() / f"code-{self._key[:24]}.bin"

    def _read(self) -> dict[str, CodeType]:
        try:
            blob = read_blob(self._path(), self._key)
        except CacheFolderError:
            return {}
        if blob is None or len(blob.sections) != 1:
            return {}
        try:
            codes = marshal.loads(blob.sections[0])
        except (EOFError, ValueError, TypeError):
            return {}
        if not isinstance(codes, dict) or not all(
                isinstance(k, str) and isinstance(v, CodeType) for k, v in codes.items()):
            return {}
        return codes

    def code(self, source: str) -> CodeType:
        """The code of ``source``, compiled as ``exec`` compiles a text (or kept from before)."""
        codes = self._codes
        if codes is None:
            with self._lock:
                if self._codes is None:
                    self._codes = self._read()
                codes = self._codes
        found = codes.get(source)
        if found is None:
            found = compile(source, "<string>", "exec", dont_inherit=True)
            with self._lock:
                if not self._new:
                    atexit.register(self.store)
                self._new[source] = found
                codes[source] = found
        return found

    def store(self) -> None:
        """Keep what was compiled anew with what was read (never raises)."""
        with self._lock:
            if not self._new:
                return
            codes: Mapping[str, CodeType] = self._codes or {}
            if len(codes) > KEPT_CODES:
                codes = self._new
            self._new = {}
        with contextlib.suppress(OSError, ValueError):  # CacheFolderError is an OSError
            folder = cache_folder(create=True)
            path = self._path()
            write_blob(path, self._key, [marshal.dumps(dict(codes))], {})
            prune(folder, _KEPT, path)


_CODES = _Codes()


def _exec(source: Any, globals: dict[str, Any] | None = None,
          locals: Mapping[str, Any] | None = None) -> None:
    if globals is None:  # exec's defaults: the caller's namespaces, not this module's
        frame = sys._getframe(1)
        globals = frame.f_globals
        locals = frame.f_locals if locals is None else locals
    if isinstance(source, str):
        source = _CODES.code(source)
    exec(source, globals, locals)  # as dataclasses runs it


def install() -> None:
    """Hand ``dataclasses`` the ``exec`` that keeps its compiled code, for the classes defined
    from here on (the command line installs it before it imports the rest of innkit)."""
    import dataclasses

    if getattr(dataclasses, "exec", None) is None:
        dataclasses.exec = _exec  # type: ignore[attr-defined]
