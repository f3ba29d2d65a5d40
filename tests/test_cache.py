"""The disk cache (innkit.files.cache): the folder, checked blobs, pruning, read-only databases.

Every cached file can be rebuilt, so a reader never trusts one: a damaged, foreign or stale
file reads as None (or a fault that says to rebuild it), never as wrong data."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from innkit.errors import InnkitError
from innkit.files import cache
from innkit.files.cache import (
    CacheDbError,
    CacheFolderError,
    DbFault,
    Kept,
    build_cache_db,
    cache_folder,
    cache_key,
    cached,
    open_cache_db,
    prune,
    read_blob,
    write_blob,
)

SECTIONS = [b"first section \x00\xff", b"", b"third" * 1000]
META = {"count": 3, "names": ["a", "b"]}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "innkit"


@pytest.fixture
def blob(tmp_path) -> tuple[Path, str]:
    path, key = tmp_path / "one.bin", cache_key("test", "inputs")
    write_blob(path, key, SECTIONS, META)
    return path, key


def test_a_blob_reads_back_as_written(blob):
    path, key = blob
    found = read_blob(path, key)
    assert found is not None
    assert list(found.sections) == SECTIONS and found.meta == META


def test_a_missing_blob_reads_as_none(tmp_path):
    assert read_blob(tmp_path / "absent.bin", cache_key("test")) is None


@pytest.mark.parametrize("at", [0, 20, 60, -1])
def test_a_flipped_byte_reads_as_none(blob, at):
    """Anywhere: in the magic, the checksum, the header (its meta too) or the sections."""
    path, key = blob
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert read_blob(path, key) is None


@pytest.mark.parametrize("keep", [0, 10, 50, 0.5, 0.99])
def test_a_truncated_blob_reads_as_none(blob, keep):
    path, key = blob
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep) if isinstance(keep, float) else keep])
    assert read_blob(path, key) is None


def test_a_blob_of_another_key_reads_as_none(blob):
    path, key = blob
    assert read_blob(path, cache_key("test", "other inputs")) is None
    assert read_blob(path, key) is not None


@pytest.mark.parametrize("content", [
    b"PK\x03\x04 a zip file, not a cache blob" * 10,
    b"innkit-english\x00\x01" + b"\x00" * 200,  # an older innkit's word list
    b"SQLite format 3\x00" + b"\x00" * 200,
    b"",
])
def test_a_file_of_another_format_reads_as_none(tmp_path, content):
    path = tmp_path / "foreign.bin"
    path.write_bytes(content)
    assert read_blob(path, cache_key("test")) is None


def test_keys_depend_on_kind_inputs_and_version(monkeypatch):
    key = cache_key("scanner", "a", "b")
    assert key == cache_key("scanner", "a", "b")
    assert len({key, cache_key("english", "a", "b"), cache_key("scanner", "ab"),
                cache_key("scanner", "a", "c")}) == 4
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert cache_key("scanner", "a", "b") != key


def _aged(path: Path, seconds_ago: float) -> None:
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_pruning_keeps_the_newest(tmp_path):
    for i in range(6):
        path = tmp_path / f"kind-{i}.bin"
        path.write_bytes(b"x")
        _aged(path, 1000 * (6 - i))  # kind-5 is the newest
    (tmp_path / "other-0.bin").write_bytes(b"x")
    _aged(tmp_path / "other-0.bin", 10**6)
    prune(tmp_path, Kept("kind-*.bin", keep=3), spare=tmp_path / "kind-0.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "kind-0.bin", "kind-3.bin", "kind-4.bin", "kind-5.bin", "other-0.bin"]


def test_pruning_spares_the_recently_used_and_keeps_families_together(tmp_path):
    """Files named alike up to the first dot go together; a recent one stays past ``keep``."""
    for name, age in (("db-new.sqlite", 0), ("db-new.list.tsv", 0), ("db-old.sqlite", 10**7),
                      ("db-old.list.tsv", 10), ("db-week.sqlite", 3600)):
        (tmp_path / name).write_bytes(b"x")
        _aged(tmp_path / name, age)
    prune(tmp_path, Kept("db-*", keep=1, idle=86400), spare=tmp_path / "db-new.sqlite")
    # db-old's list was used ten seconds ago: the family is recent, and stays.
    assert len(list(tmp_path.iterdir())) == 5
    _aged(tmp_path / "db-old.list.tsv", 10**7)
    prune(tmp_path, Kept("db-*", keep=1, idle=86400), spare=tmp_path / "db-new.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "db-new.list.tsv", "db-new.sqlite", "db-week.sqlite"]


def test_cached_builds_once_then_loads_and_rebuilds_a_damaged_file(folder):
    kind = Kept("t-*.bin", keep=2)
    builds = []

    def build():
        builds.append(1)
        return "built", [b"payload"], {"n": 1}

    def load(found):
        return found.sections[0].decode()

    assert cached("t-1.bin", "k1", kind, load, build) == "built"
    assert cached("t-1.bin", "k1", kind, load, build) == "payload"
    assert len(builds) == 1
    (folder / "t-1.bin").write_bytes(b"damaged")
    assert cached("t-1.bin", "k1", kind, load, build) == "built"
    assert read_blob(folder / "t-1.bin", "k1").sections == (b"payload",)
    # A loader may refuse what it reads (None): built again.
    assert cached("t-1.bin", "k1", kind, lambda found: None, build) == "built"
    assert len(builds) == 3
    _aged(folder / "t-1.bin", 1000)
    for i in range(2, 6):  # each older than the next (file times may be coarser than a call)
        cached(f"t-{i}.bin", "k", kind, load, build)
        _aged(folder / f"t-{i}.bin", 1000 - i)
    assert sorted(p.name for p in folder.glob("t-*.bin")) == ["t-4.bin", "t-5.bin"]


def test_the_folder_honours_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "innkit"
    assert not cache_folder().exists()
    assert cache_folder(create=True).is_dir()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == tmp_path / "home" / ".cache" / "innkit"


def test_a_folder_that_cannot_be_made_names_xdg_cache_home(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    with pytest.raises(CacheFolderError) as info:
        cache_folder(create=True)
    assert isinstance(info.value, InnkitError) and isinstance(info.value, OSError)
    assert "XDG_CACHE_HOME" in str(info.value)
    # Without a folder to write, a cached file is built each time, never an error.
    assert cached("t.bin", "k", Kept("t-*", keep=1), lambda found: "loaded",
                  lambda: ("built", [b""], {})) == "built"


def _database(path: Path) -> bytes:
    with build_cache_db(path, 7) as db:
        db.execute("CREATE TABLE rows (n INTEGER)")
        db.executemany("INSERT INTO rows VALUES (?)", [(i,) for i in range(5000)])
        db.execute("INSERT INTO meta VALUES ('rows', '5000')")
    return path.read_bytes()


def test_a_cache_database_opens_read_only_with_its_meta(tmp_path):
    path = tmp_path / "index.sqlite"
    _database(path)
    conn, meta = open_cache_db(path, 7)
    assert meta == {"schema": "7", "complete": "yes", "rows": "5000", "rows:rows": "5000"}
    assert conn.execute("SELECT count(*) FROM rows").fetchone()[0] == 5000
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO rows VALUES (1)")
    conn.close()


@pytest.mark.parametrize("damage", ["truncate", "foreign", "empty", "schema", "unfinished"])
def test_a_damaged_cache_database_is_to_be_rebuilt(tmp_path, damage):
    path = tmp_path / "index.sqlite"
    data = _database(path)
    if damage == "truncate":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "foreign":
        path.write_bytes(b"not a database at all\n" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        with sqlite3.connect(path) as db:
            if damage == "schema":
                db.execute("UPDATE meta SET value = '6' WHERE key = 'schema'")
            else:
                db.execute("DELETE FROM meta WHERE key = 'complete'")
        db.close()
    with pytest.raises(CacheDbError) as info:
        open_cache_db(path, 7)
    assert info.value.fault is DbFault.CORRUPT and info.value.rebuild
    assert info.value.report("test index").endswith("rebuilding it")


def test_a_missing_cache_database_is_to_be_built(tmp_path):
    with pytest.raises(CacheDbError) as info:
        open_cache_db(tmp_path / "absent.sqlite", 7)
    assert info.value.fault is DbFault.MISSING and info.value.rebuild


def test_an_unreadable_cache_database_names_the_fix(tmp_path, monkeypatch):
    path = tmp_path / "index.sqlite"
    _database(path)
    readable = os.access
    # As root every file is readable: this user is told it may not read this one.
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: Path(p) != path and
                        readable(p, mode, **kw))
    with pytest.raises(CacheDbError) as info:
        open_cache_db(path, 7)
    assert info.value.fault is DbFault.UNREADABLE and not info.value.rebuild
    message = info.value.report("test index", "going on without it")
    assert "going on without it" in message and "XDG_CACHE_HOME" in message


def test_a_database_in_a_folder_with_an_odd_name_opens(tmp_path):
    """The read-only URI is escaped: '?', '#' and '%' in a path are file name characters."""
    path = tmp_path / "a?b#c%20d" / "index.sqlite"
    path.parent.mkdir()
    _database(path)
    conn, meta = open_cache_db(path, 7)
    assert meta["rows"] == "5000"
    conn.close()


def test_a_cached_value_builds_once_then_loads_and_rebuilds_a_damaged_file(folder):
    builds = []

    def build():
        builds.append(1)
        return {"trastuzumab": [("trastuzumab emtansine", "SE2KH7T06F", "x")]}

    key = cache.value_key("test", "input", b"section bytes")
    first = cache.cached_value("test", key, build)
    assert cache.cached_value("test", key, build) == first
    assert len(builds) == 1
    (path,) = folder.glob("values-test-*.bin")
    path.write_bytes(path.read_bytes()[:-3])  # truncated: built again, never misread
    assert cache.cached_value("test", key, build) == first
    assert len(builds) == 2
    assert cache.value_key("test", "input", b"section bytes!") != key


def test_shipped_tables_read_from_the_cache_as_parsed_and_survive_damage(folder, monkeypatch):
    from innkit.rules import Rules, core
    from innkit.rules.tables import parse_table

    def fresh():  # a new process: nothing read yet
        monkeypatch.setattr(core, "_PARSED", core._ParsedTables())
        return Rules()

    wanted = ("name", "second_word")
    parsed = parse_table("antibody_inns.tsv",
                         Rules().read_bytes("antibody_inns.tsv").decode(), wanted)
    assert fresh().read("antibody_inns.tsv", wanted) == parsed  # built and stored
    (path,) = folder.glob("rules-*.bin")
    assert fresh().read("antibody_inns.tsv", wanted) == parsed  # read back
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert fresh().read("antibody_inns.tsv", wanted) == parsed  # damaged: made again
    with pytest.raises(InnkitError, match="lacks columns"):
        fresh().read("antibody_inns.tsv", ("no such column",))


def test_an_edited_shipped_table_is_read_as_it_now_is(folder, monkeypatch):
    from innkit.rules import Rules, core

    monkeypatch.setattr(core, "_PARSED", core._ParsedTables())
    Rules().read("eras.tsv", ("era",))  # the cache file holds the table as shipped
    edited = b"era\tlabel\nnew\tan era added since\n"
    monkeypatch.setattr(Rules, "read_bytes", lambda self, name: edited)
    monkeypatch.setattr(core, "_PARSED", core._ParsedTables())
    assert Rules().read("eras.tsv", ("era",)) == [
        {"era": "new", "label": "an era added since", "_line": "2"}]
    broken = b"era\tlabel\nnew\n"
    monkeypatch.setattr(Rules, "read_bytes", lambda self, name: broken)
    with pytest.raises(InnkitError, match="wrong number of fields"):
        Rules().read("eras.tsv", ("era",))


def test_a_blob_whose_header_claims_more_than_the_file_reads_as_none(blob):
    path, key = blob
    data = bytearray(path.read_bytes())
    start = len(cache.MAGIC) + 4
    data[start:start + 4] = b"\xff\xff\xff\x7f"  # a header of 2 GB in a file of a few KB
    path.write_bytes(bytes(data))
    assert read_blob(path, key) is None


def test_the_codec_and_the_host_name_are_imported_only_when_used():
    import subprocess
    import sys

    code = ("import sys, innkit.cli.annotate; "
            "from innkit.files.compressed import zstd; "
            "before = sorted(m for m in ('backports.zstd', 'compression.zstd', 'socket') "
            "if m in sys.modules); "
            "zstd.ZstdError; "
            "print(before, 'backports.zstd' in sys.modules or 'compression.zstd' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "True"]
