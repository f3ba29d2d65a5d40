"""The one reader of a user's small text file, behind the audit's tables and the name lists."""

from __future__ import annotations

import codecs

import pytest

from innkit.files.textfiles import FileProblem, TextFileError, looks_binary, read_text_file


@pytest.mark.parametrize(("content", "problem", "says"), [
    (None, FileProblem.MISSING, "no such file"),
    ("dir", FileProblem.NOT_A_FILE, "not a file"),
    (b"x" * 2048, FileProblem.TOO_LARGE, "2,048 bytes"),
    (b"\x89PNG\r\n\x00\x00", FileProblem.BINARY, "binary data, not a list"),
    (b"caf\xe9", FileProblem.NOT_UTF8, "not UTF-8 text (byte 3)"),
])
def test_each_problem_is_named_with_the_file(tmp_path, content, problem, says):
    path = tmp_path / "names.txt"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(TextFileError) as caught:
        read_text_file(path, max_bytes=1024, what="a list of names")
    assert caught.value.problem is problem
    assert says in caught.value.reason and str(path) in caught.value.reason


def test_text_comes_back_without_its_byte_order_mark(tmp_path):
    path = tmp_path / "names.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"rituximab\n")
    assert read_text_file(path, max_bytes=1024, what="names") == "rituximab\n"


def test_utf16_is_not_taken_for_binary():
    assert looks_binary(b"a\x00b") and not looks_binary(codecs.BOM_UTF16_LE + b"a\x00")
