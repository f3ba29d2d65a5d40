"""innkit annotate on the command line: formats, files of every kind, atomic outputs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit.cli import main

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "monograph.txt")


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_text_output_is_readable():
    r = run("annotate", EXAMPLE)
    assert r.exit_code == 0
    assert "Inotuzumab ozogamicin" in r.output and "names found" in r.output


def test_jsonl_has_doc_ids_and_offsets():
    r = run("annotate", "--format", "jsonl", EXAMPLE)
    rows = [json.loads(line) for line in r.output.splitlines()]
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    assert rows and all(row["doc"] == EXAMPLE for row in rows)
    for row in rows:
        assert text[row["start"]:row["end"]] == row["text"]
        d = row["decoding"]
        # A known substance or a lens word no stem is read in (a payload, an element) reads
        # as what it is.
        assert d["kind"] in {"antibody", "stem", "combination", "class"} or (
            d["kind"] == "unknown" and (d["registry"] or d["substance"] or d["conjugate"])
            and d["reason"])


def test_tsv_html_and_brat(tmp_path):
    r = run("annotate", "--format", "tsv", EXAMPLE)
    header, *rows = r.output.splitlines()
    assert header.startswith("doc\tstart\tend\ttext")
    assert len(rows) > 10
    out = tmp_path / "report.html"
    r = run("annotate", "--format", "html", "-o", str(out), EXAMPLE)
    assert r.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<mark class="registry"' in page
    assert "http" not in page.split("<body>")[0]  # no external resources
    r = run("annotate", "--format", "brat", "-o", str(tmp_path / "brat"), EXAMPLE)
    ann = (tmp_path / "brat" / "monograph.ann").read_text(encoding="utf-8")
    txt = (tmp_path / "brat" / "monograph.txt").read_text(encoding="utf-8")
    lines = ann.splitlines()
    first = lines[0].split("\t")
    label, start, end = first[1].split()
    # The title's "antibody-drug conjugates" is a drug class (issue 12); names link to UNII.
    assert label == "DrugClass" and txt[int(start):int(end)] == first[2]
    antibody = next(line.split("\t") for line in lines if "\tAntibody " in line)
    label, start, end = antibody[1].split()
    assert txt[int(start):int(end)] == antibody[2]
    assert any(line.startswith("N") and " unii:" in line for line in lines)


def test_bad_files_are_reported_not_fatal(tmp_path):
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\x00\x00\x01rituximab")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 rituximab".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run("annotate", "--format", "jsonl", str(binary), str(latin), str(empty),
            str(tmp_path / "missing.txt"))
    assert r.exit_code == 2  # issue 14: the rest is annotated, but bad inputs are not status 0
    rows = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert [(row["doc"], row["text"], row["start"]) for row in rows] == [
        (str(latin), "rituximab", 5)]
    assert "binary" in r.output and "not valid utf-8" in r.output
    assert "cannot read" in r.output


def test_stdin_and_jsonl_input():
    lines = b'{"doc_id": "a", "text": "rituximab and imatinib"}\nnot json\n{"doc_id": "b"}\n'
    r = run("annotate", "--format", "jsonl", "--input-format", "jsonl", "-", stdin=lines)
    rows = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert [(row["doc"], row["text"]) for row in rows] == [("a", "rituximab"), ("a", "imatinib")]
    assert "line 2: skipped" in r.output and "line 3: skipped" in r.output


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "m.jsonl"
    r = run("annotate", "--format", "jsonl", "-o", str(out), EXAMPLE)
    assert r.exit_code == 0
    assert out.read_text(encoding="utf-8").count("\n") > 10
    assert not list(tmp_path.glob("*.tmp"))
