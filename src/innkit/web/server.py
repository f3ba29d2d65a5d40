"""Running the app under uvicorn with limits that hold under hostile clients.

- **Slow headers.** A connection that has not sent a complete request head within
  ``header_timeout_s`` of connecting (or of starting its next request) is closed, so that
  clients which open connections and trickle bytes (slowloris) cannot hold the server.
- **Bursts.** At most ``max_connections`` requests, each with its whole body read, are worked
  on at once; up to ``max_queue`` more wait for their turn (at most the time limit) instead of
  being refused; only beyond that, or after waiting the whole time limit, is a request
  answered 503 with ``Retry-After``. A body still arriving holds no slot (see
  :class:`~innkit.web.guards.BodyLimitMiddleware`, which bounds them per client).
  (uvicorn's own ``limit_concurrency`` counts open connections, so a burst of idle connections
  over the limit made it refuse every request; it is not used.)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import DEFAULT_HEADER_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_QUEUE

ASGIApp = Any


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head is too slow."""

    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_cycle = self.cycle
            self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.cycle is self._head_cycle and not self.transport.is_closing():
            self.logger.info("closing a connection that sent no complete request head within "
                             "%g s", self.header_timeout_s)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle:
            self._arm()  # a new request begins: its head must arrive in time
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._head_cycle:
            self._disarm()  # the head is complete

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_with(header_timeout_s: float) -> type[HeaderTimeoutProtocol]:
    return type("InnkitHttpProtocol", (HeaderTimeoutProtocol,),
                {"header_timeout_s": header_timeout_s})


class ConcurrencyLimit:
    """ASGI middleware: ``limit`` requests at once, ``queue`` more waiting, 503 beyond."""

    def __init__(self, app: ASGIApp, limit: int = DEFAULT_MAX_CONNECTIONS,
                 queue: int = DEFAULT_MAX_QUEUE, wait_s: float = 10.0) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.wait_s = wait_s
        self.active = 0
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        if self._slots.locked() and self.waiting >= self.queue:
            await _busy(send, "the server is at its limit of "
                        f"{self.limit} requests at once and {self.queue} waiting; retry shortly")
            return
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            await _busy(send, f"no free slot within {self.wait_s:g} s; retry shortly")
            return
        finally:
            self.waiting -= 1
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            self._slots.release()


async def _busy(send: Any, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", b"1"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def serve(app: Any, *, host: str, port: int, log_level: str = "info",
          max_connections: int = DEFAULT_MAX_CONNECTIONS, max_queue: int = DEFAULT_MAX_QUEUE,
          header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S, wait_s: float = 10.0,
          access_log: bool = True) -> None:
    """Run the innkit app (a Starlette/FastAPI app) under uvicorn with the guards above;
    blocks until stopped."""
    import uvicorn
    from starlette.middleware import Middleware

    # Innermost: a request takes its slot once its body is read (a slow body holds none).
    app.user_middleware.append(Middleware(ConcurrencyLimit, limit=max_connections,
                                          queue=max_queue, wait_s=wait_s))
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, timeout_keep_alive=5,
                http=protocol_with(header_timeout_s),  # type: ignore[arg-type]
                access_log=access_log, backlog=2048)
