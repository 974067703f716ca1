"""The whole ``lod serve`` app reads a study's description and feed pages in its query
workers by quad lookups (lod.serve.content); what it serves must be what the web routes
serve by SPARQL over the same store (tests.web_server, the Store API)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from lod.serve.app import embedded_backend
from lod.store import open_store
from tests.fixtures_serve import config_for, free_port, serve_app
from tests.web_server import BASE, corpus, load, serving

SEED = "study/ukds/851986"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
SYNTAXES = {".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("content") / "store"
    with open_store(store_dir=path) as store:
        load(store, corpus())
    return path


@pytest.fixture(scope="module")
def both(store_dir: Path) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """(the serve app with its workers, the web routes over the Store API)."""
    port = free_port()
    config = config_for(port, public_url="http://lod.example/")
    with serve_app(config, embedded_backend(store_dir, config), port) as url, \
            httpx.Client(base_url=url) as workers, open_store(store_dir=store_dir) as store, \
                serving(store, public_url="http://lod.example/") as (bind, _), \
                httpx.Client(base_url=bind) as by_sparql:
        yield workers, by_sparql


def _triples(body: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=fmt)}


@pytest.mark.parametrize("rest", [SEED, "study/closer/avon-longitudinal-study-of-parents-and-children",
                                  "organisation/esrc", "keyword/health", "catalogue/ukds"])
def test_an_id_document_is_the_same_either_way(both: tuple[httpx.Client, httpx.Client],
                                               rest: str) -> None:
    workers, by_sparql = both
    served = workers.get("/id/" + rest + ".nt")
    for suffix, fmt in SYNTAXES.items():
        a, b = (c.get("/id/" + rest + suffix) for c in both)
        assert a.status_code == b.status_code == 200
        assert _triples(a.content, fmt) == _triples(b.content, fmt), suffix
        assert a.headers["content-type"] == b.headers["content-type"]
    assert served.status_code == 200, served.text
    assert _triples(served.content) == _triples(by_sparql.get("/id/" + rest + ".nt").content)
    if rest.startswith("study/"):
        assert ox.Triple(ox.NamedNode(BASE + rest), RDF_TYPE, DATASET) in _triples(served.content)
    assert workers.get("/id/" + rest).status_code == 200  # the HTML page, from the same read


def test_study_pages_the_workers_render_are_the_pages_the_server_renders(
        both: tuple[httpx.Client, httpx.Client], store_dir: Path) -> None:
    """The workers render study pages beside the read (lod.serve.web.study); over SPARQL
    the server renders them itself. Both must write the same bytes, for every study."""
    store = ox.Store.read_only(str(store_dir))
    studies = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, DATASET)
                      if q.graph_name == q.subject})
    assert len(studies) >= 18
    for study in studies:
        path = "/id/" + study.removeprefix(BASE)
        for asked, headers in ((path, {"accept": "text/html"}), (path + ".html", {})):
            a, b = (c.get(asked, headers=headers) for c in both)
            assert a.status_code == b.status_code == 200, (asked, a.text[:200])
            assert a.headers["content-type"] == b.headers["content-type"] == "text/html; charset=utf-8"
            assert a.headers.get("content-location") == b.headers.get("content-location")
            assert a.text == b.text, asked
            assert '<script type="application/ld+json">' in a.text


def test_feed_pages_are_the_same_either_way(both: tuple[httpx.Client, httpx.Client]) -> None:
    workers, by_sparql = both
    page, pages = "/catalog.nt", 0
    while page:
        a, b = workers.get(page), by_sparql.get(page)
        assert a.status_code == b.status_code == 200
        assert _triples(a.content) == _triples(b.content)
        nxt = [t.object.value for t in _triples(a.content)
               if t.predicate.value == "http://www.w3.org/ns/hydra/core#next"]
        page = nxt[0].removeprefix("http://lod.example") if nxt else ""
        pages += 1
    assert pages >= 1


@pytest.mark.parametrize("suffix", sorted(SYNTAXES))
def test_a_feed_page_the_worker_writes_is_the_same_in_every_syntax(
        both: tuple[httpx.Client, httpx.Client], suffix: str) -> None:
    workers, by_sparql = both
    a, b = workers.get("/catalog" + suffix), by_sparql.get("/catalog" + suffix)
    assert a.status_code == b.status_code == 200
    assert a.headers["content-type"] == b.headers["content-type"]
    found = _triples(a.content, SYNTAXES[suffix])
    assert found == _triples(b.content, SYNTAXES[suffix])
    assert sum(t.object == DATASET for t in found) >= 4  # the page's datasets, described


def test_unknown_and_non_study_iris(both: tuple[httpx.Client, httpx.Client]) -> None:
    workers, _ = both
    assert workers.get("/id/study/nothing-like-this.ttl").status_code == 404
    assert workers.get("/id/organisation/nothing-like-this.ttl").status_code == 404


def test_shared_graphs_kept_between_pages_change_nothing(store_dir: Path) -> None:
    from lod.serve import content

    store = ox.Store.read_only(str(store_dir))
    datasets = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, DATASET)
                       if q.graph_name == q.subject})
    assert len(datasets) >= 18
    pages = [datasets[i:i + 4] for i in range(0, len(datasets), 4)]
    for limit in (3, 20_000):  # dropped and read again when full; kept whole
        kept = content.SharedGraphs(limit)
        for _ in range(2):  # the second time, every shared graph comes from what was kept
            for page in pages:
                assert content.content(store, page, kept) == content.content(store, page)
        assert 0 < len(kept._kept) <= limit


def test_a_study_read_for_its_page_is_its_content_indexed(store_dir: Path) -> None:
    """``content.indexed`` (a study page's read) holds exactly the triples ``content.content``
    reads, and counts them the same, whatever shared graphs were kept before."""
    from lod.serve import content

    store = ox.Store.read_only(str(store_dir))
    datasets = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, DATASET)
                       if q.graph_name == q.subject})
    for limit in (3, 20_000):
        kept = content.SharedGraphs(limit)
        for _ in range(2):
            for iri in datasets:
                expected = content.content(store, [iri])
                objects, size = content.indexed(store, iri, kept)
                found = {ox.Triple(s, p, o) for (s, p), values in objects.items() for o in values}
                assert found == set(expected), iri
                assert size == len(expected) == sum(len(v) for v in objects.values()), iri
