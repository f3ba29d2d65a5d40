"""Look-alike / sound-alike screening: which existing names a name could be confused with.

Each candidate pair is scored by several measures and their average, after Kondrak and Dorr's
finding that a mean of prefix, edit-distance, BI-SIM and phonetic similarity ranks confusable
drug names best: normalised edit similarity (rapidfuzz), BI-SIM (bigram alignment with partial
credit), shared prefix (rapidfuzz), and phonetic similarity (edit similarity of Metaphone keys,
jellyfish) in place of ALINE. Bigram Dice and the shared suffix are reported as well. Thresholds
for the ``high``, ``medium`` and ``low`` levels are documented in docs/screening.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq, Levenshtein, Postfix, Prefix

from .caching import owner_cache
from .errors import InvalidInputError, require_text
from .names import unii_names
from .normalize import normalize_name
from .registry import Registry, get_registry

LEVELS = (("high", 0.70), ("medium", 0.58), ("low", 0.45))
"""Combined-score thresholds (calibrated on the Tall Man lists against random pairs; see
docs/screening.md): high means a confusion a regulator would flag, medium one worth a look."""

CANDIDATES = 100
"""Names retrieved per pass (spelling and sound) before the full measures are computed."""


def bisim(a: str, b: str) -> float:
    """BI-SIM (Kondrak and Dorr 2003): align bigrams, each pair scoring the share of its letters
    that agree position by position; normalised by the longer word."""
    if not a or not b:
        return 0.0
    x, y = " " + a, " " + b
    n, m = len(a), len(b)
    prev = [0.0] * (m + 1)
    for i in range(1, n + 1):
        cur = [0.0] * (m + 1)
        x1, x2 = x[i - 1], x[i]
        for j in range(1, m + 1):
            same = ((x1 == y[j - 1]) + (x2 == y[j])) / 2
            cur[j] = max(prev[j], cur[j - 1], prev[j - 1] + same)
        prev = cur
    return prev[m] / max(n, m)


def dice(a: str, b: str) -> float:
    """Dice coefficient of the two names' letter bigrams (with word-edge padding)."""
    ga = {a[i:i + 2] for i in range(len(a) - 1)} | {" " + a[:1], a[-1:] + " "}
    gb = {b[i:i + 2] for i in range(len(b) - 1)} | {" " + b[:1], b[-1:] + " "}
    return 2 * len(ga & gb) / (len(ga) + len(gb))


@lru_cache(maxsize=200_000)
def phonetic_key(name: str) -> str:
    return jellyfish.metaphone(name) or name


def measures(a: str, b: str, floor: float = 0.0) -> dict[str, float] | None:
    """Every measure for one pair of lower-case names, each between 0 and 1.

    With ``floor``, None when the combined score cannot reach it (BI-SIM, the slowest
    measure, is then not computed).
    """
    edit = Levenshtein.normalized_similarity(a, b)
    prefix = Prefix.normalized_similarity(a, b)
    sound = Levenshtein.normalized_similarity(phonetic_key(a), phonetic_key(b))
    if floor:
        # BI-SIM never exceeds (longest common subsequence + 1) / longer length.
        bound = min(1.0, (LCSseq.similarity(a, b) + 1) / max(len(a), len(b), 1))
        if (edit + prefix + sound + bound) / 4 < floor:
            return None
    bi = bisim(a, b)
    return {
        "combined": (edit + bi + prefix + sound) / 4,
        "edit": edit,
        "bisim": bi,
        "prefix": prefix,
        "phonetic": sound,
        "dice": dice(a, b),
        "suffix": Postfix.normalized_similarity(a, b),
    }


def level(score: float) -> str | None:
    for name, threshold in LEVELS:
        if score >= threshold:
            return name
    return None


