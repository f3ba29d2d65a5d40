"""The WHO's numbering of its INN lists and consultations (``inn_lists.tsv``), and how far the
shipped antibody table runs in it.

WHO publishes two proposed (PL) and two recommended (RL) lists a year and holds two INN
consultations a year; a consultation's names appear in a fixed later proposed list. So a list
number gives the year of a name, and the table's latest consultation says through which list
it runs: a name newer than that can only be read from its letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Result
from .core import Rules

SERIES = ("PL", "RL", "consultation")
"""The numbered series ``inn_lists.tsv`` describes."""


@dataclass(frozen=True, slots=True)
class ListRule:
    """One series: the number ``anchor`` was the first of ``anchor_year``, ``per_year`` a year."""

    series: str
    anchor: int
    anchor_year: int
    per_year: int
    valid_from: int
    proposed_list_offset: int | None
    line: int

    def year(self, number: int) -> int | None:
        """The year of list (or consultation) ``number``; None below where the rule holds."""
        if number < self.valid_from:
            return None
        return self.anchor_year + (number - self.anchor) // self.per_year


@dataclass(frozen=True, slots=True)
class Numbering:
    """The rules of every series, by series, each series' rows in ``valid_from`` order."""

    series: dict[str, tuple[ListRule, ...]]

    def rule(self, series: str, number: int) -> ListRule | None:
        """The row that holds for ``number``: the last one whose ``valid_from`` it reaches."""
        fitting = [r for r in self.series.get(series, ()) if number >= r.valid_from]
        return fitting[-1] if fitting else None

    def year(self, series: str, number: int) -> int | None:
        rule = self.rule(series, number)
        return rule.year(number) if rule is not None else None

    def proposed_list(self, consultation: int) -> int | None:
        """The proposed list a consultation's names appear in."""
        rule = self.rule("consultation", consultation)
        if rule is None or rule.proposed_list_offset is None:
            return None
        return consultation + rule.proposed_list_offset


def _int(cell: str) -> int | None:
    return int(cell) if cell.strip().isdigit() else None


def _read_numbering(rules: Rules) -> Numbering:
    out: dict[str, list[ListRule]] = {}
    for r in rules.read("inn_lists.tsv", ("series", "anchor", "anchor_year", "per_year",
                                          "valid_from", "evidence")):
        out.setdefault(r["series"], []).append(ListRule(
            r["series"], int(r["anchor"]), int(r["anchor_year"]), int(r["per_year"]),
            int(r["valid_from"]), _int(r.get("proposed_list_offset", "")), int(r["_line"])))
    return Numbering({k: tuple(sorted(v, key=lambda r: r.valid_from)) for k, v in out.items()})


def numbering(rules: Rules | None = None) -> Numbering:
    """The list numbering of ``rules`` (the package's own by default), read once."""
    return (rules or Rules.shipped()).derived(_read_numbering)


@dataclass(frozen=True, slots=True)
class Coverage(Result):
    """How far the antibody table runs: its names, and the latest WHO consultation any of its
    rows comes from, with the proposed list that consultation's names appear in."""

    names: int
    with_inn_number: int
    consultation: int | None
    proposed_list: int | None
    year: int | None

    def phrase(self) -> str:
        """``1,399 names through INN consultation 82 of 2026 (proposed list 136)``."""
        if self.consultation is None:
            return f"{self.names:,} names"
        when = f" of {self.year}" if self.year else ""
        listed = f" (proposed list {self.proposed_list})" if self.proposed_list else ""
        return f"{self.names:,} names through INN consultation {self.consultation}{when}{listed}"


def _read_coverage(rules: Rules) -> Coverage:
    rows = rules.read("antibody_inns.tsv", ("name",))
    consultations = [c for r in rows if (c := _int(r.get("consultation", ""))) is not None]
    last = max(consultations, default=None)
    order = numbering(rules)
    listed = order.proposed_list(last) if last is not None else None
    return Coverage(
        names=len({r["name"] for r in rows}),
        with_inn_number=sum(1 for r in rows if r.get("inn_number", "").strip()),
        consultation=last,
        proposed_list=listed,
        year=order.year("consultation", last) if last is not None else None,
    )


def antibody_coverage(rules: Rules | None = None) -> Coverage:
    """How far the antibody table of ``rules`` (the package's own by default) runs."""
    return (rules or Rules.shipped()).derived(_read_coverage)


__all__ = ["SERIES", "Coverage", "ListRule", "Numbering", "antibody_coverage", "numbering"]
