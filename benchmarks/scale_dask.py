"""Dask scaling on shared/corpora/bulk/biomed_bulk.txt, against the single-process CLI.

Every line of the file is one document (``--doc-chars 1500`` joins consecutive lines into
PubMed-sized documents instead), written to a JSONL file. Each configuration starts fresh (its
own process or cluster) and annotates the whole corpus twice:
  * single process, ``innkit annotate --input-format jsonl --format jsonl`` (the baseline);
  * single process, a bare ``Annotator.annotate`` loop (no reading or writing: one core's
    ceiling);
  * ``annotate_corpus`` on a LocalCluster of 1, then 2, worker processes of one thread.
The first run is cold (registry load, Annotator build, empty caches); the second is warm and
flattering, since innkit remembers its verdict on every distinct word and this is the same
text. A literature-scale run sits between the two, close to warm. Prints documents/s and MB/s
of text for both runs, the ratios to the baseline, whether the Dask mentions equal the
baseline's, and how busy the machine was before the start (other work skews every figure).
Limit the input with --megabytes N.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import results_file, shared_path


def documents(source: Path, doc_chars: int):
    """Lines of ``source``; with ``doc_chars``, consecutive lines joined up to that length."""
    with source.open(encoding="utf-8") as f:
        pending: list[str] = []
        length = 0
        for line in f:
            text = line.rstrip("\n")
            if not doc_chars:
                yield text
                continue
            pending.append(text)
            length += len(text) + 1
            if length >= doc_chars:
                yield " ".join(pending)
                pending, length = [], 0
        if pending:
            yield " ".join(pending)


def write_corpus(source: Path, path: Path, limit: int | None,
                 doc_chars: int) -> tuple[int, int]:
    """The documents as JSONL, up to ``limit`` bytes of text: (documents, bytes of text)."""
    docs = size = 0
    with path.open("w", encoding="utf-8") as f:
        for text in documents(source, doc_chars):
            n = len(text.encode())
            if limit is not None and size + n > limit:
                break
            docs += 1
            size += n
            f.write(json.dumps({"doc_id": f"L{docs}", "text": text}) + "\n")
    return docs, size


RUNS = 2


def single_process(kind: str, corpus: Path, folder: Path) -> list[float]:
    """Seconds of each run, in a fresh process: the CLI or the bare Annotator loop."""
    times = []
    if kind == "cli":
        from innkit.cli import main

        for i in range(RUNS):
            start = time.perf_counter()
            main(["annotate", "--input-format", "jsonl", "--format", "jsonl", "-o",
                  str(folder / f"cli_{i}.jsonl"), str(corpus)], standalone_mode=False)
            times.append(time.perf_counter() - start)
        return times
    from innkit.annotator.core import Annotator

    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    annotator = None
    for _ in range(RUNS):
        start = time.perf_counter()
        annotator = annotator or Annotator()
        for text in texts:
            annotator.annotate(text)
        times.append(time.perf_counter() - start)
    return times


def in_fresh_process(kind: str, corpus: Path, folder: Path) -> list[float]:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(single_process, kind, corpus, folder).result()


def dask_runs(corpus: Path, folder: Path, workers: int) -> tuple[float, list]:
    """Cluster start-up seconds and the report of each run, on a new LocalCluster."""
    from distributed import Client, LocalCluster

    from innkit.integrations.dask import annotate_corpus

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        startup = time.perf_counter() - start
        reports = []
        for i in range(RUNS):
            report = annotate_corpus(corpus, folder / f"dask{workers}_{i}", scheduler=client)
            if not report.complete:
                raise SystemExit(f"incomplete Dask run: {report.partitions_failed}")
            reports.append(report)
    return startup, reports


def busy_before(seconds: float = 1.0) -> float | None:
    """Share of all cores busy with other work just before the run (Linux), else None."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def keys_jsonl(path: Path) -> list[tuple]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            d = row["decoding"]
            out.append((row["doc"], row["start"], row["end"], row["text"], row["how"],
                        d["kind"], d["name"], d["segmentation"]))
    return out


