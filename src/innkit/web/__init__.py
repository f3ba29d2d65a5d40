"""innkit on the web: the library's verbs as a JSON API, and a page people can use.

Needs the ``web`` extra (FastAPI and uvicorn). Run it with ``innkit serve``; build the app
yourself with :func:`create_app` (for tests, or to mount it in another ASGI app). The limits
live in :mod:`.limits`, apart from the app, so that the command line can show them without
FastAPI.
"""

from __future__ import annotations

from typing import Any

from .limits import (
    DEFAULT_HEADER_TIMEOUT_S,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_MAX_QUEUE,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_THREADS,
    DEFAULT_TIME_LIMIT_S,
    LOOPBACK_HOSTS,
)

__all__ = ["DEFAULT_HEADER_TIMEOUT_S", "DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_CONNECTIONS",
           "DEFAULT_MAX_PROCESSES", "DEFAULT_MAX_QUEUE", "DEFAULT_MAX_TEXT_CHARS",
           "DEFAULT_THREADS", "DEFAULT_TIME_LIMIT_S", "LOOPBACK_HOSTS", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":  # imported on use: FastAPI is an optional extra
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
