"""Hostile runs of the command line, as a user or an operator would try them (issue 14): each
is a real process with its exit status, its one-line message and never a traceback."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
EXAMPLE = ROOT / "examples" / "monograph.txt"
CLI = [sys.executable, "-m", "innkit.cli"]
ROOTED = hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class Run:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def innkit(*args: str | bytes, db: Path | None = None, stdin: bytes | None = None,
           shell: str = "", cwd: Path | None = None, unprivileged: bool = False,
           umask: int = -1, stdout=None, timeout: float = 120) -> Run:
    """Run ``innkit ARGS`` in its own process (``shell``: redirections for bash, e.g. '<&-')."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "INNKIT_USER_DB": str(db or "/nonexistent/db")}
    cmd: list[str | bytes] = [*CLI, *args]
    if unprivileged and ROOTED:  # root writes anywhere: drop to nobody to meet permissions
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    if shell:
        cmd = ["bash", "-c", f'exec "$@" {shell}', "innkit", *cmd]
    proc = subprocess.run(cmd, input=stdin, stdout=stdout or subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=timeout,
                          umask=umask, stdin=None if stdin is not None else subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "replace") if proc.stdout else ""
    run = Run(proc.returncode, out, proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in run.text, run.text
    return run


def expect(run: Run, rc: int, *phrases: str) -> None:
    assert run.rc == rc, (run.rc, run.text)
    for phrase in phrases:
        assert phrase in run.text, (phrase, run.text)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for name in ("a.txt", "b.txt"):
        shutil.copy(EXAMPLE, tmp_path / name)
    return tmp_path


@pytest.fixture
def open_dir():
    """A folder that an unprivileged user (nobody, when the tests run as root) can use."""
    folder = Path(tempfile.mkdtemp(prefix="innkit-hostile-"))
    folder.chmod(0o777)
    shutil.copy(EXAMPLE, folder / "a.txt")
    (folder / "a.txt").chmod(0o644)
    (folder / "ro").mkdir()
    (folder / "ro").chmod(0o555)
    yield folder
    (folder / "ro").chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def needs_unprivileged() -> None:
    if ROOTED and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permissions cannot be tested")


# -- outputs ------------------------------------------------------------------------------------
def test_several_inputs_into_one_file(work):
    r = innkit("annotate", "a.txt", "b.txt", "-o", "out.txt", cwd=work)
    expect(r, 0)
    lines = (work / "out.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "a.txt" and "b.txt" in lines
    assert lines[-1].endswith("names in 2 inputs")
    assert sorted(p.name for p in work.iterdir()) == ["a.txt", "b.txt", "out.txt"]


def test_two_runs_writing_one_file_never_mix(work):
    from innkit import annotate

    expected = len(annotate(EXAMPLE.read_text(encoding="utf-8")))
    for _ in range(3):
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        procs = [subprocess.Popen([*CLI, "annotate", "--format", "jsonl", name, "-o", "m.jsonl"],
                                  cwd=work, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for name in ("a.txt", "b.txt")]
        for p in procs:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0 and b"Traceback" not in err
        rows = [json.loads(line) for line in (work / "m.jsonl").read_text().splitlines()]
        assert len({row["doc"] for row in rows}) == 1 and len(rows) == expected
        assert not list(work.glob(".m.jsonl*"))


def test_missing_folder_and_binary_inputs_are_status_2(work):
    (work / "image.bin").write_bytes(b"\x89PNG\x00\x00\x01rituximab")
    (work / "folder").mkdir()
    r = innkit("annotate", "--format", "jsonl", "missing.txt", "folder", "image.bin", "a.txt",
               cwd=work)
    expect(r, 2, "cannot read missing.txt: No such file or directory; check the path",
           "cannot read folder: Is a directory; give a file, not a folder",
           "image.bin: looks like a binary file", "3 input(s) could not be read")
    assert all(json.loads(line)["doc"] == "a.txt" for line in r.out.splitlines())
    assert len(r.out.splitlines()) > 10


@pytest.mark.parametrize(("args", "shell", "rc", "phrase"), [
    (("annotate", "-"), "<&-", 2, "standard input is closed"),
    (("decode",), "<&-", 2, "standard input is closed"),
    (("registry", "import", "-"), "<&-", 2, "standard input is closed"),
    (("decode", "trastuzumab"), ">&-", 3, "standard output is closed"),
    (("decode", "trastuzumab"), ">/dev/full", 3, "the disk is full"),
    (("annotate", "a.txt"), ">/dev/full", 3, "the disk is full"),
])
def test_closed_and_full_streams(work, args, shell, rc, phrase):
    expect(innkit(*args, shell=shell, cwd=work), rc, phrase)


def test_read_error_after_open_leaves_no_output(work):
    # /proc/self/mem opens, then its first read fails with EIO
    r = innkit("annotate", "/proc/self/mem", "-o", "out.txt", cwd=work)
    expect(r, 3, "cannot read /proc/self/mem: Input/output error")
    assert not (work / "out.txt").exists() and not list(work.glob(".out.txt*"))


def test_broken_pipe_is_quiet(work):
    names = b"trastuzumab\n" * 20000
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(["bash", "-c", 'set -o pipefail; "$@" | head -1 >/dev/null',
                           "innkit", *CLI, "decode"], input=names, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 141 and proc.stderr == b""


def test_read_only_folders(open_dir):
    needs_unprivileged()
    db = open_dir / "user.sqlite"
    expect(innkit("registry", "add", "fevunutatug", db=db, cwd=open_dir, unprivileged=True), 0)
    r = innkit("registry", "export", "ro/names.csv", db=db, cwd=open_dir, unprivileged=True)
    expect(r, 3, "cannot write ro/names.csv: Permission denied")
    r = innkit("annotate", "a.txt", "-o", "ro/out.txt", cwd=open_dir, unprivileged=True)
    expect(r, 3, "cannot write ro/out.txt: Permission denied")
    # the side report fails alone: the main output is complete
    r = innkit("annotate", "--format", "jsonl", "a.txt", "-o", "m.jsonl", "--html",
               "ro/report.html", cwd=open_dir, unprivileged=True)
    expect(r, 3, "warning: cannot write the HTML report ro/report.html", "main output goes on")
    assert len((open_dir / "m.jsonl").read_text().splitlines()) > 10
    assert not list((open_dir / "ro").iterdir())


def test_permissions_follow_the_umask_and_are_kept(work):
    db = work / "user.sqlite"
    innkit("registry", "add", "fevunutatug", db=db)
    expect(innkit("annotate", "a.txt", "-o", "out.txt", "--html", "r.html", cwd=work,
                  umask=0o027), 0)
    expect(innkit("registry", "export", "names.csv", db=db, cwd=work, umask=0o027), 0)
    for name in ("out.txt", "r.html", "names.csv"):
        assert stat.S_IMODE((work / name).stat().st_mode) == 0o640, name
    (work / "out.txt").chmod(0o604)
    expect(innkit("annotate", "b.txt", "-o", "out.txt", cwd=work), 0)
    assert stat.S_IMODE((work / "out.txt").stat().st_mode) == 0o604


def test_export_to_stdout_has_one_line_ending(tmp_path):
    db = tmp_path / "user.sqlite"
    innkit("registry", "add", "fevunutatug", db=db)
    innkit("registry", "add", "zenocimab", db=db)
    env = {**os.environ, "PYTHONPATH": str(SRC), "INNKIT_USER_DB": str(db)}
    raw = subprocess.run([*CLI, "registry", "export", "-"], env=env, capture_output=True,
                         check=True).stdout
    lines = raw.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 4
    assert all(line.endswith(b"\r") for line in lines[:-1])
    innkit("registry", "export", "file.csv", db=db, cwd=tmp_path)
    assert (tmp_path / "file.csv").read_bytes() == raw


# -- the HTML report on big inputs --------------------------------------------------------------
def test_html_report_of_a_big_document_is_capped_and_the_listing_complete(work):
    text = EXAMPLE.read_text(encoding="utf-8")
    big = text * (400_000 // len(text) + 1)
    (work / "big.txt").write_text(big, encoding="utf-8")
    r = innkit("annotate", "--format", "jsonl", "big.txt", "-o", "big.jsonl", "--html",
               "big.html", cwd=work)
    expect(r, 0, "HTML report written to big.html", "use --format jsonl or tsv for all")
    rows = [json.loads(line) for line in (work / "big.jsonl").read_text().splitlines()]
    assert max(row["end"] for row in rows) > len(big) - len(text)
    page = (work / "big.html").read_text(encoding="utf-8")
    assert "This report shows the first" in page and len(page) < 8_000_000
    r = innkit("annotate", "--format", "html", "big.txt", "-o", "page.html", cwd=work)
    expect(r, 0, "the HTML report shows the first")
    assert (work / "page.html").stat().st_size < 8_000_000


# -- the user database --------------------------------------------------------------------------
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_damaged_user_database(tmp_path):
    db = tmp_path / "user.sqlite"
    db.write_bytes(os.urandom(5000))
    for args in (("registry", "remove", "x"), ("registry", "add", "fevunutatug"),
                 ("registry", "list"), ("lookup", "trastuzumab")):
        expect(innkit(*args, db=db), 3, "is damaged", "innkit registry repair")


def test_repair_rescues_the_readable_names(tmp_path):
    db = tmp_path / "user.sqlite"
    rows = "".join(f"candidate{chr(97 + i // 26)}{chr(97 + i % 26)}mab,candidate\n"
                   for i in range(400))
    (tmp_path / "names.csv").write_text("name,kind\n" + rows)
    expect(innkit("registry", "import", str(tmp_path / "names.csv"), db=db), 0, "400 added")
    data = bytearray(db.read_bytes())
    page = 4096
    data[3 * page:4 * page] = os.urandom(page)  # one page of the names table destroyed
    db.write_bytes(bytes(data))
    r = innkit("registry", "repair", db=db)
    expect(r, 0, "names rescued")
    rescued = int(r.out.split(";")[1].split()[0])
    assert 0 < rescued <= 400
    assert list(tmp_path.glob("user.sqlite.damaged-*"))
    r = innkit("registry", "list", db=db)
    expect(r, 0)
    assert len(r.out.splitlines()) == rescued


def test_empty_user_database_is_initialised(tmp_path):
    db = tmp_path / "user.sqlite"
    db.write_bytes(b"")
    expect(innkit("registry", "remove", "x", db=db), 1, "x: not in the user registry")
    expect(innkit("registry", "add", "fevunutatug", db=db), 0, "1 added")
    expect(innkit("lookup", "fevunutatug", db=db), 0, "candidate (user)")


def test_foreign_database_is_left_alone(tmp_path):
    db = tmp_path / "songs.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")
    before = _digest(db)
    for args in (("registry", "remove", "x"), ("registry", "add", "fevunutatug"),
                 ("registry", "repair")):
        expect(innkit(*args, db=db), 3, "an SQLite database of another program (tables: songs)")
    assert _digest(db) == before


def test_read_only_user_database(open_dir):
    needs_unprivileged()
    db = open_dir / "user.sqlite"
    expect(innkit("registry", "add", "fevunutatug", db=db), 0)
    db.chmod(0o444)
    r = innkit("registry", "remove", "fevunutatug", db=db, unprivileged=True)
    expect(r, 3, "cannot write the user registry", "chmod u+w")
    expect(innkit("lookup", "fevunutatug", db=db, unprivileged=True), 0, "candidate (user)")


def test_locked_user_database(tmp_path):
    db = tmp_path / "user.sqlite"
    expect(innkit("registry", "add", "fevunutatug", db=db), 0)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        expect(innkit("registry", "add", "zenotatug", db=db), 3, "is locked by another program",
               "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["lookup", "screen", "search", "decode", "validate"])
def test_argument_that_is_not_utf8(command):
    expect(innkit(command, b"tr\xffastuzumab"), 2, "is not UTF-8 text")


def test_file_names_that_are_not_utf8_are_still_read(work):
    name = b"\xffa.txt"
    shutil.copy(EXAMPLE, os.path.join(os.fsencode(work), name))
    r = innkit("annotate", "--format", "jsonl", name, cwd=work)
    expect(r, 0)
    assert json.loads(r.out.splitlines()[0])["doc"] == "\udcffa.txt"


def test_rejected_name_speaks_of_the_name_not_of_a_line(tmp_path):
    r = innkit("registry", "add", "bad$name", db=tmp_path / "user.sqlite")
    expect(r, 1, "not added: 'bad$name': a name is 1 to 100 letters")
    assert "line" not in r.err


def test_validate_own_candidate_is_unique(tmp_path):
    db = tmp_path / "user.sqlite"
    expect(innkit("registry", "add", "fevunutatug", db=db), 0)
    r = innkit("validate", "fevunutatug", "--target", "tumour", db=db)
    expect(r, 0, "complies", "your own candidate in the user registry")
    expect(innkit("validate", "trastuzumab", db=db), 1, "trastuzumab is already a name")


def test_strict_decode_hint_once():
    r = innkit("decode", "--strict", "zzqqx")
    expect(r, 1, "antibody names end in")
    assert r.text.count("antibody names end in") == 1


# -- the server ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """One server for the tests that try it: each leaves it as it found it."""
    pytest.importorskip("uvicorn")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC), "INNKIT_USER_DB": "/nonexistent/db"}
    proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--header-timeout", "1",
                             "--max-connections", "4", "--max-queue", "200", "--time-limit", "600",
                             "--log-level", "warning"], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/meta")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("innkit serve did not start")
    yield port
    proc.terminate()
    _out, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err


def test_slow_request_heads_are_closed(server):
    # a minute is a bound for a busy machine, far above the server's one-second limit
    socks = [socket.create_connection(("127.0.0.1", server), timeout=60) for _ in range(30)]
    for s in socks:
        s.sendall(b"GET /v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    # a normal request is answered meanwhile
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
    conn.request("GET", "/v1/decode?name=trastuzumab")
    assert conn.getresponse().status == 200
    for s in socks:
        assert s.recv(100) == b""  # closed by the server, with nothing sent
        s.close()


def test_a_burst_over_the_limit_is_queued_and_served(server):
    statuses: list[int] = []
    barrier = threading.Barrier(40)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        conn.connect()
        barrier.wait(30)
        conn.request("GET", "/v1/decode?name=pemivibart")
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert statuses == [200] * 40
