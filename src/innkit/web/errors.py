"""Every error answer is ``{"detail": message}`` (plus ``errors`` for a 422): these handlers
turn FastAPI's and Starlette's own errors into that shape, with no echo of the input and no
traceback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


def describe_errors(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
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


async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    detail, errors = describe_errors(exc.errors())
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and "json" not in content_type and any(
            e["loc"][:1] == ["body"] for e in errors):
        detail = "send the body as JSON with Content-Type: application/json; " + detail
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)


async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = ("the body could not be read as JSON (it is not UTF-8, or it is nested too "
                  "deeply); send one JSON object as /openapi.json describes")
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def internal(_request: Request, _exc: Exception) -> JSONResponse:
    # Starlette re-raises the exception after this answer, so the server logs it.
    return JSONResponse({"detail": "internal error: innkit could not answer this request; "
                                   "the server log has the details"}, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, internal)
