"""The HTTP API and the page: every answer is the library's ``to_dict()`` JSON.

Built to be safe to leave running on a laptop with a naming team's confidential candidates in
the user registry: ``innkit serve`` binds to loopback, foreign ``Host`` headers are refused (a
web page cannot reach the API through DNS rebinding), bodies and texts above the limits are
refused before they are parsed, each request's work is bounded in time, bad input gets a 4xx
with a message, a fault gets a JSON 500 without a traceback, and no CORS header is sent unless
origins are given. The page loads nothing from outside the app.
"""

from __future__ import annotations

import asyncio
import json
import platform
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import innkit

from .. import manifest
from ..annotate import LENIENCY_LEVELS
from ..explain import render_card, summary
from ..normalize import MAX_NAME_LENGTH
from ..registry import Registry, get_registry
from . import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_THREADS,
    DEFAULT_TIME_LIMIT_S,
    LOOPBACK_HOSTS,
)

MAX_NAMES = 1000
"""Most names in one batch request."""
MAX_TARGET_CHARS = 60
API_VERSION = "1"
STATIC = Path(__file__).resolve().with_name("static")

Leniency = Literal["strict", "standard", "lenient"]
Against = Literal["all", "registry", "unii"]
Format = Literal["whole", "engineered", "multispecific", "fragment"]

_ANNOTATE_LOCK = threading.Lock()
"""The library keeps one Annotator per leniency, and its Hyperscan scratch space cannot be used
by two threads at once (ScratchInUseError); annotation runs one request at a time."""

_SECURITY_HEADERS = (
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


# -- request and error models --------------------------------------------------------------
def _valid_text(value: str) -> str:
    """Lone surrogates (legal in JSON escapes, illegal in UTF-8) would break every answer."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (it holds a lone surrogate escape such "
                         "as \\ud800)") from None
    return value


class _Strict(BaseModel):
    """Unknown fields are refused, so that a misspelt option is not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _valid_text(value)
        if isinstance(value, list):
            return [_valid_text(v) if isinstance(v, str) else v for v in value]
        return value


NameField = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]


class NamesRequest(_Strict):
    names: list[NameField] = Field(min_length=1, max_length=MAX_NAMES,
                                   description=f"Names to read (at most {MAX_NAMES}).",
                                   examples=[["inotuzumab ozogamicin", "pemivibart"]])


class AnnotateRequest(_Strict):
    text: str = Field(description="The text to search; longer than the server's text limit "
                                  "is answered 413 (see /v1/meta).",
                      examples=["Inotuzumab ozogamicin and pemivibart were given."])
    leniency: Leniency = Field("standard", description="strict, standard or lenient.")


class ScreenRequest(_Strict):
    name: NameField = Field(examples=["trastuzimab"])
    against: Against = "all"
    limit: int = Field(10, ge=1, le=200)
    score_cutoff: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)


MAX_SCREEN_BATCH = 200
"""Most candidates in one POST /v1/screen/batch (each takes up to a few tens of ms)."""
MAX_SCREEN_LIST = 20_000
"""Most names of a request's own list to screen against."""


class ScreenBatchRequest(_Strict):
    names: list[NameField] = Field(min_length=1, max_length=MAX_SCREEN_BATCH,
                                   description=f"Candidates (at most {MAX_SCREEN_BATCH}).",
                                   examples=[["trastuzimab", "zyprexa"]])
    against: Against = "all"
    against_names: list[NameField] | None = Field(
        None, min_length=1, max_length=MAX_SCREEN_LIST,
        description="Your own list to screen against, instead of `against`.")
    limit: int = Field(3, ge=1, le=200)
    score_cutoff: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)


class ValidateRequest(_Strict):
    name: NameField = Field(examples=["tenotatug"])
    format: Format | None = None
    target: str | None = Field(None, min_length=1, max_length=MAX_TARGET_CHARS,
                               examples=["tumour"])


class SuggestRequest(_Strict):
    target: str = Field(min_length=1, max_length=MAX_TARGET_CHARS, examples=["tumour"])
    format: Format = "whole"
    count: int = Field(5, ge=1, le=50)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)


class Problem(BaseModel):
    """Every error answer: a message saying what was wrong and how to fix it."""

    detail: str
    errors: list[dict[str, Any]] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _problem("The body is not readable JSON, or the Host header is not allowed."),
    408: _problem("The request body did not arrive within the time limit."),
    413: _problem("The body or the text is larger than the server's limit."),
    422: _problem("A parameter is missing, of the wrong type, or out of range."),
    504: _problem("The work took longer than the server's time limit."),
}
_NAMING_ERRORS = {**_ERRORS, 503: _problem("This innkit has no screening or naming module.")}

