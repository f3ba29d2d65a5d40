"""Guards around every request, before any route runs: the Host check, the safety headers,
and the body limits (size and time), written as plain ASGI middleware so that nothing parses a
body that is refused."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Sequence

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InnkitError
from .limits import DEFAULT_SLOW_BODIES_PER_CLIENT

CROWDED_GRACE_S = 1.0
"""How long a client with all its bodies arriving is given for the whole of one more."""
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


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some route answers on this path (a path often has a GET and a POST route,
    and the router's own 405 names only the first one's)."""
    methods: set[str] = set()
    routes = list(getattr(scope.get("app"), "routes", ()))
    while routes:
        route = routes.pop()
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        if included is not None:
            routes += included.routes
            continue
        match, _child = route.matches(scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or {"GET", "HEAD"}
    return sorted(methods | {"OPTIONS"}) if methods else []


class GuardMiddleware:
    """Outermost layer: refuses foreign Host headers, answers ``OPTIONS`` with every method
    of the path, and adds the safety headers to every answer, its own included."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str] | None) -> None:
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/v1/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message["status"] == 405:
                    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                    headers.append((b"allow", ", ".join(allowed_methods(scope)).encode()))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if api:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        request_headers = dict(scope["headers"])
        if self.allowed is not None:
            raw = request_headers.get(b"host", b"").decode("latin-1")
            if _host_name(raw) not in self.allowed:
                await _send_problem(send_with_headers, 400, f"Host {raw[:100]!r} is not served "
                                    f"here; this server answers to "
                                    f"{', '.join(sorted(self.allowed))} "
                                    "(innkit serve --allowed-host adds names)")
                return
        if scope["method"] == "OPTIONS" and b"access-control-request-method" not in \
                request_headers:
            methods = allowed_methods(scope)
            if methods:
                await send_with_headers({"type": "http.response.start", "status": 204, "headers": [
                    (b"allow", ", ".join(methods).encode())]})
                await send_with_headers({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Reads the whole body first, refusing it (413) as soon as it passes ``max_bytes`` and
    (408) when it is not complete within ``time_limit_s``, so nothing parses a huge body.

    One client (one address) may have ``per_client`` bodies arriving at once; a further
    request is read only if its body comes whole at once (within ``CROWDED_GRACE_S``), and is
    otherwise answered 429, so that slow senders (R.U.D.Y.) cannot pile up. The bodies are read
    here, before the request queue (:class:`~innkit.web.server.ConcurrencyLimit`), so a body
    that trickles in never holds a slot that work needs.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, time_limit_s: float,
                 per_client: int = DEFAULT_SLOW_BODIES_PER_CLIENT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.time_limit_s = time_limit_s
        self.per_client = per_client
        self.arriving: Counter[str] = Counter()

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
        client = str((scope.get("client") or ("unknown",))[0])
        try:
            body = await asyncio.wait_for(self._read(receive, client), self.time_limit_s)
        except TimeoutError:
            await _send_problem(send, 408, f"request body not received within "
                                f"{self.time_limit_s:g} s", close)
            return
        except _Crowded:
            await _send_problem(send, 429, f"this client already has {self.per_client} request "
                                "bodies arriving; send each body whole, or wait for the others",
                                [*close, (b"retry-after", b"1")])
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

    async def _read(self, receive: Receive, client: str) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        self.arriving[client] += 1
        crowded = self.arriving[client] > self.per_client
        try:
            while True:
                if crowded and not chunks:  # one more may come only if it comes at once
                    try:
                        message = await asyncio.wait_for(receive(), CROWDED_GRACE_S)
                    except TimeoutError:
                        raise _Crowded("too many request bodies arriving") from None
                else:
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
                if crowded:
                    raise _Crowded("too many request bodies arriving")
        finally:
            self.arriving[client] -= 1
            if not self.arriving[client]:
                del self.arriving[client]


class _Crowded(InnkitError):
    """The client has as many bodies arriving as it may (answered 429)."""
