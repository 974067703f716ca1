"""`lod query` starts without the converter: the modules it must not import, checked in a fresh
interpreter that runs the command on an empty store and then lists what it imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# What converting needs and querying does not: the readers, the mapping compiler, the worker
# pool, the loading code, YAML.
NOT_FOR_QUERY = ["lod.converter.parallel", "lod.converter.core", "lod.converter.codegen", "lod.readers",
                 "lod.store.loading", "lod.converter.pipeline", "lod.mapping.spec", "lod.transforms",
                 "lod.cli.store_cmds", "yaml"]

_RUN = """
import json, sys
from lod.cli import cli
try:
    cli(prog_name="lod", args=sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(args: list[str]) -> tuple[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_query_on_an_empty_store_imports_no_converter_code(tmp_path: Path) -> None:
    store = tmp_path / "store"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    subprocess.run([sys.executable, "-m", "lod", "load", "-q", "--store", str(store), str(empty)],
                   check=True, capture_output=True, timeout=120)
    out, modules = _modules_after(["query", "sponsors", "--store", str(store), "-f", "csv"])
    assert out.splitlines()[0].startswith("sponsor")  # the CSV header: the query ran
    assert [m for m in modules if m.split(".")[0] == "lod"]  # the check itself sees lod
    imported = [name for name in NOT_FOR_QUERY if name in modules]
    assert imported == []


def test_load_still_finds_what_it_imports_lazily(tmp_path: Path) -> None:
    # the lazy imports moved out of module level must still be there when a load needs them
    record = tmp_path / "one.jsonl"
    record.write_text('{"dataset_schema": {"name": "One"}, "extra_data": {"harmony_id": "t/1"}}\n')
    _, modules = _modules_after(["load", "-q", "--store", str(tmp_path / "store"), str(record)])
    assert {"lod.readers", "lod.converter.core", "yaml"} <= set(modules)
