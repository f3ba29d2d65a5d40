"""The server's limits, apart from the app, so that the command line can show them without
importing FastAPI."""

from __future__ import annotations

DEFAULT_MAX_BODY_BYTES = 1_048_576
"""Largest request body read (1 MiB): room for the longest text plus JSON escapes."""
DEFAULT_MAX_TEXT_CHARS = 100_000
"""Longest text annotated per request; whole files are the ``innkit annotate`` command's job."""
DEFAULT_TIME_LIMIT_S = 10.0
"""Longest a request may take (waiting for a worker included) before it is answered 504."""
DEFAULT_THREADS = 4
"""Worker processes kept ready for library calls (``innkit serve --threads``)."""
DEFAULT_MAX_PROCESSES = 8
"""Most worker processes at once, one per request being worked on; more requests wait."""
DEFAULT_MAX_CONNECTIONS = 100
"""Requests worked on at once by ``innkit serve``; more wait in the queue."""
DEFAULT_MAX_QUEUE = 1000
"""Requests that may wait for a free slot (each at most the time limit); beyond, 503."""
DEFAULT_SLOW_BODIES_PER_CLIENT = 8
"""Request bodies one client address may have arriving in pieces at once; beyond, 429."""
DEFAULT_HEADER_TIMEOUT_S = 5.0
"""Seconds a connection has to send a complete request head before it is closed."""
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
"""Host header names answered by default: this machine's loopback interface."""
