"""What each /v1 route answers, as types for /openapi.json and the /docs pages.

The answers themselves are the library's ``to_dict()`` JSON, written by the worker; these
models only describe them (FastAPI does not re-validate a response a route returns whole).
Every model allows more keys than it names, so that a key added to a result (results grow by
addition) keeps the description true; the keys named are typed as ``to_dict()`` writes them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class SubstanceBrief(_Answer):
    """One substance a name may denote."""

    name: str | None = None
    inn: str | None = None
    unii: str | None = None
    curie: str | None = Field(None, description="The UNII as a CURIE: unii:P93RUU11P7")
    url: str | None = None
    relation: str | None = None


class SubstanceAnswer(_Answer):
    """The substance a name denotes (FDA UNII list); an ambiguous name has no single one:
    then name, inn, unii, curie and url are null and ``denotes`` lists every candidate."""

    name: str | None = None
    inn: str | None = None
    unii: str | None = None
    relation: str | None = Field(None, description="inn, brand, code, former, salt ...")
    name_type: str | None = None
    tags: list[str] = []
    curie: str | None = None
    url: str | None = None
    ambiguous: bool = False
    names: dict[str, Any] = {}
    candidates: list[dict[str, Any]] = []
    denotes: list[SubstanceBrief] = []


class RegistryEntryAnswer(_Answer):
    """A known name and what the registry holds of it (`RegistryEntry.to_dict()`)."""

    name: str | None = None
    second_word: str | None = None
    full_name: str | None = None
    kind: str | None = None
    origin: str | None = Field(None, description="shipped or user")
    refers_to: str | None = None
    source: str | None = None
    target_antigen: str | None = None
    target_category: str | None = None
    format: str | None = None
    year: int | None = None
    status: str | None = None
    provenance: str | None = None
    notes: str | None = None
    inn_number: str | None = None


class DecodingAnswer(_Answer):
    """What a name says (`Decoding.to_dict()`): its kind and parts, the rules and rows they
    come from, the registry entry and the substance it denotes."""

    input: Any = None
    name: str | None = None
    kind: str | None = Field(None, description="antibody, stem, combination, class or unknown")
    segmentation: str | None = Field(None, description="the parts: ino|tu|zu|mab")
    prefix: str | None = None
    target_substem: str | None = None
    target_meaning: str | None = None
    source_substem: str | None = None
    source_meaning: str | None = None
    stem: str | None = None
    stem_meaning: str | None = None
    eras: list[str] = []
    modifiers: list[dict[str, Any]] = []
    ambiguous: bool = False
    stems: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    registry: RegistryEntryAnswer | None = None
    substance: SubstanceAnswer | None = None
    identifiers: dict[str, str | None] = {}
    notes: list[str] = []
    warnings: list[str] = []
    reason: str | None = None


class ExplainAnswer(_Answer):
    """A decoding with the one-line summary and the card `innkit explain` prints."""

    input: Any = None
    summary: str | None = None
    card: str | None = None
    decoding: DecodingAnswer | None = None


class MentionAnswer(_Answer):
    """A name found in the text (`Mention.to_dict()`): offsets in characters, end
    exclusive."""

    start: int | None = None
    end: int | None = None
    text: str | None = None
    how: str | None = Field(None, description="registry, morphology, stem, fuzzy, class, "
                                              "abbreviation or brand")
    known: bool | None = None
    confidence: str | None = None
    suggestion: str | None = None
    decoding: DecodingAnswer | None = None


class SearchHitAnswer(RegistryEntryAnswer):
    """A search result: the score, what matched, then the entry's own keys."""

    score: float | None = None
    matched_on: str | None = Field(None, description="name, name prefix, target antigen or "
                                                     "fuzzy name")


class ScreeningAnswer(_Answer):
    """Existing names a candidate could be confused with (`Screening.to_dict()`)."""

    input: Any = None
    name: str | None = None
    against: str | None = None
    compared: int | None = None
    top_level: str | None = None
    hits: list[dict[str, Any]] = []
    reason: str | None = None


class ValidationAnswer(_Answer):
    """Whether a candidate complies with the naming scheme, rule by rule."""

    name: str | None = None
    valid: bool | None = None
    checks: list[dict[str, Any]] = []
    failures: list[Any] = []


class SuggestionAnswer(_Answer):
    """A proposed name and its parts."""

    name: str | None = None
    segmentation: str | None = None


class MetaAnswer(_Answer):
    """Versions, limits, accepted choices and registry counts."""

    innkit_version: str | None = None
    data_version: str | None = None
    api_version: str | None = None
    limits: dict[str, Any] = {}
