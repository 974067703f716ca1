"""Which store a command opens: reading commands never create one, and read a read-only one."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli

RECORD = {"dataset_schema": {"name": "A study"},
          "extra_data": {"harmony_id": "t/1", "language_codes": ["en"]}}
READING = [["query", "sponsors"], ["stats"], ["export"]]


@pytest.fixture
def loaded_store(tmp_path: Path) -> Path:
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(store), "-q", str(records)])
    assert result.exit_code == 0, result.stderr
    return store


@pytest.mark.parametrize("command", [*READING, ["delete", "t/1"]])
def test_a_store_that_does_not_exist_is_an_error_and_is_not_created(
        tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nonexist"
    result = CliRunner().invoke(cli, [*command, "--store", str(missing)])
    assert result.exit_code == 2, result.output
    assert f"no store at {missing}" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", READING)
def test_an_empty_store_path_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner(env={"LOD_STORE": str(tmp_path / "default")}).invoke(
        cli, [*command, "--store", ""])
    assert result.exit_code == 2
    assert "--store" in result.stderr and "empty" in result.stderr
    assert not (tmp_path / "default").exists()


def test_load_creates_the_store(loaded_store: Path) -> None:
    assert (loaded_store / "CURRENT").is_file()


@contextlib.contextmanager
def read_only_copy(store: Path, where: Path) -> Iterator[Path]:
    """``store`` where it cannot be written: a read-only bind mount as root (whom file modes do
    not stop), the folder's write permissions removed otherwise."""
    if os.geteuid() != 0:
        for path in [store, *store.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield store
        finally:
            for path in [store, *store.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
        return
    mount = where / "read-only"
    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "--bind", str(store), str(mount)], capture_output=True, check=False).returncode:
        pytest.skip("cannot make a read-only store here (no bind mounts)")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)],
                          capture_output=True, check=False).returncode:
            pytest.skip("cannot remount read-only here")
        with pytest.raises(OSError):
            (mount / "probe").write_bytes(b"")
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("command", READING)
def test_reading_commands_read_a_read_only_store(tmp_path: Path, loaded_store: Path,
                                                 command: list[str]) -> None:
    with read_only_copy(loaded_store, tmp_path) as store:
        result = CliRunner().invoke(cli, [*command, "--store", str(store)])
        assert result.exit_code == 0, result.stderr
        assert "error" not in result.stderr
        expected = {"query": "(0 rows)", "stats": "studies", "export": "study/t/1"}[command[0]]
        assert expected in result.stdout + result.stderr
        written = CliRunner().invoke(cli, ["delete", "t/1", "--store", str(store)])
        assert written.exit_code == 1 and "read-only" in written.stderr
        assert "Traceback" not in written.stderr
