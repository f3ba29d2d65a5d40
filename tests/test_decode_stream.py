"""``innkit decode`` reading a pipe: each name's line comes out before the next name comes in
(the output is flushed before every read that may wait), and a file of names gives the same
lines as the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from innkit import decode


def _cli(tmp_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    env.setdefault("XDG_CACHE_HOME", str(tmp_path))
    return subprocess.Popen([sys.executable, "-m", "innkit.cli", "decode", "--format", "jsonl"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)


def test_a_name_is_answered_before_the_next_is_written(tmp_path: Path) -> None:
    proc = _cli(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"trastuzumab\n")
        proc.stdin.flush()
        first = json.loads(proc.stdout.readline())  # would hang if the line waited for EOF
        assert first["name"] == "trastuzumab"
        proc.stdin.write(b"pemivibart\r\n\n\xff\nlast-without-newline")
        proc.stdin.close()
        rest = [json.loads(line) for line in proc.stdout.read().splitlines()]
    finally:
        proc.kill()
        proc.wait()
    assert [d["input"] for d in rest[:1]] == ["pemivibart"]
    assert "binary" in rest[1]["reason"]
    assert rest[2] == decode("last-without-newline").to_dict()


def _names(count: int) -> list[bytes]:
    """``count`` names of every kind the UNII list gives, a binary line among them."""
    from innkit.registry import get_registry

    listed = [n.encode() for n, _kind in get_registry().unii_names()[:count]]
    return [*listed[:7], b"\xff\xfe", *listed[7:]]


def _run(args: list[str], stdin: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    env.setdefault("XDG_CACHE_HOME", str(tmp_path))
    return subprocess.run([sys.executable, "-m", "innkit.cli", "decode", *args], input=stdin,
                          capture_output=True, env=env, timeout=600)


def test_a_long_list_shared_by_processes_gives_the_lines_of_one(tmp_path: Path) -> None:
    from innkit.cli.decode import PARALLEL_FROM

    names = b"\n".join(_names(PARALLEL_FROM + 3000)) + b"\n"
    # What is built once (the substance index in a fresh cache folder) is built before: its
    # progress line is no line of the comparison.
    _run(["trastuzumab"], b"", tmp_path)
    for fmt in ("jsonl", "tsv", "text"):
        one = _run(["--format", fmt, "--jobs", "1", "--strict"], names, tmp_path)
        two = _run(["--format", fmt, "--jobs", "2", "--strict"], names, tmp_path)
        assert one.returncode == two.returncode == 1  # the binary line is not decoded
        assert two.stdout == one.stdout and two.stderr == one.stderr == b""
        assert len(one.stdout.splitlines()) == PARALLEL_FROM + 3001 + (fmt == "tsv")


def test_a_name_after_a_long_list_is_answered_at_once(tmp_path: Path) -> None:
    import threading

    from innkit.cli.decode import PARALLEL_FROM

    names = _names(PARALLEL_FROM + 2000)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    env.setdefault("XDG_CACHE_HOME", str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "innkit.cli", "decode", "--format", "jsonl",
                             "--jobs", "2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=env)
    assert proc.stdin is not None and proc.stdout is not None
    timer = threading.Timer(300, proc.kill)  # a line that never comes fails, not hangs
    timer.start()
    try:
        writer = threading.Thread(target=proc.stdin.write, args=(b"\n".join(names) + b"\n",))
        writer.start()
        lines = [proc.stdout.readline() for _ in names]
        writer.join()
        proc.stdin.write(b"trastuzumab\n")
        proc.stdin.flush()
        last = json.loads(proc.stdout.readline())  # would hang if the line waited for EOF
        proc.stdin.close()
        assert proc.stdout.read() == b""
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
    assert last["name"] == "trastuzumab"
    assert [json.loads(line)["input"] for line in lines[:3]] == [n.decode() for n in names[:3]]
    assert json.loads(lines[-1])["input"] == names[-1].decode()
