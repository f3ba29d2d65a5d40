"""The words a claim is made of, read once per ``Rules``: claim words (``check_words.tsv``),
the payload rows of ``lenses.tsv``, antigen synonyms (``antigen_synonyms.tsv``), the antigens of
the antibody table and the antigen groups of ``antigen_classes.tsv``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..rules import Rules
from ..vocab import ClaimKind

CLAIM_KINDS = (ClaimKind.SOURCE, ClaimKind.TARGET_CLASS, ClaimKind.PAYLOAD, ClaimKind.FORMAT)
"""The kinds whose claims are words of check_words.tsv (targets are antigens)."""
PAYLOAD_LENSES = ("payload", "payload code", "toxin code")
"""The lenses.tsv lenses whose words name a payload."""

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
          "λ": "lambda"}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_INTERLEUKIN = re.compile(r"^interleukin")


def antigen_key(text: str) -> str:
    """One spelling for an antigen: lower case, Greek letters spelled out, nothing but letters
    and digits (PD-L1, PDL1 and pd l1 are one key; interleukin-6 is il6)."""
    text = text.lower()
    if not text.isascii():
        text = "".join(_GREEK.get(c, c) for c in unicodedata.normalize("NFC", text))
    return _INTERLEUKIN.sub("il", _NOT_ALNUM.sub("", text))


def _word_key(word: str) -> str:
    return word.lower()


def phrase_key(text: str) -> str:
    """One spelling for a claim word: lower case, separators as one space."""
    return re.sub(r"[\s\-/]+", " ", text.lower()).strip()


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def _phrase_pattern(phrase: str) -> str:
    """A phrase as a pattern: any run of spaces, hyphens or slashes between its words."""
    parts = [re.escape(p) for p in re.split(r"[\s\-/]+", phrase) if p]
    return r"[\s\-/]*".join(parts)


def word_regex(phrases: Iterable[str], *, plural: bool = True) -> re.Pattern[str]:
    """Any phrase as a whole word, longest first, case-insensitive; an English plural ending
    allowed."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    body = "|".join(_phrase_pattern(p) for p in ordered)
    tail = r"(?:e?s)?" if plural else ""
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body}){tail}(?![A-Za-z0-9])", re.IGNORECASE)


_TOKEN = re.compile(r"[^\W_]+")
_SEPARATOR = re.compile(r"[\s\-/.\u2010-\u2013]{1,3}")


