"""Compiled mapping code kept between runs (lod.converter.codecache)."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.converter.codecache import MAX_ENTRIES, SUFFIX, CodeCache, default_cache_dir, entry_name
from lod.converter.core import Converter
from lod.readers.harmony_json import read

SOURCE = "def answer():\n    return 42\n"
NAME = "<lod mapping test>"


def run(code: object) -> object:
    namespace: dict[str, object] = {}
    exec(code, namespace)  # type: ignore[arg-type]  # noqa: S102
    return namespace["answer"]()  # type: ignore[operator]


def test_default_cache_dir() -> None:
    assert default_cache_dir({"LOD_CACHE_DIR": "/c/lod", "XDG_CACHE_HOME": "/x"}) == Path("/c/lod")
    for off in ("", "off", "OFF", "0", "none", " no "):
        assert default_cache_dir({"LOD_CACHE_DIR": off}) is None
    assert default_cache_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/lod/code")
    # a relative XDG_CACHE_HOME is to be ignored, as the XDG spec says
    assert default_cache_dir({"XDG_CACHE_HOME": "x", "HOME": "/h"}) == Path("/h/.cache/lod/code")
    assert default_cache_dir({"HOME": "/h"}) == Path("/h/.cache/lod/code")


def test_the_first_compile_is_kept_and_the_next_reads_it(tmp_path: Path) -> None:
    folder = tmp_path / "made" / "on" / "demand"
    code = CodeCache(folder).compile(SOURCE, NAME)
    assert run(code) == 42
    entry = folder / (entry_name(SOURCE, NAME) + SUFFIX)
    assert [p.name for p in folder.iterdir()] == [entry.name]  # no temporary file left
    assert folder.stat().st_mode & 0o777 == 0o700
    assert marshal.loads(entry.read_bytes()) == code
    # The entry is what a later compile returns: put other code under its name to show it.
    entry.write_bytes(marshal.dumps(compile("def answer():\n    return 7\n", NAME, "exec")))
    assert run(CodeCache(folder).compile(SOURCE, NAME)) == 7


def test_names_differ_with_source_and_file_name() -> None:
    names = {entry_name(SOURCE, NAME), entry_name(SOURCE + "\n", NAME), entry_name(SOURCE, "<other>")}
    assert len(names) == 3


@pytest.mark.parametrize("damage", [b"", b"not marshal data", b"\xe3" + b"\0" * 40,
                                    marshal.dumps("a string, not code"),
                                    marshal.dumps(compile(SOURCE, "<another name>", "exec"))])
def test_a_damaged_entry_is_compiled_again_and_replaced(tmp_path: Path, damage: bytes) -> None:
    entry = tmp_path / (entry_name(SOURCE, NAME) + SUFFIX)
    entry.write_bytes(damage)
    code = CodeCache(tmp_path).compile(SOURCE, NAME)
    assert run(code) == 42 and code.co_filename == NAME
    assert marshal.loads(entry.read_bytes()) == code


def test_a_folder_others_can_write_to_is_not_used(tmp_path: Path) -> None:
    entry = tmp_path / (entry_name(SOURCE, NAME) + SUFFIX)
    entry.write_bytes(marshal.dumps(compile("def answer():\n    return 7\n", NAME, "exec")))
    tmp_path.chmod(0o777)
    try:
        assert run(CodeCache(tmp_path).compile(SOURCE, NAME)) == 42  # not the planted 7
        assert len(list(tmp_path.iterdir())) == 1  # and nothing written there
    finally:
        tmp_path.chmod(0o700)


def test_a_folder_that_is_a_file_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert run(CodeCache(tmp_path / "file").compile(SOURCE, NAME)) == 42


def test_the_least_recently_used_entries_go_beyond_the_limit(tmp_path: Path) -> None:
    cache = CodeCache(tmp_path)
    sources = [f"def answer():\n    return {k}\n" for k in range(MAX_ENTRIES + 3)]
    for age, source in enumerate(sources):
        cache.compile(source, NAME)
        os.utime(tmp_path / (entry_name(source, NAME) + SUFFIX), (1000 + age, 1000 + age))
    cache.compile(sources[0], NAME)  # read again: used most recently now
    cache.compile("def answer():\n    return -1\n", NAME)  # a new entry: the oldest go
    kept = {p.name for p in tmp_path.glob("*" + SUFFIX)}
    assert len(kept) == MAX_ENTRIES
    assert entry_name(sources[0], NAME) + SUFFIX in kept
    assert entry_name(sources[1], NAME) + SUFFIX not in kept
    assert entry_name(sources[-1], NAME) + SUFFIX in kept


def test_a_converter_with_a_cache_writes_what_one_without_writes(tmp_path: Path, repo_root: Path) -> None:
    data = (repo_root / "tests" / "cases" / "harmony_seed_ukds_851986" / "input.json").read_bytes()
    outputs = []
    for cache in (None, CodeCache(tmp_path), CodeCache(tmp_path)):
        converter = Converter("https://example.org/id/", code_cache=cache)
        conversions = [converter.convert(item) for item in read(data, "input.json")]
        outputs.append([g.text() for c in conversions for g in c.graphs])
    assert outputs[0] == outputs[1] == outputs[2] and outputs[0]
    assert len(list(tmp_path.glob("*" + SUFFIX))) == 1


def test_lod_convert_keeps_its_code_where_the_environment_says(tmp_path: Path, repo_root: Path) -> None:
    source = str(repo_root / "tests" / "cases" / "harmony_seed_ukds_851986" / "input.json")
    runner = CliRunner()
    cold = runner.invoke(cli, ["convert", source, "-f", "ntriples"], env={"LOD_CACHE_DIR": str(tmp_path)})
    entries = list(tmp_path.glob("*" + SUFFIX))
    warm = runner.invoke(cli, ["convert", source, "-f", "ntriples"], env={"LOD_CACHE_DIR": str(tmp_path)})
    off = runner.invoke(cli, ["convert", source, "-f", "ntriples"],
                        env={"LOD_CACHE_DIR": "off", "HOME": str(tmp_path / "home")})
    assert cold.exit_code == warm.exit_code == off.exit_code == 0
    assert len(entries) == 1 and list(tmp_path.glob("*" + SUFFIX)) == entries
    assert cold.stdout_bytes == warm.stdout_bytes == off.stdout_bytes
    assert not (tmp_path / "home").exists()
