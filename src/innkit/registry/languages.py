"""The Latin, French and Spanish forms of INNs, as rules read from ``inn_languages.tsv``.

Endings turn a form back into candidate INN spellings (``trastuzumabum`` → ``trastuzumab``); letter
rules fold the spelling differences of the languages (``ph``/``f``, accents) into one skeleton,
so that a form and its INN meet in the substance index's skeleton table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from ..rules.core import Rules
from ..vocab import Relation

TABLE = "inn_languages.tsv"


class RuleKind(StrEnum):
    """The ``kind`` column: what a rule of the table does."""

    ENDING = "ending"  # a language's ending, taken off to find the INN
    LETTERS = "letters"  # a spelling the language uses for the INN's letters


@dataclass(frozen=True, slots=True)
class LanguageRule:
    language: Relation
    kind: RuleKind
    form: str
    inn: str
    line: int


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


class LanguageForms:
    """The Latin, French and Spanish INN forms, read from the ``inn_languages.tsv`` of
    ``rules``."""

    def __init__(self, rules: Rules) -> None:
        rows = rules.read(TABLE, ("language", "kind", "form", "inn", "examples"))
        self.rules = tuple(LanguageRule(Relation(r["language"]), RuleKind(r["kind"]), r["form"],
                                        r["inn"], int(r["_line"])) for r in rows)
        self.endings = tuple(r for r in self.rules if r.kind is RuleKind.ENDING)
        letters = [r for r in self.rules if r.kind is RuleKind.LETTERS and r.form.isascii()]
        # Longest first, so that "ll" is folded before "l".
        self._folds = sorted(((r.inn, r.form) for r in letters), key=lambda p: -len(p[0]))
        self._accents = {r.form: r.language for r in self.rules
                         if r.kind is RuleKind.LETTERS and not r.form.isascii()}

    def skeleton(self, word: str) -> str:
        """The spelling with accents and the languages' letter differences folded away."""
        word = strip_accents(word)
        for inn, form in self._folds:
            word = word.replace(inn, form)
        return word

    def inn_candidates(self, word: str) -> list[tuple[str, Relation | None]]:
        """Possible INN spellings of one word of another language, with the language."""
        out: list[tuple[str, Relation | None]] = [(word, None)]
        plain = strip_accents(word)
        for rule in self.endings:
            if plain.endswith(rule.form) and len(plain) - len(rule.form) >= 4:
                out.append((plain[: len(plain) - len(rule.form)] + rule.inn, rule.language))
        return out

    def accent_language(self, text: str) -> Relation | None:
        for char in text:
            if char in self._accents:
                return self._accents[char]
        return None


def language_forms(rules: Rules | None = None) -> LanguageForms:
    """The language forms of ``rules`` (the package's own by default), read once."""
    return (rules or Rules.shipped()).derived(LanguageForms)


def table_digest(rules: Rules | None = None) -> str:
    """The rules' content hash: the index's skeletons are rebuilt when the rules change."""
    return (rules or Rules.shipped()).digest(TABLE)
