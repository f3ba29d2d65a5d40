"""One registry for a whole test module whose tests only read names: its name index and its
screening universe are built once, not once per test. Import ``one_registry`` into the module
(an autouse fixture); a module whose tests write user names keeps the per-test registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from innkit.registry import Registry, set_registry


@pytest.fixture(scope="module")
def _module_registry(tmp_path_factory) -> Registry:
    return Registry(tmp_path_factory.mktemp("registry") / "user_registry.sqlite")


@pytest.fixture(autouse=True)
def one_registry(_isolated_user_registry, _module_registry, monkeypatch) -> Iterator[Registry]:
    """The module's registry is the process-wide one; without INNKIT_USER_DB the command line
    keeps it rather than opening the same empty user database again."""
    monkeypatch.delenv("INNKIT_USER_DB")
    set_registry(_module_registry)
    yield _module_registry
