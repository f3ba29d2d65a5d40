"""Naming new antibodies: does a proposed name comply with the 2022 scheme, and what names could
a naming team propose (spec section 6)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from ..decoder.antibody import enumerate_readings
from ..decoder.decode import decode
from ..errors import InvalidInputError, require_text
from ..models import Decoding, Result
from ..registry import Registry, get_registry
from ..rules.core import Rules
from ..rules.english import is_english
from ..rules.tables import ERAS, Tables
from ..screening.similarity import Screening, SimilarityHit, screen
from ..vocab import Confidence, Kind

CURRENT_ERA = ERAS[-1]
"""The scheme in force: the last row of eras.tsv."""
_LETTERS = re.compile(r"^[a-z]+$")
CONSONANTS = "bcdfglmnprstvz"
"""Letters for generated prefixes: no h, k, y (WHO spelling guidance), nor j, q, w, x."""
VOWELS = "aeiou"
MAX_PREFIX = 6


@dataclass(frozen=True, slots=True)
class Check(Result):
    """One rule applied to a proposed name."""

    rule: str
    passed: bool
    severity: str  # error (the name fails) or advice (worth changing)
    reason: str


@dataclass(frozen=True, slots=True)
class Validation(Result):
    """Whether a proposed name complies with the current scheme, rule by rule."""

    name: str
    valid: bool
    checks: tuple[Check, ...]
    decoding: Decoding
    closest: tuple[SimilarityHit, ...]

    _json = ("name", "valid", "checks", ("failures", lambda v: [c.rule for c in v.failures]),
             "decoding", "closest")

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed and c.severity == "error")


def formats(tables: Tables | None = None) -> dict[str, str]:
    """format word -> stem of the 2022 scheme (whole: tug, engineered: bart ...)."""
    tables = tables or Rules.shipped().tables
    return {s.format: s.stem for s in tables.stems if s.format}


def resolve_target(target: str, tables: Tables | None = None):
    """The 2022 infix row for a target: a class word (tumour, viral), an infix (ta), or a form
    (-ta-). Raises ValueError listing the choices."""
    tables = tables or Rules.shipped().tables
    rows = [r for r in tables.targets if r.era == CURRENT_ERA and r.status == "active"]
    key = require_text(target, "target").strip().lower().strip("-")
    for r in rows:
        if key in (r.target_class, r.form.strip("-")) or key in r.before_stem:
            return r
    for r in rows:
        if key and key in r.meaning.lower():
            return r
    choices = ", ".join(f"{r.target_class} (-{r.before_stem[0]}-)" for r in rows)
    raise InvalidInputError(f"unknown target {target!r}", f"choose one of: {choices}")


def _either(stems: list[str]) -> str:
    """``-tug, -bart, -mig or -ment``."""
    words = [f"-{s}" for s in stems]
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)


def _stem_for(format_: str, tables: Tables) -> str:
    table = formats(tables)
    if require_text(format_, "format") not in table:
        raise InvalidInputError(f"unknown format {format_!r}", f"choose one of: "
                                f"{', '.join(table)}")
    return table[format_]


def validate(name: str, *, format: str | None = None, target: str | None = None,
             registry: Registry | None = None) -> Validation:
    """Apply every rule of the 2022 scheme to a proposed name (``format``: whole, engineered,
    multispecific or fragment; ``target``: a target class such as tumour)."""
    reg = registry if registry is not None else get_registry()
    tables = reg.rules.tables
    wanted_stem = _stem_for(format, tables) if format else None
    wanted_target = resolve_target(target, tables) if target else None
    word = require_text(name).strip().lower()
    d = decode(word, registry=reg)
    checks: list[Check] = []

    def check(rule: str, passed: bool, reason: str, severity: str = "error") -> None:
        checks.append(Check(rule, passed, severity, reason))

    letters = bool(_LETTERS.match(word))
    check("letters", letters, "one word of lower-case Latin letters" if letters else
          "a new INN is one word of Latin letters a-z, without digits, spaces or hyphens")
    current = [s.stem for s in tables.stems if s.kind == "stem" and CURRENT_ERA in s.eras]
    legacy = [s.stem for s in tables.stems if s.kind == "stem" and s.group == "legacy"]
    stems_2022 = set(current)
    stem_ok = d.kind == Kind.ANTIBODY and d.stem in stems_2022
    check("stem", stem_ok,
          f"ends in the {CURRENT_ERA} stem -{d.stem} ({d.stem_meaning})" if stem_ok else
          f"new antibody names end in {_either(current)} "
          f"({_either(legacy)} is no longer given)")
    if wanted_stem:
        ok = d.stem == wanted_stem
        check("format", ok, f"-{wanted_stem} is the stem for the {format} format" if ok else
              f"the {format} format takes -{wanted_stem}, not -{d.stem}")
    infix_ok = stem_ok and d.target_substem is not None and CURRENT_ERA in d.eras
    check("infix", infix_ok,
          f"infix -{d.target_substem}- ({d.target_meaning})" if infix_ok else
          f"no {CURRENT_ERA} target infix stands before the stem")
    if wanted_target is not None:
        ok = infix_ok and d.target_form == wanted_target.form
        check("target", ok, f"-{wanted_target.before_stem[0]}- names the target class "
              f"{wanted_target.target_class}" if ok else
              f"target {wanted_target.target_class} needs the infix "
              f"-{wanted_target.before_stem[0]}-, not "
              f"{('-' + d.target_substem + '-') if d.target_substem else 'none'}")
    readings = enumerate_readings(word, tables) if letters else []
    one = len(readings) == 1
    check("parse_back", one, "reads back in exactly one way" if one else
          f"reads back in {len(readings)} ways ({', '.join(r.segmentation for r in readings)});"
          " change the end of the prefix" if readings else "does not read back at all")
    prefix = d.prefix or ""
    check("prefix", 2 <= len(prefix) <= MAX_PREFIX,
          f"prefix {prefix!r} of {len(prefix)} letters" if prefix else "no prefix",
          "error" if not prefix else "advice")
    inner = [s for s in (*legacy, *sorted(stems_2022)) if s in prefix]
    check("prefix_stems", not inner, "the prefix holds no other antibody stem" if not inner else
          f"the prefix contains the stem -{inner[0]}, which would mislead readers")
    for row in reg.rules.read("spelling_guidance.tsv", ("pattern", "advice", "exception")):
        text = word.replace(row["exception"], "") if row["exception"] else word
        if row["pattern"] in text:
            check("spelling", False, f"{row['advice']} (found {row['pattern']!r})", "advice")
    if not any(c.rule == "spelling" for c in checks):
        check("spelling", True, "follows the WHO spelling guidance", "advice")
    english = is_english(word)
    check("english", not english, "not an English word" if not english else
          f"{word} is an English word: readers would not take it for a drug name")
    known = reg.lookup(word)
    screening: Screening = screen(word, registry=reg, limit=5)
    # The team's own candidate, kept in its user registry, is not a clash with itself: it is
    # unique when no other entry and no FDA UNII name has its spelling.
    others = [e for e in known if not (e.origin == "user" and e.kind == "candidate")]
    own = bool(known) and not others
    if own:
        exists = screen(word, against="unii", limit=1).reason is not None
    else:
        exists = bool(known) or screening.reason is not None
    check("unique", not exists,
          ("your own candidate in the user registry; no other name is spelt so" if own else
           "not an existing name") if not exists else
          f"{word} is already a name" + (f" ({others[0].kind}, {others[0].origin})" if others
                                         else " (FDA UNII list)"))
    top = screening.hits[0] if screening.hits else None
    if top is None:
        check("distance", True, "no existing name is close")
    else:
        edits = Levenshtein.distance(word, top.name)
        same_end = any(w.startswith("same ending") for w in top.why)
        too_close = top.level == Confidence.HIGH or (edits <= 2 and same_end)
        summary = (f"closest existing name {top.name} ({top.level or 'below low'}, score "
                   f"{top.score:.2f}: {', '.join(top.why) or 'similar overall'})")
        if too_close:
            check("distance", False, summary)
        else:
            check("distance", top.level != Confidence.MEDIUM, summary, "advice")
    valid = all(c.passed for c in checks if c.severity == "error")
    return Validation(word, valid, tuple(checks), d, screening.hits[:3])


@dataclass(frozen=True, slots=True)
class Suggestion(Result):
    """A generated name that validates, with the existing names closest to it."""

    name: str
    prefix: str
    infix: str
    stem: str
    closest: tuple[SimilarityHit, ...]

    _json = ("name", ("segmentation", lambda s: f"{s.prefix}|{s.infix}|{s.stem}"), "prefix",
             "infix", "stem", "closest")


def _prefix(rng: random.Random) -> str:
    syllables = rng.choice((2, 2, 3))
    text = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
    if rng.random() < 0.3:
        text = text[1:]  # start on a vowel now and then
    return text[:MAX_PREFIX]


def suggest(*, target: str, format: str = "whole", count: int = 5, seed: int | None = None,
            registry: Registry | None = None, max_tries: int = 400) -> list[Suggestion]:
    """Pronounceable names for a new antibody that pass :func:`validate` and stay below the
    ``medium`` screening level; the same seed gives the same names."""
    if not isinstance(count, int) or not 1 <= count <= 50:
        raise InvalidInputError("count must be between 1 and 50")
    tables = (registry if registry is not None else get_registry()).rules.tables
    row = resolve_target(target, tables)
    stem = _stem_for(format, tables)
    infix = row.before_stem[0]
    rng = random.Random(seed)
    out: list[Suggestion] = []
    seen: set[str] = set()
    for _ in range(max_tries):
        if len(out) == count:
            break
        prefix = _prefix(rng)
        name = prefix + infix + stem
        if name in seen:
            continue
        seen.add(name)
        result = validate(name, format=format, target=row.target_class, registry=registry)
        advice = [c for c in result.checks if not c.passed]  # no advice either
        if result.valid and not advice:
            out.append(Suggestion(name, prefix, infix, stem, result.closest))
    return out
