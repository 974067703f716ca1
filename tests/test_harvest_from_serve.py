"""The real round trip: ``lod serve`` publishes store A's feed, ``lod harvest`` reads it into
store B, and every study's graph in B is isomorphic to A's, apart from harvest provenance."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from lod.store import open_store
from tests.catalog_feed import study_graphs
from tests.fixtures_store import free_port
from tests.harvest_util import run_harvest, summary
from tests.paths import STUDIES
from tests.test_harvest_roundtrip import graph


@pytest.fixture
def served_a(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    from click.testing import CliRunner

    from lod.cli import cli

    store_a = tmp_path / "a"
    loaded = CliRunner().invoke(cli, ["load", str(STUDIES), "--store", str(store_a), "-q"])
    assert loaded.exit_code == 0, loaded.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "lod", "serve", "--store", str(store_a),
                               "--port", str(port), "--page-size", "4"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "catalog.ttl", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "lod serve did not start"
            time.sleep(0.2)
        yield base, store_a
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_harvesting_lod_serve_gives_back_every_study(served_a: tuple[str, Path], tmp_path: Path) -> None:
    base, store_a = served_a
    result = run_harvest(tmp_path / "b", base + "catalog.ttl")
    assert result.exit_code == 0, result.stderr
    with open_store(store_dir=store_a, read_only=True) as a:
        studies = study_graphs(a)
        wanted = {study: graph(a, study) for study in studies}
        nodes = [g for g in a.graphs() if g not in wanted and not g.startswith("urn:lod:")]
        wanted_nodes = {node: graph(a, node) for node in nodes}
    s = summary(result)
    assert len(studies) >= 18
    assert (s.datasets, s.added, s.rejected) == (len(studies), len(studies), 0)
    assert s.pages == -(-len(studies) // 4)
    with open_store(store_dir=str(tmp_path / "b"), read_only=True) as b:
        for study, want in wanted.items():
            got = graph(b, study, strip=True)
            if not isomorphic(want, got):
                _, only_a, only_b = graph_diff(to_isomorphic(want), to_isomorphic(got))
                pytest.fail(f"{study}: only in A {sorted(only_a)[:5]}, only in B {sorted(only_b)[:5]}")
        # the shared nodes (organisations, concepts, places, catalogues) the feed describes come
        # back exactly as A has them, whichever study named them first
        assert len(wanted_nodes) > 20
        for node, want in wanted_nodes.items():
            got = graph(b, node)
            if not isomorphic(want, got):
                _, only_a, only_b = graph_diff(to_isomorphic(want), to_isomorphic(got))
                pytest.fail(f"{node}: only in A {sorted(only_a)[:5]}, only in B {sorted(only_b)[:5]}")
    again = run_harvest(tmp_path / "b", base + "catalog.ttl")
    s2 = summary(again)
    assert (s2.added, s2.changed, s2.unchanged) == (0, 0, len(studies))


