"""Drug classes: phrases such as *beta-blockers* or *MAO inhibitors* (``drug_classes.tsv``).

A class is not a substance, but a reader marks it as a drug mention, and many classes are
defined by a WHO stem (beta-blockers by -olol, statins by -vastatin). Each row lists the phrase
and its spelling variants; plurals, hyphen or space between words and a trailing *drug*, *agent*
or *medication* are added by rule, so the table holds each phrase once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tables import Reader

TABLE = "drug_classes.tsv"
_HEADS = ("", " drug", " agent", " medication")
_SEP = re.compile(r"[\s\-]+")


@dataclass(frozen=True, slots=True)
class ClassRow:
    key: str  # the class's id in the table, e.g. beta-blocker
    label: str  # the first phrase, as written in the table
    stem: str | None  # the WHO stem that defines the class, when there is one
    members: tuple[str, ...]
    line: int


def class_key(text: str) -> str:
    """Lower case, one space between words, hyphens read as spaces (``Beta-Blockers``)."""
    return _SEP.sub(" ", text.lower()).strip()


def plural(phrase: str) -> str:
    if phrase.endswith("s"):
        return phrase
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"  # antibody -> antibodies
    return phrase + "s"


def _forms(phrase: str) -> list[str]:
    """The phrase with each head, singular and plural."""
    return [form for head in _HEADS for form in (phrase + head, plural(phrase + head))]


def _variants(phrase: str) -> set[str]:
    out = set()
    for form in _forms(phrase):
        out.add(form)
        out.add(form.replace("-", " "))
        out.add(form.replace(" ", "-") if form.count(" ") == 1 else form)
    return out


@dataclass(frozen=True)
class DrugClasses:
    """The classes of drug_classes.tsv: every spelling of their phrases, and the class each
    names."""

    by_key: dict[str, ClassRow]
    phrases: tuple[str, ...]  # every spelling, lower case (for the dictionary scan)

    def find(self, text: str) -> ClassRow | None:
        """The class a phrase names (any listed spelling, singular or plural), or None."""
        if text.isalpha() and text.islower():  # one word, as the decoder asks: its own key
            return self.by_key.get(text)
        return self.by_key.get(class_key(text))


def read_classes(read: Reader) -> DrugClasses:
    """drug_classes.tsv, each phrase with its spelling variants."""
    rows = read(TABLE, ("class", "phrases", "stem", "members", "source", "evidence"))
    by_key: dict[str, ClassRow] = {}
    phrases: set[str] = set()
    for r in rows:
        written = [p.strip() for p in r["phrases"].split(";") if p.strip()]
        row = ClassRow(r["class"], written[0], r["stem"] or None,
                       tuple(m.strip() for m in r["members"].split(";") if m.strip()),
                       int(r["_line"]))
        for phrase in written:
            phrases.update(form.lower() for form in _variants(phrase))
            # A variant differs from its form only by hyphens and spaces: the same key.
            for form in _forms(phrase):
                by_key.setdefault(class_key(form), row)
    return DrugClasses(by_key, tuple(sorted(phrases)))
