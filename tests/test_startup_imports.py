"""`lod query` starts without the converter, rdflib or the HTTP client: the modules it must not
import, checked in a fresh interpreter that runs the command on an empty store and then lists
what it imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# What converting needs and querying does not: the readers, the mapping compiler, the worker
# pool, the loading code, YAML.
NOT_FOR_QUERY = ["lod.converter.parallel", "lod.converter.core", "lod.converter.codegen", "lod.readers",
                 "lod.store.loading", "lod.converter.pipeline", "lod.mapping.spec", "lod.transforms",
                 "lod.cli.store_cmds", "yaml"]
# On the embedded store the answer goes from pyoxigraph's terms straight to the output: rdflib
# (a third of a second to import) and httpx (the remote store's) are not needed.
NOT_FOR_EMBEDDED_QUERY = [*NOT_FOR_QUERY, "rdflib", "httpx", "lod.store.remote", "lod.store.http"]
# A matchkey or country parameter reads lod's name tables (lod.transforms), so not in this list.
QUERIES = {
    "named": (["sponsors", "-f", "csv"], "sponsor"),
    "named, parameters": (["studies-in-period", "-p", "from=1990", "-p", "to=2000-05", "-f", "tsv"],
                          "?study"),
    "ad-hoc select": (["--sparql", "SELECT ?s WHERE { ?s ?p ?o }", "-f", "json"], '{"results"'),
    "ad-hoc ask": (["--sparql", "ASK { ?s ?p ?o }", "-f", "xml"], "<?xml"),
    "ad-hoc construct": (["--sparql", "CONSTRUCT WHERE { ?s ?p ?o }"], ""),
    "table": (["keywords"], "concept"),
}

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


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("empty")
    store = folder / "store"
    empty = folder / "empty.jsonl"
    empty.write_text("")
    subprocess.run([sys.executable, "-m", "lod", "load", "-q", "--store", str(store), str(empty)],
                   check=True, capture_output=True, timeout=120)
    return store


@pytest.mark.parametrize("case", QUERIES)
def test_query_on_an_empty_store_imports_no_converter_rdflib_or_http(empty_store: Path,
                                                                      case: str) -> None:
    args, first = QUERIES[case]
    out, modules = _modules_after(["query", *args, "--store", str(empty_store)])
    assert out.startswith(first)  # the header: the query ran
    assert [m for m in modules if m.split(".")[0] == "lod"]  # the check itself sees lod
    imported = [name for name in NOT_FOR_EMBEDDED_QUERY
                if any(m == name or m.startswith(name + ".") for m in modules)]
    assert imported == []


def test_a_query_on_a_server_still_finds_the_http_client() -> None:
    # the remote store is imported when --endpoint asks for it (nothing listens on port 9)
    done = subprocess.run([sys.executable, "-m", "lod", "query", "sponsors", "--endpoint",
                           "http://127.0.0.1:9/sparql", "--timeout", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


def test_load_still_finds_what_it_imports_lazily(tmp_path: Path) -> None:
    # the lazy imports moved out of module level must still be there when a load needs them
    record = tmp_path / "one.jsonl"
    record.write_text('{"dataset_schema": {"name": "One"}, "extra_data": {"harmony_id": "t/1"}}\n')
    _, modules = _modules_after(["load", "-q", "--store", str(tmp_path / "store"), str(record)])
    assert {"lod.readers", "lod.converter.core", "yaml"} <= set(modules)
