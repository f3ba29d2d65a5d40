"""Shared fixtures: where the evaluation material beside the repository lives, if it is there;
the small fixture tables that logic tests run on; and the shipped data for end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INNKIT_SHARED", ROOT.parent / "shared"))
FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules"
"""Small tables of the same shape as ``innkit/data``: the rows the logic tests need, plus rows
made for the tests (a -zorbant stem, a fixture meaning of -olol) that the package's own tables
lack, so that a test shows which tables answered."""


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``shared/`` folder next to the repository; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the shared evaluation data")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _substance_index_built():
    """The substance index of the cache folder is built before any test runs: built inside a
    test of a command, its "building ... (once)" line would be part of that command's output,
    in whatever test comes first on a machine whose cache is empty or older."""
    from innkit.registry import Registry

    Registry().substance_index()


@pytest.fixture(autouse=True)
def _isolated_user_registry(tmp_path, monkeypatch):
    """Tests never read or write the real user database, and never leak a registry."""
    from innkit.registry import set_registry

    monkeypatch.setenv("INNKIT_USER_DB", str(tmp_path / "user_registry.sqlite"))
    set_registry(None)
    yield
    set_registry(None)


@pytest.fixture(scope="session")
def fixture_rules():
    """The rules of the fixture tables (read once per test session)."""
    from innkit.rules import Rules

    return Rules(FIXTURE_RULES)


@pytest.fixture(scope="session")
def fixture_registry(fixture_rules):
    """A registry on the fixture tables, with no shipped names, no user database and no UNII
    index: the decoder's logic alone."""
    from innkit.registry import Registry

    return Registry(rules=fixture_rules, shipped=False, substances=False)


@pytest.fixture()
def on_fixture_tables(fixture_registry):
    """Make the fixture registry the process-wide one for the test (``decode(x)`` with no
    registry reads the fixture tables)."""
    from innkit.registry import set_registry

    set_registry(fixture_registry)
    yield fixture_registry
    set_registry(None)


@pytest.fixture(scope="session")
def shipped_registry():
    """End to end: the package's own tables and names, and the UNII index when installed."""
    from innkit.registry import Registry

    return Registry(None)
