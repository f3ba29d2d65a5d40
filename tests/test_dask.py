"""The Dask engine: same mentions as one process, retries, honest incomplete output, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")

from click.testing import CliRunner  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from innkit.annotator.core import Annotator  # noqa: E402
from innkit.cli import main  # noqa: E402
from innkit.integrations.dask import (  # noqa: E402
    COLUMNS,
    REPORT_NAME,
    SUCCESS_NAME,
    annotate_corpus,
    part_name,
)
from innkit.registry import Registry, set_registry  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"
MADE_UP = [
    "Patients received rituximab plus pembrolizumab; none got placebo.",
    "The rituximab-abbs biosimilar and trastuzumab-dkst were compared with infliximab.",
    "Café au lait spots were noted after nivolumab, ipilimumab and adalimumab.",
    "Dosing of tocilizumab\r",
    "No drug names here at all.",
    "Ketas was stopped and ProAir given: each a brand of two substances.",
]
SPLIT = 300  # bytes per partition: many partitions from a small corpus


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Registry:
    """One isolated registry for the module: workers build their Annotator once, not per test."""
    return Registry(tmp_path_factory.mktemp("registry") / "user_registry.sqlite")


@pytest.fixture(scope="module")
def annotator(registry) -> Annotator:
    return Annotator(registry=registry)


@pytest.fixture(autouse=True)
def _shared_registry(_isolated_user_registry, registry, monkeypatch):
    # The in-process workers and the CLI read the process-wide registry; without the variable
    # the CLI keeps it rather than opening the same empty user database again.
    monkeypatch.delenv("INNKIT_USER_DB")
    set_registry(registry)
    yield


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _corpus(folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    """A JSONL corpus with awkward records, and the (id, text) pairs a reader should find."""
    text = EXAMPLE.read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", text) if s.strip()]
    records: list[str] = []
    docs: list[tuple[str, str]] = []

    def add(doc_id: str, body: str) -> None:
        records.append(json.dumps({"doc_id": doc_id, "text": body}))
        docs.append((doc_id, body))

    add("whole", text)  # long: longer than a partition and than the CLI's streaming window
    for i, sentence in enumerate(sentences):
        add(f"s{i}", sentence)
    add("empty", "")
    records.append(json.dumps({"doc_id": "no-text", "title": "rituximab"}))
    records.append(json.dumps({"doc_id": "number", "text": 42}))
    records.append("{not json at all")
    records.append("")
    for i, line in enumerate(MADE_UP):
        add(f"m{i}", line)
    records.append(json.dumps({"text": "Without an id: bevacizumab and cetuximab."}))
    line_no = len(records)  # the CLI names a document without an id "file:line"
    records.append(json.dumps({"doc_id": 7, "text": "A numeric id with ofatumumab."}))
    path = folder / "corpus.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    docs.insert(len(docs), (f"{path}:{line_no}", "Without an id: bevacizumab and cetuximab."))
    docs.append(("7", "A numeric id with ofatumumab."))
    return path, docs


def _expected(docs: list[tuple[str, str]], annotator: Annotator) -> list[tuple]:
    rows = []
    for doc_id, text in docs:
        for m in annotator.annotate(text):
            d = m.decoding
            stem = d.stem or (d.stems[0].stem if d.stems else None)
            sub = d.substance
            one = sub if sub is not None and not sub.ambiguous else None
            rows.append((doc_id, m.start, m.end, m.text, d.kind, m.how, m.known, m.confidence,
                         d.name, d.segmentation, stem, d.target_meaning, d.source_meaning,
                         ",".join(d.eras), m.suggestion, one and one.unii, one and one.inn,
                         sub and sub.relation, one and one.curie, bool(sub and sub.ambiguous),
                         [c.unii for c in sub.denotes] if sub else [],
                         ";".join(c.unii for c in sub.denotes) if sub and sub.ambiguous
                         else ""))
    return rows


def _read(folder: Path) -> list[tuple]:
    rows = []
    for part in sorted(folder.glob("part-*.parquet")):
        table = pq.read_table(part)
        assert tuple(table.column_names) == COLUMNS
        rows.extend(zip(*(table.column(c).to_pylist() for c in COLUMNS), strict=True))
    return rows


def test_same_mentions_as_one_process(tmp_path, client, annotator):
    path, docs = _corpus(tmp_path)
    report = annotate_corpus(path, tmp_path / "out", scheduler=client, partition_size=SPLIT)
    expected = _expected(docs, annotator)
    assert len(expected) > 40
    assert _read(tmp_path / "out") == expected
    assert report.complete and not report.partitions_failed
    assert report.documents == len(docs) and report.skipped == 3
    assert report.mentions == len(expected)
    assert report.partitions == -(-path.stat().st_size // SPLIT) > 10
    # One Annotator per worker process (here both workers share this process; none if an
    # earlier test built it), not one per partition or per document.
    assert report.annotators_built <= 1 and report.threads == 2
    saved = json.loads((tmp_path / "out" / REPORT_NAME).read_text(encoding="utf-8"))
    assert saved["complete"] is True and saved["mentions"] == len(expected)
    assert (tmp_path / "out" / SUCCESS_NAME).exists()
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left behind


def test_same_mentions_as_the_single_process_cli(tmp_path, client):
    path, _ = _corpus(tmp_path)
    local = CliRunner().invoke(main, ["annotate", "--input-format", "jsonl", "--format", "jsonl",
                                      str(path)])
    assert local.exit_code == 0
    cli_rows = []
    for line in local.stdout.splitlines():
        row = json.loads(line)
        d = row["decoding"]
        stem = d["stem"] or (d["stems"][0]["stem"] if d["stems"] else None)
        sub = d["substance"] or {}
        cli_rows.append((row["doc"], row["start"], row["end"], row["text"], d["kind"],
                         row["how"], row["known"], row["confidence"], d["name"],
                         d["segmentation"], stem, d["target_meaning"], d["source_meaning"],
                         ",".join(d["eras"]), row["suggestion"], sub.get("unii"),
                         sub.get("inn"), sub.get("relation"), sub.get("curie"),
                         bool(sub.get("ambiguous")), [c["unii"] for c in sub.get("denotes", [])],
                         ";".join(c["unii"] for c in sub["denotes"]) if sub.get("ambiguous")
                         else ""))
    out = tmp_path / "dask-out"
    r = CliRunner().invoke(main, ["annotate", "--engine", "dask", "--scheduler",
                                  client.scheduler.address, "--input-format", "jsonl",
                                  "-o", str(out), str(path)])
    assert r.exit_code == 0, r.output
    assert f"Parquet dataset: {out}" in r.stdout
    assert "skipped, not a JSON object" in r.stderr
    assert _read(out) == cli_rows


def test_parquet_input_gives_the_same_mentions(tmp_path, client, annotator):
    pa = pytest.importorskip("pyarrow")
    _, docs = _corpus(tmp_path)
    table = pa.table({"pmid": [d for d, _ in docs], "abstract": [t for _, t in docs]})
    pq.write_table(table, tmp_path / "corpus.parquet", row_group_size=4)
    report = annotate_corpus(tmp_path / "corpus.parquet", tmp_path / "out", scheduler=client,
                             text_field="abstract", id_field="pmid", partition_size=SPLIT)
    assert report.complete and report.partitions > 3
    assert _read(tmp_path / "out") == _expected(docs, annotator)


class _Faults:
    """Fails partition ``broken`` every time and ``flaky`` once; logs every attempt."""

    def __init__(self, folder: Path, broken: int, flaky: int) -> None:
        self.folder, self.broken, self.flaky = folder, broken, flaky

    def __call__(self, index: int) -> None:
        log = self.folder / f"attempts-{index}"
        with log.open("a") as f:
            f.write("x")
        if index == self.broken:
            raise RuntimeError(f"injected failure in partition {index}")
        if index == self.flaky and log.read_text() == "x":
            raise OSError("injected transient fault")


def test_failed_partition_is_retried_then_reported(tmp_path, client):
    path, _ = _corpus(tmp_path)
    out = tmp_path / "out"
    faults = _Faults(tmp_path, broken=2, flaky=4)
    report = annotate_corpus(path, out, scheduler=client, partition_size=SPLIT, retries=2,
                             fault_hook=faults)
    assert (tmp_path / "attempts-2").read_text() == "xxx"  # first try plus two retries
    assert (tmp_path / "attempts-4").read_text() == "xx"
    assert not report.complete
    [failed] = report.partitions_failed
    assert failed.partition == 2 and failed.attempts == 3
    assert "RuntimeError: injected failure in partition 2" in failed.error
    [retried] = report.partitions_retried
    assert retried.partition == 4 and retried.attempts == 2 and "transient" in retried.error
    assert not (out / part_name(2)).exists() and (out / part_name(4)).exists()
    assert not (out / SUCCESS_NAME).exists()
    saved = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    assert saved["complete"] is False and saved["status"] == "incomplete"
    assert saved["partitions_failed"][0]["partition"] == 2
    # Every other partition is there, exactly as in a clean run.
    clean = annotate_corpus(path, tmp_path / "clean", scheduler=client, partition_size=SPLIT)
    assert clean.complete
    keep = [p.name for p in sorted((tmp_path / "clean").glob("part-*")) if p.name != part_name(2)]
    assert sorted(p.name for p in out.glob("part-*")) == keep
    assert report.mentions == clean.mentions - pq.read_table(
        tmp_path / "clean" / part_name(2)).num_rows


def test_cli_reports_incomplete_output_and_bad_input(tmp_path, client):
    path, _ = _corpus(tmp_path)
    run = CliRunner().invoke
    addr = client.scheduler.address
    r = run(main, ["annotate", "--engine", "dask", "--scheduler", addr, str(path)])
    assert r.exit_code == 2 and "give -o FOLDER" in r.output
    r = run(main, ["annotate", "--engine", "dask", "--format", "tsv", "-o", "x", str(path)])
    assert r.exit_code == 2 and "Parquet dataset folder" in r.output
    r = run(main, ["annotate", "--engine", "dask", "--scheduler", addr, "-o",
                   str(tmp_path / "o1"), str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 2 and "cannot read" in r.stderr and r.exception is not None
    assert "Traceback" not in r.output
    notes = tmp_path / "notes.md"
    notes.write_text("rituximab\n", encoding="utf-8")
    r = run(main, ["annotate", "--engine", "dask", "--scheduler", addr, "-o",
                   str(tmp_path / "o2"), str(notes)])
    assert r.exit_code == 2 and "--input-format jsonl or text" in r.stderr
    assert "input_format" not in r.stderr  # the option, never the Python parameter
    r = run(main, ["annotate", "--engine", "dask", "--input-format", "pubtator", "-o",
                   str(tmp_path / "o3"), str(notes)])
    assert r.exit_code == 2 and "--engine local" in r.output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    r = run(main, ["annotate", "--engine", "dask", "--scheduler", addr, "-o", str(foreign),
                   str(path)])
    assert r.exit_code == 2 and "not an innkit output" in r.stderr
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_rerun_replaces_a_previous_output(tmp_path, client, annotator):
    path, docs = _corpus(tmp_path)
    out = tmp_path / "out"
    first = annotate_corpus(path, out, scheduler=client, partition_size=SPLIT // 2)
    second = annotate_corpus(path, out, scheduler=client, partition_size=SPLIT * 4)
    assert first.partitions > second.partitions
    assert len(list(out.glob("part-*"))) == second.partitions
    assert _read(out) == _expected(docs, annotator)


def test_several_inputs_keep_their_order_and_line_numbers(tmp_path, client, annotator):
    path, docs = _corpus(tmp_path)
    report = annotate_corpus([path, str(path)], tmp_path / "out", scheduler=client,
                             partition_size=SPLIT)
    assert report.complete and report.documents == 2 * len(docs)
    assert _read(tmp_path / "out") == 2 * _expected(docs, annotator)


def test_a_folder_of_text_files(tmp_path, client, annotator):
    """Each .txt file is one document named by its path, annotated as the local engine does,
    with every identifier column the tsv output has."""
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    texts = {folder / "a.txt": EXAMPLE.read_text(encoding="utf-8"),
             folder / "sub" / "b.txt": "Ketas and ProAir were stopped; Kadcyla was given.",
             folder / "empty.txt": ""}
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    (folder / "_ignored.txt").write_text("rituximab", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["annotate", "--engine", "dask", "--scheduler",
                                  client.scheduler.address, "-o", str(out), str(folder)])
    assert r.exit_code == 0, r.output
    docs = sorted((str(p), t) for p, t in texts.items())
    assert _read(out) == _expected(docs, annotator)
    tsv = CliRunner().invoke(main, ["annotate", "--format", "tsv", *(d for d, _ in docs)])
    header, *lines = tsv.stdout.splitlines()
    columns = header.split("\t")
    ids = ("unii", "inn", "relation", "ambiguous", "candidate_uniis")
    assert set(ids) <= set(COLUMNS)
    local = [tuple(dict(zip(columns, line.split("\t"), strict=True))[c] for c in ids)
             for line in lines]
    table = [dict(zip(COLUMNS, row, strict=True)) for row in _read(out)]
    assert local == [(t["unii"] or "", t["inn"] or "", t["relation"] or "",
                      "yes" if t["ambiguous"] else "no", t["candidate_uniis"]) for t in table]
