"""``/graph-store`` (Graph Store Protocol) and ``/queries`` over HTTP, and SPARQLWrapper (the
client SPARQL users reach for first) against the running server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from lod.cli import cli
from lod.serve.app import embedded_backend
from tests.fixtures_serve import EX, config_for, free_port, sample_store, serve_app
from tests.paths import HARMONY

TOKEN = "gsp-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TTL = "text/turtle; charset=utf-8"
DOC = f"<{EX}s> <{EX}p> \"hello\"@en ; <{EX}q> <rel> .\n"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("gsp") / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(store), str(HARMONY)])
    assert result.exit_code == 0, result.output
    sample_store(store)
    return store


NAMED_CASES = {
    "sponsors": [], "keywords": [], "studies-by-sponsor": ["sponsor=esrc"],
    "studies-in-period": ["from=1990", "to=2010"],
}


@pytest.fixture(scope="module")
def lod_query_answers(store_dir: Path) -> dict[str, bytes]:
    """What ``lod query NAME -f json`` answers, asked before the server holds the store."""
    answers = {}
    for name, params in NAMED_CASES.items():
        args = ["query", "--store", str(store_dir), name, "-f", "json"]
        for param in params:
            args += ["-p", param]
        local = CliRunner().invoke(cli, args)
        assert local.exit_code == 0, local.output
        answers[name] = local.output.encode()
    return answers


@pytest.fixture(scope="module")
def server(store_dir: Path, lod_query_answers: dict[str, bytes]) -> Iterator[str]:
    store = store_dir
    port = free_port()
    config = config_for(port, update_token=TOKEN)
    with serve_app(config, embedded_backend(store, config), port) as url:
        yield url


def _graph(text: bytes | str, fmt: str = "turtle") -> Graph:
    return Graph().parse(data=text, format=fmt)


def test_put_get_head_post_delete(server: str) -> None:
    gs = server + "graph-store"
    graph = {"graph": EX + "doc"}
    assert httpx.put(gs, params=graph, content=DOC, headers={"Content-Type": TTL}).status_code == 401
    put = httpx.put(gs, params=graph, content=DOC, headers={"Content-Type": TTL, **AUTH})
    assert put.status_code == 201, put.text
    again = httpx.put(gs, params=graph, content=DOC, headers={"Content-Type": TTL, **AUTH})
    assert again.status_code == 204
    got = httpx.get(gs, params=graph, headers={"Accept": "text/turtle"})
    assert got.headers["content-type"] == TTL
    expected = Graph()
    expected.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("hello", lang="en")))
    expected.add((URIRef(EX + "s"), URIRef(EX + "q"), URIRef(EX + "rel")))  # relative: the graph's IRI
    assert isomorphic(_graph(got.content), expected)
    head = httpx.head(gs, params=graph, headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["content-type"] == TTL
    assert httpx.head(gs, params={"graph": EX + "nothing"}).status_code == 404
    more = f"<{EX}s2> <{EX}p> \"more\" .".encode()
    post = httpx.post(gs, params=graph, content=more,
                      headers={"Content-Type": "application/n-triples", **AUTH})
    assert post.status_code == 204
    nt = httpx.get(gs, params=graph, headers={"Accept": "application/n-triples"})
    assert len(_graph(nt.content, "nt")) == 3
    assert httpx.delete(gs, params=graph).status_code == 401
    assert httpx.delete(gs, params=graph, headers=AUTH).status_code == 204
    assert httpx.get(gs, params=graph).status_code == 404
    assert httpx.delete(gs, params=graph, headers=AUTH).status_code == 404


def test_default_graph_multipart_and_new_graphs(server: str) -> None:
    gs = server + "graph-store"
    put = httpx.put(gs, params={"default": ""}, content=DOC, headers={"Content-Type": TTL, **AUTH})
    assert put.status_code in (200, 201, 204)
    got = httpx.get(gs + "?default", headers={"Accept": "application/n-triples"})
    assert len(_graph(got.content, "nt")) == 2
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.ttl\"\r\n"
            f"Content-Type: text/turtle\r\n\r\n<{EX}m1> <{EX}p> 1 .\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.nt\"\r\n"
            f"Content-Type: application/n-triples\r\n\r\n<{EX}m2> <{EX}p> \"2\" .\r\n"
            f"--{boundary}--\r\n").encode()
    multi = httpx.post(gs, params={"graph": EX + "multi"}, content=body,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **AUTH})
    assert multi.status_code == 201, multi.text
    assert len(_graph(httpx.get(gs, params={"graph": EX + "multi"}).content)) == 2
    created = httpx.post(gs, content=DOC, headers={"Content-Type": TTL, **AUTH})
    assert created.status_code == 201
    location = created.headers["location"]
    assert location.startswith(server + "graph-store/")
    direct = httpx.get(location, headers={"Accept": "text/turtle"})
    assert direct.status_code == 200
    assert len(_graph(direct.content)) == 2


def test_bad_bodies_and_targets(server: str) -> None:
    gs = server + "graph-store"
    target = {"graph": EX + "bad"}
    bad = httpx.put(gs, params=target, content=b"<a> <b", headers={"Content-Type": TTL, **AUTH})
    assert bad.status_code == 400
    assert "invalid turtle" in bad.text
    odd = httpx.put(gs, params=target, content=b"x", headers={"Content-Type": "image/png", **AUTH})
    assert odd.status_code == 415
    assert httpx.get(gs).status_code == 400
    assert httpx.get(gs, params=[("graph", EX + "a"), ("graph", EX + "b")]).status_code == 400
    assert httpx.get(gs, params={"graph": EX + "g1"}, headers={"Accept": "image/png"}).status_code == 406


def test_named_queries_list_and_run(server: str) -> None:
    listing = httpx.get(server + "queries").json()
    names = {q["name"] for q in listing}
    assert {"sponsors", "keywords", "studies-by-sponsor"} <= names
    sponsors = httpx.get(server + "queries/sponsors", headers={"Accept": "application/sparql-results+json"})
    assert sponsors.status_code == 200, sponsors.text
    rows = sponsors.json()["results"]["bindings"]
    assert rows, "the Harmony samples name sponsors"
    csv = httpx.get(server + "queries/sponsors", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == len(rows) + 1
    limited = httpx.get(server + "queries/sponsors", params={"limit": "1"})
    assert len(limited.json()["results"]["bindings"]) == 1
    assert limited.headers["x-lod-more"] == ("true" if len(rows) > 1 else "false")


@pytest.mark.parametrize("name", sorted(NAMED_CASES))
def test_named_queries_answer_as_lod_query_does(server: str, lod_query_answers: dict[str, bytes],
                                                name: str) -> None:
    query = dict(p.split("=", 1) for p in NAMED_CASES[name])
    remote = httpx.get(server + f"queries/{name}", params=query, headers={"Accept": "application/json"})
    assert remote.status_code == 200, remote.text

    def rows(data: bytes) -> list[tuple[str, ...]]:
        result = Result.parse(io.BytesIO(data), format="json")
        return sorted(tuple(str(v) for v in row) for row in result)  # type: ignore[union-attr]

    assert rows(remote.content) == rows(lod_query_answers[name])
    assert rows(remote.content), "the Harmony samples answer every one of these"


def test_named_query_errors_name_the_parameter(server: str) -> None:
    missing = httpx.get(server + "queries/studies-by-sponsor")
    assert missing.status_code == 400
    assert "sponsor" in missing.text
    unknown = httpx.get(server + "queries/sponsors", params={"colour": "red"})
    assert unknown.status_code == 400
    assert "'colour'" in unknown.text
    bad_year = httpx.get(server + "queries/studies-in-period", params={"from": "nineteen"})
    assert bad_year.status_code == 400
    assert "from" in bad_year.text
    assert httpx.get(server + "queries/no-such-query").status_code == 404


def test_sparqlwrapper_select_ask_construct_and_update(server: str) -> None:
    client = SPARQLWrapper(server + "sparql")
    client.setQuery(f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}")
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert isinstance(result, dict)
    assert [b["o"]["value"] for b in result["results"]["bindings"]] == ["one"]
    client.setQuery(f"ASK {{ <{EX}a> <{EX}p> 'one' }}")
    ask = client.query().convert()
    assert isinstance(ask, dict) and ask["boolean"] is True
    client.setQuery(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    assert isinstance(data, bytes)
    assert len(Graph().parse(io.BytesIO(data), format="turtle")) >= 2
    writer = SPARQLWrapper(server + "sparql")
    writer.setMethod(POST)
    writer.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    writer.setQuery(f"INSERT DATA {{ GRAPH <{EX}wrapped> {{ <{EX}w> <{EX}p> 'via SPARQLWrapper' }} }}")
    writer.query()
    check = SPARQLWrapper(server + "sparql")
    check.setQuery(f"ASK {{ GRAPH <{EX}wrapped> {{ ?s ?p 'via SPARQLWrapper' }} }}")
    check.setReturnFormat(JSON)
    seen = check.query().convert()
    assert isinstance(seen, dict) and seen["boolean"] is True
