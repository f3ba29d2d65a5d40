"""Where the library's work runs: a small thread pool, every job bounded in time, its answer
serialised to JSON in the same thread so that neither blocks the event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def _encode(work: Callable[[], Any]) -> bytes:
    """Run the work and serialise its answer in the worker, so both count against the time
    limit and neither blocks the event loop."""
    return json_bytes(work())


class Worker:
    """A small thread pool whose every job is bounded in time (waiting in the queue included).

    A job that runs over is answered 504; its thread finishes in the background (Python cannot
    stop a thread), so the pool's size also bounds how much runaway work there can be.
    """

    def __init__(self, threads: int, time_limit_s: float) -> None:
        self.threads = threads
        self.time_limit_s = time_limit_s
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="innkit-web")
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    async def run_unbounded(self, work: Callable[[], Any]) -> Any:
        """The work's result, however long it takes (the warm-up at start-up)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor(), work)

    async def run(self, work: Callable[[], Any]) -> Any:
        """The work's result, or HTTP 504 when it is not done within the time limit."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor(), work)
        try:
            return await asyncio.wait_for(future, self.time_limit_s)
        except TimeoutError:
            raise HTTPException(504, f"the request took longer than the {self.time_limit_s:g} s "
                                "time limit; send fewer names or a shorter text") from None

    async def json(self, work: Callable[[], Any]) -> Response:
        """The work's result as a JSON answer, serialised in the worker too."""
        body = await self.run(lambda: _encode(work))
        return Response(body, media_type="application/json")
