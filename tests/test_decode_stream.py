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
