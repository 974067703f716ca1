"""Shared pytest fixtures. Fixture modules live beside this file and are loaded here."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures_store"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
