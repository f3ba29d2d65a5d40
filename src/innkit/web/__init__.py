"""innkit on the web: the library's verbs as a JSON API, and a page people can use.

Needs the ``web`` extra (FastAPI and uvicorn). Run it with ``innkit serve``; build the app
yourself with :func:`create_app` (for tests, or to mount it in another ASGI app). The limits
live here, apart from the app, so that the command line can show them without FastAPI.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_BODY_BYTES = 1_048_576
"""Largest request body read (1 MiB): room for the longest text plus JSON escapes."""
DEFAULT_MAX_TEXT_CHARS = 100_000
"""Longest text annotated per request; whole files are the ``innkit annotate`` command's job."""
DEFAULT_TIME_LIMIT_S = 10.0
"""Longest a request may take (waiting for a worker included) before it is answered 504."""
DEFAULT_THREADS = 4
"""Worker threads for library calls; the work holds the GIL, so more would not be faster."""
DEFAULT_MAX_CONNECTIONS = 100
"""Requests worked on at once by ``innkit serve``; more wait in the queue."""
DEFAULT_MAX_QUEUE = 1000
"""Requests that may wait for a free slot (each at most the time limit); beyond, 503."""
DEFAULT_HEADER_TIMEOUT_S = 5.0
"""Seconds a connection has to send a complete request head before it is closed."""
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
"""Host header names answered by default: this machine's loopback interface."""

__all__ = ["DEFAULT_HEADER_TIMEOUT_S", "DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_CONNECTIONS",
           "DEFAULT_MAX_QUEUE", "DEFAULT_MAX_TEXT_CHARS", "DEFAULT_THREADS",
           "DEFAULT_TIME_LIMIT_S", "LOOPBACK_HOSTS", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":  # imported on use: FastAPI is an optional extra
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
