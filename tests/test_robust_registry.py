"""The user registry loses nothing: an import killed at any step, a disk that fills up, and a
repair leave every stored name readable, with messages that name the real cause."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from innkit.registry.store import StoreError, UserStore, journal_of

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ROOTED = hasattr(os, "geteuid") and os.geteuid() == 0

_IMPORTER = r"""
import os, resource, signal, sqlite3, sys
from pathlib import Path
from innkit.registry import store

real = sqlite3.connect
kill_at, fsize = int(sys.argv[2]), int(sys.argv[4])
ticks = [0]


def connect(*args, **kwargs):
    db = real(*args, **kwargs)
    db.execute("PRAGMA cache_size = 1")  # pages reach the file long before the commit

    def tick():
        ticks[0] += 1
        if ticks[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    db.set_progress_handler(tick, 50)
    return db


sqlite3.connect = connect
if fsize:  # a disk that fills up: writes past this size fail (EFBIG), as on a full disk
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
try:
    report = store.UserStore(sys.argv[1]).import_csv(Path(sys.argv[3]).read_text())
except store.StoreError as exc:
    print("error:", exc)
    sys.exit(3)
print("ticks", ticks[0], "added", report.added)
"""


def _names(n: int, stem: str) -> list[str]:
    table = str.maketrans("0123456789", "abcdefghij")
    return [f"{stem}{i:05d}x".translate(table) for i in range(n)]


@pytest.fixture()
def stored(tmp_path: Path) -> tuple[Path, set[str], Path, set[str]]:
    """A registry of 300 names, and a CSV of 3,000 more to import."""
    db = tmp_path / "user.sqlite"
    old = _names(300, "Oldname")
    report = UserStore(db).import_csv("name,kind\n" + "".join(f"{n},candidate\n" for n in old))
    assert report.added == 300
    new = _names(3000, "Newname")
    csv = tmp_path / "new.csv"
    csv.write_text("name,kind\n" + "".join(f"{n},candidate\n" for n in new))
    return db, set(old), csv, set(new)


def _import(db: Path, csv: Path, kill_at: int = 0, fsize: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-c", _IMPORTER, str(db), str(kill_at), str(csv),
                           str(fsize)], env=env, capture_output=True, text=True, timeout=120)


def _read(db: Path) -> set[str]:
    return {e.name for e in UserStore(db).entries()}


def test_an_import_killed_at_every_step_loses_nothing(stored, tmp_path):
    db, old, csv, new = stored
    trial = tmp_path / "trial.sqlite"
    trial.write_bytes(db.read_bytes())
    counted = _import(trial, csv)
    assert counted.returncode == 0, counted.stderr
    ticks = int(counted.stdout.split()[1])
    assert ticks > 20
    pristine = db.read_bytes()
    hot = 0
    for kill_at in sorted({1, 2, *range(5, ticks, max(1, ticks // 12)), ticks - 1, ticks}):
        db.write_bytes(pristine)
        journal_of(db).unlink(missing_ok=True)
        run = _import(db, csv, kill_at)
        assert run.returncode == -9, (kill_at, run.stdout, run.stderr)
        hot += journal_of(db).exists() and journal_of(db).stat().st_size > 0
        assert _read(db) in (old, old | new), kill_at  # read-only commands read it whole
        assert not journal_of(db).exists() or journal_of(db).stat().st_size == 0
    assert hot, "no kill left a journal behind: the test did not reach the transaction"


def test_a_journal_that_cannot_be_rolled_back_is_named(stored, tmp_path):
    db, old, csv, _new = stored
    if ROOTED:
        pytest.skip("root may write anywhere: a read-only folder cannot be made")
    run = _import(db, csv, 400)
    assert run.returncode == -9
    assert journal_of(db).exists()
    os.chmod(db.parent, 0o555)
    try:
        with pytest.raises(StoreError) as caught:
            UserStore(db).entries()
        assert "cut short" in str(caught.value) and "journal" in str(caught.value)
    finally:
        os.chmod(db.parent, 0o755)
    assert _read(db) == old


def test_a_full_disk_during_an_import_loses_nothing(stored):
    db, old, csv, _new = stored
    run = _import(db, csv, fsize=db.stat().st_size + 8192)
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert "nothing was changed" in run.stdout
    assert "repair" not in run.stdout  # the fix is space, not a repair
    assert _read(db) == old
    aside, n = UserStore(db).repair()
    assert aside is None and n == 300
    assert _read(db) == old


def test_repair_after_a_kill_keeps_every_name(stored):
    db, old, csv, _new = stored
    run = _import(db, csv, 400)
    assert run.returncode == -9 and journal_of(db).exists()
    aside, n = UserStore(db).repair()  # the change is rolled back: nothing is moved
    assert aside is None and n == 300
    assert _read(db) == old


def _journal_pages(journal: bytes) -> tuple[int, set[int]]:
    """(pages the database had before the change, pages the journal holds), from SQLite's
    rollback journal format: a header sector, then (page number, page, checksum) records."""
    original = int.from_bytes(journal[16:20], "big")
    sector, page = int.from_bytes(journal[20:24], "big"), int.from_bytes(journal[24:28], "big")
    held, at = set(), sector
    while at + 4 + page + 4 <= len(journal):
        held.add(int.from_bytes(journal[at:at + 4], "big"))
        at += 4 + page + 4
    return original, held


def test_repair_after_a_kill_of_a_damaged_file_keeps_every_readable_name(stored):
    db, old, csv, _new = stored
    run = _import(db, csv, 400)
    assert run.returncode == -9 and journal_of(db).exists()
    original, held = _journal_pages(journal_of(db).read_bytes())
    spare = [p for p in range(3, original + 1) if p not in held]
    assert spare
    page = 4096
    data = bytearray(db.read_bytes())
    at = (spare[len(spare) // 2] - 1) * page
    data[at:at + page] = b"\xde\xad" * (page // 2)  # damage the journal cannot undo
    db.write_bytes(bytes(data))
    aside, n = UserStore(db).repair()
    assert aside is not None and aside.exists()  # the old file is kept, and named
    kept = _read(db)
    assert n == len(kept) and 0 < n < 300 and kept <= old
    with sqlite3.connect(aside) as conn:  # every name still readable in the old file came over
        readable = set()
        for rowid in range(1, 400):
            try:
                row = conn.execute("SELECT name FROM names WHERE rowid = ?", (rowid,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row:
                readable.add(row[0])
    assert readable <= kept


def test_repair_keeps_a_journal_it_cannot_roll_back_with_the_old_file(stored, monkeypatch):
    db, old, csv, _new = stored
    run = _import(db, csv, 400)
    assert run.returncode == -9 and journal_of(db).exists()
    journal = journal_of(db).read_bytes()
    damaged = db.read_bytes()

    def refuse(self):  # a journal this process cannot roll back in place
        raise StoreError("cannot roll back", "run `innkit registry repair`")

    monkeypatch.setattr(UserStore, "settle", refuse)
    monkeypatch.setattr("innkit.registry.store._REPAIR", "run `innkit registry repair`")
    aside, n = UserStore(db).repair()
    assert aside is not None
    assert aside.read_bytes() == damaged and journal_of(aside).read_bytes() == journal
    monkeypatch.undo()
    assert n == 300 and _read(db) == old  # rescued from a copy, rolled back there


def test_repair_leaves_a_sound_file_alone(stored):
    db, _old, _csv, _new = stored
    before = db.read_bytes()
    assert UserStore(db).repair() == (None, 300)
    assert db.read_bytes() == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
