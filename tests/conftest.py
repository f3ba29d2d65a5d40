"""Shared fixtures: where the evaluation material beside the repository lives, if it is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INNKIT_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``shared/`` folder next to the repository; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests read the shared evaluation data")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_user_registry(tmp_path, monkeypatch):
    """Tests never read or write the real user database, and never leak a registry."""
    from innkit.registry import set_registry

    monkeypatch.setenv("INNKIT_USER_DB", str(tmp_path / "user_registry.sqlite"))
    set_registry(None)
    yield
    set_registry(None)
