"""``/sparql`` over HTTP: the SPARQL 1.1 Protocol's three ways in, result formats by Accept
(q-values, 406), the dataset parameters, errors, the token, CORS, the service description."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from lod.serve.app import embedded_backend
from tests.fixtures_serve import EX, config_for, free_port, sample_store, serve_app

TOKEN = "test-token-123"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with writes on over a small store."""
    store = sample_store(tmp_path_factory.mktemp("serve") / "store")
    port = free_port()
    config = config_for(port, update_token=TOKEN, max_rows=50,
                        public_url="https://data.example.org/lod/")
    with serve_app(config, embedded_backend(store, config), port, max_body=100_000) as url:
        yield url


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = sample_store(tmp_path_factory.mktemp("serve-ro") / "store")
    port = free_port()
    config = config_for(port)
    with serve_app(config, embedded_backend(store, config), port) as url:
        yield url


SELECT = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"


def _rows(response: httpx.Response, fmt: str = "json") -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    result = Result.parse(io.BytesIO(response.content), format=fmt)
    return [(str(row[0]), str(row[1])) for row in result]  # type: ignore[index]


def test_select_by_get_form_post_and_direct_post(server: str) -> None:
    expected = [(EX + "a", "one"), (EX + "b", "two")]
    sparql = server + "sparql"
    got = httpx.get(sparql, params={"query": SELECT}, headers={"Accept": JSON})
    assert got.headers["content-type"].startswith(JSON)
    assert _rows(got) == expected
    assert _rows(httpx.post(sparql, data={"query": SELECT}, headers={"Accept": JSON})) == expected
    direct = httpx.post(sparql, content=SELECT.encode(),
                        headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert _rows(direct) == expected


@pytest.mark.parametrize(("accept", "media_type", "fmt"), [
    ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    ("text/csv", "text/csv", "csv"),
    ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml", "xml"),
    ("*/*", JSON, "json"),
])
def test_select_result_formats_by_accept(server: str, accept: str, media_type: str, fmt: str) -> None:
    response = httpx.get(server + "sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"] == "Accept"
    rows = _rows(response, fmt)
    if fmt == "tsv":  # rdflib's TSV reader keeps the terms; compare their values
        assert [r[0] for r in rows] == [EX + "a", EX + "b"]
    else:
        assert rows == [(EX + "a", "one"), (EX + "b", "two")]


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
])
def test_construct_in_each_rdf_syntax(server: str, accept: str, rdflib_format: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/g1> { ?s ?p ?o } }"
    response = httpx.get(server + "sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    got = Graph().parse(data=response.content, format=rdflib_format)
    expected = Graph()
    expected.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("one")))
    expected.add((URIRef(EX + "b"), URIRef(EX + "p"), Literal("two", lang="en")))
    assert isomorphic(got, expected)


