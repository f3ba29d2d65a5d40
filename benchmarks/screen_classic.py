"""The classic confusions, against all names: where ``screen`` ranks each textbook partner.

Six pairs every pharmacist knows (hydroxyzine / hydralazine, Zantac / Xanax, Celexa /
Celebrex, Celexa / Cerebyx, Lamictal / Lamisil, Zyprexa / Zyrtec), each screened both ways
against the full list (registry + FDA UNII), as ``innkit screen NAME`` does: the partner's
rank among the hits, each hit one substance (the partner counts when it is a hit's name or one
of its forms), its score, and the score it must beat or stay ahead of: the fifth hit's when
the partner is below it, the sixth's when it is in the top 5 (how far it falls short, or how
narrow its place is). A check, never training data: no weight,
level or rule is set on these pairs. Goal: every partner in the top 5.
"""

from __future__ import annotations

import sys
import time

from innkit.screening.similarity import build_universe, screen

PAIRS = (("hydroxyzine", "hydralazine"), ("zantac", "xanax"), ("celexa", "celebrex"),
         ("celexa", "cerebyx"), ("lamictal", "lamisil"), ("zyprexa", "zyrtec"))
DEPTH = 100
"""Hits looked at per screen (a partner further down is reported as beyond)."""
GOAL = 5


def rank(query: str, partner: str, universe) -> tuple[int | None, float | None, float]:
    """The partner's rank among the hits of ``query`` (1 = first; None beyond ``DEPTH``), its
    score (None beyond), and the score of the hit at the edge of the top ``GOAL`` (the
    ``GOAL``-th, or the next when the partner is among them)."""
    hits = screen(query, against=universe, limit=DEPTH, score_cutoff=0.0).hits
    for i, hit in enumerate(hits, 1):
        if hit.name == partner or partner in hit.forms:
            edge = GOAL if i <= GOAL else GOAL - 1
            return i, hit.score, hits[edge].score if len(hits) > edge else 0.0
    return None, None, hits[GOAL - 1].score if len(hits) >= GOAL else 0.0


def _cell(found: tuple[int | None, float | None, float]) -> str:
    at, score, edge = found
    if at is None:
        return f">{DEPTH}".rjust(21)
    other = f"#{GOAL + 1 if at <= GOAL else GOAL}"
    return f"#{at} ({score:.3f}; {other} {edge:.3f})".rjust(21)


def main() -> int:
    started = time.perf_counter()
    universe = build_universe("all")
    met = 0
    print(f"against all {len(universe):,} names; rank of the partner (its score; the "
          f"edge of the top {GOAL}: #{GOAL + 1} in it, #{GOAL} below) (goal: top {GOAL})")
    for a, b in PAIRS:
        there, back = rank(a, b, universe), rank(b, a, universe)
        ok = all(r[0] is not None and r[0] <= GOAL for r in (there, back))
        met += ok
        print(f"  {a:>12} -> {b:<12} {_cell(there)}   {b:>12} -> {a:<12} {_cell(back)}"
              f"  {'met' if ok else 'NOT met'}")
    print(f"pairs with both ways in the top {GOAL}: {met} of {len(PAIRS)} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
