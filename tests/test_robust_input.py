"""Hostile input and signals, each in a real process: one bad record is skipped with its line,
byte-order marks of UTF-32 are honoured, an oversized CSV field is one clear line, error output
is capped with a count, a signal ends a run with its status and leaves nothing behind, and
a cache that is damaged or half built is rebuilt, never trusted."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from innkit.files.atomic import abandoned, atomic_output
from innkit.files.cache import (
    CacheDbError,
    DbFault,
    Kept,
    build_cache_db,
    cached,
    open_cache_db,
    prune_temporary,
)
from innkit.files.readers import ReadReport, iter_text

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "innkit.cli"]


def innkit(*args: str, cwd: Path, db: Path | None = None, timeout: float = 300
           ) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
           "INNKIT_USER_DB": str(db or cwd / "user.sqlite")}
    run = subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout, stdin=subprocess.DEVNULL)
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    return run


def test_a_record_with_a_lone_surrogate_is_skipped_with_its_line(tmp_path):
    (tmp_path / "in.jsonl").write_text(
        json.dumps({"text": "rituximab first"}) + "\n"
        + '{"text": "bad \\ud800 rituximab"}\n'
        + json.dumps({"text": "then nivolumab"}) + "\n")
    run = innkit("annotate", "--input-format", "jsonl", "--format", "jsonl", "-o", "out.jsonl",
                 "in.jsonl", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "in.jsonl line 2: skipped" in run.stderr and "surrogate" in run.stderr
    found = [json.loads(line)["text"] for line in (tmp_path / "out.jsonl").read_text()
             .splitlines()]
    assert found == ["rituximab", "nivolumab"]


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be", "utf-16", "utf-8-sig"])
def test_byte_order_marks_are_honoured(codec):
    import io

    text = "Patients got rituximab and nivolumab.\n"
    data = text.encode(codec)
    if codec == "utf-32-be":
        data = b"\x00\x00\xfe\xff" + data
    report = ReadReport("x")
    assert "".join(iter_text(io.BytesIO(data), report, block=7)).lstrip("\ufeff") == text
    assert report.replaced == 0 and not report.binary


def test_a_csv_field_over_the_limit_is_one_clear_line(tmp_path):
    (tmp_path / "huge.csv").write_text('name,kind\nAbcmab,candidate\n"' + "x" * 140_000
                                       + '",candidate\n')
    imported = innkit("registry", "import", "huge.csv", cwd=tmp_path)
    assert imported.returncode == 1 and "not readable as CSV" in imported.stderr
    for option in ("--batch", "--against"):
        args = ["screen", option, "huge.csv"] + (["Abcmab"] if option == "--against" else [])
        run = innkit(*args, cwd=tmp_path)
        assert run.returncode == 2 and "line 3: not readable as a table" in run.stderr


def test_error_output_is_capped_with_a_count(tmp_path):
    (tmp_path / "bad.csv").write_text("name\n" + "".join(f"{i}bad\n" for i in range(5000)))
    run = innkit("registry", "import", "bad.csv", cwd=tmp_path)
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert len(lines) < 30 and "5,000 in all" in lines[-1]
    (tmp_path / "bad.jsonl").write_text("not json\n" * 3000)
    run = innkit("annotate", "--input-format", "jsonl", "bad.jsonl", cwd=tmp_path)
    assert len(run.stderr.splitlines()) < 30 and "3,000 in all" in run.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_ends_a_run_with_its_status_and_no_temporary_output(tmp_path, signum):
    (tmp_path / "big.txt").write_text("Rituximab and nivolumab were given. " * 400_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
           "INNKIT_USER_DB": str(tmp_path / "user.sqlite")}
    # the signal as a terminal gives it, even where this run was started with it ignored (a
    # background job ignores SIGINT, nohup SIGHUP; innkit leaves an ignored signal ignored)
    proc = subprocess.Popen([*CLI, "annotate", "--format", "jsonl", "-o", "out.jsonl",
                             "big.txt"], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signum, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    while not list(tmp_path.glob(".out.jsonl.*.tmp")):  # wait until it writes
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert err.decode().splitlines()[-1].startswith("innkit: ")
    assert len(err.decode().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


def test_a_killed_writer_s_temporary_file_is_removed_by_the_next(tmp_path):
    target = tmp_path / "out.txt"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    gone = int(child.stdout)  # a process id that has ended
    import re
    import socket

    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40]
    left = tmp_path / f".out.txt.{gone}@{host}.abcd1234.tmp"
    left.write_text("half")
    assert abandoned(left)
    with atomic_output(target) as f:
        f.write("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    mine = tmp_path / f".x.{os.getpid()}@{host}.abcd1234.tmp"
    mine.write_text("being written")
    assert not abandoned(mine) and prune_temporary(tmp_path) == 0


def _cache_db(path: Path) -> None:
    with build_cache_db(path, 1) as db:
        db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID")
        db.executemany("INSERT INTO t VALUES (?, ?)",
                       ((f"key{i:06d}", "v" * 50) for i in range(20_000)))


def test_a_cache_database_damaged_inside_is_refused_even_with_its_times_kept(tmp_path):
    path = tmp_path / "c.sqlite"
    _cache_db(path)
    open_cache_db(path, 1)[0].close()
    st = path.stat()
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = os.urandom(page)
    with open(path, "r+b") as f:  # in place, as a failing disk or another program would
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(CacheDbError) as caught:
        open_cache_db(path, 1)
    assert caught.value.fault is DbFault.CORRUPT and caught.value.rebuild


def test_a_cache_database_missing_rows_is_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    _cache_db(path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM t WHERE k > 'key010000'")
    with pytest.raises(CacheDbError, match="rows"):
        open_cache_db(path, 1)


def test_a_build_made_without_one_of_its_inputs_is_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kind = Kept("part-*.bin", keep=2)
    built = []

    def partial():
        built.append(1)
        return "partial", [b"x"], None

    assert cached("part-1.bin", "k", kind, lambda b: "stored", partial) == "partial"
    assert cached("part-1.bin", "k", kind, lambda b: "stored", partial) == "partial"
    assert len(built) == 2 and not (tmp_path / "innkit" / "part-1.bin").exists()


def test_a_build_killed_mid_way_leaves_nothing_once_the_cache_is_written_again(tmp_path,
                                                                            monkeypatch):
    import re
    import socket

    from innkit.files.cache import cache_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40]
    folder = tmp_path / "innkit"
    folder.mkdir()
    left = folder / f".substances-0123.sqlite.{int(child.stdout)}@{host}.k2j3h4g5.tmp"
    left.write_bytes(b"half an index")
    old = folder / ".scanner-unii-0123.hsdb.x8c7v6b5.tmp"  # an older writer's name
    old.write_bytes(b"half a scanner")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    cache_folder(create=True)
    assert list(folder.iterdir()) == []
