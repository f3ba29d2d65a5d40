"""The registry: look-up and search on the fixture tables' names, the shipped names round-trip,
and a user database that never half-changes."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from click.testing import CliRunner

from innkit import decode
from innkit.cli import main
from innkit.registry import Registry, RegistryEntry, UserStore, name_key
from innkit.registry.core import SHIPPED_COLUMNS
from innkit.rules import Rules


@pytest.fixture(scope="module")
def known(fixture_rules) -> Registry:
    """The known names of the fixture tables' antibody_inns.tsv, and nothing else."""
    return Registry(rules=fixture_rules, substances=False)


def test_every_shipped_name_round_trips(shipped_registry):
    """End to end: the shipped table."""
    shipped = shipped_registry
    rows = Rules.shipped().read("antibody_inns.tsv", SHIPPED_COLUMNS)
    assert len(rows) == len(shipped) == 1400
    for row in rows:
        [entry] = [e for e in shipped.lookup(row["name"]) if e.origin == "shipped"]
        for col in SHIPPED_COLUMNS:
            value = getattr(entry, col)
            assert ("" if value is None else str(value)) == row[col], (row["name"], col)


@pytest.mark.parametrize("query", ["Inotuzumab Ozogamicin", "INOTUZUMAB", "ino-tuzumab",
                                   "inotuzumab\u2011ozogamicin"])
def test_lookup_ignores_case_space_and_hyphen(known, query):
    assert known.lookup(query)[0].name == "inotuzumab"


def test_lookup_strips_a_hyphenated_tail(known):
    assert known.lookup("muromonab-CD3")[0].name == "muromonab"
    assert known.lookup("trastuzumab-anns")[0].name == "trastuzumab"
    assert known.lookup("nosuchname") == []


def test_the_look_ups_agree(known):
    """lookup, known and get answer from the same known names; without a substance index
    a name that is not known has no entry."""
    for name in ("Inotuzumab Ozogamicin", "muromonab-CD3", "trastuzumab-anns", "nosuchname",
                 "-trastuzumab-", "efalizumab"):
        first = (known.lookup(name) or [None])[0]
        assert known.known(name) == first == known.get(name), name
    assert known.substance("aspirin") is None and known.identify("aspirin") is None


def test_search_by_target_prefix_and_fuzzy(known):
    names = {h.entry.name for h in known.search("CD22", limit=50)}
    assert {"inotuzumab", "epratuzumab", "moxetumomab"} <= names
    assert known.search("inotu")[0].entry.name == "inotuzumab"
    top = known.search("trastuzimab")[0]
    assert (top.entry.name, top.matched_on) == ("trastuzumab", "fuzzy name")
    assert known.search("") == []
    assert known.search("%_%")  is not None  # SQL wildcards are taken literally


def test_decode_carries_registry_facts_and_conflicts(known, fixture_registry):
    d = decode("inotuzumab ozogamicin", registry=known)
    assert d.registry.target_antigen == "SIGLEC2/CD22"
    assert d.to_dict()["registry"]["full_name"] == "inotuzumab ozogamicin"
    d = decode("efalizumab", registry=known)
    assert any("registry records the source as 'human'" in w for w in d.warnings)
    assert decode("imatinib", registry=known).registry is None
    assert decode("inotuzumab", registry=fixture_registry).registry is None  # no names


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_user_names_are_used_by_decode(tmp_path):
    """End to end: the shipped names and the UNII index."""
    registry = Registry(tmp_path / "user.sqlite")
    store = UserStore(registry.user_db)
    before = decode("besponsa", registry=registry).registry
    assert before is None or before.origin in ("unii", "shipped")  # the FDA list knows it
    report = store.add(RegistryEntry(name="besponsa", second_word=None, kind="brand",
                                     origin="user", refers_to="inotuzumab ozogamicin"))
    assert report.ok
    registry.refresh()
    d = decode("Besponsa", registry=registry)
    assert d.registry.origin == "user"  # the user's own entry comes first
    assert d.registry.refers_to == "inotuzumab ozogamicin"
    # ... and the name is read as the INN it stands for (issue 10: resolve before reading).
    assert d.kind == "antibody" and d.name == "inotuzumab"
    # A team's own code, unknown to the FDA list, is read through its refers_to.
    assert store.add(RegistryEntry(name="XQ-0042", second_word=None, kind="code",
                                   origin="user", refers_to="zovitatug")).ok
    registry.refresh()
    code = decode("XQ-0042", registry=registry)
    assert code.kind == "antibody" and code.name == "zovitatug"
    assert "code name for zovitatug" in code.notes[0]


