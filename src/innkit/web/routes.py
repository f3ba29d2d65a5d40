"""The /v1 routes and the page, at module level: each takes what it needs (the registry, the
worker, the limits) as a FastAPI dependency from the app that :func:`create_app` built, so a
route reads as what it answers and nothing else."""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

import innkit

from ..annotator.core import LENIENCY_LEVELS, shared_annotator
from ..decoder.decode import UNLISTED_WORDS
from ..naming.core import CURRENT_ERA, formats
from ..registry import Registry, get_registry
from ..render import TSV_COLUMNS, brat_lines, jsonl_record, render_card, summary, tsv_line
from ..rules.english import is_english, is_established
from ..rules.normalize import MAX_NAME_LENGTH
from ..screening.similarity import screen_many
from .answers import (
    DecodingAnswer,
    ExplainAnswer,
    MentionAnswer,
    MetaAnswer,
    RegistryEntryAnswer,
    ScreeningAnswer,
    SearchHitAnswer,
    SuggestionAnswer,
    ValidationAnswer,
)
from .schemas import (
    ERRORS,
    MAX_TARGET_CHARS,
    NAMING_ERRORS,
    TARGET_ENUM,
    Against,
    AnnotateDownloadRequest,
    AnnotateRequest,
    CheckRequest,
    Format,
    NameQuery,
    NamesRequest,
    ScreenBatchRequest,
    ScreenRequest,
    SuggestRequest,
    ValidateRequest,
    problem,
    valid_or_422,
)
from .worker import Worker, json_bytes

API_VERSION = "1"
STATIC = Path(__file__).resolve().with_name("static")

router = APIRouter()


# -- dependencies --------------------------------------------------------------------------
def _registry(request: Request) -> Registry:
    """The app's registry, or the process-wide one (which ``innkit --user-db`` sets)."""
    chosen = request.app.state.registry
    return chosen if chosen is not None else get_registry()


def _worker(request: Request) -> Worker:
    return request.app.state.worker


def _limits(request: Request) -> dict[str, Any]:
    return request.app.state.limits


RegistryDep = Annotated[Registry, Depends(_registry)]
WorkerDep = Annotated[Worker, Depends(_worker)]
LimitsDep = Annotated[dict[str, Any], Depends(_limits)]


def warm(registry: Registry) -> None:
    """Load the tables and build the indexes (every leniency's scanner, the English word
    lists, the near-miss index) a first request would otherwise pay for. Run once, in the
    worker pool's process before it forks: what it loads is then shared by every worker,
    where a list first loaded by a job would be built again, and held, in each."""
    innkit.decode("inotuzumab ozogamicin", registry=registry)
    for word in UNLISTED_WORDS:
        innkit.decode(word, registry=registry)
        is_english(word)
        is_established(word)
    for leniency in LENIENCY_LEVELS:
        innkit.annotate("inotuzumab ozogamicin", leniency=leniency, registry=registry)
        # A first run looks UNII names up word by word until enough text is read, then
        # compiles their database; a server compiles it here, not inside a timed request.
        scanner = shared_annotator(leniency, registry).scanner
        if hasattr(scanner, "compile_pending"):
            scanner.compile_pending()
    for against in get_args(Against):
        innkit.screen("inotuzumab", against=against, registry=registry)


# -- the page ------------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/docs", include_in_schema=False)
async def api_docs(request: Request) -> Response:
    """Swagger UI over /openapi.json, every file served by this server."""
    if not request.app.state.api_docs:
        raise HTTPException(404, "the API pages need swagger-ui-bundle-v2: pip install -e "
                                 "'.[web]'; /openapi.json describes the API meanwhile")
    return FileResponse(STATIC / "docs.html", media_type="text/html")


# -- decoding ------------------------------------------------------------------------------
def _decode_dict(name: str, registry: Registry) -> dict[str, Any]:
    return innkit.decode(name, registry=registry).to_dict()


def _explain_dict(name: str, registry: Registry) -> dict[str, Any]:
    d = innkit.decode(name, registry=registry)
    return {"input": d.input, "summary": summary(d), "card": render_card(d),
            "decoding": d.to_dict()}


