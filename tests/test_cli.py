"""The command line gives the same JSON as the library, in every format."""

from __future__ import annotations

import json

from click.testing import CliRunner
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit import decode
from innkit.cli import TSV_COLUMNS, main


def run(*args: str, stdin: bytes | str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_decode_json_matches_library():
    result = run("decode", "--format", "json", "inotuzumab ozogamicin")
    assert result.exit_code == 0
    assert json.loads(result.output) == decode("inotuzumab ozogamicin").to_dict()


def test_decode_json_many_is_a_list():
    result = run("decode", "--format", "json", "ecromeximab", "aspirin")
    data = json.loads(result.output)
    assert [d["kind"] for d in data] == ["antibody", "unknown"]


def test_decode_stdin_jsonl_streams_and_survives_bad_lines():
    stdin = b"trastuzumab\n\xff\xfe\n\npemivibart\n"
    result = run("decode", "--format", "jsonl", stdin=stdin)
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["kind"] for d in lines] == ["antibody", "unknown", "antibody"]
    assert "binary" in lines[1]["reason"]


def test_decode_tsv():
    result = run("decode", "--format", "tsv", "ecromeximab", "lecanemab")
    header, *rows = result.output.splitlines()
    assert header.split("\t") == list(TSV_COLUMNS)
    first = dict(zip(TSV_COLUMNS, rows[0].split("\t"), strict=True))
    assert first["segmentation"] == "ecro|me|xi|mab"
    assert first["eras"] == "original"


def test_decode_text_and_strict_exit_code():
    result = run("decode", "ecromeximab")
    assert "ecro|me|xi|mab" in result.output and "melanoma" in result.output
    assert run("decode", "--strict", "aspirin").exit_code == 1
    assert run("decode", "--strict", "ecromeximab").exit_code == 0


def test_explain_card():
    result = run("explain", "inotuzumab", "ozogamicin")
    assert result.exit_code == 0
    out = result.output
    assert "ino | tu | zu | mab" in out
    assert "humanized" in out and "calicheamicin" in out
    assert "original" in out and "2009" in out


def test_explain_unknown_is_a_message_not_a_traceback():
    result = run("explain", "\x00\x01")
    assert result.exit_code == 0
    assert "not decoded" in result.output
