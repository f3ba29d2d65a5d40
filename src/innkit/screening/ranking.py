"""The ranking model: how the measures of a pair of names combine into one score.

Kondrak and Dorr (2004) rank confusable drug names by the plain mean of four measures (edit,
BI-SIM, prefix, ALINE). innkit adds four that a reader of a name also sees or hears (the shared
ending, the longest common subsequence, the same first letter, the same onset) and one of the
other name alone (how familiar it is: a name in use is the one a reader's eye jumps to), and
weighs all nine with weights learned on public confused-pair lists by
``benchmarks/screen_train.py``: a softmax over each list's own names (the partner against
every other name), the weights kept non-negative and pulled towards the equal four-measure
mean so that they generalise. The weights and their training provenance are the table
``data/screen_model.tsv``.

Every weight is non-negative, so the score is monotone in each measure: an upper bound of each
measure gives an upper bound of the score, which keeps retrieval exact
(:meth:`innkit.screening.similarity.Universe.search`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..registry import Registry
from ..rules.core import Rules

FEATURES = ("edit", "bisim", "prefix", "phonetic", "suffix", "lcs", "first", "familiar",
            "onset")
"""The measures, in the column order of the measure arrays: normalised Levenshtein similarity,
BI-SIM, shared beginning over the longer name, ALINE, shared ending over the longer name,
longest common subsequence over the longer name, same first letter or first sound (0 or 1),
how familiar the other name is (:func:`in_use`): names in use are the ones people confuse,
and the same onset, the sounds before the first vowel (0 or 1: Celexa and Cerebyx, /s/; none
for afatinib and axitinib)."""
FAMILIAR_ZIPF = 3.0
"""The Zipf frequency at which a name counts as wholly familiar (a word met once per million
words: Xanax; Zyrtec and Celexa, at about 1.8, count 0.6); rarer names count in proportion,
names the corpus never saw as 0."""
AUTHORISED_SHARE = 0.5
"""Share of ``familiar`` that is being on a list of authorised medicines (the rest is the word
frequency): a design choice, not fitted. The word frequency alone knows brands people write
about (Xanax) but not hospital ones (Cerebyx); the lists alone know every brand of a
substance alike (Zantryl as Adipex-P)."""
KD_MEAN = np.array([0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0, 0], dtype=np.float64)
"""Kondrak and Dorr's combination in the same columns: the baseline the model is pulled to."""


@dataclass(frozen=True)
class Model:
    """The weight of each measure (summing to 1) and where each came from."""

    weights: np.ndarray  # float64, one per FEATURES column
    evidence: dict[str, str]

    def weight(self, feature: str) -> float:
        return float(self.weights[FEATURES.index(feature)])


def read_model(rules: Rules) -> Model:
    """screen_model.tsv: one row per measure, each weight non-negative, together 1."""
    rows = {r["feature"]: r for r in rules.read("screen_model.tsv",
                                                 ("feature", "weight", "evidence"))}
    if set(rows) != set(FEATURES):
        raise DataError(f"screen_model.tsv: expected one row for each of {', '.join(FEATURES)}",
                        "retrain it with benchmarks/screen_train.py --write")
    weights = np.array([float(rows[f]["weight"]) for f in FEATURES], dtype=np.float64)
    if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-3:
        raise DataError("screen_model.tsv: the weights must be non-negative and sum to 1",
                        "retrain it with benchmarks/screen_train.py --write")
    return Model(weights / weights.sum(), {f: rows[f]["evidence"] for f in FEATURES})


def familiarity(text: str) -> float:
    """How often a name is written, between 0 and 1 (wordfreq's Zipf scale over
    ``FAMILIAR_ZIPF``); codes and numbers 0."""
    from wordfreq import zipf_frequency

    if not text or any(c.isdigit() for c in text):
        return 0.0
    return min(zipf_frequency(text, "en"), FAMILIAR_ZIPF) / FAMILIAR_ZIPF


def in_use(texts: list[str], registry: Registry | None) -> np.ndarray:
    """How familiar each name is to a pharmacist, between 0 and 1: its word frequency
    (:func:`familiarity`) and whether it names a medicine authorised for sale
    (:func:`innkit.screening.grouping.authorised`), weighed ``AUTHORISED_SHARE``. Codes and
    numbers 0: a reader knows a medicine by its name, not by its code."""
    from .grouping import authorised

    listed = authorised(texts, registry)
    out = np.array([0.0 if any(c.isdigit() for c in t) else
                    (1 - AUTHORISED_SHARE) * familiarity(t) + AUTHORISED_SHARE * float(m)
                    for t, m in zip(texts, listed.tolist(), strict=True)], dtype=np.float32)
    return out


def model() -> Model:
    """The shipped model, read once."""
    return Rules.shipped().derived(read_model)