def keys_parquet(folder: Path) -> list[tuple]:
    import pyarrow.parquet as pq

    cols = ("doc_id", "start", "end", "text", "how", "kind", "name", "segmentation")
    out = []
    for part in sorted(folder.glob("part-*.parquet")):
        table = pq.read_table(part, columns=list(cols))
        out.extend(zip(*(table.column(c).to_pylist() for c in cols), strict=True))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, help="read only this much of the file")
    parser.add_argument("--doc-chars", type=int, default=0,
                        help="join consecutive lines into documents of about this many "
                             "characters (PubMed abstracts: about 1500); default: one per line")
    args = parser.parse_args()
    source = shared_path("corpora", "bulk", "biomed_bulk.txt")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    busy = busy_before()
    with tempfile.TemporaryDirectory(prefix="innkit-scale-") as tmp:
        folder = Path(tmp)
        corpus = folder / "bulk.jsonl"
        limit = int(args.megabytes * 1e6) if args.megabytes else None
        docs, size = write_corpus(source, corpus, limit, args.doc_chars)
        mb = size / 1e6
        unit = f"lines joined to >= {args.doc_chars} chars" if args.doc_chars else "one per line"
        print(f"Dask scaling on {source.name}: {docs} documents ({unit}), {mb:.1f} MB of text, "
              f"{size / docs:.0f} bytes per document; {cores} cores"
              + ("" if busy is None else f", {busy:.0%} busy with other work before the start"
                 f"{' (figures will be low)' if busy > 0.1 else ''}"))
        print("each configuration starts fresh and runs twice: first (cold) / second (warm)")

        def line(label: str, cold: float, warm: float, extra: str = "") -> None:
            print(f"  {label:<32} {docs / cold:7.0f} / {docs / warm:7.0f} docs/s   "
                  f"{mb / cold:5.2f} / {mb / warm:5.2f} MB/s{extra}")

        cli = in_fresh_process("cli", corpus, folder)
        loop = in_fresh_process("loop", corpus, folder)
        base = keys_jsonl(folder / "cli_0.jsonl")
        print("single process:")
        line("innkit annotate (CLI, baseline)", *cli, f"   {len(base)} mentions")
        line("Annotator.annotate loop, no I/O", *loop)
        rows: dict[str, float | int] = {"documents": docs, "megabytes": round(mb, 2),
                                        "busy_before": round(busy or 0.0, 3)}
        for i, when in enumerate(("cold", "warm")):
            rows[f"cli_{when}_mb_s"] = mb / cli[i]
            rows[f"loop_{when}_mb_s"] = mb / loop[i]
        for workers in (1, 2):
            startup, reports = dask_runs(corpus, folder, workers)
            same = all(keys_parquet(folder / f"dask{workers}_{i}") == base for i in range(RUNS))
            cold, warm = (r.seconds for r in reports)
            print(f"Dask LocalCluster, {workers} worker process{'es' if workers > 1 else ''} x 1 "
                  f"thread ({reports[0].partitions} partitions, cluster start {startup:.1f} s):")
            line("annotate_corpus", cold, warm, f"   {reports[0].mentions} mentions, same as "
                 f"baseline: {'yes' if same else 'NO'}")
            per_core = [r.characters / 1e6 / r.worker_seconds for r in reports]
            print(f"  ratio to the single-process CLI: {cli[0] / cold:.2f} / {cli[1] / warm:.2f};"
                  f" per busy worker core: {per_core[0]:.2f} / {per_core[1]:.2f} MB/s of text")
            for i, when in enumerate(("cold", "warm")):
                r = reports[i]
                rows[f"dask{workers}_{when}_mb_s"] = mb / r.seconds
                rows[f"dask{workers}_{when}_docs_s"] = docs / r.seconds
                rows[f"dask{workers}_{when}_ratio_to_cli"] = cli[i] / r.seconds
                rows[f"dask{workers}_{when}_mb_per_core_s"] = per_core[i]
            rows[f"dask{workers}_same_mentions"] = int(same)
        for when in ("cold", "warm"):
            scaling = rows[f"dask2_{when}_mb_s"] / rows[f"dask1_{when}_mb_s"]
            rows[f"scaling_2_over_1_{when}"] = scaling
        print(f"2 workers / 1 worker: {rows['scaling_2_over_1_cold']:.2f} / "
              f"{rows['scaling_2_over_1_warm']:.2f}")
    name = f"scale_dask_{args.doc_chars}.tsv" if args.doc_chars else "scale_dask.tsv"
    with results_file(name).open("w", encoding="utf-8") as f:
        f.writelines(f"{k}\t{v:.3f}\n" if isinstance(v, float) else f"{k}\t{v}\n"
                     for k, v in rows.items())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
