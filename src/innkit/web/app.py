"""The HTTP API and the page: every answer is the library's ``to_dict()`` JSON.

Built to be safe to leave running on a laptop with a naming team's confidential candidates in
the user registry: ``innkit serve`` binds to loopback, foreign ``Host`` headers are refused (a
web page cannot reach the API through DNS rebinding), bodies and texts above the limits are
refused before they are parsed, each request's work is bounded in time, bad input gets a 4xx
with a message, a fault gets a JSON 500 without a traceback, and no CORS header is sent unless
origins are given. The page loads nothing from outside the app.

This module only assembles the app: the routes are in :mod:`.routes`, the request models in
:mod:`.schemas`, the Host and body guards in :mod:`.guards`, the error answers in
:mod:`.errors` and the worker processes, each job bounded in time, in :mod:`.worker`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware import Middleware

import innkit

from ..registry import Registry, get_registry
from ..rules import manifest
from ..rules.normalize import MAX_NAME_LENGTH
from . import errors
from .guards import BodyLimitMiddleware, GuardMiddleware
from .limits import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_THREADS,
    DEFAULT_TIME_LIMIT_S,
    LOOPBACK_HOSTS,
)
from .routes import API_VERSION, STATIC, router, warm
from .schemas import MAX_NAMES, MAX_TARGET_CHARS, Against, Format, Leniency
from .worker import Worker

__all__ = ["API_VERSION", "MAX_NAMES", "MAX_TARGET_CHARS", "STATIC", "Against", "Format",
           "Leniency", "create_app"]


def create_app(*, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
               time_limit_s: float = DEFAULT_TIME_LIMIT_S,
               cors_origins: Sequence[str] | None = None,
               allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
               threads: int = DEFAULT_THREADS,
               registry: Registry | None = None,
               warm_up: bool = True,
               max_processes: int = DEFAULT_MAX_PROCESSES) -> FastAPI:
    """The innkit web app.

    ``allowed_hosts``: Host header names answered (None: any, for a server behind a proxy that
    checks them). ``registry``: the names to use (default: the process-wide registry, which
    ``innkit --user-db`` sets). ``threads``: worker processes kept ready; ``max_processes``:
    most at once. ``warm_up`` loads the tables and builds every leniency's scanner before the
    server says it is ready, rather than on the first request, which would otherwise pay for
    them against its time limit.
    """
    if (max_body_bytes < 1 or max_text_chars < 1 or time_limit_s <= 0 or threads < 1
            or max_processes < 1):
        raise ValueError("limits and process counts must be positive")
    worker = Worker(threads, time_limit_s,
                    lambda: registry if registry is not None else get_registry(),
                    max_processes=max_processes, warm=warm if warm_up else None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await worker.start()
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
        docs_url=None, redoc_url=None,  # FastAPI's load their scripts from a CDN; see /docs
        lifespan=lifespan,
        middleware=middleware,
    )
    app.state.worker = worker
    app.state.registry = registry
    app.state.data_version = manifest.read().get("data_version")
    app.state.limits = {"max_body_bytes": max_body_bytes, "max_text_chars": max_text_chars,
                        "time_limit_s": time_limit_s, "max_names": MAX_NAMES,
                        "max_name_chars": MAX_NAME_LENGTH}
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    assets = _api_docs_assets()
    app.state.api_docs = assets is not None
    if assets is not None:  # /docs: Swagger UI from the web extra, served here, not a CDN
        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")
    app.include_router(router)
    return app


def _api_docs_assets() -> str | None:
    """The folder of Swagger UI's files (the ``swagger-ui-bundle-v2`` package of the web
    extra), or None without it."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return str(swagger_ui_path)
