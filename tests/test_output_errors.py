"""Outputs: written atomically, and every failure to write one is one line naming it, exit 2."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.output.files import output_file

RECORD = {"dataset_schema": {"name": "A study"},
          "extra_data": {"harmony_id": "t/1", "language_codes": ["en"]}}


def records(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    return path


def lod(*args: str, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    """lod in a process of its own: a real standard output (/dev/full) and interpreter exit."""
    return subprocess.run([sys.executable, "-c", "from lod.cli import main; main()", *args],
                          stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False, timeout=120)


def one_clear_line(stderr: str, *names: str) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("lod: error: ")]
    assert len(errors) == 1, stderr
    assert all(name in errors[0] for name in names), stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


@pytest.fixture
def loaded_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(store), "-q", str(records(tmp_path))])
    assert result.exit_code == 0, result.stderr
    return store


# -- atomic output files -----------------------------------------------------------------------

def test_output_file_keeps_the_final_name_untouched_until_it_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "out.nt"
    path.write_bytes(b"old\n")
    with output_file(str(path)) as out:
        out.write(b"new\n" * 100_000)
        assert path.read_bytes() == b"old\n"  # a run killed now leaves the old file
    assert path.read_bytes() == b"new\n" * 100_000
    with pytest.raises(RuntimeError), output_file(str(path)) as out:
        out.write(b"partial")
        raise RuntimeError("the run fails")
    assert path.read_bytes() == b"new\n" * 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]  # no temporary left


def test_output_file_writes_a_new_file_with_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with output_file(str(tmp_path / "new.nt")) as out:
            out.write(b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.nt").stat().st_mode & 0o777 == 0o644


def test_a_convert_that_fails_does_not_truncate_the_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out.nt"
    out.write_bytes(b"precious\n")
    result = CliRunner().invoke(cli, ["convert", str(records(tmp_path)), "-o", str(out),
                                      "--rejects", str(tmp_path / "nodir" / "r.jsonl")])
    assert result.exit_code == 2
    one_clear_line(result.stderr, "nodir/r.jsonl")
    assert out.read_bytes() == b"precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.nt"]


def test_export_to_a_gz_name_writes_gzip(tmp_path: Path, loaded_store: Path) -> None:
    out = tmp_path / "e.nq.gz"
    result = CliRunner().invoke(cli, ["export", "--store", str(loaded_store), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = gzip.decompress(out.read_bytes()).decode("utf-8")
    assert "<https://w3id.org/lod-studies/id/study/t/1>" in text


# -- outputs that cannot be written --------------------------------------------------------------

def test_convert_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", str(records(tmp_path)), "-o",
                                      str(tmp_path / "nodir" / "x.ttl")])
    assert result.exit_code == 2
    one_clear_line(result.stderr, "nodir/x.ttl")


def test_export_into_a_missing_folder_is_one_line(tmp_path: Path, loaded_store: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--store", str(loaded_store), "-o",
                                      str(tmp_path / "nodir" / "x.nq")])
    assert result.exit_code == 2
    one_clear_line(result.stderr, "nodir/x.nq")


def test_load_with_rejects_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["load", "--store", str(tmp_path / "store"), str(records(tmp_path)),
                                      "--rejects", str(tmp_path / "nodir" / "r.jsonl")])
    assert result.exit_code == 2
    one_clear_line(result.stderr, "nodir/r.jsonl")


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


@needs_dev_full
def test_convert_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    done = lod("convert", str(records(tmp_path)), "-q", "-o", "/dev/full")
    assert done.returncode == 2
    one_clear_line(done.stderr, "/dev/full", "No space left")


@needs_dev_full
def test_export_to_a_full_device_is_one_line(loaded_store: Path) -> None:
    done = lod("export", "--store", str(loaded_store), "-o", "/dev/full")
    assert done.returncode == 2
    one_clear_line(done.stderr, "/dev/full", "No space left")


@needs_dev_full
@pytest.mark.parametrize("command", [["convert", "-q"], ["query", "sponsors"], ["export"], ["stats"]])
def test_a_full_standard_output_is_one_line(tmp_path: Path, loaded_store: Path, command: list[str]) -> None:
    args = [*command, str(records(tmp_path))] if command[0] == "convert" else \
        [*command, "--store", str(loaded_store)]
    with open("/dev/full", "w") as full:
        done = lod(*args, stdout=full.fileno())
    assert done.returncode == 2
    one_clear_line(done.stderr, "standard output", "No space left")
