"""The substance index file: the shipped (packed, compressed) form expanded into the cache
folder or, where that folder cannot be written, into memory; keys that share a hash; a damaged
shipped file."""

from __future__ import annotations

import zlib

import pytest
from small_unii import SMALL_UNII

from innkit.registry import substances
from innkit.registry.substances import SubstanceIndex, build_index, compress, open_index

COLLIDING = ("PLUMLESS", "BUCKEROO")
"""Two names whose look-up keys share a CRC-32."""


@pytest.fixture
def packed(tmp_path, monkeypatch):
    """A shipped-style index (packed, compressed) of the small list plus two names whose keys
    share a hash, and the list itself."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "UNII_Names.txt"
    source.write_text(SMALL_UNII + "".join(f"{n}\tcn\tP93RUU11P7\tINOTUZUMAB OZOGAMICIN\n"
                                           for n in COLLIDING), encoding="utf-8")
    raw = tmp_path / "index.bin"
    build_index(source, raw, frozenset(), packed=True)
    shipped = tmp_path / "index.bin.zst"
    shipped.write_bytes(compress(raw.read_bytes()))
    return shipped, source


def _same(index: SubstanceIndex, built: SubstanceIndex) -> None:
    for key in ("besponsa", "cmc544", "inotuzumabozogamicin", "plumless", "buckeroo",
                "nothing"):
        assert index.lookup(key) == built.lookup(key)
        assert index.kind(key) == built.kind(key)
    assert index.broad_rows() == built.broad_rows() and index.meta == built.meta


def test_keys_that_share_a_hash_are_both_found(packed):
    assert len({zlib.crc32(n.lower().encode()) for n in COLLIDING}) == 1
    _shipped, source = packed
    index = open_index(frozenset(), source=source)
    for name in COLLIDING:
        (rec, sub), = index.lookup(name.lower())
        assert rec.name == name and sub.unii == "P93RUU11P7"
    assert index.lookup("plumles") == [] and index.kind("plumless") == "common"


def test_the_shipped_index_is_expanded_once_into_the_cache_folder(packed, capsys):
    shipped, source = packed
    index = substances._expanded(shipped, quiet=False)
    assert index is not None and index.path.parent.name == "innkit"
    assert "innkit: building" in capsys.readouterr().err
    _same(index, open_index(frozenset(), source=source))
    capsys.readouterr()
    again = substances._expanded(shipped, quiet=False)
    assert again.path == index.path and capsys.readouterr().err == ""


def test_a_cache_folder_that_cannot_be_written_gets_the_index_in_memory(packed, monkeypatch):
    shipped, source = packed
    built = open_index(frozenset(), source=source)

    def refused(_packed, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(substances, "expand", refused)
    index = substances._expanded(shipped, quiet=True)
    assert index is not None and index.path == shipped
    _same(index, built)


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "uncompressed"])
def test_a_damaged_shipped_index_is_said_and_left_alone(packed, damage, capsys, tmp_path):
    shipped, _source = packed
    data = shipped.read_bytes()
    if damage == "truncate":
        shipped.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        shipped.write_bytes(data[:-12] + bytes(b ^ 0xFF for b in data[-12:-8]) + data[-8:])
    elif damage == "foreign":
        shipped.write_bytes(compress(b"not an index\n" * 100))
    else:
        shipped.write_bytes((tmp_path / "index.bin").read_bytes())
    assert substances._expanded(shipped, quiet=True) is None
    err = capsys.readouterr().err
    assert "is damaged" in err and "fix: reinstall innkit" in err and "Traceback" not in err
    assert not list((tmp_path / "cache").rglob("substances-*"))
