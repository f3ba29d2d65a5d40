"""Count right and wrong readings of the names in benchmarks/data/readings.tsv, by category,
for this tree and, in the same run, for a baseline tree (``--baseline-ref``, default the last
commit before the word lenses), judged by one rule from what each version prints.

Each row gives a name, what it should read as, and a category. ``expected`` is one of:
``antibody``, ``class`` (a drug class phrase), ``salt`` (a salt named by its ions alone),
``stem:-x`` (the WHO stem read first; ``stem:-x|WORD``: and its meaning says WORD, as
``stem:-gestr-|progestogens``), ``lens:KIND`` (a kind of word: the decoding says
``KIND (`` and offers no WHO stem), ``suggest:NAME`` (a misspelling: the name is suggested and
no stem read) or ``form:LANGUAGE`` (a language form: it resolves with that relation). The
expectations are written from the sources, not from innkit's tables. A reading is *right* when
it says what the row expects, *unread* when innkit reads nothing (kind unknown, no stem), and
*wrong* otherwise. Per-name results go to benchmarks/results/readings.tsv.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import ROOT, results_file

NAMES = Path(__file__).resolve().parent / "data" / "readings.tsv"
BASELINE_REF = "596a9a9"
"""The last commit before the word lenses (and the house of this round)."""


def _said(d: dict) -> str:
    return " ".join([d.get("reason") or "", *d.get("notes", ())])


def judge(d: dict, expected: str) -> str:
    """``right``, ``wrong`` or ``unread``, from a decoding's JSON."""
    stems = [m["stem"] for m in d.get("stems") or ()]
    if expected in ("antibody", "class"):
        return "right" if d["kind"] == expected else "wrong"
    if expected == "salt":
        return "right" if "ions alone" in _said(d) and not stems else "wrong"
    if expected.startswith("suggest:"):
        if d.get("suggestion") == expected[8:] and not stems:
            return "right"
        return "unread" if d["kind"] == "unknown" and not stems else "wrong"
    if expected.startswith("form:"):
        relation = (d.get("substance") or {}).get("relation")
        return "right" if relation == expected[5:] else "unread" if relation is None else "wrong"
    if expected.startswith("stem:"):
        stem, _, says = expected[5:].partition("|")
        if stems:
            meaning = (d["stems"][0].get("meaning") or "").lower()
            return "right" if stems[0] == stem and says.lower() in meaning else "wrong"
        return "unread" if d["kind"] == "unknown" else "wrong"
    said = f"{expected[5:]} (" in _said(d)
    if said and not stems:
        return "right"
    return "unread" if d["kind"] == "unknown" and not stems and not said else "wrong"


def decodings(src: Path, names: list[str]) -> list[dict]:
    """What ``innkit decode --format jsonl`` of the tree at ``src`` prints for ``names``."""
    out = subprocess.run([sys.executable, "-c", "from innkit.cli import run; run()", "decode",
                          "--format", "jsonl"], input="\n".join(names) + "\n", text=True,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(src)})
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(rows) != len(names):
        raise SystemExit(f"{src}: {len(rows)} decodings for {len(names)} names: "
                         f"{out.stderr.strip()[-300:]}")
    return rows


def score(rows: list[dict], found: list[dict]) -> tuple[dict[str, Counter[str]], list[str]]:
    counts: dict[str, Counter[str]] = {}
    verdicts = []
    for row, d in zip(rows, found, strict=True):
        verdict = judge(d, row["expected"])
        counts.setdefault(row["category"], Counter())[verdict] += 1
        verdicts.append(verdict)
    return counts, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args()
    rows = list(csv.DictReader(NAMES.open(encoding="utf-8"), delimiter="\t"))
    names = [r["name"] for r in rows]
    now = decodings(ROOT / "src", names)
    counts, verdicts = score(rows, now)
    before: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory(prefix="innkit-readings-") as tmp:
        base = Path(tmp) / "baseline"
        made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base),
                               args.baseline_ref], capture_output=True, text=True)
        if made.returncode == 0:
            try:
                before, _ = score(rows, decodings(base / "src", names))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(base)], capture_output=True)
        else:
            print(f"(no baseline: git worktree failed: {made.stderr.strip()[:120]})")
    print(f"readings of {len(rows)} names; now against {args.baseline_ref} in the same run")
    print(f"{'category':<28} {'names':>5} {'right':>5} {'wrong':>5} {'unread':>6}"
          f"   {'before: right':>13} {'wrong':>5} {'unread':>6}")
    total: Counter[str] = Counter()
    total_before: Counter[str] = Counter()
    for category, c in counts.items():
        b = before.get(category, Counter())
        total.update(c)
        total_before.update(b)
        print(f"{category:<28} {sum(c.values()):>5} {c['right']:>5} {c['wrong']:>5} "
              f"{c['unread']:>6}   {b['right']:>13} {b['wrong']:>5} {b['unread']:>6}")
    n = len(rows)
    print(f"{'all':<28} {n:>5} {total['right']:>5} {total['wrong']:>5} {total['unread']:>6}"
          f"   {total_before['right']:>13} {total_before['wrong']:>5} "
          f"{total_before['unread']:>6}")
    ratio = f"; ratio {total['right'] / total_before['right']:.2f}" if before else ""
    print(f"right: now {total['right'] / n:.1%}, before {total_before['right'] / n:.1%}{ratio}")
    out = []
    for row, d, verdict in zip(rows, now, verdicts, strict=True):
        first = d["stems"][0]["stem"] if d.get("stems") else ""
        out.append((row["name"], row["expected"], row["category"], verdict, d["kind"], first))
        if verdict != "right":
            print(f"   {verdict}: {row['name']!r} expected {row['expected']}, read "
                  f"{d['kind']} {first}".rstrip())
    with results_file("readings.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(("name", "expected", "category", "verdict", "kind", "first_stem"))
        writer.writerows(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
