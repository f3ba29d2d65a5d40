"""How a drug name sounds: spelling to phonemes, and ALINE-style alignment of two names' sounds.

Two steps, both driven by data tables:

1. ``phonemes(word)`` reads a word with the ordered spelling rules of ``data/g2p_rules.tsv``
   (longest grapheme first, then table order; a rule may ask for a word edge, a vowel or a
   consonant before or after it), one character per phoneme.
2. ``aline(a, b)`` aligns two phoneme strings with the scoring of Kondrak's ALINE (Kondrak 2000,
   "A new algorithm for the alignment of phonetic sequences"): a substitution scores
   ``C_sub - delta(p, q) - V(p) - V(q)``, where delta is the salience-weighted difference of
   the segments' multivalued features (``data/aline.tsv``, ``data/phonemes.tsv``) and V
   discounts vowels; a skip costs ``C_skip``. innkit aligns the whole of both names without
   expansions, except that the sounds left over at the end of either name, after the other's
   last one, cost ``end_skip`` each (a name's tail is heard least: Zantac and Xanax, /zæntæk/
   and /zænæks/, differ by a sound in the middle and one at the end); it divides the score by
   the larger self-score, so 1.0 means the same sounds.

The alignment runs on many names at once (numpy, one row of the dynamic programme per query
phoneme, the within-row recurrence solved with a cumulative maximum), which is what lets
``screen`` score thousands of candidates in a few milliseconds instead of the 4 ms per pair
of a pure-Python ALINE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import DataError
from ..rules.core import Rules

_VOWEL_LETTERS = "aeiouy"
_CONSONANT_LETTERS = "bcdfghjklmnpqrstvwxz"


def _context(spec: str) -> frozenset[str] | None:
    """The letters a rule's context cell allows next to the grapheme: ``^``/``$`` a word edge
    (anything but a letter, written as the empty string), ``V`` a vowel letter, ``C`` a
    consonant letter, ``[..]`` one of those letters; None for any."""
    if not spec:
        return None
    if spec in ("^", "$"):
        return frozenset({""})
    if spec == "V":
        return frozenset(_VOWEL_LETTERS)
    if spec == "C":
        return frozenset(_CONSONANT_LETTERS)
    if re.fullmatch(r"\[[a-z]+\]", spec):
        return frozenset(spec[1:-1])
    raise DataError(f"g2p_rules.tsv: unknown context {spec!r}", "use ^ $ V C or [letters]")


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    grapheme: str
    before: frozenset[str] | None
    after: frozenset[str] | None
    phonemes: str
    line: int


@dataclass(frozen=True)
class Phonology:
    """The tables read once: spelling rules, phoneme inventory and the ALINE score matrix."""

    rules: dict[str, tuple[Rule, ...]]  # by first letter: longest grapheme first, then table order
    inventory: str  # phoneme of each code, code 0 being padding
    code: dict[str, int]
    sub: np.ndarray  # (codes, codes) float32 substitution scores; padding row/column -inf
    self_score: np.ndarray  # (codes,) score of a phoneme aligned with itself
    skip: float
    end_skip: float  # cost of each sound after the other name's last aligned one
    vowel: np.ndarray  # (codes,) bool: the phoneme is a vowel (syllabic); padding False


def phonology() -> Phonology:
    """The phonetic tables of the package's own rules, read once (screening's cache of sounds
    is keyed by these tables)."""
    return Rules.shipped().derived(read_phonology)


def read_phonology(rules: Rules) -> Phonology:
    """aline.tsv, phonemes.tsv and g2p_rules.tsv of ``rules``, checked and indexed."""
    values: dict[str, float] = {}
    salience: dict[str, float] = {}
    relevant: dict[str, tuple[str, ...]] = {}
    constants: dict[str, float] = {}
    for row in rules.read("aline.tsv", ("key", "value", "evidence")):
        kind, _, name = row["key"].partition(":")
        if kind == "salience":
            salience[name] = float(row["value"])
        elif kind == "constant":
            constants[name] = float(row["value"])
        elif kind == "relevant":
            relevant[name] = tuple(row["value"].split())
        else:
            values[f"{kind}:{name}"] = float(row["value"])
    features = list(salience)
    kinds = {"place": "place", "manner": "manner", "high": "high", "back": "back"}
    inventory = [""]  # code 0: padding (and nothing), never equal to a real phoneme
    vectors = [np.zeros(len(features))]
    vowel = [False]
    for row in rules.read("phonemes.tsv", ("phoneme", *features, "evidence")):
        if len(row["phoneme"]) != 1:
            raise DataError(f"phonemes.tsv line {row['_line']}: one character per phoneme",
                            "fix the row")
        vec = []
        for f in features:
            key = f"{kinds.get(f, 'binary')}:{row[f]}"
            if key not in values:
                raise DataError(f"phonemes.tsv line {row['_line']}: unknown value {row[f]!r}",
                                "use a value listed in aline.tsv")
            vec.append(values[key])
        inventory.append(row["phoneme"])
        vectors.append(np.array(vec))
        vowel.append(row["syllabic"] == "plus")
    feats = np.array(vectors)
    sal = np.array([salience[f] for f in features])
    mask_c = np.array([f in relevant["consonant"] for f in features], dtype=float)
    mask_v = np.array([f in relevant["vowel"] for f in features], dtype=float)
    is_vowel = np.array(vowel)
    diff = np.abs(feats[:, None, :] - feats[None, :, :]) * sal
    both_vowels = is_vowel[:, None] & is_vowel[None, :]
    delta = np.where(both_vowels, (diff * mask_v).sum(-1), (diff * mask_c).sum(-1))
    v_cost = np.where(is_vowel, constants["vwl"], 0.0)
    sub = constants["sub"] - delta - v_cost[:, None] - v_cost[None, :]
    sub[0, :] = sub[:, 0] = -1e6
    self_score = np.diag(sub).copy()
    self_score[0] = 0.0
    # The bound screen relies on: no substitution beats either segment aligned with itself,
    # so a name's alignment with any other scores at most its own self-score.
    real = sub[1:, 1:]
    if not (real <= np.minimum(self_score[1:, None], self_score[None, 1:]) + 1e-9).all():
        raise DataError("aline.tsv/phonemes.tsv: a substitution outscores an identity",
                        "check the feature values")
    end_skip = constants.get("end_skip", constants["skip"])
    if not constants["skip"] <= end_skip <= 0:  # the bound screen relies on needs end_skip <= 0
        raise DataError("aline.tsv: constant:end_skip must lie between constant:skip and 0",
                        "fix the row")
    code = {p: i for i, p in enumerate(inventory) if p}
    spelling: list[Rule] = []
    for row in rules.read("g2p_rules.tsv", ("rule", "grapheme", "before", "after", "phonemes",
                                            "example", "evidence")):
        out = "" if row["phonemes"] == "-" else row["phonemes"]
        unknown = [p for p in out if p not in code]
        if unknown:
            raise DataError(f"g2p_rules.tsv line {row['_line']}: unknown phonemes {unknown}",
                            "add them to phonemes.tsv")
        spelling.append(Rule(row["rule"], row["grapheme"], _context(row["before"]),
                             _context(row["after"]), out, int(row["_line"])))
    by_letter: dict[str, list[Rule]] = {}
    for rule in sorted(spelling, key=lambda r: -len(r.grapheme)):  # stable: table order kept
        by_letter.setdefault(rule.grapheme[0], []).append(rule)
    return Phonology({k: tuple(v) for k, v in by_letter.items()}, "".join(inventory), code,
                     sub.astype(np.float32), self_score.astype(np.float32),
                     constants["skip"], end_skip, is_vowel)


def _read(word: str) -> list[Rule]:
    """The rules that read one word, left to right (the first rule that fits at each place)."""
    by_letter = phonology().rules
    steps = []
    i, n = 0, len(word)
    while i < n:
        for rule in by_letter.get(word[i], ()):
            g = rule.grapheme
            if not word.startswith(g, i):
                continue
            if rule.before is not None and (word[i - 1] if i else "") not in rule.before:
                continue
            end = i + len(g)
            if rule.after is not None and (word[end] if end < n else "") not in rule.after:
                continue
            steps.append(rule)
            i = end
            break
        else:
            i += 1  # a letter no rule reads
    return steps


_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=131_072)
def word_phonemes(word: str) -> str:
    return "".join(r.phonemes for r in _read(word))


def phonemes(text: str) -> str:
    """The phonemes of a lower-case name, one character each; words run together, and
    characters that are not letters (digits, punctuation) say nothing."""
    return "".join(word_phonemes(w) for w in _WORD.findall(text))


def explain_phonemes(text: str) -> list[tuple[str, str, str]]:
    """(letters, phonemes, rule) for each step of the reading, to show why a name sounds so."""
    return [(r.grapheme, r.phonemes, r.key) for w in _WORD.findall(text) for r in _read(w)]


def encode(sounds: str) -> np.ndarray:
    code = phonology().code
    return np.fromiter((code[p] for p in sounds), dtype=np.uint8, count=len(sounds))


def self_score(sounds: str) -> float:
    """ALINE score of a phoneme string aligned with itself (the identity alignment is optimal,
    as checked when the tables are read)."""
    return float(phonology().self_score[encode(sounds)].sum())


def aline_many(query: np.ndarray, others: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Raw ALINE scores of the query codes against each row of ``others`` (codes padded with 0
    to a common width; ``lengths`` says how many are real): the best alignment of both names,
    the sounds of either left after the other's last costing ``end_skip`` each."""
    ph = phonology()
    n_rows, width = others.shape
    skip = np.float32(ph.skip)
    end = np.float32(ph.end_skip)
    rows = np.arange(n_rows)
    n = len(query)
    ramp = skip * np.arange(width + 1, dtype=np.float32)
    prev = np.broadcast_to(ramp, (n_rows, width + 1)).copy()
    cur = np.empty_like(prev)
    # Ending on the other name's last sound, the rest of the query skipped at the end cost.
    best = prev[rows, lengths] + end * n
    for i, q in enumerate(query.tolist(), start=1):
        sub = ph.sub[q][others]  # (n_rows, width)
        np.maximum(prev[:, :-1] + sub, prev[:, 1:] + skip, out=cur[:, 1:])
        cur[:, 0] = skip * i
        # Within a row, D[j] = max over k <= j of T[k] + skip * (j - k).
        cur -= ramp
        np.maximum.accumulate(cur, axis=1, out=cur)
        cur += ramp
        prev, cur = cur, prev
        np.maximum(best, prev[rows, lengths] + end * (n - i), out=best)
    # Ending on the query's last sound, the rest of the other name skipped at the end cost.
    at = np.arange(width + 1, dtype=np.float32)
    tail = prev + end * (lengths[:, None].astype(np.float32) - at)
    tail[at > lengths[:, None]] = -np.inf
    return np.maximum(best, tail.max(axis=1))