def explain_pair(a: str, b: str, m: dict[str, float]) -> tuple[str, ...]:
    """What makes the two names alike, in words."""
    why = []
    edits = Levenshtein.distance(a, b)
    if edits <= 2:
        why.append(f"{edits} letter{'s' if edits > 1 else ''} apart")
    suffix = 0
    while suffix < min(len(a), len(b)) and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    if suffix >= 4:
        why.append(f"same ending -{a[-suffix:]}")
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    if prefix >= 3:
        why.append(f"same beginning {a[:prefix]}-")
    if phonetic_key(a) == phonetic_key(b):
        why.append("same sound (identical phonetic key)")
    elif m["phonetic"] >= 0.8:
        why.append("similar sound")
    if abs(len(a) - len(b)) <= 1 and m["bisim"] >= 0.7 and not why:
        why.append("similar shape")
    return tuple(why)


@dataclass(frozen=True, slots=True)
class SimilarityHit:
    """An existing name close to the screened one."""

    name: str
    origin: str  # registry (shipped), user, unii, list
    kind: str  # inn, brand, substance, official, candidate ...
    score: float
    level: str | None
    measures: dict[str, float]
    why: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "origin": self.origin,
            "kind": self.kind,
            "score": round(self.score, 4),
            "level": self.level,
            "measures": {k: round(v, 4) for k, v in self.measures.items()},
            "why": list(self.why),
        }


@dataclass(frozen=True, slots=True)
class Screening:
    """The result of screening one name against a list of existing names."""

    input: str
    name: str
    hits: tuple[SimilarityHit, ...]
    against: str
    compared: int  # size of the list screened against
    reason: str | None = None

    @property
    def top_level(self) -> str | None:
        return self.hits[0].level if self.hits else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "name": self.name,
            "against": self.against,
            "compared": self.compared,
            "top_level": self.top_level,
            "thresholds": dict(LEVELS),
            "hits": [h.to_dict() for h in self.hits],
            "reason": self.reason,
        }