@router.get("/v1/decode", tags=["decode"], responses=ERRORS, response_model=DecodingAnswer)
async def decode_one(name: NameQuery, registry: RegistryDep, worker: WorkerDep) -> Response:
    """Decode one name: `innkit.decode(name).to_dict()`."""
    return await worker.json(lambda: _decode_dict(name, registry))


@router.post("/v1/decode", tags=["decode"], responses=ERRORS,
             response_model=list[DecodingAnswer])
async def decode_many(body: NamesRequest, registry: RegistryDep, worker: WorkerDep) -> Response:
    """Decode several names: a list of `to_dict()`, in the order given."""
    return await worker.json(lambda: [_decode_dict(n, registry) for n in body.names])


@router.get("/v1/explain", tags=["decode"], responses=ERRORS, response_model=ExplainAnswer)
async def explain_one(name: NameQuery, registry: RegistryDep, worker: WorkerDep) -> Response:
    """The decoding with its one-line summary and readable card (as `innkit explain`):
    `{input, summary, card, decoding}`."""
    return await worker.json(lambda: _explain_dict(name, registry))


@router.post("/v1/explain", tags=["decode"], responses=ERRORS,
             response_model=list[ExplainAnswer])
async def explain_many(body: NamesRequest, registry: RegistryDep,
                       worker: WorkerDep) -> Response:
    """Summary and card of several names, in the order given."""
    return await worker.json(lambda: [_explain_dict(n, registry) for n in body.names])


def _within_text_limit(text: str, limits: dict[str, Any], command: str) -> None:
    """413 for a text longer than the server reads in one request, naming the command that
    reads whole files."""
    max_text_chars = limits["max_text_chars"]
    if len(text) > max_text_chars:
        raise HTTPException(413, f"text is {len(text):,} characters; this server reads at "
                            f"most {max_text_chars:,} per request (split it, or use innkit "
                            f"{command} for whole files)")


@router.post("/v1/annotate", tags=["annotate"], responses=ERRORS,
             response_model=list[MentionAnswer])
async def annotate(body: AnnotateRequest, registry: RegistryDep, worker: WorkerDep,
                   limits: LimitsDep) -> Response:
    """Every drug name in the text: a list of `Mention.to_dict()` (character offsets,
    end exclusive)."""
    _within_text_limit(body.text, limits, "annotate")
    # No lock: annotation is safe from many threads (each has its own Hyperscan scratch).
    return await worker.json(lambda: [m.to_dict() for m in innkit.annotate(
        body.text, leniency=body.leniency, registry=registry)])


@router.post("/v1/check", tags=["check"], responses=ERRORS,
             response_model=list[dict[str, Any]])
async def check_claims(body: CheckRequest, registry: RegistryDep, worker: WorkerDep,
                       limits: LimitsDep) -> Response:
    """Every claim the text makes about a named antibody, judged: a list of
    `Claim.to_dict()` (consistent, contradicts, unverifiable; misspelt names too)."""
    _within_text_limit(body.text, limits, "check")
    return await worker.json(lambda: [c.to_dict() for c in innkit.check(
        body.text, registry=registry)])


_DOWNLOADS = {"jsonl": ("application/x-ndjson", "jsonl"), "tsv": ("text/tab-separated-values",
                                                                  "tsv"),
              "brat": ("text/plain", "ann")}


def _download(text: str, leniency: str, fmt: str, registry: Registry) -> bytes:
    """The mentions as ``innkit annotate --format FMT`` writes them, the document named
    ``text``."""
    mentions = innkit.annotate(text, leniency=leniency, registry=registry)
    if fmt == "jsonl":
        return b"".join(jsonl_record("text", m) for m in mentions)
    if fmt == "tsv":
        lines = ["\t".join(TSV_COLUMNS), *(tsv_line("text", m) for m in mentions)]
    else:
        lines = list(brat_lines(mentions))
    return "".join(line + "\n" for line in lines).encode("utf-8", "replace")


@router.post("/v1/annotate/download", tags=["annotate"], responses=ERRORS,
             response_class=Response)
