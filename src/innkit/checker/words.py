"""The words a claim is made of, read once per ``Rules``: claim words (``check_words.tsv``),
the payload rows of ``lenses.tsv``, antigen synonyms (``antigen_synonyms.tsv``), the antigens of
the antibody table and the antigen groups of ``antigen_classes.tsv``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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
    text = "".join(_GREEK.get(c, c) for c in unicodedata.normalize("NFC", text.lower()))
    return _INTERLEUKIN.sub("il", _NOT_ALNUM.sub("", text))


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

    words: dict[str, ClaimWord]  # phrase_key -> its claim
    claim_regex: re.Pattern[str]
    noun_regex: re.Pattern[str]
    cue_before: re.Pattern[str]  # ends at the text's end: a target cue right before an antigen
    cue_after: re.Pattern[str]  # starts at the text's start: a cue right after an antigen
    anaphor: re.Pattern[str]
    antigen_regex: re.Pattern[str]
    synonyms: dict[str, set[str]]  # antigen key -> keys of every spelling of the same antigen
    synonym_lines: dict[str, int]  # antigen key -> its antigen_synonyms.tsv line
    groups: tuple[AntigenGroup, ...]
    symbols: dict[str, str]  # antigen key -> its HGNC symbol, where only one
    value_labels: dict[tuple[ClaimKind, str], tuple[str, ...]] = field(default_factory=dict)

    def claim_word(self, matched: str) -> ClaimWord | None:
        key = phrase_key(matched)
        found = self.words.get(key)
        if found is None:
            for ending in ("es", "s"):
                if key.endswith(ending) and key[:-len(ending)] in self.words:
                    return self.words[key[:-len(ending)]]
        return found

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


def _antigen_pattern(alias: str) -> str | None:
    """An antigen spelling as a pattern: hyphens and spaces optional between its parts; short
    all-letter spellings (MET, APP, neu) only in the case they are written in (or capitals)."""
    alias = alias.strip()
    if len(alias) < 2 or not re.search(r"[A-Za-z]", alias):
        return None
    parts = [p for p in re.split(r"[\s\-]+", alias) if p]
    pieces = []
    for part in parts:
        # letters and digits may be joined by a hyphen or a space in text (PD1, PD-1)
        chunks = re.findall(r"[^\W\d_]+|\d+|[^\w\s]", part)
        pieces.append(r"[\s\-]?".join(re.escape(c) for c in chunks))
    body = r"[\s\-]?".join(pieces)
    caseless = bool(re.search(r"\d", alias)) or len(alias) >= 6
    if caseless:
        return f"(?i:{body})"
    upper = r"[\s\-]?".join(re.escape(p.upper()) for p in parts)
    return body if upper == body else f"(?:{body}|{upper})"


def _build(rules: Rules) -> Lexicon:
    words: dict[str, ClaimWord] = {}
    nouns: list[str] = []
    before: list[str] = []
    after: list[str] = []
    anaphors: list[str] = []
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
        else:
            claim = ClaimWord(ClaimKind(kind), r["value"],
                              tuple(x.lower() for x in _split(r["labels"])), line)
            value_labels[(claim.kind, claim.value)] = claim.labels
            for phrase in phrases:
                words.setdefault(phrase_key(phrase), claim)
            if claim.kind == ClaimKind.PAYLOAD:
                for label in claim.labels:
                    label_to_value.setdefault(label, claim)
    # the payload words of lenses.tsv (MMAE, DM1, SN-38 ...) name the class their row gives
    for r in rules.read("lenses.tsv", ("word", "lens", "class")):
        if r["lens"] not in PAYLOAD_LENSES:
            continue
        claim = label_to_value.get(r["class"].lower())
        if claim is not None:
            words.setdefault(phrase_key(r["word"]), ClaimWord(
                claim.kind, claim.value, claim.labels, int(r["_line"]), "lenses.tsv"))
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
    patterns = [p for s in sorted(spellings, key=lambda s: (-len(s), s))
                if (p := _antigen_pattern(s))]
    antigen_regex = re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(patterns) + r")(?![A-Za-z0-9])")
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
        claim_regex=word_regex(words),
        noun_regex=word_regex(nouns),
        cue_before=re.compile(
            rf"(?<![A-Za-z0-9])(?:{before_body})(?:[\s\-]+[\w\-]+){{0,5}}?[\s\-]*\(?[\s\-]*$",
            re.IGNORECASE),
        cue_after=re.compile(rf"^[\s\-]*(?:[\w]+[\s\-]+)?(?:{after_body})(?![A-Za-z0-9])",
                             re.IGNORECASE),
        anaphor=word_regex(anaphors, plural=False) if anaphors else re.compile(r"(?!)"),
        antigen_regex=antigen_regex,
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
