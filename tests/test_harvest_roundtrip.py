"""Round trip: a lod store's feed (store A, loaded from samples/studies) harvested into store B
gives every study the same graph, apart from the harvest provenance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from lod.harvest import without_provenance
from lod.store import Store, open_store
from tests.catalog_feed import GRAPH_TRIPLES, publish, study_graphs
from tests.harvest_server import Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import STUDIES


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def graph(store: Store, iri: str, *, strip: bool = False) -> rdflib.Graph:
    data = store.construct(GRAPH_TRIPLES, {"g": rdflib.URIRef(iri)})
    if strip:
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        data = "".join(f"{t} .\n" for t in without_provenance(triples, iri)).encode()
    return rdflib.Graph().parse(data=data, format="nt")


def test_every_study_comes_back_isomorphic(server: Server, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lod.cli import cli

    loaded = CliRunner().invoke(cli, ["load", str(STUDIES), "--store", str(tmp_path / "a"), "-q"])
    assert loaded.exit_code == 0, loaded.stderr
    with open_store(store_dir=str(tmp_path / "a")) as a:
        url = publish(server, a, per_page=4)
        studies = study_graphs(a)
        assert len(studies) >= 18
        result = run_harvest(tmp_path / "b", url)
        assert result.exit_code == 0, result.stderr
        s = summary(result)
        assert (s.datasets, s.added, s.rejected) == (len(studies), len(studies), 0)
        assert s.pages == -(-len(studies) // 4)
        with open_store(store_dir=str(tmp_path / "b")) as b:
            for study in studies:
                want, got = graph(a, study), graph(b, study, strip=True)
                if not isomorphic(want, got):
                    _, only_a, only_b = graph_diff(to_isomorphic(want), to_isomorphic(got))
                    pytest.fail(f"{study}: only in A {sorted(only_a)[:5]}, only in B {sorted(only_b)[:5]}")
                # and the provenance is there, separable
                assert len(graph(b, study)) > len(got)