# Query parameters shared by GET routes (POST routes use the models above).
NameQuery = Annotated[str, Query(min_length=1, max_length=MAX_NAME_LENGTH,
                                 description="One name, e.g. inotuzumab ozogamicin.")]


# -- middleware ----------------------------------------------------------------------------
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
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
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


# -- running the work ----------------------------------------------------------------------
def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def _encode(work: Callable[[], Any]) -> bytes:
    """Run the work and serialise its answer in the worker, so both count against the time
    limit and neither blocks the event loop."""
    return _json_bytes(work())


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


# -- the app -------------------------------------------------------------------------------
def _describe_errors(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """A one-line message and a trimmed list (no echo of the input, which may be huge)."""
    cleaned = []
    for e in errors[:20]:
        loc = [p if isinstance(p, int) else str(p) for p in e.get("loc", ())]
        msg = str(e.get("msg", "invalid"))
        if e.get("type") == "json_invalid":
            position = f" at character {loc[1]}" if len(loc) > 1 else ""
            msg = f"invalid JSON{position}: {(e.get('ctx') or {}).get('error', 'decode error')}"
            loc = ["body"]
        cleaned.append({"loc": loc, "msg": msg, "type": str(e.get("type", ""))})
    parts = [f"{'.'.join(map(str, c['loc'])) or 'request'}: {c['msg']}" for c in cleaned[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more, cleaned


def _naming(verb: str) -> Callable[..., Any]:
    """The library's screen, validate or suggest, or 503 when this innkit lacks it."""
    function = getattr(innkit, verb, None)
    if function is None:
        raise HTTPException(503, f"{verb} is not available in this version of innkit "
                            f"({innkit.__version__}); upgrade innkit to use /v1/{verb}")
    return function


def _naming_meta() -> dict[str, Any] | None:
    try:
        from ..naming import CURRENT_ERA, formats
        from ..tables import get_tables
    except ImportError:
        return None
    targets = sorted({r.target_class for r in get_tables().targets
                      if r.era == CURRENT_ERA and r.status == "active"})
    return {"formats": list(formats()), "targets": targets}


def create_app(*, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               cors_origins: Sequence[str] | None = None,
               allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
               threads: int = DEFAULT_THREADS,
               registry: Registry | None = None,
               warm_up: bool = True) -> FastAPI:
    """The innkit web app.

    ``allowed_hosts``: Host header names answered (None: any, for a server behind a proxy that
    checks them). ``registry``: the names to use (default: the process-wide registry, which
    ``innkit --user-db`` sets). ``warm_up`` loads the tables at start-up rather than on the
    first request, which would otherwise pay for them against its time limit.
    """
    if max_body_bytes < 1 or max_text_chars < 1 or time_limit_s <= 0 or threads < 1:
        raise ValueError("limits and thread count must be positive")
    worker = Worker(threads, time_limit_s)
    data_version = manifest.read().get("data_version")

    def reg() -> Registry:
        return registry if registry is not None else get_registry()

    def with_registry(**kwargs: Any) -> dict[str, Any]:
        if registry is not None:
            kwargs["registry"] = registry
        return kwargs

    def warm() -> None:
        innkit.decode("inotuzumab ozogamicin", registry=reg())
        with _ANNOTATE_LOCK:
            innkit.annotate("inotuzumab ozogamicin", registry=reg())
        screen = getattr(innkit, "screen", None)
        if screen is not None:
            screen("inotuzumab", **with_registry())

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm_up:
            await asyncio.get_running_loop().run_in_executor(worker._executor(), warm)
        yield
        worker.close()

    middleware = [Middleware(GuardMiddleware, allowed_hosts=allowed_hosts)]
    if cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors_origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["content-type"], max_age=600))
    middleware.append(Middleware(BodyLimitMiddleware, max_bytes=max_body_bytes,
                                 time_limit_s=time_limit_s))

    app = FastAPI(
        title="innkit",
        version=innkit.__version__,
        summary="Decode, find and check International Nonproprietary Names (INN).",
        description="Every answer is the JSON of the library's `to_dict()`. Errors are "
                    "`{\"detail\": message}` with a 4xx status. The page is at `/`.",
        docs_url=None, redoc_url=None,  # both load their scripts from a CDN
        lifespan=lifespan,
        middleware=middleware,
    )
    app.state.worker = worker
    app.state.limits = {"max_body_bytes": max_body_bytes, "max_text_chars": max_text_chars,
                        "time_limit_s": time_limit_s, "max_names": MAX_NAMES,
                        "max_name_chars": MAX_NAME_LENGTH}

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = _describe_errors(exc.errors())
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and "json" not in content_type and any(
                e["loc"][:1] == ["body"] for e in errors):
            detail = "send the body as JSON with Content-Type: application/json; " + detail
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = ("the body could not be read as JSON (it is not UTF-8, or it is nested too "
                      "deeply); send one JSON object as /openapi.json describes")
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_request: Request, _exc: Exception) -> JSONResponse:
        # Starlette re-raises the exception after this answer, so the server logs it.
        return JSONResponse({"detail": "internal error: innkit could not answer this request; "
                                       "the server log has the details"}, status_code=500)

    # -- the page ----------------------------------------------------------------------
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    # -- decoding ----------------------------------------------------------------------
    def decode_dict(name: str) -> dict[str, Any]:
        return innkit.decode(name, registry=reg()).to_dict()

    def explain_dict(name: str) -> dict[str, Any]:
        d = innkit.decode(name, registry=reg())
        return {"input": d.input, "summary": summary(d), "card": render_card(d),
                "decoding": d.to_dict()}

    @app.get("/v1/decode", tags=["decode"], responses=_ERRORS,
             response_model=dict[str, Any])
    async def decode_one(name: NameQuery) -> Response:
        """Decode one name: `innkit.decode(name).to_dict()`."""
        return await worker.json(lambda: decode_dict(name))

    @app.post("/v1/decode", tags=["decode"], responses=_ERRORS,
              response_model=list[dict[str, Any]])
    async def decode_many(body: NamesRequest) -> Response:
        """Decode several names: a list of `to_dict()`, in the order given."""
        return await worker.json(lambda: [decode_dict(n) for n in body.names])

    @app.get("/v1/explain", tags=["decode"], responses=_ERRORS,
             response_model=dict[str, Any])
    async def explain_one(name: NameQuery) -> Response:
        """The decoding with its one-line summary and readable card (as `innkit explain`):
        `{input, summary, card, decoding}`."""
        return await worker.json(lambda: explain_dict(name))

    @app.post("/v1/explain", tags=["decode"], responses=_ERRORS,
              response_model=list[dict[str, Any]])
    async def explain_many(body: NamesRequest) -> Response:
        """Summary and card of several names, in the order given."""
        return await worker.json(lambda: [explain_dict(n) for n in body.names])

    @app.post("/v1/annotate", tags=["annotate"], responses=_ERRORS,
              response_model=list[dict[str, Any]])
    async def annotate(body: AnnotateRequest) -> Response:
        """Every drug name in the text: a list of `Mention.to_dict()` (character offsets,
        end exclusive)."""
        if len(body.text) > max_text_chars:
            raise HTTPException(413, f"text is {len(body.text):,} characters; this server "
                                f"reads at most {max_text_chars:,} per request (split it, or "
                                "use innkit annotate for whole files)")

        def work() -> list[dict[str, Any]]:
            with _ANNOTATE_LOCK:
                mentions = innkit.annotate(body.text, leniency=body.leniency,
                                           **with_registry())
            return [m.to_dict() for m in mentions]

        return await worker.json(work)

    # -- screening and naming -------------------------------------------------------------
    async def run_naming(verb: str, call: Callable[[Callable[..., Any]], Any]) -> Response:
        function = _naming(verb)
        try:
            return await worker.json(lambda: call(function))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    async def screen_response(name: str, **options: Any) -> Response:
        return await run_naming("screen", lambda screen: screen(
            name, **with_registry(**options)).to_dict())

    @app.get("/v1/screen", tags=["naming"], responses=_NAMING_ERRORS,
             response_model=dict[str, Any])
    async def screen_get(
        name: NameQuery,
        against: Annotated[Against, Query()] = "all",
        limit: Annotated[int, Query(ge=1, le=200)] = 10,
        score_cutoff: Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False)] = None,
    ) -> Response:
        """Existing names a name could be confused with: `innkit.screen(...).to_dict()`."""
        _valid_or_422(name)
        return await screen_response(name, against=against, limit=limit,
                                     score_cutoff=score_cutoff)

    @app.post("/v1/screen", tags=["naming"], responses=_NAMING_ERRORS,
              response_model=dict[str, Any])
    async def screen_post(body: ScreenRequest) -> Response:
        """As GET /v1/screen, with a JSON body."""
        return await screen_response(body.name, against=body.against, limit=body.limit,
                                     score_cutoff=body.score_cutoff)

    @app.post("/v1/screen/batch", tags=["naming"], responses=_NAMING_ERRORS,
              response_model=dict[str, Any])
    async def screen_batch(body: ScreenBatchRequest) -> Response:
        """Screen many candidates against one list: `{"count", "results"}`, each result the
        `to_dict()` of `innkit.screen`, in the order of `names`."""
        against: Any = body.against if body.against_names is None else body.against_names

        def call(_screen: Callable[..., Any]) -> dict[str, Any]:
            from ..similarity import screen_many

            results = [r.to_dict() for r in screen_many(
                body.names, **with_registry(against=against, limit=body.limit,
                                            score_cutoff=body.score_cutoff))]
            return {"count": len(results), "results": results}

        return await run_naming("screen", call)

    async def validate_response(name: str, **options: Any) -> Response:
        return await run_naming("validate", lambda validate: validate(
            name, **with_registry(**options)).to_dict())

    @app.get("/v1/validate", tags=["naming"], responses=_NAMING_ERRORS,
             response_model=dict[str, Any])
    async def validate_get(
        name: NameQuery,
        format: Annotated[Format | None, Query()] = None,
        target: Annotated[str | None, Query(min_length=1, max_length=MAX_TARGET_CHARS)] = None,
    ) -> Response:
        """Does a proposed name comply with the 2022 scheme: `innkit.validate(...).to_dict()`."""
        _valid_or_422(name, target)
        return await validate_response(name, format=format, target=target)

    @app.post("/v1/validate", tags=["naming"], responses=_NAMING_ERRORS,
              response_model=dict[str, Any])
    async def validate_post(body: ValidateRequest) -> Response:
        """As GET /v1/validate, with a JSON body."""
        return await validate_response(body.name, format=body.format, target=body.target)

    async def suggest_response(**options: Any) -> Response:
        return await run_naming("suggest", lambda suggest: [
            s.to_dict() for s in suggest(**with_registry(**options))])

    @app.get("/v1/suggest", tags=["naming"], responses=_NAMING_ERRORS,
             response_model=list[dict[str, Any]])
    async def suggest_get(
        target: Annotated[str, Query(min_length=1, max_length=MAX_TARGET_CHARS,
                                     description="Target class (tumour, viral ...) or infix.")],
        format: Annotated[Format, Query()] = "whole",
        count: Annotated[int, Query(ge=1, le=50)] = 5,
        seed: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    ) -> Response:
        """Names for a new antibody that validate and screen clean: a list of `to_dict()`."""
        _valid_or_422(target)
        return await suggest_response(target=target, format=format, count=count, seed=seed)

    @app.post("/v1/suggest", tags=["naming"], responses=_NAMING_ERRORS,
              response_model=list[dict[str, Any]])
    async def suggest_post(body: SuggestRequest) -> Response:
        """As GET /v1/suggest, with a JSON body."""
        return await suggest_response(target=body.target, format=body.format,
                                      count=body.count, seed=body.seed)

    # -- registry and meta -------------------------------------------------------------
    @app.get("/v1/registry", tags=["registry"], responses=_ERRORS,
             response_model=list[dict[str, Any]])
    async def registry_search(
        search: Annotated[str, Query(min_length=1, max_length=MAX_NAME_LENGTH,
                                     description="Name, name prefix or target antigen.")],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Response:
        """Registry entries like the query, best first: a list of `SearchHit.to_dict()`."""
        _valid_or_422(search)
        return await worker.json(lambda: [h.to_dict() for h in reg().search(search,
                                                                              limit=limit)])

    @app.get("/v1/registry/{name:path}", tags=["registry"],
             responses={**_ERRORS, 404: _problem("No entry for this name.")},
             response_model=list[dict[str, Any]])
    async def registry_lookup(name: str) -> Response:
        """Entries for one name (case, spaces and hyphens ignored), user entries first: a
        list of `RegistryEntry.to_dict()`."""
        if not 1 <= len(name) <= MAX_NAME_LENGTH:
            raise HTTPException(422, f"a name is 1 to {MAX_NAME_LENGTH} characters")
        _valid_or_422(name)
        entries = await worker.run(lambda: [e.to_dict() for e in reg().lookup(name)])
        if not entries:
            raise HTTPException(404, f"no registry entry for {name[:80]!r}; "
                                "GET /v1/registry?search= finds similar names")
        return Response(_json_bytes(entries), media_type="application/json")

    @app.get("/v1/meta", tags=["meta"], response_model=dict[str, Any])
    async def meta() -> Response:
        """Versions, limits and the choices the other endpoints accept."""
        def work() -> dict[str, Any]:
            return {
                "innkit_version": innkit.__version__,
                "data_version": data_version,
                "api_version": API_VERSION,
                "python_version": platform.python_version(),
                "limits": app.state.limits,
                "leniency_levels": list(LENIENCY_LEVELS),
                "features": {v: hasattr(innkit, v) for v in ("screen", "validate", "suggest")},
                "naming": _naming_meta(),
                "registry": reg().counts(),
            }

        return await worker.json(work)

    return app


def _valid_or_422(*values: str | None) -> None:
    for value in values:
        if value is not None:
            try:
                _valid_text(value)
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from None