def test_ask_and_406(server: str) -> None:
    ask = httpx.get(server + "sparql", params={"query": "ASK { ?s ?p 'one' }"}, headers={"Accept": JSON})
    assert ask.json() == {"head": {}, "boolean": True}
    refused = httpx.get(server + "sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    graph_only = httpx.get(server + "sparql", params={"query": "ASK {}"}, headers={"Accept": "text/turtle"})
    assert graph_only.status_code == 406
    assert "boolean" in graph_only.text


def test_syntax_error_is_400_with_the_parsers_message(server: str) -> None:
    response = httpx.get(server + "sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "invalid SPARQL query" in response.text
    assert "1:" in response.text or "line" in response.text or "expected" in response.text


def test_protocol_dataset_parameters(server: str) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    only_g2 = httpx.get(server + "sparql", params={"query": query, "default-graph-uri": EX + "g2"},
                        headers={"Accept": JSON})
    assert sorted(r[0] for r in _rows_one(only_g2)) == [EX + "c", EX + "d"]
    named = httpx.post(server + "sparql", data={
        "query": "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": EX + "g1"},
        headers={"Accept": JSON})
    assert {g for g, _ in _rows(named)} == {EX + "g1"}


def _rows_one(response: httpx.Response) -> list[tuple[str]]:
    assert response.status_code == 200, response.text
    return [(str(row[0]),) for row in Result.parse(io.BytesIO(response.content), format="json")]  # type: ignore[index]


def test_malformed_requests_are_4xx(server: str) -> None:
    sparql = server + "sparql"
    assert httpx.put(sparql, content=b"ASK {}").status_code == 405
    assert httpx.get(sparql + "?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    assert httpx.post(sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    utf16 = httpx.post(sparql, content="ASK {}".encode("utf-16"),
                       headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert utf16.status_code == 415
    assert httpx.get(sparql, params={"update": "CLEAR ALL"}).status_code == 400
    assert httpx.get(sparql, params={"query": "ASK {}", "default-graph-uri": "not an iri"}).status_code == 400


class CountingListener:
    """A loopback TCP listener that counts connections: nothing may reach it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.hits = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()


def test_service_and_load_are_refused_and_nothing_is_contacted(server: str) -> None:
    listener = CountingListener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        response = httpx.get(server + "sparql", params={"query": query})
        assert response.status_code == 400
        assert "SERVICE is not allowed" in response.text
        update = httpx.post(server + "sparql", data={"update": f"LOAD <{listener.url}>"},
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert update.status_code == 400
        assert "LOAD is not allowed" in update.text
    finally:
        listener.close()
    assert listener.hits == 0


def test_updates_need_the_token(server: str) -> None:
    update = f"INSERT DATA {{ GRAPH <{EX}new> {{ <{EX}x> <{EX}p> 'added' }} }}"
    sparql = server + "sparql"
    assert httpx.post(sparql, data={"update": update}).status_code == 401
    wrong = httpx.post(sparql, data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "WWW-Authenticate" in wrong.headers
    ok = httpx.post(sparql, content=update.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 204, ok.text
    seen = httpx.get(sparql, params={"query": f"ASK {{ GRAPH <{EX}new> {{ ?s ?p 'added' }} }}"},
                     headers={"Accept": JSON})
    assert seen.json()["boolean"] is True
    bad = httpx.post(sparql, data={"update": "INSERT DATA {"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400
    assert "invalid SPARQL update" in bad.text


def test_update_with_protocol_using_graph(server: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    setup = f"INSERT DATA {{ GRAPH <{EX}src> {{ <{EX}doc> a <{EX}Doc> }} }}"
    assert httpx.post(server + "sparql", content=setup.encode(), headers=headers).status_code == 204
    copy = f"INSERT {{ GRAPH <{EX}dst> {{ ?s a <{EX}Copied> }} }} WHERE {{ ?s a <{EX}Doc> }}"
    response = httpx.post(server + "sparql", params={"using-graph-uri": EX + "src"},
                          content=copy.encode(), headers=headers)
    assert response.status_code == 204, response.text
    ask = f"ASK {{ GRAPH <{EX}dst> {{ <{EX}doc> a <{EX}Copied> }} }}"
    assert httpx.get(server + "sparql", params={"query": ask}).json()["boolean"] is True
    both = httpx.post(server + "sparql", params={"using-graph-uri": EX + "src"},
                      content=("WITH <http://example.org/src> " + copy).encode(), headers=headers)
    assert both.status_code == 400


def test_read_only_server_refuses_every_update(read_only: str) -> None:
    response = httpx.post(read_only + "sparql", data={"update": "CLEAR ALL"},
                          headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403
    assert "read-only" in response.text
    assert httpx.get(read_only + "sparql", params={"query": "ASK { ?s ?p 'one' }"}).json()["boolean"]


def test_cors_on_get_and_options(server: str) -> None:
    got = httpx.get(server + "sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert got.headers["access-control-allow-origin"] == "*"
    pre = httpx.options(server + "sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204
    assert "POST" in pre.headers["access-control-allow-methods"]


def test_service_description_names_the_public_url(server: str) -> None:
    response = httpx.get(server + "sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = Graph().parse(data=response.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = set(g.objects(None, URIRef(sd + "endpoint")))
    assert endpoints == {URIRef("https://data.example.org/lod/sparql")}
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in g


def test_browser_without_a_query_gets_the_query_page(server: str) -> None:
    response = httpx.get(server + "sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_row_limit_refuses_rather_than_cuts(server: str) -> None:
    many = ("SELECT ?n WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 } VALUES ?b { 1 2 3 4 5 6 7 8 } "
            "BIND(?a * 10 + ?b AS ?n) }")
    response = httpx.get(server + "sparql", params={"query": many}, headers={"Accept": JSON})
    assert response.status_code == 413
    assert "more than 50 rows" in response.text
    fits = httpx.get(server + "sparql", params={"query": many + " LIMIT 50"}, headers={"Accept": JSON})
    assert len(fits.json()["results"]["bindings"]) == 50


def test_body_and_url_limits(server: str) -> None:
    big = "ASK {} #" + "x" * 200_000
    response = httpx.post(server + "sparql", content=big.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    long_url = httpx.get(server + "sparql", params={"query": "ASK {} #" + "x" * 20_000})
    assert long_url.status_code == 414
    many_headers = httpx.get(server + "sparql", params={"query": "ASK {}"},
                             headers={f"X-Filler-{i}": "y" * 1000 for i in range(40)})
    assert many_headers.status_code == 431


def test_results_are_json_that_parses(server: str) -> None:
    response = httpx.get(server + "sparql", params={"query": "SELECT ?o { ?s ?q ?o FILTER(isNumeric(?o)) }"},
                         headers={"Accept": JSON})
    data = json.loads(response.content)
    assert data["results"]["bindings"] == [
        {"o": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


def test_store_folder_must_exist(tmp_path: Path) -> None:
    from lod.errors import StoreMissingError
    with pytest.raises(StoreMissingError):
        embedded_backend(tmp_path / "none", config_for(1))
