"""Would another measure help the ranking? Each candidate learned with the model, on both folds.

Each candidate measure of a pair of names is added as a column after the model's own and
the weights learned again exactly as benchmarks/screen_train.py learns them (same lists,
folds, loss and pull; the candidate starts at weight 0). Printed for each: its learned weight
on each fold, and recall@5 of the sets each fold leaves unseen, on the list (the goal's
protocol) and against all names. A candidate earns a place in the model only if it helps on
both folds; the onset (the sounds before the first vowel) did, and is now the model's own;
none of these does yet:

  - trigram and bigram Dice (Kondrak and Dorr's DICE);
  - the ending: the share of the last three letters that agree, read from the end (Celexa and
    Cerebyx share none; Zantac and Xanax one);
  - the consonants: edit similarity of the names without their vowels;
  - both brands, or both of one kind (brand and brand, generic and generic): pharmacists
    confuse brands with brands;
  - a shared INN stem, as the decoder reads it (confusions within a class of medicines).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from lasa_pairs import au_pairs, fda_pairs
from rapidfuzz.distance import Levenshtein
from screen_train import Query, against_all, fit, queries, recall

from innkit.registry import get_registry
from innkit.screening.grouping import identities
from innkit.screening.ranking import FEATURES
from innkit.screening.similarity import build_universe, reading

Measure = Callable[[str, list[str]], np.ndarray]
_VOWELS = re.compile(r"[aeiouy]")


def _grams(text: str, n: int) -> set[str]:
    padded = " " * (n - 1) + text + " " * (n - 1)
    return {padded[i:i + n] for i in range(len(padded) - n + 1)}


def dice_of(n: int) -> Measure:
    def measure(query: str, others: list[str]) -> np.ndarray:
        own = _grams(query, n)
        out = []
        for other in others:
            theirs = _grams(other, n)
            out.append(2 * len(own & theirs) / (len(own) + len(theirs)))
        return np.array(out)
    return measure


def ending(query: str, others: list[str], k: int = 3) -> np.ndarray:
    """Share of the last ``k`` letters that agree, aligned at the end."""
    tail = query[-k:].rjust(k)
    return np.array([sum(x == y for x, y in zip(tail, o[-k:].rjust(k), strict=True)) / k
                     for o in others])


def consonants(query: str, others: list[str]) -> np.ndarray:
    own = _VOWELS.sub("", query)
    return np.array([Levenshtein.normalized_similarity(own, _VOWELS.sub("", o))
                     for o in others])


class Kinds:
    """Brand or not, and the sure INN stems, of every name met (looked up once each)."""

    def __init__(self) -> None:
        self.brand: dict[str, bool] = {}
        self.stems: dict[str, frozenset[str]] = {}

    def look_up(self, names: list[str]) -> None:
        from innkit.decoder.decode import decode
        from innkit.vocab import Confidence

        todo = sorted({n for n in names if n not in self.brand})
        found = identities([(n, reading(n).stem) for n in todo], get_registry())
        sure = (Confidence.HIGH, Confidence.MEDIUM)
        for name, ident in zip(todo, found, strict=True):
            self.brand[name] = ident.brand
            d = decode(name)
            self.stems[name] = frozenset({s.stem for s in d.stems if s.confidence in sure}
                                         | ({d.stem} if d.stem else set()))

    def both_brands(self, query: str, others: list[str]) -> np.ndarray:
        self.look_up([query, *others])
        return np.array([float(self.brand[query] and self.brand[o]) for o in others])

    def same_kind(self, query: str, others: list[str]) -> np.ndarray:
        self.look_up([query, *others])
        return np.array([float(self.brand[query] == self.brand[o]) for o in others])

    def same_stem(self, query: str, others: list[str]) -> np.ndarray:
        self.look_up([query, *others])
        return np.array([float(bool(self.stems[query] & self.stems[o])) for o in others])


class Recorder:
    """Keeps the names of each query (no columns added), so candidates are computed after."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, list[str]]] = []

    def __call__(self, query: str, others: list[str]) -> np.ndarray:
        self.seen.append((query, list(others)))
        return np.zeros((len(others), 0))


def added(data: list[Query], names: list[tuple[str, list[str]]], measure: Measure | None
          ) -> list[Query]:
    if measure is None:
        return data
    return [(np.hstack([x, measure(q, others)[:, None]]), pos, keep)
            for (x, pos, keep), (q, others) in zip(data, names, strict=True)]


def main() -> int:
    started = time.perf_counter()
    sets = {"FDA": fda_pairs(), "AU1": au_pairs(("Table 1",)),
            "AU2-5": au_pairs(("Table 2", "Table 3", "Table 4", "Table 5"))}
    universe = build_universe("all")
    names = universe.names
    familiar = universe.forms.familiar[universe.stem]
    known_as = dict(zip(names, universe.forms.familiar[universe.full].tolist(), strict=True))
    lists, wide = {}, {}
    for label, pairs in sets.items():
        rec = Recorder()
        lists[label] = (queries(pairs, rec), rec.seen)
        rec = Recorder()
        wide[label] = (against_all(pairs, names, familiar, known_as, rec), rec.seen)
    kinds = Kinds()
    candidates: dict[str, Measure | None] = {
        "(none: the model's own)": None, "trigram Dice": dice_of(3),
        "bigram Dice": dice_of(2), "ending (last 3)": ending, "consonants": consonants,
        "both brands": kinds.both_brands, "same kind": kinds.same_kind,
        "same INN stem": kinds.same_stem}
    folds = {"A": (["FDA", "AU2-5"], ["AU1"]), "B": (["AU1"], ["FDA", "AU2-5"])}
    print("recall@5 of the unseen sets: on the list / against all names; w = the "
          "candidate's learned weight")
    for label, measure in candidates.items():
        cells = []
        for fold, (learn, score) in folds.items():
            li = {k: added(*lists[k], measure) for k in learn + score}
            wi = {k: added(*wide[k], measure) for k in learn + score}
            w = fit([[q for k in learn for q in li[k]], [q for k in learn for q in wi[k]]])
            extra = f"w {w[len(FEATURES)]:.3f} " if len(w) > len(FEATURES) else ""
            cells.append(f"{fold}: {extra}" + " ".join(
                f"{k} {recall(li[k], w, 5):.3f}/{recall(wi[k], w, 5):.3f}" for k in score))
        print(f"  {label:<26} " + "   ".join(cells))
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
