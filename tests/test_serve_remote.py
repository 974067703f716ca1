"""``lod serve --endpoint``: the same app over a remote SPARQL server (Virtuoso, started by
the ``virtuoso_server`` fixture): queries forwarded with the time limit, writes with the token."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
import pytest
from rdflib import Graph
from rdflib.query import Result

from lod.serve.app import remote_backend
from lod.store.base import Store
from lod.store.remote import RemoteStore
from tests.fixtures_serve import EX, SAMPLE_NQ, config_for, free_port, serve_app

pytestmark = pytest.mark.virtuoso
TOKEN = "remote-token"
JSON = "application/sparql-results+json"


def test_queries_graphs_and_updates_through_virtuoso(make_store: Callable[..., Store]) -> None:
    store = make_store("virtuoso")
    assert isinstance(store, RemoteStore)
    store.replace_graphs(SAMPLE_NQ, [EX + "g1", EX + "g2"])
    port = free_port()
    config = config_for(port, update_token=TOKEN)
    with serve_app(config, remote_backend(store, config), port) as url:
        select = httpx.get(url + "sparql", headers={"Accept": JSON}, params={
            "query": f"SELECT ?o WHERE {{ GRAPH <{EX}g1> {{ <{EX}a> <{EX}p> ?o }} }}"})
        assert select.status_code == 200, select.text
        rows = list(Result.parse(io.BytesIO(select.content), format="json"))
        assert [str(r[0]) for r in rows] == ["one"]  # type: ignore[index]
        construct = httpx.get(url + "sparql", headers={"Accept": "text/turtle"}, params={
            "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}g2> {{ ?s ?p ?o }} }}"})
        assert construct.headers["content-type"].startswith("text/turtle")
        assert len(Graph().parse(data=construct.content, format="turtle")) == 2
        graph = httpx.get(url + "graph-store", params={"graph": EX + "g1"},
                          headers={"Accept": "application/n-triples"})
        assert len(Graph().parse(data=graph.content, format="nt")) == 2
        assert httpx.get(url + "graph-store", params={"graph": EX + "none"}).status_code == 404
        bad = httpx.get(url + "sparql", params={"query": "SELECT ?x WHERE {"})
        assert bad.status_code == 400
        update = f"INSERT DATA {{ GRAPH <{EX}g3> {{ <{EX}x> <{EX}p> 'remote' }} }}"
        assert httpx.post(url + "sparql", data={"update": update}).status_code == 401
        ok = httpx.post(url + "sparql", data={"update": update},
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 204, ok.text
        ask = httpx.get(url + "sparql", headers={"Accept": JSON},
                        params={"query": f"ASK {{ GRAPH <{EX}g3> {{ ?s ?p 'remote' }} }}"})
        assert ask.json()["boolean"] is True
    store.delete_graphs([EX + "g3"])
