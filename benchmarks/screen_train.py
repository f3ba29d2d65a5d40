"""Learn the weights of screening's ranking model on one confused-pair list, score another.

The model (``innkit.screening.ranking``) weighs nine measures of a pair of names. Its weights
are learned here, on public lists of confused names, in two settings at once:
  - the list: the protocol of benchmarks/screen_accuracy.py: each list's library is its own
    names, every name of every pair is a query (both directions), and the partner competes
    against every other name of the library (all alike in familiarity, as on any user's
    list: a list of names in use; familiarity is learned on all names);
  - all names: the partner competes against every name innkit screens against (registry +
    FDA UNII list), as a pharmacist meets it; the ``CANDIDATES`` names closest by edit
    similarity, and those closest by edit similarity plus familiarity (word frequency and
    being a medicine authorised for sale), stand for the list (names of the query's own
    substance, read by their stem word, are no negatives).
The loss is the two settings' softmax cross-entropy of the partner, weighed ``LIST_WEIGHT``
and the rest (equally: the list is how the unseen-pairs goal is measured, all names is how a
pharmacist meets a name; at 0.8 the list alone set the weights and rare names that share
more letters stayed above the names in use), (temperature
``TEMPERATURE``; the query's other partners are left out of its negatives), plus a pull of
strength ``PULL`` towards Kondrak and Dorr's equal four-measure mean; the weights are kept
non-negative (so retrieval stays exact) and summing to 1, by projected gradient descent from
that mean. Nothing else is tuned.

Two folds, both printed with recall@1/5/10 of the learned model and of the plain mean:
  A. learn on the FDA Tall Man pairs and the Australian Tables 2-5 (cancer medicines, classes,
     -mab, -nib); score on the Australian Table 1 (the general list of brands and generics).
  B. learn on the Australian Table 1; score on the FDA pairs and the Australian Tables 2-5.
Fold A is the model innkit ships: ``--write`` writes its weights, with their provenance, to
src/innkit/data/screen_model.tsv. The Australian list is rebuilt from ../shared at run time
(its licence allows no derivative; only the weights, nine numbers, are kept).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _shared import ROOT
from lasa_pairs import au_pairs, fda_pairs
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from innkit.registry import get_registry
from innkit.rules.normalize import normalize_name
from innkit.screening.ranking import FEATURES, KD_MEAN, in_use
from innkit.screening.similarity import build_universe, measures_many, reading

TEMPERATURE = 0.05
PULL = 5.0
STEPS = 300
RATE = 0.005
MODEL_FILE = ROOT / "src" / "innkit" / "data" / "screen_model.tsv"
KS = (1, 5, 10)
CANDIDATES = 300
LIST_WEIGHT = 0.5

Query = tuple[np.ndarray, int, np.ndarray]
"""A query's measures against every other name, its partner's row, and the rows that are
negatives when learning (every name but the query's other partners)."""
Extra = Callable[[str, list[str]], np.ndarray]
"""Columns of candidate measures of a query with each of the other names, (n, k): appended
after the model's measures (benchmarks/screen_ablation.py tries measures this way)."""


def _with(x: np.ndarray, extra: Extra | None, query: str, others: list[str]) -> np.ndarray:
    return x if extra is None else np.hstack([x, extra(query, others)])


def queries(pairs: list[tuple[str, str]], extra: Extra | None = None) -> list[Query]:
    norm = [(normalize_name(a), normalize_name(b)) for a, b in pairs]
    names = sorted({n for p in norm for n in p})
    partners: dict[str, set[str]] = {}
    for a, b in norm:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    out = []
    for a, b in norm + [(b, a) for a, b in norm]:
        others = [n for n in names if n != a]
        negatives = np.array([o == b or o not in partners[a] for o in others])
        out.append((_with(measures_many(a, others), extra, a, others), others.index(b),
                    negatives))
    return out


def against_all(pairs: list[tuple[str, str]], names: list[str], familiar: np.ndarray,
                known_as: dict[str, float], extra: Extra | None = None) -> list[Query]:
    """Each directed pair with the partner among the closest names of the whole list, each
    name as familiar as the whole list reads it (``known_as``; a partner not on it, as
    :func:`~innkit.screening.ranking.in_use` reads it)."""
    norm = [(normalize_name(a), normalize_name(b)) for a, b in pairs]
    partners: dict[str, set[str]] = {}
    for a, b in norm:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    out = []
    for a, b in norm + [(b, a) for a, b in norm]:
        edit = process.cdist([a], names, scorer=Levenshtein.normalized_similarity, workers=1,
                             dtype=np.float32)[0]
        near = np.argpartition(-edit, CANDIDATES)[:CANDIDATES]
        known = np.argpartition(-(edit + familiar), CANDIDATES)[:CANDIDATES]
        own = {reading(a).stem, reading(b).stem}
        others = [n for n in dict.fromkeys(names[i] for i in np.concatenate([near, known]))
                  if reading(n).stem not in own and n not in partners[a]] + [b]
        negatives = np.ones(len(others), dtype=bool)
        x = measures_many(a, others)
        missing = [n for n in others if n not in known_as]
        known_as.update(zip(missing, in_use(missing, get_registry()).tolist(), strict=True))
        x[:, FEATURES.index("familiar")] = [known_as[n] for n in others]
        out.append((_with(x, extra, a, others), len(others) - 1, negatives))
    return out


def fit(train: list[list[Query]]) -> np.ndarray:
    """Projected gradient descent on the softmax loss of the two settings (the list, all
    names), from and pulled towards the mean (which gives any column past the model's none)."""
    mean = np.zeros(train[0][0][0].shape[1])
    mean[:len(KD_MEAN)] = KD_MEAN
    w = mean.copy()
    for _ in range(STEPS):
        grad = np.zeros_like(w)
        for setting, weight in zip(train, (LIST_WEIGHT, 1 - LIST_WEIGHT), strict=True):
            part = np.zeros_like(w)
            for x, pos, keep in setting:
                rows = x[keep]
                p = int(keep[:pos].sum())
                s = rows @ w / TEMPERATURE
                e = np.exp(s - s.max())
                e /= e.sum()
                part += (rows.T @ e - rows[p]) / TEMPERATURE
            grad += weight * part / len(setting)
        grad += PULL * (w - mean)
        w = np.maximum(w - RATE * grad, 0.0)
        w /= w.sum()
    return np.round(w, 4)


def recall(test: list[Query], w: np.ndarray, k: int) -> float:
    """Share of queries whose partner ranks in the top k (ties ranked against the partner)."""
    hits = 0
    for x, pos, _keep in test:
        s = x @ w
        hits += int((s > s[pos]).sum() + 1 <= k)
    return hits / len(test)


def cells(test: list[Query], w: np.ndarray) -> str:
    return "/".join(f"{recall(test, w, k):.3f}" for k in KS)


def main() -> int:
    started = time.perf_counter()
    fda = fda_pairs()
    au1 = au_pairs(("Table 1",))
    au25 = au_pairs(("Table 2", "Table 3", "Table 4", "Table 5"))
    sets = {"FDA Tall Man": fda, "AU Table 1 (general)": au1, "AU Tables 2-5": au25}
    data = {label: queries(pairs) for label, pairs in sets.items()}
    universe = build_universe("all")
    names = universe.names
    familiar = universe.forms.familiar[universe.stem]
    known_as = dict(zip(names, universe.forms.familiar[universe.full].tolist(), strict=True))
    wide = {label: against_all(pairs, names, familiar, known_as)
            for label, pairs in sets.items()}
    print(f"all names: {len(names):,}; each query's {2 * CANDIDATES} closest stand for them")
    folds = {
        "A": (["FDA Tall Man", "AU Tables 2-5"], ["AU Table 1 (general)"]),
        "B": (["AU Table 1 (general)"], ["FDA Tall Man", "AU Tables 2-5"]),
    }
    print("recall@1/5/10, both directions, library = each list's own names")
    print("  learned on / scored on: learned model vs Kondrak-Dorr mean")
    models = {}
    for fold, (learn, score) in folds.items():
        train = [q for label in learn for q in data[label]]
        w = models[fold] = fit([train, [q for label in learn for q in wide[label]]])
        print(f"fold {fold}: learned on {' + '.join(learn)} ({len(train)} queries)")
        print("  weights: " + ", ".join(f"{f} {v:.4f}" for f, v in zip(FEATURES, w,
                                                                    strict=True)))
        for label in learn + score:
            tag = "seen  " if label in learn else "UNSEEN"
            print(f"  {tag} {label:<22} {len(data[label]):>4} queries: model "
                  f"{cells(data[label], w)}  mean {cells(data[label], KD_MEAN)}; "
                  f"against all names: model {cells(wide[label], w)}  mean "
                  f"{cells(wide[label], KD_MEAN)}")
    if "--write" in sys.argv:
        w = models["A"]
        held = data["AU Table 1 (general)"]
        train_n = len(data["FDA Tall Man"]) + len(data["AU Tables 2-5"])
        note = (f"S: learned by benchmarks/screen_train.py (fold A: FDA Tall Man pairs + "
                f"Australian Tall Man Tables 2-5, {train_n} directed pairs; softmax over each "
                f"list's names and against all names, weighed {LIST_WEIGHT} and the rest, "
                f"temperature {TEMPERATURE}, pull {PULL} to the four-measure mean); held-out "
                f"Australian Table 1 recall@5 "
                f"{recall(held, w, 5):.3f} (mean {recall(held, KD_MEAN, 5):.3f}), against all "
                f"names {recall(wide['AU Table 1 (general)'], w, 5):.3f} (mean "
                f"{recall(wide['AU Table 1 (general)'], KD_MEAN, 5):.3f})")
        lines = ["feature\tweight\tevidence"]
        lines += [f"{f}\t{v:.4f}\t{note}" for f, v in zip(FEATURES, w, strict=True)]
        MODEL_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
