"""``check(text)``: does the text say what the names say? Every claim a text makes about a
named antibody (its source, target, target class, payload, format), judged against the name's
reading and the antibody table; misspelt antibody names are reported with their suggestion."""

from __future__ import annotations

from dataclasses import dataclass

from ..annotator.core import shared_annotator
from ..errors import require_text
from ..models import Mention, Result, _quick_init
from ..registry import Registry, get_registry
from ..vocab import ClaimKind, How, Leniency, Verdict
from .claims import Finder, is_subject
from .judge import Facts, Judge, facts
from .words import lexicon


@_quick_init
@dataclass(frozen=True, slots=True)
class Claim(Result):
    """One claim of a text about a named antibody, and the verdict on it."""

    name: str  # the INN the claim is about, lower case
    kind: ClaimKind
    value: str  # normalised: humanized, CD22, calicheamicin, conjugate ...
    text: str  # the words of the claim as written
    start: int
    end: int  # exclusive, in characters of the text
    verdict: Verdict
    evidence: tuple[str, ...]  # the name part and its era, the data row and its source, UNII
    unii: str | None
    mention: str  # the name as the text writes it (INN, brand or code)
    mention_start: int
    mention_end: int
    suggestion: str | None = None  # the known name a misspelt one probably means

    _json = ("name", "kind", "value", "text", "start", "end", "verdict", "evidence", "unii",
             "mention", "mention_start", "mention_end", "suggestion")


class Checker:
    """Reusable: the claim words compiled once, and what is known of each name remembered."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else get_registry()
        rules = self.registry.rules
        self.lex = lexicon(rules)
        self.finder = Finder(self.lex)
        self.judge = Judge(rules, self.lex)
        self.annotator = shared_annotator(Leniency.STANDARD, self.registry)
        self._facts: dict[tuple[str, int, int], Facts] = {}
        self._verdicts: dict[tuple[object, ...], tuple[Verdict, tuple[str, ...]]] = {}

    def _facts_of(self, m: Mention) -> Facts:
        key = (m.text, m.start, m.end)
        found = self._facts.get(key)
        if found is None:
            if len(self._facts) > 4096:
                self._facts.clear()
            found = self._facts[key] = facts(m, self.registry)
        return found

    def check(self, text: str) -> tuple[Claim, ...]:
        mentions = self.annotator.annotate(text)
        out: list[Claim] = []
        seen: set[tuple[str, ClaimKind, int]] = set()
        said: set[tuple[str, ClaimKind, str, int]] = set()
        for m in mentions:
            if m.how == How.FUZZY and m.suggestion and is_subject(m):
                f = self._facts_of(m)
                out.append(Claim(f.inn, ClaimKind.NAME, m.suggestion.lower(), m.text, m.start,
                                 m.end, Verdict.MISSPELT,
                                 (f"{m.text!r} is a near miss of {m.suggestion!r}",),
                                 f.unii, m.text, m.start, m.end, m.suggestion))
        for c in self.finder.find(text, mentions):
            f = self._facts_of(c.subject)
            key = (f.inn, c.kind, c.start)
            if key in seen:  # the INN and its brand in brackets: one claim
                continue
            seen.add(key)
            memo = (f.inn, c.kind, c.value, c.word)
            judged = self._verdicts.get(memo)
            if judged is None:
                if len(self._verdicts) > 65536:
                    self._verdicts.clear()
                judged = self._verdicts[memo] = self.judge.judge(c, f)
            verdict, evidence = judged
            m = c.subject
            value = self.judge.target_value(c, f) if c.kind == ClaimKind.TARGET else c.value
            if (f.inn, c.kind, value, c.subject.start) in said:
                continue  # one sentence, one antigen twice: its name and its symbol in brackets
            said.add((f.inn, c.kind, value, c.subject.start))
            out.append(Claim(f.inn, c.kind, value, c.text, c.start, c.end, verdict,
                             evidence, f.unii, m.text, m.start, m.end,
                             m.suggestion if m.how == How.FUZZY else None))
        out.sort(key=lambda c: (c.start, c.mention_start))
        return tuple(out)


_CHECKERS: dict[int, Checker] = {}


def check(text: str, *, registry: Registry | None = None) -> tuple[Claim, ...]:
    """Every claim ``text`` makes about a named antibody, judged (see :class:`Claim`)."""
    text = require_text(text, "text")
    reg = registry if registry is not None else get_registry()
    checker = _CHECKERS.get(id(reg))
    if checker is None or checker.registry is not reg:
        _CHECKERS.clear()
        checker = _CHECKERS[id(reg)] = Checker(reg)
    return checker.check(text)
