"""The classic confusions, against all names: where ``screen`` ranks each textbook partner.

Six pairs every pharmacist knows (hydroxyzine / hydralazine, Zantac / Xanax, Celexa /
Celebrex, Celexa / Cerebyx, Lamictal / Lamisil, Zyprexa / Zyrtec), each screened both ways
against the full list (registry + FDA UNII), as ``innkit screen NAME`` does: the partner's
rank among the hits, each hit one substance (the partner counts when it is a hit's name or one
of its forms). A check, never training data: no weight, level or rule is set on these pairs.
Goal: every partner in the top 5.
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


def rank(query: str, partner: str, universe) -> int | None:
    """The partner's rank among the hits of ``query`` (1 = first), None beyond ``DEPTH``."""
    hits = screen(query, against=universe, limit=DEPTH, score_cutoff=0.0).hits
    for i, hit in enumerate(hits, 1):
        if hit.name == partner or partner in hit.forms:
            return i
    return None


def main() -> int:
    started = time.perf_counter()
    universe = build_universe("all")
    met = 0
    print(f"against all {len(universe):,} names; rank of the partner (goal: top {GOAL})")
    for a, b in PAIRS:
        there, back = rank(a, b, universe), rank(b, a, universe)
        cells = [f"#{r}" if r else f">{DEPTH}" for r in (there, back)]
        ok = all(r is not None and r <= GOAL for r in (there, back))
        met += ok
        print(f"  {a:>12} -> {b:<12} {cells[0]:>5}   {b:>12} -> {a:<12} {cells[1]:>5}"
              f"  {'met' if ok else 'NOT met'}")
    print(f"pairs with both ways in the top {GOAL}: {met} of {len(PAIRS)} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