def similarity_many(query: str, others: np.ndarray, lengths: np.ndarray,
                    selfs: np.ndarray) -> np.ndarray:
    """ALINE similarity of ``query`` (phonemes) with each row, between 0 and 1: the alignment
    score over the larger of the two self-scores."""
    codes = encode(query)
    own = float(phonology().self_score[codes].sum())
    if not len(codes):
        return (lengths == 0).astype(np.float32)
    raw = aline_many(codes, others, lengths)
    top = np.maximum(selfs, own)
    return np.where(top > 0, np.clip(raw, 0, None) / np.maximum(top, 1e-9), 0.0)


def similarity(a: str, b: str) -> float:
    """ALINE similarity of two names (lower case), read with the spelling rules."""
    pa, pb = phonemes(a), phonemes(b)
    codes = encode(pb)[None, :] if pb else np.zeros((1, 1), dtype=np.uint8)
    return float(similarity_many(pa, codes, np.array([len(pb)]),
                                 np.array([self_score(pb)], dtype=np.float32))[0])


def _sub_rows(rules: Rules) -> list[list[float]]:
    """The substitution scores as nested lists: fast to index one pair at a time."""
    return read_phonology(rules).sub.astype(float).tolist()


def align(a: str, b: str) -> tuple[str, str]:
    """The ALINE alignment of two phoneme strings as two rows of equal length, ``-`` where one
    side skips: what the phonetic measure matched, for people to see (one pair, in Python)."""
    ph = phonology()
    sub = Rules.shipped().derived(_sub_rows)
    ca, cb = encode(a).tolist(), encode(b).tolist()
    n, m = len(ca), len(cb)
    skip = float(ph.skip)
    score = [[skip * j for j in range(m + 1)]]
    for i in range(1, n + 1):
        row_sub = sub[ca[i - 1]]
        up = score[-1]
        row = [skip * i]
        for j in range(1, m + 1):
            row.append(max(up[j - 1] + row_sub[cb[j - 1]], up[j] + skip, row[j - 1] + skip))
        score.append(row)
    end = float(ph.end_skip)
    ends = [(score[n][j] + end * (m - j), n + j, n, j) for j in range(m + 1)]
    ends += [(score[i][m] + end * (n - i), i + m, i, m) for i in range(n + 1)]
    _, _, i, j = max(ends)  # the best end, the longest alignment among equals
    top = ["-"] * (m - j) + list(reversed(a[i:]))  # built backwards, reversed at the end
    bottom = list(reversed(b[j:])) + ["-"] * (n - i)
    while i or j:
        if i and j and score[i][j] == score[i - 1][j - 1] + sub[ca[i - 1]][cb[j - 1]]:
            top.append(a[i - 1])
            bottom.append(b[j - 1])
            i, j = i - 1, j - 1
        elif i and score[i][j] == score[i - 1][j] + skip:
            top.append(a[i - 1])
            bottom.append("-")
            i -= 1
        else:
            top.append("-")
            bottom.append(b[j - 1])
            j -= 1
    return "".join(reversed(top)), "".join(reversed(bottom))