class Universe:
    """Names to screen against, indexed by length for fast retrieval."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        seen: dict[str, tuple[str, str]] = {}
        for name, origin, kind in entries:
            key = name.lower()
            if key and key not in seen:
                seen[key] = (origin, kind)
        ordered = sorted(seen, key=lambda n: (len(n), n))
        self.names = ordered
        self.meta = [seen[n] for n in ordered]
        self.keys = [phonetic_key(n) for n in ordered]
        self.index = {n: i for i, n in enumerate(ordered)}
        self._first_of_length: dict[int, int] = {}
        for i, n in enumerate(ordered):
            self._first_of_length.setdefault(len(n), i)

    def __len__(self) -> int:
        return len(self.names)

    def window(self, length: int) -> tuple[int, int]:
        """Index range of names whose length is within reach of a name of ``length``."""
        spread = max(3, length // 3)
        lo, hi = length - spread, length + spread
        starts = self._first_of_length
        first = min((i for n, i in starts.items() if n >= lo), default=len(self.names))
        after = min((i for n, i in starts.items() if n > hi), default=len(self.names))
        return first, after


def build_universe(against: str | Iterable[str] | Universe = "all",
                   registry: Registry | None = None) -> Universe:
    """The names to screen against: ``all`` (registry + UNII), ``registry``, ``unii``, a list
    of names, or a prepared :class:`Universe`."""
    if isinstance(against, Universe):
        return against
    if not isinstance(against, str):
        return Universe((n, "list", "name") for n in against)
    if against not in ("all", "registry", "unii"):
        raise ValueError("against must be 'all', 'registry', 'unii' or a list of names")
    reg = registry if registry is not None else get_registry()
    return _universe(reg, against, reg.generation)


@owner_cache(4)
def _universe(registry: Registry, against: str, generation: int) -> Universe:
    entries: list[tuple[str, str, str]] = []
    if against in ("all", "registry"):
        for e in registry.entries():
            origin = "registry" if e.origin == "shipped" else "user"
            entries.append((e.name, origin, e.kind))
            if e.second_word:
                entries.append((e.full_name, origin, e.kind))
    if against in ("all", "unii"):
        entries += [(n, "unii", kind) for n, kind in unii_names()]
    return Universe(entries)


def screen(name: str, *, against: str | Iterable[str] | Universe = "all", limit: int = 10,
           score_cutoff: float | None = None, registry: Registry | None = None) -> Screening:
    """Existing names most like ``name``, best first, with every measure and the reasons."""
    if not isinstance(name, str):
        return Screening(repr(name)[:80], "", (), str(against), 0, "expected a name as text")
    try:
        require_text(name)
    except InvalidInputError as exc:  # lone surrogates: bytes that were not UTF-8
        return Screening(name.encode("utf-8", "backslashreplace").decode("ascii")[:80], "", (),
                         str(against), 0, str(exc))
    query = normalize_name(name)
    if not query or len(query) > 100:
        return Screening(name, query, (), str(against), 0,
                         "empty name" if not query else "a name is at most 100 characters")
    universe = build_universe(against, registry)
    cutoff = LEVELS[-1][1] if score_cutoff is None else score_cutoff
    first, after = universe.window(len(query))
    names = universe.names[first:after]
    found: set[int] = set()
    # Retrieval: the closest spellings (Indel, the fastest edit measure) and the closest
    # sounds; the full measures are computed on these few hundred names only.
    for _n, _s, i in process.extract(query, names, scorer=Indel.normalized_similarity,
                                     limit=CANDIDATES, score_cutoff=0.3):
        found.add(first + i)
    key = phonetic_key(query)
    for _n, _s, i in process.extract(key, universe.keys[first:after],
                                     scorer=Levenshtein.normalized_similarity,
                                     limit=CANDIDATES // 3, score_cutoff=0.5):
        found.add(first + i)
    hits = []
    for i in found:
        other = universe.names[i]
        if other == query:
            continue
        m = measures(query, other, floor=cutoff)
        if m is None or m["combined"] < cutoff:
            continue
        origin, kind = universe.meta[i]
        hits.append(SimilarityHit(other, origin, kind, m["combined"], level(m["combined"]), m,
                                  explain_pair(query, other, m)))
    hits.sort(key=lambda h: (-h.score, h.name))
    exact = query in universe.index
    reason = "the name itself is already on the list" if exact else None
    return Screening(name, query, tuple(hits[:max(limit, 0)]),
                     against if isinstance(against, str) else "list", len(universe), reason)


def screen_all(names: Iterable[str], *, score_cutoff: float | None = None
               ) -> list[tuple[str, str, dict[str, float]]]:
    """Every pair of the given names at or above the cutoff (default: the low level), best
    first. The three cheap measures are computed for all pairs at once (rapidfuzz ``cdist``);
    BI-SIM only for the pairs whose best possible combined score reaches the cutoff."""
    import numpy as np
    from rapidfuzz.process import cdist

    unique = sorted({n.lower() for n in names})
    keys = [phonetic_key(n) for n in unique]
    cutoff = LEVELS[-1][1] if score_cutoff is None else score_cutoff
    edit = cdist(unique, unique, scorer=Levenshtein.normalized_similarity, workers=1)
    prefix = cdist(unique, unique, scorer=Prefix.normalized_similarity, workers=1)
    sound = cdist(keys, keys, scorer=Levenshtein.normalized_similarity, workers=1)
    # BI-SIM credits each aligned bigram with its matching letters, so it never exceeds
    # (longest common subsequence + 1) / longer length: a cheap, safe upper bound.
    lcs = cdist(unique, unique, scorer=LCSseq.similarity, workers=1)
    lengths = np.array([len(n) for n in unique], dtype=float)
    longer = np.maximum.outer(lengths, lengths)
    bound = (edit + prefix + sound + np.minimum(1.0, (lcs + 1) / longer)) / 4
    rows, cols = np.nonzero(np.triu(bound >= cutoff, k=1))
    out = []
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        m = measures(unique[i], unique[j], floor=cutoff)
        if m is not None and m["combined"] >= cutoff:
            out.append((unique[i], unique[j], m))
    out.sort(key=lambda item: -item[2]["combined"])
    return out
