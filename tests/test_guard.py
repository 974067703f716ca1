"""No query or update makes lod contact another host: SERVICE and LOAD are refused.

A real HTTP server on loopback counts the requests it gets; the baseline test shows that
pyoxigraph on its own does contact it, so the refusal tests can fail.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from lod.cli import cli
from lod.errors import QueryError
from lod.store import open_store
from lod.store.guard import check_query, check_update


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def _answer(self) -> None:
        self.hits.append(self.command)
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


def test_pyoxigraph_alone_does_contact_the_service(listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
    assert hits, "the baseline must reach the server, or the refusal tests prove nothing"


def test_lod_query_refuses_service(tmp_path: Path, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    store = tmp_path / "s"
    open_store(store_dir=store).close()
    result = CliRunner().invoke(
        cli, ["query", "--store", str(store), "--sparql",
               f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
    assert result.exit_code == 2, result.output
    assert "SERVICE is not allowed" in result.output
    assert "Traceback" not in result.output
    assert hits == []


def test_rq_file_with_service_is_refused(tmp_path: Path, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    store = tmp_path / "s"
    open_store(store_dir=store).close()
    rq = tmp_path / "sneaky.rq"
    rq.write_text(f"# a harmless query\nSELECT * WHERE {{\n  service <{url}> {{ ?s ?p ?o }}\n}}\n")
    result = CliRunner().invoke(cli, ["query", "--store", str(store), str(rq)])
    assert result.exit_code == 2, result.output
    assert "line 3" in result.output
    assert hits == []


def test_update_with_load_is_refused(tmp_path: Path, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    with open_store(store_dir=tmp_path / "s") as store:
        with pytest.raises(QueryError, match="LOAD is not allowed"):
            store.update(f"LOAD <{url}> INTO GRAPH <urn:g>")
        with pytest.raises(QueryError, match="SERVICE is not allowed"):
            store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert hits == []


ALLOWED_QUERIES = [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> { }" }',
    "SELECT * WHERE { ?s ?p '''multi\nline SERVICE'''}",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # SERVICE <x> {}",
    'SELECT * WHERE { ?s ?p "x"@service }',
    "SELECT $service WHERE { $service ?p 1.5e3 }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p) }",
]
REFUSED_QUERIES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)SERVICE<http://example.org/>{?s ?p ?o} }",
    "SELECT * WHERE { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { Service <http://e.org/> { ?s ?p ?o } } } }",
]


@pytest.mark.parametrize("query", ALLOWED_QUERIES)
def test_allowed_queries_pass(query: str) -> None:
    check_query(query)
    assert "ServiceGraphPattern" not in repr(parseQuery(query))


@pytest.mark.parametrize("query", REFUSED_QUERIES)
def test_refused_queries_are_the_ones_rdflib_parses_as_service(query: str) -> None:
    assert "ServiceGraphPattern" in repr(parseQuery(query))
    with pytest.raises(QueryError):
        check_query(query)


def test_update_keywords() -> None:
    check_update("INSERT DATA { <urn:a> <urn:load> 'LOAD <x>' }")
    for update in ("LOAD <http://example.org/x>", "load silent <http://e.org/x> into graph <urn:g>"):
        assert "Load" in repr(parseUpdate(update))
        with pytest.raises(QueryError):
            check_update(update)