def test_bad_import_changes_nothing(tmp_path):
    store = UserStore(tmp_path / "user.sqlite")
    assert store.import_csv("name,kind\nalphamab,candidate\n").ok
    before = _digest(store.path)
    bad = "name,kind,year\nbetamab,candidate,2026\nbad name!,candidate,\ngammamab,weird,20x\n"
    report = store.import_csv(bad)
    assert not report.ok
    assert [e.line for e in report.errors] == [3, 4, 4]
    assert _digest(store.path) == before
    assert [e.name for e in store.entries()] == ["alphamab"]


@pytest.mark.parametrize("text", [
    "",                                   # no header at all
    "kind\ncandidate\n",                  # no name column
    "name,colour\nx,red\n",               # unknown column
    "name\nfoo\nFOO\n",                   # duplicate (case-insensitive) in one file
    "name,kind\ntrastuzumab,candidate\n", # a candidate may not take an INN's name
    "name\nfoo,extra\n",                  # more fields than the header
    "name\nalphamab\n",                   # already in the user registry, no --replace
])
def test_corrupt_or_conflicting_imports_leave_the_database_unchanged(tmp_path, text):
    store = UserStore(tmp_path / "user.sqlite")
    assert store.import_csv("name\nalphamab\n").ok
    before = _digest(store.path)
    shipped = {name_key(e.name) for e in Registry(None).entries()}
    report = store.import_csv(text, shipped_keys=shipped)
    assert not report.ok and report.errors
    assert _digest(store.path) == before


def test_replace_and_remove_and_export_round_trip(tmp_path):
    store = UserStore(tmp_path / "user.sqlite")
    assert store.import_csv("name,kind,year\nalphamab,candidate,2025\n").ok
    assert store.import_csv("name,kind,year\nalphamab,code,2026\n", replace=True).replaced == 1
    [e] = store.entries()
    assert (e.kind, e.year) == ("code", 2026)
    out = tmp_path / "export.csv"
    assert store.export_csv(out) == 1
    again = UserStore(tmp_path / "other.sqlite")
    assert again.import_csv(out.read_text()).ok
    assert again.entries() == store.entries()
    assert store.remove("ALPHAMAB")
    assert store.entries() == []
    assert not store.remove("alphamab")


def test_cli_registry_commands(tmp_path):
    db = str(tmp_path / "u.sqlite")
    runner = CliRunner()
    r = runner.invoke(main, ["--user-db", db, "registry", "add", "zenocimab", "--year", "2026"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["--user-db", db, "lookup", "--format", "json", "zenocimab"])
    assert json.loads(r.output)["zenocimab"][0]["origin"] == "user"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nx y z!,candidate\n")
    r = runner.invoke(main, ["--user-db", db, "registry", "import", str(bad)])
    assert r.exit_code == 1
    assert "line 2" in r.output and "nothing was changed" in r.output
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01name")
    r = runner.invoke(main, ["--user-db", db, "registry", "import", str(binary)])
    assert r.exit_code != 0 and "UTF-8" in r.output
    r = runner.invoke(main, ["--user-db", db, "registry", "export", "-"])
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [row["name"] for row in rows] == ["zenocimab"]
    r = runner.invoke(main, ["--user-db", db, "search", "CD22", "--format", "json"])
    assert any(h["name"] == "inotuzumab" for h in json.loads(r.output))
    r = runner.invoke(main, ["--user-db", db, "lookup", "nosuchname"])
    assert r.exit_code == 1 and "not in the registry" in r.output
    r = runner.invoke(main, ["--user-db", db, "data", "info"])
    assert "antibody_inns.tsv" in r.output and "data version" in r.output
