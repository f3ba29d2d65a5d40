"""Guards around every request, before any route runs: the Host check, the safety headers,
and the body limits (size and time), written as plain ASGI middleware so that nothing parses a
body that is refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = (
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


async def _send_problem(send: Send, status: int, detail: str,
                        headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def _host_name(host: str) -> str:
    """The host of a Host header, without its port (``[::1]:8000`` gives ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class GuardMiddleware:
    """Outermost layer: refuses foreign Host headers and adds the safety headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str] | None) -> None:
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if _host_name(raw) not in self.allowed:
                await _send_problem(send, 400, f"Host {raw[:100]!r} is not served here; this "
                                    f"server answers to {', '.join(sorted(self.allowed))} "
                                    "(innkit serve --allowed-host adds names)")
                return
        api = scope["path"].startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if api:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Reads the whole body first, refusing it (413) as soon as it passes ``max_bytes`` and
    (408) when it is not complete within ``time_limit_s``, so nothing parses a huge body."""

    def __init__(self, app: ASGIApp, max_bytes: int, time_limit_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.time_limit_s = time_limit_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = (f"request body larger than {self.max_bytes:,} bytes; send less text per "
                     "request (innkit annotate reads whole files)")
        close = [(b"connection", b"close")]
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_problem(send, 400, "Content-Length is not a number", close)
                return
            if size > self.max_bytes:
                await _send_problem(send, 413, too_large, close)
                return
        try:
            body = await asyncio.wait_for(self._read(receive), self.time_limit_s)
        except TimeoutError:
            await _send_problem(send, 408, f"request body not received within "
                                f"{self.time_limit_s:g} s", close)
            return
        if body is None:  # over the limit, or the client went away
            await _send_problem(send, 413, too_large, close)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