def words_of(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of ``text[start:end]``, for :meth:`Vocabulary.find_in`
    (one pass over a sentence serves every vocabulary)."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


class Vocabulary:
    """Phrases found by their words: a text's words are looked up as runs of words joined by
    spaces, hyphens, slashes or dots, the longest run first, and a run grows only while it is
    the start of a known phrase (a dictionary look-up per word, where one regular expression of
    a thousand alternatives would try each at every letter)."""

    def __init__(self, key: Callable[[str], str], joiner: str, *, plural: bool = False) -> None:
        self.key = key  # of one word
        self.joiner = joiner  # between the keys of the words of a phrase
        self.plural = plural  # an English plural ending may follow (calicheamicins)
        self.entries: dict[str, object] = {}
        self.prefixes: set[str] = set()  # the keys of the first words of each phrase
        self.starts: set[str] = set()  # the key of each phrase's first word (plurals too)
        self.exact: dict[str, set[str]] = {}  # key -> the only surfaces allowed (case kept)
        self._keys: dict[str, str] = {}  # word -> its key, as words repeat

    def _phrase_key(self, words: Iterable[str]) -> str:
        return self.joiner.join(k for w in words if (k := self.key(w)))

    def add(self, phrase: str, value: object, *, exact: bool = False) -> None:
        words = _TOKEN.findall(phrase)
        k = self._phrase_key(words)
        if not k:
            return
        self.entries.setdefault(k, value)
        first = self.key(words[0])
        self.starts.update((first, f"{first}s", f"{first}es") if self.plural else (first,))
        for n in range(1, len(words)):
            self.prefixes.add(self._phrase_key(words[:n]))
        if exact:
            self.exact.setdefault(k, set()).update({"".join(words), "".join(words).upper()})
        elif k in self.exact:
            del self.exact[k]

    def _get(self, k: str) -> tuple[str, object] | None:
        value = self.entries.get(k)
        if value is not None:
            return k, value
        if self.plural:
            for ending in ("es", "s"):
                if k.endswith(ending) and k[:-len(ending)] in self.entries:
                    return k[:-len(ending)], self.entries[k[:-len(ending)]]
        return None

    def find(self, text: str, start: int, end: int) -> Iterator[tuple[int, int, object]]:
        return self.find_in(text, words_of(text, start, end))

    def find_in(self, text: str, words: list[tuple[int, int, str]]
                ) -> Iterator[tuple[int, int, object]]:
        """The phrases among ``words`` ((start, end, word) of :func:`words_of`)."""
        keys = self._keys
        if len(keys) > 200_000:
            keys.clear()
        tokens = []
        for a, b, word in words:
            k = keys.get(word)
            if k is None:
                k = keys[word] = self.key(word)
            tokens.append((a, b, k))
        i, n_tokens = 0, len(tokens)
        starts = self.starts
        while i < n_tokens:
            if tokens[i][2] not in starts:  # most words start no phrase
                i += 1
                continue
            best = None
            key = ""
            j = i
            while j < n_tokens:
                if j > i and not _SEPARATOR.fullmatch(text, tokens[j - 1][1], tokens[j][0]):
                    break
                part = tokens[j][2]
                key = f"{key}{self.joiner}{part}" if key and part else (key or part)
                got = self._get(key)
                if got is not None:
                    a, b = tokens[i][0], tokens[j][1]
                    allowed = self.exact.get(got[0])
                    surface = "".join(_TOKEN.findall(text[a:b]))
                    if allowed is None or surface in allowed:
                        best = (b, got[1], j)
                if key not in self.prefixes:
                    break
                j += 1
            if best is None:
                i += 1
                continue
            yield tokens[i][0], best[0], best[1]
            i = best[2] + 1


@dataclass(frozen=True, slots=True)
class ClaimWord:
    kind: ClaimKind
    value: str
    labels: tuple[str, ...]  # what the name and the data call it (lower case)
    line: int  # in check_words.tsv, or in lenses.tsv for a payload word from there
    table: str = "check_words.tsv"


@dataclass(frozen=True, slots=True)
class AntigenGroup:
    group: str
    pattern: re.Pattern[str]
    classes: tuple[str, ...]
    line: int


@dataclass(slots=True)
class Lexicon:
    """Everything the claim finder matches, compiled."""

    words: Vocabulary  # the claim words (ClaimWord values)
    noun_regex: re.Pattern[str]
    cue_before: re.Pattern[str]  # ends at the text's end: a target cue right before an antigen
    cue_after: re.Pattern[str]  # starts at the text's start: a cue right after an antigen
    anaphor: re.Pattern[str]
    extends: re.Pattern[str]  # after an antigen: the words that make it another (receptor)
    antigens: Vocabulary  # every antigen spelling
    synonyms: dict[str, set[str]]  # antigen key -> keys of every spelling of the same antigen
    synonym_lines: dict[str, int]  # antigen key -> its antigen_synonyms.tsv line
    groups: tuple[AntigenGroup, ...]
    symbols: dict[str, str]  # antigen key -> its HGNC symbol, where only one
    value_labels: dict[tuple[ClaimKind, str], tuple[str, ...]] = field(default_factory=dict)

    def expand(self, antigen: str) -> set[str]:
        """The keys of every spelling of ``antigen`` that the synonyms know, itself included."""
        key = antigen_key(antigen)
        return self.synonyms.get(key, set()) | {key} if key else set()

    def symbol(self, antigen: str) -> str:
        """The HGNC symbol of an antigen as written, or the words as written."""
        return self.symbols.get(antigen_key(antigen), " ".join(antigen.split()))

    def groups_of(self, antigen: str) -> list[AntigenGroup]:
        return [g for g in self.groups if g.pattern.search(antigen)]


def lexicon(rules: Rules | None = None) -> Lexicon:
    """The claim words of ``rules`` (the package's own by default), built once."""
    return (rules or Rules.shipped()).derived(_build)


def _caseless(alias: str) -> bool:
    """Short all-letter spellings (MET, APP, neu, tau) are words too: they count only as
    written (or in capitals); a spelling with a digit, or a long one, in any case."""
    return bool(re.search(r"\d", alias)) or len(alias) >= 6


def _build(rules: Rules) -> Lexicon:
    words = Vocabulary(_word_key, " ", plural=True)
    nouns: list[str] = []
    before: list[str] = []
    after: list[str] = []
    anaphors: list[str] = []
    extensions: list[str] = []
    value_labels: dict[tuple[ClaimKind, str], tuple[str, ...]] = {}
    label_to_value: dict[str, ClaimWord] = {}
    for r in rules.read("check_words.tsv", ("kind", "value", "words", "labels", "examples",
                                            "evidence")):
        kind, line = r["kind"], int(r["_line"])
        phrases = _split(r["words"])
        if kind == "noun":
            nouns += phrases
        elif kind == "cue_before":
            before += phrases
        elif kind == "cue_after":
            after += phrases
        elif kind == "anaphor":
            anaphors += phrases
        elif kind == "extends":
            extensions += phrases
        else:
            claim = ClaimWord(ClaimKind(kind), r["value"],
                              tuple(x.lower() for x in _split(r["labels"])), line)
            value_labels[(claim.kind, claim.value)] = claim.labels
            for phrase in phrases:
                words.add(phrase, claim)
            if claim.kind == ClaimKind.PAYLOAD:
                for label in claim.labels:
                    label_to_value.setdefault(label, claim)
    # the payload words of lenses.tsv (MMAE, DM1, SN-38 ...) name the class their row gives
    for r in rules.read("lenses.tsv", ("word", "lens", "class")):
        if r["lens"] not in PAYLOAD_LENSES:
            continue
        claim = label_to_value.get(r["class"].lower())
        if claim is not None:
            words.add(r["word"], ClaimWord(claim.kind, claim.value, claim.labels,
                                           int(r["_line"]), "lenses.tsv"))
    # antigens: every spelling in the synonym table and in the antibody table
    synonyms: dict[str, set[str]] = {}
    lines: dict[str, int] = {}
    owners: dict[str, set[str]] = {}
    spellings: set[str] = set()
    for r in rules.read("antigen_synonyms.tsv", ("symbol", "aliases", "name", "evidence")):
        names = [r["symbol"], *_split(r["aliases"])]
        keys = {antigen_key(n) for n in names} - {""}
        spellings.update(names)
        for k in keys:
            synonyms.setdefault(k, set()).update(keys)
            lines.setdefault(k, int(r["_line"]))
            owners.setdefault(k, set()).add(r["symbol"])
    for r in rules.read("antibody_inns.tsv", ("name", "target_antigen")):
        for antigen in row_antigens(r["target_antigen"]):
            spellings.update(antigen)
    antigens = Vocabulary(antigen_key, "")
    for spelling in sorted(spellings):
        if len(spelling.strip()) >= 2 and re.search(r"[A-Za-z]", spelling):
            antigens.add(spelling.strip(), True, exact=not _caseless(spelling.strip()))
    groups = tuple(
        AntigenGroup(r["group"], re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(f"(?:{p})" for p in _split(r["patterns"]))
            + r")(?![A-Za-z0-9])", re.IGNORECASE),
            tuple(_split(r["target_classes"])), int(r["_line"]))
        for r in rules.read("antigen_classes.tsv", ("group", "patterns", "target_classes")))
    before_body = "|".join(_phrase_pattern(p) for p in sorted(set(before), key=len,
                                                                reverse=True))
    after_body = "|".join(_phrase_pattern(p) for p in sorted(set(after + nouns), key=len,
                                                               reverse=True))
    return Lexicon(
        words=words,
        noun_regex=word_regex(nouns),
        cue_before=re.compile(
            rf"(?<![A-Za-z0-9])(?:{before_body})(?:[\s\-]+[\w\-]+){{0,5}}?[\s\-]*\(?[\s\-]*$",
            re.IGNORECASE),
        cue_after=re.compile(rf"^[\s\-]*(?:[\w]+[\s\-]+)?(?:{after_body})(?![A-Za-z0-9])",
                             re.IGNORECASE),
        anaphor=word_regex(anaphors, plural=False) if anaphors else re.compile(r"(?!)"),
        antigens=antigens,
        extends=re.compile(r"[\s\-]+(?:" + "|".join(_phrase_pattern(p) for p in extensions)
                           + r")(?![A-Za-z0-9])", re.IGNORECASE),
        synonyms=synonyms,
        synonym_lines=lines,
        groups=groups,
        symbols={k: next(iter(v)) for k, v in owners.items() if len(v) == 1},
        value_labels=value_labels,
    )


def row_antigens(cell: str) -> list[list[str]]:
    """The antigens of an antibody-table cell, each as its spellings: ``PDL1/CD274;CD3E`` is
    [[PDL1, CD274], [CD3E]]; a part in brackets ((Canine), (Domain II)) is left out, and the
    identifier-like words of a descriptive antigen (Ganglioside GD2) count as spellings."""
    found = []
    for part in re.split(r";|\||\band\b|&", cell):
        part = re.sub(r"\([^)]*\)", "", part).strip()
        if not part:
            continue
        names = [n.strip() for n in part.split("/") if n.strip()]
        for n in list(names):
            if " " in n:
                names += [w for w in n.split() if re.search(r"\d", w) or
                          (w.isupper() and len(w) >= 3)]
        found.append(names)
    return found
