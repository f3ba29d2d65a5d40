"""Look-alike / sound-alike screening: which existing names a name could be confused with.

Each pair of names is scored by nine measures (:data:`~innkit.screening.ranking.FEATURES`):
the four that Kondrak and Dorr (2004, "Identification of confusable drug names: a new approach
and evaluation methodology") found best as a plain mean (``edit``, ``bisim``, ``prefix``,
``phonetic``: ALINE, see :mod:`innkit.screening.phonetic`), the shared ending, the longest
common subsequence, the first letter, the other name's familiarity and the onset (the sounds
before the first vowel), weighed by the learned model of :mod:`innkit.screening.ranking`.

Names are read as a pharmacist reads them (:func:`reading`): salts, release and dosage-form
words and FDA four-letter suffixes are set aside, and the first remaining word is the name's
*stem word*; a research code is read as its series and number. When either name has more than
its stem word, the score is the better of the whole-name score and a mix weighted towards the
stem words (``STEM_WEIGHT``); the mix alone when both set aside the same words.

Retrieval is exact (:meth:`Universe.search`): every listed name gets a cheap upper bound of
its score (from letter counts, the exact shared beginning and ending, the sounds'
self-scores), and names are scored in order of that bound until the bound falls below the
``limit``-th best score found (or the cutoff), so no name that the full scorer would rank in
the top ``limit`` is missed. ``screen`` then groups the names found by substance
(:mod:`innkit.screening.grouping`). The levels are documented in docs/screening.md with the
data they were set on.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq, Levenshtein, Postfix, Prefix

from ..caching import owner_cache
from ..errors import InvalidInputError, require_text
from ..files.atomic import atomic_output
from ..files.cache import Blob, CacheFolderError, Kept, cache_folder, cached, key_hash
from ..models import Result
from ..registry import Registry, get_registry
from ..rules.core import Rules
from ..rules.normalize import normalize_name
from ..vocab import Confidence
from . import phonetic
from .grouping import Identity, identities, identity
from .ranking import AUTHORISED_SHARE, FEATURES, in_use, model

LEVELS = ((Confidence.HIGH, 0.65), (Confidence.MEDIUM, 0.56), (Confidence.LOW, 0.44))
"""Combined-score thresholds, set on random pairs of listed names only, never on known confused
pairs (benchmarks/screen_calibrate.py): at most 1 in 50,000 random pairs reaches high, 1 in
10,000 medium, 1 in 1,000 low (with the onset in the model, about 1 in 100,000, 3 in 100,000
and 1 in 2,000: kept, so that a level flags no more random pairs than before). High means a
confusion a regulator would flag, medium one worth a look."""

STEM_WEIGHT = 0.75
"""Share of the stem words in the score of names with more than one word (a design choice,
not fitted: the salt or form matters less than the first word's stem)."""

FIRST_BATCH = 256
"""Names scored first (those with the best bounds), to learn the score to beat."""

MAX_NAME = 100
_SPLIT = re.compile(r"[\s,;/()\[\]+]+")
_FDA_SUFFIX = re.compile(r"^([a-z][a-z0-9]{4,})-([a-z]{4})$")
_NON_LETTER = re.compile(r"[^a-z0-9 ]+")
_STRENGTH = re.compile(r"\d+(?:\.\d+)?(?:mg|mcg|g|ml|hr|h|%)?").fullmatch
_CODE = re.compile(r"([a-z]{1,6})-?([a-z]{0,3}\d{2,7}[a-z]?)").fullmatch
"""A research code: a series of letters and its number (NSC-46066, LY3009104)."""
_PLAIN = re.compile(r"[A-Za-z0-9,()'.+/-]+(?: [A-Za-z0-9,()'.+/-]+)*").fullmatch
"""Names that normalize_name would only lower-case (most of the list): a fast path."""


def _set_aside(rules: Rules) -> dict[str, str]:
    """Words read as secondary to the stem word: salts (salts.tsv) and release, form, route and
    connecting words (screen_words.tsv), each with its kind."""
    words = {r["word"]: "salt" for r in rules.read("salts.tsv", ("word", "kind"))}
    for r in rules.read("screen_words.tsv", ("word", "kind", "evidence")):
        words[r["word"]] = r["kind"]
    return words


@dataclass(frozen=True, slots=True)
class Reading:
    """A name as screening compares it: the whole name and its stem word."""

    text: str  # the whole name, lower case, letters and digits, words separated by a space
    stem: str  # the one word that is not a salt, form or suffix (else the whole name)
    set_aside: tuple[str, ...]  # the words and suffixes read as secondary

    @property
    def compound(self) -> bool:
        return self.stem != self.text

    @property
    def code(self) -> bool:
        """A research code, whose stem is its number (the series set aside)."""
        return self.compound and self.stem[:1].isdigit()


def reading(name: str) -> Reading:
    """Read a (normalised) name: drop punctuation, join hyphenated parts, set aside salts,
    forms, brand modifiers (XR, HCT, PM; a one-letter one such as D only after a hyphen),
    strengths and FDA suffixes, and find the stem word."""
    aside = Rules.shipped().derived(_set_aside)
    words: list[str] = []
    stem = ""
    secondary: list[str] = []
    main = 0
    for token in _SPLIT.split(name.lower()):
        if not token:
            continue
        kind = aside.get(token)
        if (kind and kind != "modifier") or _STRENGTH(token) or (
                kind == "modifier" and words and len(token) > 1):
            secondary.append(token)
            words.append(_NON_LETTER.sub("", token))
            continue
        parts = token.split("-")
        tail: list[str] = []
        # A bare number after a hyphen is part of a code (NSC-46066), not a strength.
        while len(parts) > 1 and (parts[-1] in aside or (
                _STRENGTH(parts[-1]) and not parts[-1].isdigit())):
            tail.insert(0, parts.pop())
        base = "-".join(parts)
        fda = _FDA_SUFFIX.match(base)
        if fda and fda.group(1) not in aside:
            tail.insert(0, "-" + fda.group(2))
            base = fda.group(1)
        word = _NON_LETTER.sub("", base)
        if not word:
            continue
        secondary += tail
        words.append(_NON_LETTER.sub("", token))
        main += 1
        if not stem:
            stem = word
    text = " ".join(w for w in words if w)
    # The stem word stands for the name only when everything else is secondary: two names
    # whose other words are words of substance (insulin glargine, insulin lispro) are read
    # whole.
    if main > 1:
        stem = text
    # A code's series (NSC, LY) is shared by thousands of codes: its number tells it apart.
    code = _CODE(text) if not secondary and main == 1 else None
    if code:
        return Reading(text, code.group(2), (code.group(1),))
    return Reading(text, stem or text, tuple(secondary))


def bisim(a: str, b: str) -> float:
    """BI-SIM (Kondrak and Dorr 2003): align bigrams, each pair scoring the share of its letters
    that agree position by position; normalised by the longer word."""
    if not a or not b:
        return 0.0
    return float(_bisim_many(a, _letters([b]), np.array([len(b)]))[0])


def dice(a: str, b: str) -> float:
    """Dice coefficient of the two names' letter bigrams (with word-edge padding)."""
    ga = {a[i:i + 2] for i in range(len(a) - 1)} | {" " + a[:1], a[-1:] + " "}
    gb = {b[i:i + 2] for i in range(len(b) - 1)} | {" " + b[:1], b[-1:] + " "}
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def phonetic_key(name: str) -> str:
    """The name's phonemes (one character each), as the phonetic measure reads them."""
    return phonetic.phonemes(name)


# -- the vectorised measures -------------------------------------------------------------

def _letters(texts: Sequence[str], width: int | None = None) -> np.ndarray:
    """Letter codes of the texts, one row each, padded with 0."""
    width = max((len(t) for t in texts), default=0) if width is None else width
    out = np.zeros((len(texts), max(width, 1)), dtype=np.uint8)
    for i, t in enumerate(texts):
        raw = t.encode("ascii", "replace")[:width]
        out[i, :len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return out


def _bisim_many(query: str, letters: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """BI-SIM of the query against each row of ``letters`` (padded with 0)."""
    rows, width = letters.shape
    y = np.empty((rows, width + 1), dtype=np.uint8)
    y[:, 0] = 32
    y[:, 1:] = letters
    x = np.frombuffer((" " + query).encode("ascii", "replace"), dtype=np.uint8)
    prev = np.zeros((rows, width + 1), dtype=np.float32)
    cur = np.zeros_like(prev)
    eq_prev = (y == x[0]).astype(np.float32)
    for i in range(1, len(x)):
        eq = (y == x[i]).astype(np.float32)
        same = (eq_prev[:, :-1] + eq[:, 1:]) * 0.5
        np.maximum(prev[:, 1:], prev[:, :-1] + same, out=cur[:, 1:])
        np.maximum.accumulate(cur, axis=1, out=cur)
        prev, cur = cur, prev
        eq_prev = eq
    longer = np.maximum(lengths, len(query)).astype(np.float32)
    return prev[np.arange(rows), lengths] / np.maximum(longer, 1)


LEVELS_OF_COUNT = 8
"""Letter-count levels kept as bit masks for the shared-letters bound."""


class _Forms:
    """Texts compared by screening (whole names and stem words), with what the measures need:
    letter codes, letter-count bit masks, phoneme codes and self-scores."""

    def __init__(self, texts: list[str], arrays: dict[str, np.ndarray] | None = None,
                 registry: Registry | None = None) -> None:
        self.texts = texts
        if arrays is None:
            arrays = self._compute(texts, registry)
        self.lengths = arrays["lengths"]
        self.letters = arrays["letters"]
        self.bits = arrays["bits"]
        self.sounds = arrays["sounds"]
        self.sound_lengths = arrays["sound_lengths"]
        self.selfs = arrays["selfs"]
        self.lex_order = arrays["lex_order"]
        self.familiar = arrays["familiar"]
        self.lex = [texts[i] for i in self.lex_order.tolist()]
        self.rlex_order = arrays["rlex_order"]
        self.rlex = _Reversed(texts, self.rlex_order)
        self.text_array = np.array(texts, dtype=object)
        self._heads: tuple[np.ndarray, np.ndarray] | None = None

    KEYS = ("lengths", "letters", "bits", "sounds", "sound_lengths", "selfs", "lex_order",
            "rlex_order", "familiar")

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k) for k in self.KEYS}

    @staticmethod
    def _compute(texts: list[str], registry: Registry | None) -> dict[str, np.ndarray]:
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        letters = _letters(texts, min(int(lengths.max(initial=1)), MAX_NAME))
        sounds_text = [phonetic.phonemes(t) for t in texts]
        sound_lengths = np.array([len(s) for s in sounds_text], dtype=np.int64)
        width = max(int(sound_lengths.max(initial=1)), 1)
        code = phonetic.phonology().code
        flat = "".join(s.ljust(width, "\0") for s in sounds_text)
        table = np.zeros(0x10000, dtype=np.uint8)
        for ch, c in code.items():
            table[ord(ch)] = c
        sounds = table[np.frombuffer(flat.encode("utf-16-le"), dtype=np.uint16)].reshape(
            len(texts), width) if texts else np.zeros((0, width), dtype=np.uint8)
        selfs = phonetic.phonology().self_score[sounds].sum(axis=1, dtype=np.float32)
        lex_order = np.array(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64)
        return {"lengths": lengths, "letters": letters, "bits": _bits(_counts(letters)),
                "sounds": sounds, "sound_lengths": sound_lengths, "selfs": selfs,
                "lex_order": lex_order,
                "rlex_order": np.array(sorted(range(len(texts)), key=lambda i: texts[i][::-1]),
                                       dtype=np.int64),
                # a user's own list: every name on it is in use, as a medicine authorised
                # for sale is; its word frequency is not read, so familiarity tells none apart
                "familiar": (in_use(texts, registry) if registry is not None else
                             np.full(len(texts), AUTHORISED_SHARE, dtype=np.float32))}

    @property
    def heads(self) -> tuple[np.ndarray, np.ndarray]:
        """Each form's first letter and first sound, kept whole (a column of the letters and
        sounds is read at every screen; gathered from the rows, it costs more than the
        comparison)."""
        if self._heads is None:
            self._heads = (np.ascontiguousarray(self.letters[:, 0]),
                           np.ascontiguousarray(self.sounds[:, 0]))
        return self._heads

    def subset_sounds(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lengths = self.sound_lengths[idx]
        width = max(int(lengths.max(initial=1)), 1)
        return self.sounds[idx, :width], lengths, self.selfs[idx]

    def prefixes(self, text: str) -> np.ndarray:
        """Exact length of the beginning each form shares with ``text``: the forms that share
        a beginning sit together in sorted order, so a few bisections find them."""
        return _shared_heads(text, self.lex, self.lex_order, len(self.texts))

    def suffixes(self, text: str) -> np.ndarray:
        """Exact length of the ending each form shares with ``text`` (the same bisections
        over the forms written backwards)."""
        return _shared_heads(text[::-1], self.rlex, self.rlex_order, len(self.texts))


class _Reversed(Sequence[str]):
    """The texts written backwards, in the order ``at``, each made when a bisection reads it:
    a list of them would hold a second copy of every form's text."""

    __slots__ = ("at", "texts")

    def __init__(self, texts: list[str], at: np.ndarray) -> None:
        self.texts = texts
        self.at = memoryview(np.ascontiguousarray(at))  # read as ints faster than an array

    def __getitem__(self, i: int | slice) -> str | list[str]:  # type: ignore[override]
        if isinstance(i, slice):
            return [self.texts[j][::-1] for j in self.at[i].tolist()]
        return self.texts[self.at[i]][::-1]

    def __len__(self) -> int:
        return len(self.at)


def _shared_heads(text: str, ordered: list[str], order: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.int64)
    lo, hi = 0, len(ordered)
    for n in range(1, len(text) + 1):
        head = text[:n]
        lo = bisect.bisect_left(ordered, head, lo, hi)
        hi = bisect.bisect_left(ordered, head[:-1] + chr(ord(head[-1]) + 1), lo, hi)
        if lo >= hi:
            break
        out[order[lo:hi]] = n
    return out


def _counts(letters: np.ndarray) -> np.ndarray:
    """Per row, how often each letter a-z (and any other character) occurs: 27 columns."""
    codes = letters.astype(np.int64) - 97
    codes = np.where((codes >= 0) & (codes < 26), codes, 26)
    codes = np.where(letters == 0, 27, codes)
    rows = np.repeat(np.arange(letters.shape[0]), letters.shape[1])
    out = np.bincount(rows * 28 + codes.ravel(), minlength=letters.shape[0] * 28)
    return out.reshape(-1, 28)[:, :27].astype(np.uint8)


def _bits(counts: np.ndarray) -> np.ndarray:
    """Bit masks of the letter counts: bit c of level t is set when letter c occurs more than t
    times, so the letters two texts share (with multiplicity) is the sum over levels of the
    set bits the two masks have in common."""
    weights = (np.uint32(1) << np.arange(27, dtype=np.uint32))
    levels = [((counts > t) * weights).sum(axis=1, dtype=np.uint32)
              for t in range(LEVELS_OF_COUNT)]
    return np.stack(levels, axis=0) if len(counts) else np.zeros((LEVELS_OF_COUNT, 0),
                                                                  dtype=np.uint32)


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    letters: np.ndarray
    counts: np.ndarray
    bits: np.ndarray
    sounds: str
    self_score: float
    first_sound: int  # the code of the first phoneme (0: none)
    onset: tuple[int, ...]  # the codes of the sounds before the first vowel

    @classmethod
    def of(cls, text: str) -> _Query:
        letters = _letters([text])
        counts = _counts(letters)
        sounds = phonetic.phonemes(text)
        phonology = phonetic.phonology()
        codes = [phonology.code.get(ch, 0) for ch in sounds]
        onset = []
        for c in codes:
            if phonology.vowel[c]:
                break
            onset.append(c)
        return cls(text, letters[0], counts[0], _bits(counts)[:, 0], sounds,
                   phonetic.self_score(sounds), codes[0] if codes else 0, tuple(onset))


def _shared_letters(q: _Query, forms: _Forms, idx: np.ndarray | None = None) -> np.ndarray:
    bits = forms.bits if idx is None else forms.bits[:, idx]
    shared = np.zeros(bits.shape[1], dtype=np.int16)
    for t in range(LEVELS_OF_COUNT):
        if q.bits[t]:
            shared += np.bitwise_count(bits[t] & q.bits[t])
    if int(q.counts.max(initial=0)) > LEVELS_OF_COUNT:  # a letter more often than the levels
        shared += int(np.clip(q.counts.astype(np.int64) - LEVELS_OF_COUNT, 0, None).sum())
    return shared


def _bounds(q: _Query, forms: _Forms) -> tuple[np.ndarray, np.ndarray]:
    """An upper bound of the four-measure mean of the query with every form.

    The longest common subsequence is at most the letters the two share (counted with
    multiplicity), and it bounds edit similarity (Levenshtein distance >= longer length -
    LCS) and BI-SIM (<= (LCS + 1/2) / longer length); the prefix is computed exactly; ALINE is
    at most the smaller self-score over the larger one (no substitution beats an identity)."""
    shared = _shared_letters(q, forms)
    prefix = forms.prefixes(q.text)
    suffix = forms.suffixes(q.text)
    first, onset = _beginnings(q, forms)
    return _bound_from(shared, prefix, suffix, forms.lengths, len(q.text), forms.selfs,
                       q.self_score, first, forms.familiar, onset), (prefix, suffix)


def _bound_from(common: np.ndarray, prefix: np.ndarray, suffix: np.ndarray, lengths: np.ndarray,
                own_length: int, selfs: np.ndarray, own: float, first: np.ndarray,
                familiar: np.ndarray, onset: np.ndarray) -> np.ndarray:
    """The bound from an upper bound of the longest common subsequence (``common``), the exact
    shared beginning and ending, the sounds' self-scores, the exact first-letter and onset
    matches and the other name's familiarity: edit similarity and LCS <= LCS / longer length,
    BI-SIM <= (LCS + 1/2) / longer length, ALINE <= smaller self-score / larger; each weighed
    as the model weighs the measure (every weight is non-negative, so the bound holds)."""
    w = dict(zip(FEATURES, model().weights.astype(np.float32).tolist(), strict=True))
    longer = np.maximum(lengths, own_length).astype(np.float32)
    letters = common.astype(np.float32) * np.float32(w["edit"] + w["bisim"] + w["lcs"])
    letters += np.float32(w["prefix"]) * prefix.astype(np.float32)
    letters += np.float32(w["suffix"]) * suffix.astype(np.float32)
    letters += np.float32(0.5 * w["bisim"])
    letters /= longer
    sound = np.minimum(selfs, np.float32(own))
    sound /= np.maximum(np.maximum(selfs, np.float32(own)), np.float32(1e-9))
    if own <= 0:
        sound[:] = 1.0
    letters += np.float32(w["phonetic"]) * sound
    letters += np.float32(w["first"]) * first
    letters += np.float32(w["familiar"]) * familiar
    letters += np.float32(w["onset"]) * onset
    letters += np.float32(1e-5)
    return letters


def _tight_bounds(q: _Query, forms: _Forms, idx: np.ndarray,
                  prefix: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A tighter bound for the forms ``idx``: the exact longest common subsequence (rapidfuzz)
    in place of the shared-letters count."""
    lcs = process.cdist([q.text], forms.text_array[idx].tolist(), scorer=LCSseq.similarity,
                        workers=1, dtype=np.int32)[0]
    first, onset = _beginnings(q, forms, idx)
    return _bound_from(lcs, prefix[0][idx], prefix[1][idx], forms.lengths[idx], len(q.text),
                       forms.selfs[idx], q.self_score, first, forms.familiar[idx], onset)


def _beginnings(q: _Query, forms: _Forms, idx: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Two measures of how the forms ``idx`` (default: all) begin, 1 or 0 each (the first
    sounds read once for both):
      - the first letter or the first sound is the query's (Xanax and Zantac, Celexa and
        Seroquel: a reader hears the first sound as well as seeing it);
      - the onset, the sounds before the first vowel, is the query's (both none when both
        begin with a vowel); never for a query without sounds (a number)."""
    letters0, sounds0 = forms.heads
    if idx is not None:
        letters0, sounds0 = letters0[idx], sounds0[idx]
    same = letters0 == q.letters[0]
    if q.first_sound:
        same |= sounds0 == q.first_sound
    onset = np.zeros(len(sounds0), dtype=np.float32)
    k, width = len(q.onset), forms.sounds.shape[1]
    if not q.sounds or k > width:
        return same.astype(np.float32), onset
    if k:  # the forms that begin with the onset, narrowed sound by sound
        rows = np.flatnonzero(sounds0 == q.onset[0])
        at = rows if idx is None else idx[rows]
        for j in range(1, k):
            keep = forms.sounds[at, j] == q.onset[j]
            rows, at = rows[keep], at[keep]
        after = forms.sounds[at, k] if k < width else np.zeros(len(at), dtype=sounds0.dtype)
        onset[rows[phonetic.phonology().vowel[after] | (after == 0)]] = 1.0
    else:
        onset[phonetic.phonology().vowel[sounds0] | (sounds0 == 0)] = 1.0
    return same.astype(np.float32), onset


def _exact(q: _Query, forms: _Forms, idx: np.ndarray) -> np.ndarray:
    """The measures of the query with the forms ``idx``: an (n, 9) array, one column per
    measure of :data:`~innkit.screening.ranking.FEATURES`."""
    out = np.zeros((len(idx), len(FEATURES)), dtype=np.float64)
    if not len(idx):
        return out
    texts = forms.text_array[idx].tolist()
    out[:, 0] = process.cdist([q.text], texts, scorer=Levenshtein.normalized_similarity,
                              workers=1, dtype=np.float32)[0]
    lengths = forms.lengths[idx]
    width = max(int(lengths.max()), 1)
    out[:, 1] = _bisim_many(q.text, forms.letters[idx, :width], lengths)
    out[:, 2] = process.cdist([q.text], texts, scorer=Prefix.normalized_similarity, workers=1,
                              dtype=np.float32)[0]
    sounds, slen, selfs = forms.subset_sounds(idx)
    out[:, 3] = phonetic.similarity_many(q.sounds, sounds, slen, selfs)
    if not q.sounds:  # numbers have no sounds: their letters stand in (the bound allows 1)
        out[:, 3] = np.where(slen == 0, out[:, 0], out[:, 3])
    out[:, 4] = process.cdist([q.text], texts, scorer=Postfix.normalized_similarity, workers=1,
                              dtype=np.float32)[0]
    lcs = process.cdist([q.text], texts, scorer=LCSseq.similarity, workers=1, dtype=np.int32)[0]
    out[:, 5] = lcs / np.maximum(np.maximum(lengths, len(q.text)), 1)
    out[:, 6], out[:, 8] = _beginnings(q, forms, idx)
    out[:, 7] = forms.familiar[idx]
    return np.round(out, 6)


def measures_many(query: str, texts: Sequence[str]) -> np.ndarray:
    """The measures of ``query`` with each text (the columns of
    :data:`~innkit.screening.ranking.FEATURES`: edit, bisim, prefix, phonetic first), taken as
    written (no reading of salts or stem words): an (n, 9) array, for baselines, training and
    checks. The texts are a list as a user gives one: each is in use (``AUTHORISED_SHARE``)."""
    forms = _Forms(list(texts))
    return _exact(_Query.of(query), forms, np.arange(len(texts)))


def combine(measures: np.ndarray) -> np.ndarray:
    """The model's score of each row of measures (columns as FEATURES): a sum along each row,
    so that a pair scores the same to the last digit alone or among many."""
    return (measures * model().weights).sum(axis=-1)


def _codes_scale() -> float:
    """What the measures other than familiarity weigh together."""
    return max(1.0 - model().weight("familiar"), 1e-6)


def _unfamiliar(measures: np.ndarray) -> np.ndarray:
    """The score without familiarity, rescaled to 0-1: two codes are compared by their letters
    alone (a reader knows a medicine by its name, never by its code). At most the full score
    over ``_codes_scale``, so that bound holds."""
    return (combine(measures) - model().weight("familiar") * measures[:, 7]) / _codes_scale()


def _mixed(whole: np.ndarray, stem: np.ndarray) -> np.ndarray:
    """The stem words' combined score mixed with the whole names' (``whole``, already
    combined), weighted by ``STEM_WEIGHT``."""
    return STEM_WEIGHT * combine(stem) + (1 - STEM_WEIGHT) * whole


# -- results -----------------------------------------------------------------------------

def level(score: float) -> Confidence | None:
    for name, threshold in LEVELS:
        if score >= threshold:
            return name
    return None


def explain_pair(a: str, b: str, m: dict[str, float]) -> tuple[str, ...]:
    """What makes the two names alike, in words."""
    why = []
    ra, rb = reading(a), reading(b)
    if (ra.compound or rb.compound) and ra.stem == rb.stem:
        rest = sorted(set(ra.set_aside) ^ set(rb.set_aside)) or ["word order"]
        why.append(f"same stem word {ra.stem}; differs in {', '.join(rest)}")
    edits = Levenshtein.distance(a, b)
    if 0 < edits <= 2:
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
    if phonetic_key(ra.text) == phonetic_key(rb.text):
        why.append("same sound")
    elif m["phonetic"] >= 0.75:
        why.append("similar sound")
    if abs(len(a) - len(b)) <= 1 and m["bisim"] >= 0.7 and not why:
        why.append("similar shape")
    return tuple(why)


def aligned_letters(a: str, b: str) -> tuple[str, str]:
    """The two names' letters aligned by their edits, ``-`` where one has no letter."""
    top, bottom = [], []
    for op in Levenshtein.opcodes(a, b):
        x, y = a[op.src_start:op.src_end], b[op.dest_start:op.dest_end]
        width = max(len(x), len(y))
        top.append(x.ljust(width, "-"))
        bottom.append(y.ljust(width, "-"))
    return "".join(top), "".join(bottom)


def alignment(a: str, b: str) -> dict[str, tuple[str, str]]:
    """What the measures matched: the letters (edit alignment) and the sounds (ALINE)."""
    return {"letters": aligned_letters(a, b),
            "sounds": phonetic.align(phonetic.phonemes(a), phonetic.phonemes(b))}


@dataclass(frozen=True, slots=True)
class SimilarityHit(Result):
    """An existing name close to the screened one: one substance, shown by its closest name."""

    name: str
    origin: str  # registry (shipped), user, unii, list
    kind: str  # inn, brand, substance, official, candidate ...
    score: float
    level: Confidence | None  # how strongly the names look alike (LEVELS)
    measures: dict[str, float]
    why: tuple[str, ...]
    substance: str | None = None  # the substance the name denotes (its INN), when known
    forms: tuple[str, ...] = ()  # other listed names of that substance that also came close
    compared: tuple[str, str] | None = None  # the two texts the measures read

    # scores to four places: more is noise of the measures
    _json = ("name", "origin", "kind", ("score", lambda h: round(h.score, 4)), "level",
             ("measures", lambda h: {k: round(v, 4) for k, v in h.measures.items()}), "why",
             "substance", "forms",
             ("aligned", lambda h: None if h.aligned is None else
              {k: list(v) for k, v in h.aligned.items()}))

    @property
    def aligned(self) -> dict[str, tuple[str, str]] | None:
        """The letters and sounds of the two names aligned: made when shown, not when
        screened (a screen of many names shows few of them)."""
        return None if self.compared is None else alignment(*self.compared)


@dataclass(frozen=True, slots=True)
class Screening(Result):
    """The result of screening one name against a list of existing names."""

    input: str
    name: str
    hits: tuple[SimilarityHit, ...]
    against: str
    compared: int  # size of the list screened against
    reason: str | None = None
    scored: int = 0  # names scored in full (the others were ruled out by their bound)
    substance: str | None = None  # "this is X": the substance the screened name denotes
    own_forms: tuple[str, ...] = ()  # close names of that same substance, left out of hits

    _json = ("input", "name", "against", "compared", "scored", "top_level",
             ("thresholds", lambda _: {level.value: score for level, score in LEVELS}), "hits",
             "reason", "substance", "own_forms")

    @property
    def top_level(self) -> Confidence | None:
        return self.hits[0].level if self.hits else None


def _measure_dict(a: Reading, b: Reading, full: np.ndarray, stem: np.ndarray | None,
                  combined: float) -> dict[str, float]:
    m = {"combined": float(combined), "edit": float(full[0]), "bisim": float(full[1]),
         "prefix": float(full[2]), "phonetic": float(full[3]),
         "dice": dice(a.text, b.text), "suffix": float(full[4]), "lcs": float(full[5]),
         "first": float(full[6]), "familiar": float(full[7]), "onset": float(full[8])}
    if stem is not None:
        m["stem_word"] = float(combine(stem[None, :])[0])
    return m


# -- the list of names -------------------------------------------------------------------

def _length_first(name: str) -> tuple[int, str]:
    """The order of a list's names: shorter first, then alphabetical."""
    return len(name), name


class _Positions:
    """Where each name sits in a list sorted by :func:`_length_first`, found by bisection:
    a dict of 134,000 names would hold some 10 MB in every server process."""

    __slots__ = ("names",)

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def get(self, name: object, default: int | None = None) -> int | None:
        if not isinstance(name, str):
            return default
        i = bisect.bisect_left(self.names, (len(name), name), key=_length_first)
        return i if i < len(self.names) and self.names[i] == name else default

    def __getitem__(self, name: str) -> int:
        i = self.get(name)
        if i is None:
            raise KeyError(name)
        return i

    def __contains__(self, name: object) -> bool:
        return self.get(name) is not None

    def __len__(self) -> int:
        return len(self.names)


class _Picked(Sequence[str]):
    """The items of a list at the given positions, without a list of its own: an entry's
    text and stem word are its forms' texts, not copies of them."""

    __slots__ = ("at", "items")

    def __init__(self, items: Sequence[str], at: np.ndarray) -> None:
        self.items = items
        self.at = memoryview(np.ascontiguousarray(at))

    def __getitem__(self, i: int | slice) -> str | list[str]:  # type: ignore[override]
        if isinstance(i, slice):
            return [self.items[j] for j in self.at[i].tolist()]
        return self.items[self.at[i]]

    def __len__(self) -> int:
        return len(self.at)


class Universe:
    """Names to screen against, with their readings prepared for the measures and bounds."""

    def __init__(self, entries: Iterable[tuple[str, str, str]], cache: bool = False,
                 builtin: bool = False, registry: Registry | None = None,
                 base: Universe | None = None) -> None:
        """``cache``: keep the prepared readings in the user's cache directory (for the
        built-in lists, which every run uses again; never for lists from requests).
        ``builtin``: the registry's own lists, where foods, organisms and reagents are left
        out, and each name's familiarity is read (:func:`~innkit.screening.ranking.in_use`,
        from ``registry``'s UNII list; default: the user's registry); a user's list is
        screened whole, and each name on it counts as in use, as a medicine authorised for
        sale does (``AUTHORISED_SHARE``), its word frequency not read: familiarity tells none
        apart.
        ``base``: a prepared list holding every one of these names (and read the same way,
        ``builtin`` alike): this one is made a part of it, sharing its names, forms and arrays
        rather than preparing them again."""
        self.builtin = builtin
        self._identities: dict[int, Identity] = {}
        seen: dict[str, tuple[str, str]] = {}
        pairs: dict[tuple[str, str], tuple[str, str]] = {}  # one tuple per origin and kind
        for name, origin, kind in entries:
            if not isinstance(name, str):
                continue
            key = name.lower() if _PLAIN(name) else normalize_name(name)
            if key and len(key) <= MAX_NAME and key not in seen:
                pair = (origin, kind)
                seen[key] = pairs.setdefault(pair, pair)
        ordered = sorted(seen, key=_length_first)
        self.meta = [seen[n] for n in ordered]
        picked = base._entries_of(ordered) if base is not None else None
        if base is not None and picked is not None:
            self.names = [base.names[i] for i in picked.tolist()]
            del seen, ordered
            self._part_of(base, picked)
        else:
            cache = cache and len(ordered) >= CACHE_FROM
            reg = (registry if registry is not None else get_registry()) if builtin else None
            prepared = _cached_prepared(ordered, reg) if cache else _prepare(ordered, reg)
            self.names, aside, self.full, self.stem, self.forms = prepared
            del seen, ordered, prepared
            self._readings = (_Picked(self.forms.texts, self.full),
                              _Picked(self.forms.texts, self.stem), aside)
            self.compound = self.full != self.stem
            digit_first = np.array([t[:1].isdigit() for t in self.forms.texts], dtype=bool)
            self.code = self.compound & digit_first[self.stem]
        self.index = _Positions(self.names)

    def _entries_of(self, names: list[str]) -> np.ndarray | None:
        """Where each of ``names`` (sorted as this list is) sits in this list; None when one
        is missing."""
        at = dict(zip(self.names, range(len(self.names)), strict=True))
        found = [at.get(n, -1) for n in names]
        return None if -1 in found else np.array(found, dtype=np.int64)

    def _part_of(self, base: Universe, picked: np.ndarray) -> None:
        """Share ``base``'s prepared readings for its entries ``picked``: its forms whole when
        this list holds most of them, else a copy of the few forms this list uses."""
        full, stem = base.full[picked], base.stem[picked]
        if 2 * len(picked) >= len(base.forms.texts):
            self.forms = base.forms
        else:
            used = np.unique(np.concatenate([full, stem]))
            self.forms = _forms_part(base.forms, used)
            full, stem = np.searchsorted(used, full), np.searchsorted(used, stem)
        self.full, self.stem = full, stem
        self._readings = (_Picked(self.forms.texts, full), _Picked(self.forms.texts, stem),
                          _Picked(base._readings[2], picked))
        self.compound = base.compound[picked]
        self.code = base.code[picked]

    def identity(self, i: int, registry: Registry | None) -> Identity:
        """The identity of entry ``i`` (its substance key), looked up once."""
        found = self._identities.get(i)
        if found is None:
            self.look_up([i], registry)
            found = self._identities[i]
        return found

    def look_up(self, entries: Iterable[int], registry: Registry | None) -> None:
        """Look up the identities of the entries not looked up yet, in one query."""
        todo = [i for i in dict.fromkeys(entries) if i not in self._identities]
        if not todo:
            return
        found = identities([(self.names[i], self._readings[1][i]) for i in todo], registry)
        for i, ident in zip(todo, found, strict=True):
            if not ident.medicine and self.meta[i][0] in ("registry", "user"):
                ident = replace(ident, medicine=True)  # the registry holds medicines only
            self._identities[i] = ident

    def reading_of(self, i: int) -> Reading:
        text, stem, aside = self._readings[0][i], self._readings[1][i], self._readings[2][i]
        return Reading(text, stem, tuple(aside.split("\x1f")) if aside else ())

    def __len__(self) -> int:
        return len(self.names)

    def _score(self, qa: Reading, q_full: _Query, q_stem: _Query, entries: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        full = _exact(q_full, self.forms, self.full[entries])
        whole = combine(full)
        if not qa.compound and not self.compound[entries].any():
            return whole, full, None
        use = self.compound[entries] | qa.compound
        stem = np.zeros_like(full)
        stem[use] = _exact(q_stem, self.forms, self.stem[entries[use]])
        # a compound name: the better of the whole names' score and the mix
        mixed = _mixed(whole, stem)
        score = np.where(use, np.maximum(whole, mixed), whole)
        if qa.set_aside:
            # The same salt or form after two stem words makes the whole names alike, and says
            # nothing of the stems (epinine and pethidine hydrochloride): no whole-name floor.
            aside, asides = "\x1f".join(qa.set_aside), self._readings[2]
            same = np.fromiter((asides[i] == aside for i in entries.tolist()), dtype=bool,
                               count=len(entries))
            score = np.where(same, mixed, score)
        if qa.code:  # two codes are alike only when their numbers are alike too
            both = self.code[entries]
            score = np.where(both, np.minimum(_unfamiliar(full), _unfamiliar(stem)), score)
        return score, full, np.where(use[:, None], stem, np.nan)

    def _entry_bounds(self, qa: Reading, full: np.ndarray, stem: np.ndarray,
                      entries: np.ndarray | None = None) -> np.ndarray:
        """Entry bounds from form bounds (``full``/``stem``: per form, or per entry when
        ``entries`` is given), following :meth:`_score`."""
        f_idx = self.full if entries is None else None
        ub = full[f_idx] if f_idx is not None else full
        compound = self.compound if entries is None else self.compound[entries]
        if not qa.compound and not compound.any():
            return ub
        st = stem[self.stem] if entries is None else stem
        mixed = STEM_WEIGHT * st + (1 - STEM_WEIGHT) * ub
        out = np.where(compound | qa.compound, np.maximum(ub, mixed), ub)
        if qa.code:
            both = self.code if entries is None else self.code[entries]
            out = np.where(both, np.minimum(ub, st) / np.float32(_codes_scale()), out)
        return out

    def scores(self, name: str, entries: Sequence[int] | np.ndarray | None = None
               ) -> np.ndarray:
        """Combined scores of ``name`` with the given entries (default: all), by the full
        measures, without retrieval: for checks and benchmarks."""
        qa = reading(normalize_name(name))
        q_full = _Query.of(qa.text)
        q_stem = _Query.of(qa.stem) if qa.compound else q_full
        idx = np.arange(len(self)) if entries is None else np.asarray(entries, dtype=np.int64)
        return self._score(qa, q_full, q_stem, idx)[0]

    def search(self, name: str, limit: int, cutoff: float
               ) -> tuple[list[tuple[int, float, np.ndarray, np.ndarray | None]], int]:
        """The ``limit`` best-scoring names at or above ``cutoff`` (index, score, measures),
        exactly as scoring every name would rank them, and how many names were scored.

        Three steps, each a bound that never underestimates the score: the shared-letters
        bound for every name, then for those that can still reach the score to beat, the
        bound with exact edit similarity and longest common subsequence, then the full
        measures in order of that bound until it falls below the score to beat."""
        qa = reading(name)
        q_full = _Query.of(qa.text)
        q_stem = _Query.of(qa.stem) if qa.compound else q_full
        forms = self.forms
        ub_full, pre_full = _bounds(q_full, forms)
        ub_stem, pre_stem = _bounds(q_stem, forms) if qa.compound else (ub_full, pre_full)
        ub = self._entry_bounds(qa, ub_full, ub_stem)
        own = self.index.get(normalize_name(name))
        if own is not None:
            ub[own] = -1.0
        limit = max(limit, 1)
        live = np.flatnonzero(ub >= cutoff)
        found: list[tuple[int, float, np.ndarray, np.ndarray | None]] = []
        threshold = cutoff
        scored = 0

        def score(chunk: np.ndarray) -> None:
            nonlocal threshold, scored
            scores, full, stem = self._score(qa, q_full, q_stem, chunk)
            scored += len(chunk)
            for j in np.flatnonzero(scores >= threshold).tolist():
                found.append((int(chunk[j]), float(scores[j]), full[j],
                              None if stem is None or np.isnan(stem[j, 0]) else stem[j]))
            found.sort(key=lambda f: (-f[1], self.names[f[0]]))
            del found[limit:]
            if len(found) == limit:
                threshold = max(cutoff, found[-1][1])

        if len(live) > FIRST_BATCH:
            first = live[np.argpartition(-ub[live], FIRST_BATCH)[:FIRST_BATCH]]
        else:
            first = live
        if len(first):
            score(first)
        rest = np.setdiff1d(live[ub[live] >= threshold], first, assume_unique=True)
        if len(rest):
            tight_full = _tight_bounds(q_full, forms, self.full[rest], pre_full)
            tight_stem = (_tight_bounds(q_stem, forms, self.stem[rest], pre_stem)
                          if qa.compound or self.compound[rest].any() else tight_full)
            ub2 = self._entry_bounds(qa, tight_full, tight_stem, rest)
            keep = ub2 >= threshold
            rest, ub2 = rest[keep], ub2[keep]
            order = np.argsort(-ub2, kind="stable")
            rest, ub2 = rest[order], ub2[order]
            start, batch = 0, FIRST_BATCH
            while start < len(rest):
                if ub2[start] < threshold:
                    break  # sorted by bound: nothing after this can reach the threshold
                stop = start + batch
                chunk = rest[start:stop][ub2[start:stop] >= threshold]
                score(chunk)
                start, batch = stop, batch * 2
        return found, scored


CACHE_FROM = 5000
"""Lists at least this long keep their prepared readings in the user's cache directory."""
_CACHE_FORMAT = 13
CACHE_KEPT = Kept("screen-*", keep=6)
"""Prepared lists kept in the cache folder (the most recently used; each change of the
user's names makes a new one). Each is two files: ``.bin``, the texts and the layout of the
arrays, and ``.npy``, the arrays, mapped into memory rather than read: the processes of a
server share their pages, and a process holds only the pages it reads."""
_ALIGN = 64
"""Each array starts at a multiple of this in the mapped file (as .npy data does)."""


def _prepare(ordered: list[str], registry: Registry | None = None
             ) -> tuple[list[str], list[str], np.ndarray, np.ndarray, _Forms]:
    """The names (each the string of its reading's text when equal to it), each name's
    set-aside words (joined by ``\x1f``), the forms of its whole text and its stem word, and
    the forms prepared for the measures."""
    readings = [reading(n) for n in ordered]
    form_index: dict[str, int] = {}
    texts: list[str] = []

    def form(text: str) -> int:
        i = form_index.get(text)
        if i is None:
            i = form_index[text] = len(texts)
            texts.append(text)
        return i

    full = np.array([form(r.text) for r in readings], dtype=np.int64)
    stem = np.array([form(r.stem) for r in readings], dtype=np.int64)
    once: dict[str, str] = {}
    aside = [once.setdefault(a, a) for a in ("\x1f".join(r.set_aside) for r in readings)]
    names = [texts[f] if texts[f] == n else n for n, f in zip(ordered, full.tolist(), strict=True)]
    return names, aside, full, stem, _Forms(texts, registry=registry)


def _forms_part(forms: _Forms, used: np.ndarray) -> _Forms:
    """The forms ``used`` (sorted positions) of ``forms``, as :class:`_Forms` would prepare
    them alone: the same rows, as wide as their longest text and sounds, in the same sorted
    orders, and the sounds' self-scores summed over that width."""
    texts = [forms.texts[i] for i in used.tolist()]
    lengths = forms.lengths[used]
    width = min(int(lengths.max(initial=1)), MAX_NAME)
    sound_lengths = forms.sound_lengths[used]
    sounds = forms.sounds[used, :max(int(sound_lengths.max(initial=1)), 1)]
    keep = np.zeros(len(forms.texts), dtype=bool)
    keep[used] = True

    def order(of: np.ndarray) -> np.ndarray:
        return np.searchsorted(used, of[keep[of]])

    arrays = {"lengths": lengths, "letters": forms.letters[used, :max(width, 1)],
              "bits": forms.bits[:, used], "sounds": sounds, "sound_lengths": sound_lengths,
              "selfs": phonetic.phonology().self_score[sounds].sum(axis=1, dtype=np.float32),
              "lex_order": order(forms.lex_order), "rlex_order": order(forms.rlex_order),
              "familiar": forms.familiar[used]}
    return _Forms(texts, arrays)


def _cache_key(ordered: list[str], registry: Registry | None) -> str:
    """Content and version: the names, the tables that shape readings and sounds, the UNII
    list that says which names are of authorised medicines, and the layout of the cache
    itself."""
    from ..rules import manifest

    files = manifest.read().get("files", {})
    tables = [files.get(t, {}).get("sha256", "") for t in
              ("g2p_rules.tsv", "phonemes.tsv", "aline.tsv", "salts.tsv", "screen_words.tsv")]
    index = registry.substance_index() if registry is not None else None
    unii = ("list" if registry is None else "" if index is None else
            f"{index.meta.get('source_sha256')}:{index.meta.get('rules')}")
    h = key_hash("screen", f"{_CACHE_FORMAT}:{LEVELS_OF_COUNT}:{MAX_NAME}:{tables}:{unii}")
    h.update("\n".join(ordered).encode("utf-8"))
    return h.hexdigest()


def _joined(items: Iterable[str]) -> bytes:
    return "\n".join(items).encode("utf-8")


def _split_text(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\n")


_TEXTS = ("texts", "raside", "names")
"""The text columns of a stored list, in order (the blob's sections): the forms' texts, each
entry's set-aside words, and its name where it differs from its reading's text (else empty).
The names are stored, though the key holds them, so that a loaded list's strings are made
together, not among the many made and dropped while the names were gathered (which would
keep the heap's pages of those from being handed back)."""
_ARRAYS = ("full", "stem", *_Forms.KEYS)


def _write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> dict:
    """Write ``arrays`` whole or not at all as one .npy of bytes, each aligned; their layout
    (dtype, shape, offset), and the data's size and sha256."""
    layout: dict[str, list] = {}
    at = 0
    for k in _ARRAYS:
        at = -(-at // _ALIGN) * _ALIGN
        layout[k] = [arrays[k].dtype.str, list(arrays[k].shape), at]
        at += arrays[k].nbytes
    digest = hashlib.sha256()
    with atomic_output(path, binary=True) as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "|u1", "fortran_order": False, "shape": (at,)})
        written = 0
        for k in _ARRAYS:
            for part in (bytes(layout[k][2] - written), np.ascontiguousarray(arrays[k]).tobytes()):
                f.write(part)
                digest.update(part)
            written = layout[k][2] + arrays[k].nbytes
    return {"layout": layout, "size": at, "sha256": digest.hexdigest()}


def _mapped_arrays(path: Path, meta: dict) -> dict[str, np.ndarray] | None:
    """The arrays of the .npy at ``path``, mapped read-only, when it is whole and the one
    ``meta`` describes (its bytes are checked as read, not through the map: a check would
    otherwise bring every page into this process); else None."""
    try:
        size, layout = int(meta["size"]), meta["layout"]
        with open(path, "rb") as f:
            if np.lib.format.read_magic(f) != (1, 0):
                return None
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            if shape != (size,) or fortran or dtype != np.uint8 or size <= 0:
                return None
            start = f.tell()
            digest = hashlib.sha256()
            while chunk := f.read(1 << 20):
                digest.update(chunk)
            if f.tell() - start != size or digest.hexdigest() != meta["sha256"]:
                return None
            raw = np.memmap(f, dtype=np.uint8, mode="r", offset=start, shape=(size,))
        out = {}
        for k in _ARRAYS:
            kind, dims, at = layout[k]
            dims = tuple(int(d) for d in dims)
            count = int(np.prod(dims))
            out[k] = (np.frombuffer(raw, dtype=np.dtype(kind), count=count, offset=int(at))
                      if count else np.zeros(0, dtype=np.dtype(kind))).reshape(dims)
        return out
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _prepared_from(ordered: list[str], texts: list[str], raside: list[str], names: list[str],
                   data: dict[str, np.ndarray]) -> tuple | None:
    """The prepared list from its parts, or None when they do not fit ``ordered``."""
    n = len(ordered)
    if not (len(raside) == n == len(names) == len(data["full"]) == len(data["stem"])
            and len(data["letters"]) == len(texts) == len(data["sounds"])
            == data["bits"].shape[1] == len(data["lex_order"])):
        return None
    if n and not (min(int(data["full"].min()), int(data["stem"].min())) >= 0
                  and max(int(data["full"].max()), int(data["stem"].max())) < len(texts)):
        return None
    once: dict[str, str] = {}
    raside = [once.setdefault(a, a) for a in raside]
    names = [n or texts[i] for n, i in zip(names, data["full"].tolist(), strict=True)]
    if names != ordered:
        return None
    arrays = {k: data[k] for k in _Forms.KEYS}
    return names, raside, data["full"], data["stem"], _Forms(texts, arrays)


def _store(prepared: tuple, ordered: list[str], path: Path | None
           ) -> tuple[tuple, list[bytes], dict | None]:
    """Write the prepared list's arrays to ``path`` (.npy); the list (its arrays now read
    from that file), its texts as blob sections, and the arrays' layout. Meta None when the
    arrays could not be written (nothing is stored then)."""
    names, aside, full, stem, forms = prepared
    if path is None:
        return prepared, [], None
    try:
        meta = _write_arrays(path, {"full": full, "stem": stem, **forms.arrays})
    except OSError:
        return prepared, [], None
    sections = [_joined(forms.texts), _joined(aside),
                _joined("" if n == forms.texts[i] else n for n, i in zip(names, full.tolist(),
                                                                         strict=True))]
    mapped = _mapped_arrays(path, meta)
    again = (_prepared_from(ordered, forms.texts, aside, names, mapped)
             if mapped is not None else None)
    return (again if again is not None else prepared), sections, meta


def _restore(ordered: list[str], blob: Blob, path: Path | None) -> tuple | None:
    """The prepared list stored in ``blob`` and the arrays file ``path``, or None when they
    are damaged or do not fit ``ordered``."""
    if len(blob.sections) != len(_TEXTS) or path is None:
        return None
    try:
        texts, raside, names = (_split_text(b) for b in blob.sections)
    except UnicodeDecodeError:
        return None
    data = _mapped_arrays(path, blob.meta)
    return _prepared_from(ordered, texts, raside, names, data) if data is not None else None


def _cached_prepared(ordered: list[str], registry: Registry | None) -> tuple:
    """The prepared readings from the cache folder when they were stored for these names;
    else prepared now and stored."""
    key = _cache_key(ordered, registry)
    name = f"screen-{key[:24]}"
    try:
        path: Path | None = cache_folder() / f"{name}.npy"
    except CacheFolderError:
        path = None
    return cached(f"{name}.bin", key, CACHE_KEPT,
                  lambda blob: _restore(ordered, blob, path),
                  lambda: _store(_prepare(ordered, registry), ordered, path))


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
    """The registry's list ``against``; ``registry`` and ``unii`` are parts of ``all``, whose
    names, forms and arrays they share (a server holds each name's readings once)."""
    entries: list[tuple[str, str, str]] = []
    if against in ("all", "registry"):
        for e in registry.entries():
            origin = "registry" if e.origin == "shipped" else "user"
            entries.append((e.name, origin, e.kind))
            if e.second_word:
                entries.append((e.full_name, origin, e.kind))
    if against in ("all", "unii"):
        # the rows read afresh, not registry.unii_names(), which keeps every row (23 MB) in
        # the process for good: the list keeps only the names it needs
        index = registry.substance_index()
        entries += [(n, "unii", kind) for n, kind, _judged in
                    (index.broad_rows() if index is not None else ())]
    base = None if against == "all" else _universe(registry, "all", generation)
    return Universe(entries, cache=True, builtin=True, registry=registry, base=base)


def _problem(name: object) -> str | None:
    if not isinstance(name, str):
        return "expected a name as text"
    query = normalize_name(name)
    if not query:
        return "empty name"
    if len(query) > MAX_NAME:
        return f"a name is at most {MAX_NAME} characters"
    if not reading(query).text:
        return "no letters in the name"
    return None


def screen(name: str, *, against: str | Iterable[str] | Universe = "all", limit: int = 10,
           score_cutoff: float | None = None, registry: Registry | None = None) -> Screening:
    """Existing names most like ``name``, best first, with every measure and the reasons."""
    label = against if isinstance(against, str) else "list"
    if isinstance(name, str):
        try:
            require_text(name)
        except InvalidInputError as exc:  # lone surrogates: bytes that were not UTF-8
            shown = name.encode("utf-8", "backslashreplace").decode("ascii")[:80]
            return Screening(shown, "", (), label, 0, str(exc))
    problem = _problem(name)
    if problem:
        shown = name if isinstance(name, str) else repr(name)[:80]
        query = normalize_name(name) if isinstance(name, str) else ""
        return Screening(shown, query, (), label, 0, problem)
    universe = build_universe(against, registry)
    return _screen(universe, name, label, limit, score_cutoff, registry)


POOL = 1.5
"""Names fetched per hit asked for (and 3 more), before forms of one substance are grouped
(fetched again, four times as many, while too few substances remain)."""


def _grouped(universe: Universe, query: str, limit: int, cutoff: float,
             registry: Registry | None, medicines_only: bool
             ) -> tuple[Identity, list[list[tuple]], list[str], int]:
    """The query's identity, the best ``limit`` other substances (each a list of its found
    names, best first), the close names of the query's own substance, and the names scored."""
    qa = reading(query)
    own = identity(query, qa.stem, registry)
    pool = int(limit * POOL) + 3
    while True:
        found, scored = universe.search(query, pool, cutoff)
        universe.look_up((item[0] for item in found), registry)
        groups: dict[str, list[tuple]] = {}
        own_forms: list[str] = []
        for item in found:
            if len(groups) >= limit:
                break  # the names after these are neither needed nor looked up
            i = item[0]
            ident = universe.identity(i, registry)
            if medicines_only and not ident.medicine:
                continue
            key = ident.key
            if key == own.key:
                stem = universe.reading_of(i).stem
                if not (own.brand and ident.brand and stem != qa.stem):
                    own_forms.append(universe.names[i])
                    continue
                key = f"brand:{stem}"  # two products of one substance (Depo- / Solu-Medrol)
            groups.setdefault(key, []).append((*item, ident))
        if len(groups) >= limit or len(found) < pool or pool >= len(universe):
            return own, list(groups.values())[:limit], own_forms, scored
        pool *= 4


def _screen(universe: Universe, name: str, label: str, limit: int,
            score_cutoff: float | None, registry: Registry | None = None) -> Screening:
    query = normalize_name(name)
    cutoff = LEVELS[-1][1] if score_cutoff is None else score_cutoff
    limit = max(limit, 0)
    reg = registry if registry is not None else get_registry()
    own, groups, own_forms, scored = _grouped(universe, query, limit, cutoff, reg,
                                              universe.builtin)
    qa = reading(query)
    hits = []
    for members in groups:
        i, score, full, stem, ident = members[0]
        other = universe.names[i]
        m = _measure_dict(qa, universe.reading_of(i), full, stem, score)
        origin, kind = universe.meta[i]
        why = explain_pair(query, other, m)
        if ident.brand and ident.substance and ident.substance != other:
            same = " too" if ident.substance == own.substance else ""
            why += (f"a brand of {ident.substance}{same}",)
        hits.append(SimilarityHit(other, origin, kind, score, level(score), m, why,
                                  ident.substance, tuple(universe.names[f[0]]
                                                         for f in members[1:]),
                                  (qa.text, universe.reading_of(i).text)))
    exact = query in universe.index
    reason = "the name itself is already on the list" if exact else None
    return Screening(name, query, tuple(hits), label, len(universe), reason, scored,
                     own.substance, tuple(own_forms))


def screen_many(names: Iterable[str], *, against: str | Iterable[str] | Universe = "all",
                limit: int = 5, score_cutoff: float | None = None,
                registry: Registry | None = None) -> Iterable[Screening]:
    """Screen many candidates against one list (built once), one result per candidate, in
    order; bad candidates get a result with its reason, never an exception."""
    universe = build_universe(against, registry)
    label = against if isinstance(against, str) else "list"
    for name in names:
        problem = _problem(name)
        if problem:
            shown = name if isinstance(name, str) else repr(name)[:80]
            yield Screening(shown, normalize_name(name) if isinstance(name, str) else "", (),
                            label, len(universe), problem)
        else:
            yield _screen(universe, name, label, limit, score_cutoff, registry)


def measures(a: str, b: str, floor: float = 0.0) -> dict[str, float] | None:
    """Every measure for one pair of names, each between 0 and 1, as ``screen`` computes them.

    With ``floor``, None when the combined score is below it."""
    ra, rb = reading(normalize_name(a)), reading(normalize_name(b))
    universe = Universe([(b, "list", "name")])
    q_full = _Query.of(ra.text)
    q_stem = _Query.of(ra.stem) if ra.compound else q_full
    scores, full, stem = universe._score(ra, q_full, q_stem, np.array([0]))
    if scores[0] < floor:
        return None
    return _measure_dict(ra, rb, full[0], None if stem is None or np.isnan(stem[0, 0])
                         else stem[0], float(scores[0]))


def screen_all(names: Iterable[str], *, score_cutoff: float | None = None
               ) -> list[tuple[str, str, dict[str, float]]]:
    """Every pair of the given names at or above the cutoff (default: the low level), best
    first: each name screened against the names after it, with the same exact bounds."""
    unique = sorted({normalize_name(n) for n in names if isinstance(n, str)} - {""})
    cutoff = LEVELS[-1][1] if score_cutoff is None else score_cutoff
    universe = Universe((n, "list", "name") for n in unique)
    position = {n: i for i, n in enumerate(unique)}
    rank = np.array([position[n] for n in universe.names])
    out = []
    for a in unique:
        qa = reading(a)
        q_full = _Query.of(qa.text)
        q_stem = _Query.of(qa.stem) if qa.compound else q_full
        ub_full = _bounds(q_full, universe.forms)[0]
        ub_stem = _bounds(q_stem, universe.forms)[0] if qa.compound else ub_full
        ub = universe._entry_bounds(qa, ub_full, ub_stem)
        cand = np.flatnonzero((ub >= cutoff) & (rank > position[a]))
        if not len(cand):
            continue
        scores, full, stem = universe._score(qa, q_full, q_stem, cand)
        for j in np.flatnonzero(scores >= cutoff).tolist():
            b = universe.names[cand[j]]
            s = None if stem is None or np.isnan(stem[j, 0]) else stem[j]
            out.append((a, b, _measure_dict(qa, universe.reading_of(cand[j]), full[j], s,
                                            float(scores[j]))))
    out.sort(key=lambda item: -item[2]["combined"])
    return out
