"""Words around a name that change what it denotes in a text (``usage_contexts.tsv``,
``body_words.tsv``).

A reader does not mark *creatinine* in "serum creatinine > 1.5 mg/dL": it is a measured body
constituent there, not a drug given. Nor *thyroid* in "thyroid disorder" (an organ), nor
*anticoagulant* in "anticoagulant effect" (a class word used as an adjective). The names stay
drug names everywhere else ("potassium chloride", "desiccated thyroid", "anticoagulants").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..rules.core import Rules

USAGE_TABLE = "usage_contexts.tsv"
BODY_TABLE = "body_words.tsv"

_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z0-9]*)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([A-Za-z][A-Za-z0-9]*)")
# A value after an analyte (potassium > 5.0, glucose 70-120 mg/dL: a comparison, or a
# concentration, not a dose such as potassium 40 mEq) or a compound it heads
# (glucose-6-phosphate dehydrogenase): a measurement or another substance, not a drug given.
_NUMBER = r"\d+(?:[.,]\d+)?"
_VALUE_AFTER = re.compile(
    r"[ \t]*(?:[<>≤≥=]|\(\s*[<>≤≥]|-[A-Za-z0-9]"
    rf"|(?:of\s+)?{_NUMBER}(?:\s*(?:-|~|–|to)\s*{_NUMBER})?\s*"
    r"(?:(?:m?mol|[mµμnp]?g|mEq|m?IU|U)\s*/\s*(?:d?[lL]|m[lL])\b|x\s*ULN))")
_COMPOUND_BEFORE = re.compile(r"[A-Za-z0-9]-$")


class BodyKind(StrEnum):
    ANALYTE = "analyte"  # measured in a laboratory report
    ANATOMY = "anatomy"  # an organ or tissue word


class Marks(StrEnum):
    PROPERTY = "property"  # after a singular class word: an adjective (anticoagulant effect)
    MEASUREMENT = "measurement"  # around an analyte: a laboratory value (serum creatinine)


@dataclass(frozen=True)
class _Contexts:
    """The two tables of one set of rules: usage words by (marks, side), body words."""

    usage: dict[tuple[str, str], frozenset[str]]
    body: dict[str, BodyKind]

    def words(self, marks: Marks, side: str) -> frozenset[str]:
        return self.usage.get((marks.value, side), frozenset())


def _read(rules: Rules) -> _Contexts:
    usage: dict[tuple[str, str], set[str]] = {}
    for r in rules.read(USAGE_TABLE, ("word", "side", "marks", "example", "source")):
        usage.setdefault((Marks(r["marks"]).value, r["side"]), set()).add(r["word"].lower())
    body = {r["name"].lower(): BodyKind(r["kind"])
            for r in rules.read(BODY_TABLE, ("name", "kind", "example", "source"))}
    return _Contexts({k: frozenset(v) for k, v in usage.items()}, body)


def _after(text: str, end: int) -> str | None:
    m = _WORD_AFTER.match(text, end)
    return m.group(1).lower() if m else None


def class_adjective(text: str, end: int, rules: Rules) -> bool:
    """A singular class word followed by a noun of effect or property (anticoagulant effect)."""
    return _after(text, end) in rules.derived(_read).words(Marks.PROPERTY, "after")


def body_names(rules: Rules) -> Mapping[str, BodyKind]:
    """The lower-case names :func:`body_use` may turn down (any other it passes at once)."""
    return rules.derived(_read).body


def body_use(name: str, text: str, start: int, end: int, rules: Rules) -> str | None:
    """Why a known name at ``text[start:end]`` is not a drug here, or None when it may be.

    An analyte is a measurement when laboratory wording or a value surrounds it; an organ word
    is anatomy when it qualifies the word after it (thyroid disorder)."""
    contexts = rules.derived(_read)
    kind = contexts.body.get(name.lower())
    if kind is None:
        return None
    following = _WORD_AFTER.match(text, end)
    after = following.group(1).lower() if following else None
    if kind is BodyKind.ANATOMY:
        if following and following.group(1)[0].islower():
            return f"an organ word qualifying '{after}' ({BODY_TABLE})"
        return None
    m = _WORD_BEFORE.search(text, max(0, start - 30), start)
    before = m.group(1).lower() if m else None
    if before in contexts.words(Marks.MEASUREMENT, "before"):
        return f"a laboratory measurement ('{before} {name}', {USAGE_TABLE})"
    if after in contexts.words(Marks.MEASUREMENT, "after"):
        return f"a laboratory measurement ('{name} {after}', {USAGE_TABLE})"
    if _VALUE_AFTER.match(text, end) or _COMPOUND_BEFORE.search(text, max(0, start - 2), start):
        return f"a laboratory value or compound follows ({BODY_TABLE})"
    return None
