"""Finding claims in a text and the antibody each is about.

A text is cut into sentences (and table rows); within a sentence, a claim word is a claim only
where the grammar makes it one (a source word before an antibody noun, an antigen after a
target cue ...), and each claim goes to the antibody its phrase belongs to: the name its noun
phrase ends in, else the name before it in the clause, else the next name; names joined by
``and``, commas or slashes share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..models import Mention
from ..vocab import ClaimKind, Kind
from .words import ClaimWord, Lexicon, words_of

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_ROW = re.compile(r"\t|\|")
_CLAUSE_BREAK = re.compile(r"[;:]|\b(?:is|are|was|were|be|been|being|has|have|had|and|or|but|"
                           r"while|whereas|which|who|whose|unlike|than|like|versus|vs|"
                           r"compared|whilst)\b", re.IGNORECASE)
_COORDINATION = re.compile(r"^(?:[\s,]*(?:and|or|as well as|plus|&|/)?[\s,]*|\s*/\s*)$",
                           re.IGNORECASE)
_COPULA = re.compile(r"\b(?:is|are|was|were|be|being|been|remains?)\s+(?:(?:fully|entirely|"
                     r"also|both|a|an|not)\s+){0,2}$", re.IGNORECASE)
_TARGET_PRECEDES = re.compile(r"(?:\banti|against|targeting|to|binds|of)[\s\-]+$",
                              re.IGNORECASE)
_NP_GAP = re.compile(r"^[^,;:.!?]*$")
_BOUNDARY = re.compile(r"[,;:()]")


@dataclass(frozen=True, slots=True)
class Found:
    """A claim found in the text, before it is judged."""

    kind: ClaimKind
    value: str
    start: int
    end: int
    text: str
    word: ClaimWord | None  # None for a target (an antigen)
    subject: Mention


def sentences(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is a table row) of each sentence; a line with tabs or bars is a row."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield from _rows(text, start, m.start())
        start = m.end()
    yield from _rows(text, start, len(text))


def _rows(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    chunk = text[start:end]
    if "\n" not in chunk or not _ROW.search(chunk):
        if chunk.strip():
            yield start, end, False
        return
    pos = start
    for line in chunk.split("\n"):
        if line.strip():
            yield pos, pos + len(line), bool(_ROW.search(line))
        pos += len(line) + 1


def is_subject(m: Mention) -> bool:
    """A mention a claim can be about: an antibody (by its INN, brand or code)."""
    d = m.decoding
    return d.kind == Kind.ANTIBODY or (d.registry is not None and d.registry.source is not None)


class Finder:
    """Claims in one text, each with the mention it is about."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    def find(self, text: str, mentions: Sequence[Mention]) -> list[Found]:
        subjects = [m for m in mentions if is_subject(m)]
        found: list[Found] = []
        previous: list[Mention] = []
        i = 0
        for s, e, row in sentences(text):
            here = []
            while i < len(subjects) and subjects[i].start < e:
                if subjects[i].start >= s:
                    here.append(subjects[i])
                i += 1
            if not here:
                if not (previous and self.lex.anaphor.match(text, s)):
                    previous = []
                    continue
                here = previous[-1:]  # "It is a humanized antibody." after the name
            claims = self._claims(text, s, e, row, here)
            if claims:
                said: set[tuple[int, ClaimKind, str]] = set()
                for kind, value, a, b, word in claims:
                    for subject in self._attach(text, s, a, b, here):
                        # a sentence that says one thing twice (its payload, SN-38, is a
                        # topoisomerase I inhibitor) makes one claim
                        key = (id(subject), kind, word.value if word else self.lex.symbol(value))
                        if key not in said:
                            said.add(key)
                            found.append(Found(kind, value, a, b, text[a:b], word, subject))
            previous = here
        return found

    # ------------------------------------------------------------------------ claim words

    def _claims(self, text: str, s: int, e: int, row: bool, here: list[Mention]
                ) -> list[tuple[ClaimKind, str, int, int, ClaimWord | None]]:
        lex = self.lex
        out: list[tuple[ClaimKind, str, int, int, ClaimWord | None]] = []
        ends = [m.end for m in here]

        def free(a: int, b: int) -> bool:  # not inside a name (muromonab-CD3)
            return not any(m.start < b and a < m.end for m in here)

        words = words_of(text, s, e)
        for a, b, word in lex.words.find_in(text, words):
            if not isinstance(word, ClaimWord) or not free(a, b):
                continue
            if word.kind in (ClaimKind.SOURCE, ClaimKind.TARGET_CLASS) and not row \
                    and not self._describes(text, s, e, a, b, ends):
                continue
            if out and out[-1][:2] == (word.kind, word.value) and \
                    re.fullmatch(r"[\s()]*", text[out[-1][3]:a]):
                out[-1] = (word.kind, word.value, out[-1][2], b, out[-1][4])  # the auristatin MMAE
                continue
            out.append((word.kind, word.value, a, b, word))
        cued_end = -1
        for a, b, _ in lex.antigens.find_in(text, words):
            if not free(a, b):
                continue
            extended = lex.extends.match(text, b, e)
            if extended:  # the interleukin-2 receptor: judged as an antigen of that name
                b = extended.end()
            cued = (row or lex.cue_before.search(text[max(s, a - 60):a]) is not None
                    or lex.cue_after.match(text[b:min(e, b + 40)]) is not None
                    or (cued_end >= 0 and _COORDINATION.match(text[cued_end:a]) is not None))
            if cued:
                out.append((ClaimKind.TARGET, text[a:b], a, b, None))
                cued_end = b
        out.sort(key=lambda c: c[2])
        return out

    def _describes(self, text: str, s: int, e: int, a: int, b: int, ends: list[int]) -> bool:
        """A source or class word says something of an antibody: an antibody noun follows it
        closely, or it follows a copula (is humanized), or it stands in brackets right after
        a name (ecromeximab (melanoma, chimeric)); never as the species of an antigen
        (against human CD22)."""
        lex = self.lex
        before = text[max(s, a - 30):a]
        if _TARGET_PRECEDES.search(before):
            return False
        after = text[b:min(e, b + 80)]
        rest = after.lstrip(" -")
        first = next(lex.antigens.find(rest, 0, min(len(rest), 40)), None)
        if first is not None and first[0] == 0 and not lex.noun_regex.match(rest):
            return False
        head = re.match(r"(?:[\s\-]+[\w\-κλ]+){0,4}", after)
        window = after[:head.end()] if head else ""
        for n in lex.noun_regex.finditer(window):
            if not _BOUNDARY.search(window[:n.start()]):
                return True
        if _COPULA.search(text[max(s, a - 40):a]):
            return True
        return any(end <= a and re.fullmatch(r"\s*\([^()]*", text[end:a]) for end in ends)

    # ----------------------------------------------------------------------- attachment

    def _attach(self, text: str, s: int, a: int, b: int, here: list[Mention]) -> list[Mention]:
        before = [m for m in here if m.end <= a]
        after = [m for m in here if m.start >= b]
        inside = [m for m in here if m.start < b and a < m.end]
        if inside:
            return inside[:1]
        chosen: Mention | None = None
        if after:
            gap = text[b:after[0].start]
            if _NP_GAP.match(gap.replace("(", "")) and not _CLAUSE_BREAK.search(gap):
                chosen = after[0]
        if chosen is None and before:
            chosen = before[-1]
        if chosen is None and after:
            chosen = after[0]
        if chosen is None:
            return []
        return self._group(text, chosen, here)

    @staticmethod
    def _group(text: str, chosen: Mention, here: list[Mention]) -> list[Mention]:
        """The chosen name and the names listed with it (A, B and C)."""
        at = here.index(chosen)
        lo = hi = at
        while lo > 0 and _COORDINATION.match(text[here[lo - 1].end:here[lo].start]):
            lo -= 1
        while hi + 1 < len(here) and _COORDINATION.match(text[here[hi].end:here[hi + 1].start]):
            hi += 1
        return here[lo:hi + 1]