async def annotate_download(body: AnnotateDownloadRequest, registry: RegistryDep,
                            worker: WorkerDep, limits: LimitsDep) -> Response:
    """The text's mentions as a file to save: jsonl, tsv or brat (the `.ann` file of the
    text), exactly as `innkit annotate --format` writes them."""
    _within_text_limit(body.text, limits, "annotate")
    media, suffix = _DOWNLOADS[body.format]
    data = await worker.run(lambda: _download(body.text, body.leniency, body.format, registry))
    return Response(data, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="innkit-mentions.{suffix}"'})


# -- screening and naming ------------------------------------------------------------------
def _library_verb(verb: str) -> Callable[..., Any]:
    """The library's screen, validate or suggest, or 503 when this innkit lacks it."""
    function = getattr(innkit, verb, None)
    if function is None:
        raise HTTPException(503, f"{verb} is not available in this version of innkit "
                            f"({innkit.__version__}); upgrade innkit to use /v1/{verb}")
    return function


async def _run_naming(worker: Worker, verb: str,
                      call: Callable[[Callable[..., Any]], Any]) -> Response:
    """A naming verb's answer; the library's ValueError (an unknown target ...) is a 422."""
    function = _library_verb(verb)
    try:
        return await worker.json(lambda: call(function))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


async def _naming_answer(worker: Worker, verb: str, registry: Registry,
                         **options: Any) -> Response:
    """``verb(**options)`` as JSON: one result's ``to_dict()``, or a list of them."""
    def call(function: Callable[..., Any]) -> Any:
        result = function(**options, registry=registry)
        return [r.to_dict() for r in result] if isinstance(result, list | tuple) else (
            result.to_dict())

    return await _run_naming(worker, verb, call)


@router.get("/v1/screen", tags=["naming"], responses=NAMING_ERRORS,
            response_model=ScreeningAnswer)
async def screen_get(
    name: NameQuery,
    registry: RegistryDep,
    worker: WorkerDep,
    against: Annotated[Against, Query()] = "all",
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
    score_cutoff: Annotated[float | None, Query(ge=0, le=1, allow_inf_nan=False)] = None,
) -> Response:
    """Existing names a name could be confused with: `innkit.screen(...).to_dict()`."""
    valid_or_422(name)
    return await _naming_answer(worker, "screen", registry, name=name, against=against,
                                limit=limit, score_cutoff=score_cutoff)


@router.post("/v1/screen", tags=["naming"], responses=NAMING_ERRORS,
             response_model=ScreeningAnswer)
async def screen_post(body: ScreenRequest, registry: RegistryDep, worker: WorkerDep) -> Response:
    """As GET /v1/screen, with a JSON body."""
    return await _naming_answer(worker, "screen", registry, name=body.name,
                                against=body.against, limit=body.limit,
                                score_cutoff=body.score_cutoff)


@router.post("/v1/screen/batch", tags=["naming"], responses=NAMING_ERRORS,
             response_model=dict[str, Any])
async def screen_batch(body: ScreenBatchRequest, registry: RegistryDep,
                       worker: WorkerDep) -> Response:
    """Screen many candidates against one list: `{"count", "results"}`, each result the
    `to_dict()` of `innkit.screen`, in the order of `names`."""
    against: Any = body.against if body.against_names is None else body.against_names

    def call(_screen: Callable[..., Any]) -> dict[str, Any]:
        results = [r.to_dict() for r in screen_many(
            body.names, against=against, limit=body.limit, score_cutoff=body.score_cutoff,
            registry=registry)]
        return {"count": len(results), "results": results}

    return await _run_naming(worker, "screen", call)


@router.get("/v1/validate", tags=["naming"], responses=NAMING_ERRORS,
            response_model=ValidationAnswer)
async def validate_get(
    name: NameQuery,
    registry: RegistryDep,
    worker: WorkerDep,
    format: Annotated[Format | None, Query()] = None,
    target: Annotated[str | None, Query(min_length=1, max_length=MAX_TARGET_CHARS,
                                        json_schema_extra=TARGET_ENUM)] = None,
) -> Response:
    """Does a proposed name comply with the 2022 scheme: `innkit.validate(...).to_dict()`."""
    valid_or_422(name, target)
    return await _naming_answer(worker, "validate", registry, name=name, format=format,
                                target=target)


@router.post("/v1/validate", tags=["naming"], responses=NAMING_ERRORS,
             response_model=ValidationAnswer)
async def validate_post(body: ValidateRequest, registry: RegistryDep,
                        worker: WorkerDep) -> Response:
    """As GET /v1/validate, with a JSON body."""
    return await _naming_answer(worker, "validate", registry, name=body.name,
                                format=body.format, target=body.target)


@router.get("/v1/suggest", tags=["naming"], responses=NAMING_ERRORS,
            response_model=list[SuggestionAnswer])
async def suggest_get(
    target: Annotated[str, Query(min_length=1, max_length=MAX_TARGET_CHARS,
                                 description="Target class (tumour, viral ...) or infix.",
                                 json_schema_extra=TARGET_ENUM)],
    registry: RegistryDep,
    worker: WorkerDep,
    format: Annotated[Format, Query()] = "whole",
    count: Annotated[int, Query(ge=1, le=50)] = 5,
    seed: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> Response:
    """Names for a new antibody that validate and screen clean: a list of `to_dict()`."""
    valid_or_422(target)
    return await _naming_answer(worker, "suggest", registry, target=target, format=format,
                                count=count, seed=seed)


@router.post("/v1/suggest", tags=["naming"], responses=NAMING_ERRORS,
             response_model=list[SuggestionAnswer])
async def suggest_post(body: SuggestRequest, registry: RegistryDep,
                       worker: WorkerDep) -> Response:
    """As GET /v1/suggest, with a JSON body."""
    return await _naming_answer(worker, "suggest", registry, target=body.target,
                                format=body.format, count=body.count, seed=body.seed)


# -- registry and meta ---------------------------------------------------------------------
@router.get("/v1/registry", tags=["registry"], responses=ERRORS,
            response_model=list[SearchHitAnswer])
async def registry_search(
    search: Annotated[str, Query(min_length=1, max_length=MAX_NAME_LENGTH,
                                 description="Name, name prefix or target antigen.")],
    registry: RegistryDep,
    worker: WorkerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """Registry entries like the query, best first: a list of `SearchHit.to_dict()`."""
    valid_or_422(search)
    return await worker.json(lambda: [h.to_dict() for h in registry.search(search, limit=limit)])


@router.get("/v1/registry/{name:path}", tags=["registry"],
            responses={**ERRORS, 404: problem("No entry for this name.")},
            response_model=list[RegistryEntryAnswer])
async def registry_lookup(name: str, registry: RegistryDep, worker: WorkerDep) -> Response:
    """Entries for one name (case, spaces and hyphens ignored), user entries first: a
    list of `RegistryEntry.to_dict()`."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise HTTPException(422, f"a name is 1 to {MAX_NAME_LENGTH} characters")
    valid_or_422(name)
    entries = await worker.run(lambda: [e.to_dict() for e in registry.lookup(name)])
    if not entries:
        raise HTTPException(404, f"no registry entry for {name[:80]!r}; "
                            "GET /v1/registry?search= finds similar names")
    return Response(json_bytes(entries), media_type="application/json")


def _naming_meta(registry: Registry) -> dict[str, Any]:
    targets = sorted({r.target_class for r in registry.rules.tables.targets
                      if r.era == CURRENT_ERA and r.status == "active"})
    return {"formats": list(formats(registry.rules.tables)), "targets": targets}


@router.get("/v1/meta", tags=["meta"], response_model=MetaAnswer)
async def meta(request: Request, registry: RegistryDep, worker: WorkerDep,
               limits: LimitsDep) -> Response:
    """Versions, limits and the choices the other endpoints accept."""
    data_version = request.app.state.data_version
    # what this server answers (see _library_verb), not what a worker process has imported
    features = {v: hasattr(innkit, v) for v in ("screen", "validate", "suggest")}

    def work() -> dict[str, Any]:
        return {
            "innkit_version": innkit.__version__,
            "data_version": data_version,
            "api_version": API_VERSION,
            "python_version": platform.python_version(),
            "limits": limits,
            "leniency_levels": list(LENIENCY_LEVELS),
            "features": features,
            "naming": _naming_meta(registry),
            "registry": registry.counts(),
        }

    return await worker.json(work)
