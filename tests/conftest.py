"""Shared pytest fixtures. Fixture modules live beside this file and are loaded here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

pytest_plugins = ["tests.fixtures_store"]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session", autouse=True)
def code_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands the tests run keep compiled mapping code here, not in the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOD_CACHE_DIR", str(tmp_path_factory.mktemp("lod-code-cache")))
        yield
