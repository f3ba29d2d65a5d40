"""How well ``annotate`` finds drug names, on the annotated corpora in shared/corpora.

Prints, in one run:
1. antibody recall on ctgov_drug_ner and lct (goal >= 0.99), with the registry and, for
   generalisation, with every registry name removed (morphology alone; goal >= 0.97);
2. antibody precision over all corpora (an antibody hit in a corpus that does not annotate
   antibodies, DrugProt, or a registry-known antibody the BC5CDR annotators missed, is not
   scored), listing every false positive;
3. drug-mention precision, recall and F1 on DDI-2013 and on BC5CDR chemicals, for each innkit
   leniency and for the PyPI package drug-named-entity-recognition run on the same text in the
   same run (the baseline);
4. the antibody mentions morphology alone adds on the bulk text (names not in the registry).
Per-document results go to benchmarks/results/.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file, shared_path

from innkit import decode
from innkit.annotator.core import Annotator
from innkit.registry import Registry
from innkit.rules.english import is_english

CORPORA = {
    "ddi2013": "ddi2013/ddi2013.jsonl",
    "bc5cdr": "bc5cdr/bc5cdr.jsonl",
    "biored": "biored/biored.jsonl",
    "drugprot_dev": "drugprot_dev/drugprot_dev.jsonl",
    "ctgov_drug_ner": "ctgov_drug_ner/ctgov_gold.jsonl",
    "lct": "lct/lct_drugs.jsonl",
}
DRUG_TYPES = {
    "ddi2013": {"drug", "brand", "group", "drug_n"},
    "bc5cdr": {"Chemical"},
    "biored": {"ChemicalEntity"},
    "drugprot_dev": {"CHEMICAL"},
    "ctgov_drug_ner": {"drug"},
    "lct": {"Drug", "Drug-Name"},
}
NOT_ANNOTATING_ANTIBODIES = {"drugprot_dev"}
MISSING_SOME_ANTIBODIES = {"bc5cdr"}
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")


def load(name: str) -> list[dict]:
    path = shared_path("corpora", CORPORA[name])
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def gold_spans(doc: dict, corpus: str, types: set[str] | None = None) -> set[tuple[int, int]]:
    wanted = types or DRUG_TYPES[corpus]
    return {(m["start"], m["end"]) for m in doc["mentions"]
            if m["type"] in wanted and m.get("located", True)}


# Evaluation sets of the goals: test splits apart from train, one type where a corpus
# marks several (LCT: Drug-Name). (label, corpus, split filter, gold types)
EVAL_SETS = (
    ("DDI-2013 test", "ddi2013", lambda s: s.startswith("test"), None),
    ("DDI-2013 train", "ddi2013", lambda s: s.startswith("train"), None),
    ("BC5CDR test, Chemical", "bc5cdr", lambda s: s == "test", None),
    ("LCT, Drug-Name", "lct", lambda s: True, {"Drug-Name"}),
    ("ctgov_drug_ner gold", "ctgov_drug_ner", lambda s: True, None),
)
DDI_TYPES = ("drug", "brand", "group", "drug_n")


def is_antibody_text(text: str) -> bool:
    last = text.split()[0] if text.split() else ""
    return decode(last).kind == "antibody" and not is_english(last)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def antibody_recall(annotator: Annotator, docs_by_corpus: dict[str, list[dict]]):
    found = total = 0
    missed = []
    for corpus in ("ctgov_drug_ner", "lct"):
        for doc in docs_by_corpus[corpus]:
            gold = {s for s in gold_spans(doc, corpus)
                    if is_antibody_text(doc["text"][s[0]:s[1]])}
            if not gold:
                continue
            spans = [(m.start, m.end) for m in annotator.annotate(doc["text"])
                     if m.decoding.kind in ("antibody", "combination")]
            for g in gold:
                total += 1
                if any(overlaps(g, s) for s in spans):
                    found += 1
                else:
                    missed.append((corpus, doc["doc_id"], doc["text"][g[0]:g[1]]))
    return found, total, missed


def antibody_precision(annotator: Annotator, docs_by_corpus: dict[str, list[dict]]):
    tp = fp = unscored = 0
    false = []
    for corpus, docs in docs_by_corpus.items():
        for doc in docs:
            gold = [(m["start"], m["end"]) for m in doc["mentions"]]
            for m in annotator.annotate(doc["text"]):
                if m.decoding.kind not in ("antibody", "combination"):
                    continue
                if any(overlaps((m.start, m.end), g) for g in gold):
                    tp += 1
                elif corpus in NOT_ANNOTATING_ANTIBODIES | MISSING_SOME_ANTIBODIES:
                    unscored += 1  # the corpus README: such hits are not scored
                else:
                    fp += 1
                    false.append((corpus, doc["doc_id"], m.text, str(m.how)))
    return tp, fp, unscored, false


def drug_scores(spans_of, docs: list[dict], corpus: str,
                types: set[str] | None = None) -> dict[str, tuple]:
    """Exact-span and overlap P/R/F1 of predicted spans against the gold drug spans."""
    exact = [0, 0, 0]
    loose = [0, 0, 0]
    for doc in docs:
        gold = gold_spans(doc, corpus, types)
        pred = set(spans_of(doc["text"]))
        exact[0] += len(gold & pred)
        exact[1] += len(pred - gold)
        exact[2] += len(gold - pred)
        loose[0] += sum(1 for p in pred if any(overlaps(p, g) for g in gold))
        loose[1] += sum(1 for p in pred if not any(overlaps(p, g) for g in gold))
        loose[2] += sum(1 for g in gold if not any(overlaps(g, p) for p in pred))
    return {"exact": prf(*exact), "overlap": prf(*loose)}


def baseline_spans():
    from drug_named_entity_recognition import find_drugs

    def spans(text: str) -> list[tuple[int, int]]:
        tokens = list(_TOKEN.finditer(text))
        hits = find_drugs([t.group(0) for t in tokens], is_ignore_case=True)
        return [(tokens[a].start(), tokens[b - 1].end()) for _info, a, b in hits]
    return spans


def main() -> int:
    docs = {name: load(name) for name in CORPORA}
    full = Registry(None)
    empty = Registry(None, shipped=False, substances=False)
    report: dict = {}

    print("1. antibody recall (gold antibody mentions of ctgov_drug_ner and lct)")
    for label, registry in (("with registry", full), ("morphology only", empty)):
        found, total, missed = antibody_recall(Annotator(registry=registry), docs)
        goal = 0.99 if registry is full else 0.97
        print(f"   {label:<16} {found}/{total} = {found / total:.3f} (goal >= {goal})")
        for item in missed:
            print(f"      missed: {item}")
        report[f"antibody_recall_{label}"] = found / total

    print("2. antibody precision, all corpora (standard leniency)")
    for label, registry in (("with registry", full), ("morphology only", empty)):
        tp, fp, unscored, false = antibody_precision(Annotator(registry=registry), docs)
        print(f"   {label:<16} {tp}/{tp + fp} = {tp / max(tp + fp, 1):.3f} "
              f"({unscored} not scored)")
        for item in false:
            print(f"      false positive: {item}")
        report[f"antibody_precision_{label}"] = tp / max(tp + fp, 1)

    print("3. drug mentions: precision / recall / F1 (exact span; overlap)")
    systems = {}
    start = time.perf_counter()
    systems["drug-named-entity-recognition"] = baseline_spans()
    print(f"   (baseline loaded in {time.perf_counter() - start:.1f} s)")
    annotators = {lev: Annotator(leniency=lev, registry=full)
                  for lev in ("strict", "standard", "lenient")}
    for lev, ann in annotators.items():
        systems[f"innkit {lev}"] = (lambda a: lambda text: [(m.start, m.end)
                                                           for m in a.annotate(text)])(ann)
    cache: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def remembered(name, spans_of):
        def spans(text):
            key = (name, text)
            if key not in cache:
                cache[key] = spans_of(text)
            return cache[key]
        return spans

    systems = {name: remembered(name, f) for name, f in systems.items()}
    for label, corpus, split, types in EVAL_SETS:
        chosen = [d for d in docs[corpus] if split(d["split"])]
        n_gold = sum(len(gold_spans(d, corpus, types)) for d in chosen)
        print(f"   {label} ({len(chosen)} documents, {n_gold:,} gold mentions):")
        for name, spans_of in systems.items():
            start = time.perf_counter()
            scores = drug_scores(spans_of, chosen, corpus, types)
            took = time.perf_counter() - start
            e, o = scores["exact"], scores["overlap"]
            print(f"     {name:<30} exact P {e[0]:.3f} R {e[1]:.3f} F1 {e[2]:.3f};  "
                  f"overlap P {o[0]:.3f} R {o[1]:.3f} F1 {o[2]:.3f}  ({took:.1f} s)")
            report[f"{label}:{name}"] = scores
    print("   DDI-2013 test, exact recall per gold type (a prediction carries no type):")
    test_docs = [d for d in docs["ddi2013"] if d["split"].startswith("test")]
    for name, spans_of in systems.items():
        cells = []
        for t in DDI_TYPES:
            gold = found = 0
            for d in test_docs:
                g = gold_spans(d, "ddi2013", {t})
                gold += len(g)
                found += len(g & set(spans_of(d["text"])))
            cells.append(f"{t} {found}/{gold} = {found / max(gold, 1):.3f}")
            report[f"DDI-2013 test recall {t}:{name}"] = found / max(gold, 1)
        print(f"     {name:<30} " + "; ".join(cells))

    print("4. antibody names morphology alone adds on the bulk text (not in the registry)")
    bulk = shared_path("corpora", "bulk", "biomed_bulk.txt").read_text(encoding="utf-8")
    added = Counter()
    for m in Annotator(registry=full).annotate(bulk):
        if m.decoding.kind == "antibody" and not m.known:
            added[(m.text.lower(), str(m.how))] += 1
    print(f"   {sum(added.values())} mentions of {len(added)} distinct names:")
    for (name, how), n in added.most_common():
        print(f"      {name} ({how}) x{n}")
    with results_file("annotate_accuracy.json").open("w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
