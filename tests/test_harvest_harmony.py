"""``--from harmony``: paging a Harmony Discovery search endpoint served from saved responses
(records shaped like the corpus), including a server that ignores ``offset``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from lod.converter.core import Converter
from lod.harvest import without_provenance
from lod.records import Origin, Record
from lod.store import open_store
from tests.harvest_server import Request, Response, Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST

OFFSETS = (0, 2, 4)


def saved(offset: int) -> bytes:
    return (HARVEST / f"harmony/search-offset-{offset}.json").read_bytes()


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def paging_api(request: Request) -> Response:
    params = dict(p.split("=", 1) for p in request.query.split("&") if "=" in p)
    offset = int(params.get("offset", "0"))
    if offset not in OFFSETS:
        return 200, {"Content-Type": "application/json"}, b'{"results": [], "num_hits": 5}'
    return 200, {"Content-Type": "application/json"}, saved(offset)


def test_pages_through_the_search_and_converts_like_lod_convert(server: Server, tmp_path: Path) -> None:
    server.routes["/discover/search"] = paging_api
    result = run_harvest(tmp_path / "s", "--from", "harmony",
                         server.base + "/discover/search?query=health&num_results=2")
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert (s.pages, s.added, s.rejected) == (3, s.datasets, 0)
    asked = [r.query for r in server.requests]
    assert asked == [f"query=health&num_results=2&offset={n}" for n in OFFSETS]
    # each study's graph is what lod convert makes of the record, plus provenance
    converter = Converter("https://w3id.org/lod-studies/id/")
    expected: dict[str, rdflib.Graph] = {}
    for offset in OFFSETS:
        for index, record in enumerate(json.loads(saved(offset))["results"]):
            conversion = converter.convert(Record(record, Origin("saved", index=index)))
            for graph in conversion.graphs:
                if not graph.shared:
                    expected[graph.iri] = as_stored(graph.text())
    assert s.datasets == len(expected) >= 5
    with open_store(store_dir=str(tmp_path / "s")) as store:
        for iri, want in expected.items():
            data = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                   {"g": rdflib.URIRef(iri)})
            got = rdflib.Graph().parse(data=data, format="nt")
            lod = rdflib.Namespace("https://w3id.org/lod-studies/vocab#")
            got.remove((None, lod.coverageYears, None))  # the index triple lod load adds too
            stripped = without_provenance_rdflib(got, iri)
            assert isomorphic(stripped, want), (iri, set(stripped) ^ set(want))
    again = summary(run_harvest(tmp_path / "s", "--from", "harmony",
                                server.base + "/discover/search?query=health&num_results=2"))
    assert (again.added, again.changed, again.unchanged) == (0, 0, s.datasets)


def as_stored(ntriples: str) -> rdflib.Graph:
    """N-Triples as an Oxigraph store gives them back (it stores xsd:nonNegativeInteger as
    xsd:integer, for one)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    text = ox.serialize(store, format=ox.RdfFormat.N_QUADS) or b""
    return rdflib.Graph().parse(data=text.decode(), format="nt")


def without_provenance_rdflib(graph: rdflib.Graph, iri: str) -> rdflib.Graph:
    import pyoxigraph as ox

    triples = list(ox.parse(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES))
    kept = without_provenance([q.triple for q in triples], iri)
    text = "".join(f"{t} .\n" for t in kept)
    return rdflib.Graph().parse(data=text, format="nt")


def test_a_server_that_ignores_offset_stops_on_the_page_with_nothing_new(server: Server,
                                                                         tmp_path: Path) -> None:
    server.routes["/discover/search"] = lambda _: (200, {"Content-Type": "application/json"}, saved(0))
    result = run_harvest(tmp_path / "s", "--from", "harmony",
                         server.base + "/discover/search?query=x&num_results=2")
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert s.pages == 2 and s.added == s.datasets
    assert len(server.requests) == 2


def test_short_and_empty_pages_end_the_run(server: Server, tmp_path: Path) -> None:
    server.routes["/discover/search"] = paging_api
    # 100 per page by default: the first page is short
    s = summary(run_harvest(tmp_path / "s", "--from", "harmony", server.base + "/discover/search?query=x"))
    assert s.pages == 1
    server.routes["/empty"] = lambda _: (200, {"Content-Type": "application/json"},
                                         b'{"results": [], "num_hits": 0}')
    s = summary(run_harvest(tmp_path / "t", "--from", "harmony", server.base + "/empty"))
    assert (s.pages, s.datasets) == (1, 0)


def test_a_bad_response_and_a_bad_result_are_reported(server: Server, tmp_path: Path) -> None:
    server.routes["/html"] = lambda _: (200, {"Content-Type": "text/html"}, b"<html></html>")
    result = run_harvest(tmp_path / "s", "--from", "harmony", server.base + "/html")
    assert result.exit_code == 2 and "not JSON" in result.stderr
    body = json.loads(saved(4))
    body["results"].append(["not", "a", "record"])
    server.routes["/bad"] = lambda _: (200, {"Content-Type": "application/json"}, json.dumps(body).encode())
    result = run_harvest(tmp_path / "t", "--from", "harmony", server.base + "/bad")
    assert result.exit_code == 1
    assert "result 1: rejected" in result.stderr
    assert summary(result).rejected == 1
