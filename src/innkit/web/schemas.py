"""What the API accepts and answers with: request bodies, error answers, shared parameters.

Unknown fields are refused and every text must be valid Unicode, so a misspelt option or a lone
surrogate escape is a 422 with a message rather than a silent default or a fault later on.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..naming.core import CURRENT_ERA
from ..rules import Rules
from ..rules.normalize import MAX_NAME_LENGTH

MAX_NAMES = 1000
"""Most names in one batch request."""
MAX_TARGET_CHARS = 60

Leniency = Literal["strict", "standard", "lenient"]  # the values of innkit.vocab.Leniency
Against = Literal["all", "registry", "unii"]
Format = Literal["whole", "engineered", "multispecific", "fragment"]


def _target_values() -> list[str]:
    """The targets the naming verbs take: class words (tumour) and infixes (tu) of the shipped
    2022 table (case and hyphens around an infix are forgiven as well)."""
    rows = [r for r in Rules.shipped().tables.targets
            if r.era == CURRENT_ERA and r.status == "active"]
    return sorted({r.target_class for r in rows} | {b for r in rows for b in r.before_stem})


TARGET_ENUM = {"enum": _target_values()}
"""The schema of a target: any other word is answered 422 with the choices."""


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


class CheckRequest(_Strict):
    text: str = Field(description="The text whose claims about named antibodies are checked; "
                                  "longer than the server's text limit is answered 413.",
                      examples=["Inotuzumab ozogamicin is a humanized antibody against CD22."])


class AnnotateDownloadRequest(AnnotateRequest):
    format: Literal["jsonl", "tsv", "brat"] = Field(
        "jsonl", description="jsonl, tsv or brat (the .ann file): as `innkit annotate --format`.")


class ScreenRequest(_Strict):
    name: NameField = Field(examples=["trastuzimab"])
    against: Against = "all"
    limit: int = Field(10, ge=1, le=200, strict=True)
    score_cutoff: float | None = Field(None, ge=0, le=1, allow_inf_nan=False, strict=True)


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
    limit: int = Field(3, ge=1, le=200, strict=True)
    score_cutoff: float | None = Field(None, ge=0, le=1, allow_inf_nan=False, strict=True)


class ValidateRequest(_Strict):
    name: NameField = Field(examples=["tenotatug"])
    format: Format | None = None
    target: str | None = Field(None, min_length=1, max_length=MAX_TARGET_CHARS,
                               examples=["tumour"], json_schema_extra=TARGET_ENUM)


class SuggestRequest(_Strict):
    target: str = Field(min_length=1, max_length=MAX_TARGET_CHARS, examples=["tumour"],
                        json_schema_extra=TARGET_ENUM)
    format: Format = "whole"
    count: int = Field(5, ge=1, le=50, strict=True)
    seed: int | None = Field(None, ge=0, le=2**63 - 1, strict=True)


class Problem(BaseModel):
    """Every error answer: a message saying what was wrong and how to fix it."""

    detail: str
    errors: list[dict[str, Any]] | None = None


def problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem("The body is not readable JSON, or the Host header is not allowed."),
    408: problem("The request body did not arrive within the time limit."),
    413: problem("The body or the text is larger than the server's limit."),
    422: problem("A parameter is missing, of the wrong type, or out of range."),
    429: problem("This client already has as many request bodies arriving as it may."),
    504: problem("The work took longer than the server's time limit."),
}
NAMING_ERRORS = {**ERRORS, 503: problem("This innkit has no screening or naming module.")}

# Query parameters shared by GET routes (POST routes use the models above).
NameQuery = Annotated[str, Query(min_length=1, max_length=MAX_NAME_LENGTH,
                                 description="One name, e.g. inotuzumab ozogamicin.")]


def valid_or_422(*values: str | None) -> None:
    """Query parameters get the bodies' Unicode check (FastAPI has no validator for them)."""
    for value in values:
        if value is not None:
            try:
                _valid_text(value)
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from None
