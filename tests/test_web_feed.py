"""The DCAT feed as harvesters read it (ckanext-dcat, piveau): Hydra cursor paging followed
by ``hydra:next``, DCAT-AP SHACL on every page, stable paging while studies are loaded and
deleted, ``modified_since``, validators and 304s, the forms, and the gzipped dump."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from lod.store import Store, deleting, open_store
from lod.validate import validate_graph
from tests.paths import ddi_corpus, harmony_corpus
from tests.web_server import BASE, corpus, load, serving

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
PUBLIC = "https://data.example.org/lod/"
FORMS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
         "rdf": ("application/rdf+xml", "xml"), "nt": ("application/n-triples", "nt")}
OX_FORMS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
            "rdf": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(store_dir=tmp_path_factory.mktemp("feed") / "store") as store:
        load(store, corpus())
        yield store


def strict_graph(body: bytes, ext: str = "ttl") -> rdflib.Graph:
    """Parsed by pyoxigraph first (strict), then held in rdflib for SHACL and comparison."""
    triples = [q.triple for q in ox.parse(body, format=OX_FORMS[ext])]
    graph = rdflib.Graph()
    graph.parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(),
                format="nt")
    return graph


def studies_in(graph: rdflib.Graph, catalog: str) -> list[str]:
    return sorted(str(d) for d in graph.objects(rdflib.URIRef(catalog), DCAT.dataset))


def view_of(graph: rdflib.Graph) -> rdflib.term.Node:
    views = list(graph.subjects(rdflib.RDF.type, HYDRA.PartialCollectionView))
    assert len(views) == 1
    return views[0]


def local(url: str, public: str, bind: str) -> str:
    assert url.startswith(public), url
    return bind + url[len(public):]


def harvest(client: httpx.Client, bind: str, public: str, start: str = "catalog.ttl",
            between: list | None = None) -> list[list[str]]:
    """Follow hydra:next from ``start`` like a harvester; each page's dataset IRIs. Each page
    must pass the DCAT-AP shapes; ``between`` holds callables run after page 1, 2, …"""
    pages: list[list[str]] = []
    url: str | None = bind + start
    seen_urls: set[str] = set()
    while url is not None:
        assert url not in seen_urls, "the feed loops"
        seen_urls.add(url)
        response = client.get(url)
        assert response.status_code == 200, response.text
        graph = strict_graph(response.content)
        report = validate_graph(graph, recommended=False)
        assert report.violations == [], report.text()
        pages.append(studies_in(graph, public + "catalog"))
        view = view_of(graph)
        nxt = graph.value(view, HYDRA.next)
        assert nxt is None or isinstance(nxt, rdflib.URIRef)  # piveau needs an IRI
        if between and len(pages) <= len(between):
            between[len(pages) - 1]()
        url = local(str(nxt), public, bind) if nxt is not None else None
    return pages


def test_a_harvester_following_next_visits_every_study_once_and_every_page_conforms(
        loaded: Store) -> None:
    expected = sorted(str(r["d"]) for r in loaded.select(
        "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }").rows)
    assert len(expected) == 18
    with serving(loaded, public_url=PUBLIC, page_size=5) as (bind, _), httpx.Client() as client:
        pages = harvest(client, bind, PUBLIC)
        assert [len(p) for p in pages] == [5, 5, 5, 3]
        visited = [d for page in pages for d in page]
        assert sorted(visited) == expected and len(set(visited)) == len(visited)
        first = strict_graph(client.get(bind + "catalog.ttl").content)
        view = view_of(first)
        catalog = rdflib.URIRef(PUBLIC + "catalog")
        assert first.value(catalog, HYDRA.totalItems) == rdflib.Literal(18)
        assert first.value(view, HYDRA.totalItems) == rdflib.Literal(18)
        assert first.value(view, HYDRA.first) == rdflib.URIRef(PUBLIC + "catalog.ttl")
        assert first.value(view, HYDRA.previous) is None
        assert (None, rdflib.RDF.type, HYDRA.PagedCollection) not in first
        last_url = str(first.value(view, HYDRA.last))
        last = strict_graph(client.get(local(last_url, PUBLIC, bind)).content)
        assert studies_in(last, str(catalog)) == pages[-1]
        assert last.value(view_of(last), HYDRA.next) is None
        # Walking back by hydra:previous from the last page meets every page again.
        back: list[list[str]] = []
        url: str | None = last_url
        while url is not None:
            graph = strict_graph(client.get(local(url, PUBLIC, bind)).content)
            back.append(studies_in(graph, str(catalog)))
            previous = graph.value(view_of(graph), HYDRA.previous)
            url = str(previous) if previous is not None else None
        assert back == list(reversed(pages))


def test_each_dataset_carries_its_whole_named_graph(loaded: Store) -> None:
    study = "https://w3id.org/lod-studies/id/study/ukds/851986"
    stored = rdflib.Graph()
    stored.parse(data=loaded.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                       {"g": rdflib.URIRef(study)}).decode(), format="nt")
    with serving(loaded, page_size=100) as (bind, _), httpx.Client() as client:
        page = strict_graph(client.get(bind + "catalog.ttl").content)
    missing = [t for t in stored if t not in page]
    assert missing == [] and len(stored) > 50


def test_paging_is_stable_while_studies_are_loaded_and_deleted(tmp_path: Path) -> None:
    harmony = harmony_corpus()
    with open_store(store_dir=tmp_path / "store") as store:
        load(store, harmony)
        before = sorted(str(r["d"]) for r in store.select(
            "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }").rows)
        assert len(before) == 14
        deleted: list[str] = []

        def delete_visited_and_unvisited() -> None:
            # one study on the page just read, one ahead of the harvester
            for iri in (before[1], before[9]):
                deleting.delete(store, [iri])
                deleted.append(iri)

        def add_studies() -> None:
            load(store, ddi_corpus())

        with serving(store, page_size=4) as (bind, _), httpx.Client() as client:
            pages = harvest(client, bind, bind, between=[delete_visited_and_unvisited,
                                                          add_studies])
        visited = [d for page in pages for d in page]
        assert len(set(visited)) == len(visited), "a study was repeated"
        throughout = [iri for iri in before if iri not in deleted]
        assert all(visited.count(iri) == 1 for iri in throughout), "a study was skipped"
        assert before[9] not in visited and before[1] in visited


def test_modified_since_filters_on_dct_modified(loaded: Store) -> None:
    with serving(loaded) as (bind, _), httpx.Client() as client:
        def found(value: str) -> list[str]:
            response = client.get(bind + "catalog.ttl", params={"modified_since": value})
            assert response.status_code == 200, response.text
            graph = strict_graph(response.content)
            assert validate_graph(graph, recommended=False).violations == []
            return studies_in(graph, bind + "catalog")

        since_2010 = found("2010-01-01")
        assert since_2010 == sorted(found("2010-01-01T00:00:00Z"))
        assert len(since_2010) == 2 and all("/study/ddi/" in d for d in since_2010)
        assert len(found("1900-01-01")) == 4  # only the studies that have dct:modified
        assert found("2100-01-01") == []
        next_link = strict_graph(client.get(bind + "catalog.ttl", params={
            "modified_since": "2010-01-01"}).content)
        assert "modified_since=2010-01-01" in str(next_link.value(view_of(next_link), HYDRA.first))
        for bad in ("yesterday", "2010-13-01", "2010-02-30", "20100101x"):
            response = client.get(bind + "catalog.ttl", params={"modified_since": bad})
            assert response.status_code == 400
            assert "modified_since" in response.text and bad in response.text
        assert client.get(bind + "catalog.ttl", params={"offset": "3"}).status_code == 400


def test_every_form_says_the_same_and_conneg_picks_by_accept(loaded: Store) -> None:
    with serving(loaded, page_size=5) as (bind, _), httpx.Client() as client:
        graphs = {}
        for ext, (media, _) in FORMS.items():
            response = client.get(bind + "catalog." + ext)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(media)
            graphs[ext] = strict_graph(response.content, ext)
        # the view node is named after the page's own URL, which differs per form
        for ext, graph in graphs.items():
            graph.remove((None, HYDRA.view, None))
            for view in list(graph.subjects(rdflib.RDF.type, HYDRA.PartialCollectionView)):
                graph.remove((view, None, None))
            assert isomorphic(graph, graphs["ttl"]), ext
        for media, _ in FORMS.values():
            response = client.get(bind + "catalog", headers={
                "Accept": f"text/html;q=0.9, {media}, */*;q=0.1"})
            assert response.headers["content-type"].startswith(media)
            assert response.headers["vary"] == "Accept"
        picked = client.get(bind + "catalog", headers={
            "Accept": "text/turtle;q=0.5, application/rdf+xml;q=0.8"})
        assert picked.headers["content-type"].startswith("application/rdf+xml")
        assert client.get(bind + "catalog", headers={"Accept": "image/png"}).status_code == 406
        assert client.get(bind + "catalog.csv").status_code == 404


def test_etag_and_last_modified_give_304_until_the_store_changes(tmp_path: Path) -> None:
    with open_store(store_dir=tmp_path / "store") as store:
        load(store, harmony_corpus()[:2])
        with serving(store) as (bind, _), httpx.Client() as client:
            first = client.get(bind + "catalog.ttl")
            etag, modified = first.headers["etag"], first.headers["last-modified"]
            assert client.get(bind + "catalog.ttl", headers={
                "If-None-Match": etag}).status_code == 304
            assert client.get(bind + "catalog.ttl", headers={
                "If-Modified-Since": modified}).status_code == 304
            assert client.get(bind + "catalog.ttl", headers={
                "If-None-Match": '"other"'}).status_code == 200
            load(store, ddi_corpus()[:1])
            changed = client.get(bind + "catalog.ttl", headers={"If-None-Match": etag})
            assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_the_dump_is_every_quad_gzipped_and_linked_from_catalogue_and_void(loaded: Store) -> None:
    with serving(loaded, public_url=PUBLIC) as (bind, _), httpx.Client() as client:
        page = strict_graph(client.get(bind + "catalog.ttl").content)
        dump_url = page.value(rdflib.URIRef(PUBLIC + "catalog"), VOID.dataDump)
        assert dump_url == rdflib.URIRef(PUBLIC + "catalog.nq.gz")
        void = strict_graph(client.get(bind + ".well-known/void").content)
        assert (None, VOID.dataDump, dump_url) in void
        with client.stream("GET", local(str(dump_url), PUBLIC, bind)) as response:
            assert response.status_code == 200
            body = b"".join(response.iter_bytes())
    served = set(ox.parse(gzip.decompress(body), format=ox.RdfFormat.N_QUADS))
    expected = set(ox.parse(loaded_dump(loaded), format=ox.RdfFormat.N_QUADS))
    assert served == expected and len(served) > 3000


def loaded_dump(store: Store) -> bytes:
    import io
    out = io.BytesIO()
    store.dump(out, "nquads")
    return out.getvalue()


def test_a_page_carries_what_each_dataset_carries_alone(tmp_path: Path) -> None:
    """The page's content comes in three queries; it must be what the one-dataset query gives
    for each of its datasets, together, and so must a single dataset's (its /id/ page)."""
    import asyncio

    from lod.serve import content
    from lod.serve.context import ServeConfig, ServeContext, StoreReader
    from lod.serve.web.catalog import DATASET_CONTENT, dataset_triples, page_content
    from lod.serve.web.rdf import triples
    from lod.store import open_store
    from tests.web_server import corpus, load

    with open_store(store_dir=tmp_path / "store") as store:
        load(store, corpus())
        ctx = ServeContext(ServeConfig(public_url="http://127.0.0.1:1/"), StoreReader(store))
        ids = [str(r["d"]) for r in store.select(
            "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }").rows]
        assert len(ids) >= 18

        async def both() -> tuple[set[object], set[object]]:
            page = set(await page_content(ctx, sorted(ids)))
            alone: set[object] = set()
            for d in ids:
                defined = set(triples(await ctx.reader.construct(DATASET_CONTENT, {"d": rdflib.URIRef(d)})))
                assert set(await dataset_triples(ctx, d)) == defined, d
                alone |= defined
            return page, alone

        page, alone = asyncio.run(both())
        assert page == alone and len(page) > 1000
        # what the query workers read by lookups instead (lod.serve.content), per dataset too
        raw = ox.Store.read_only(str(tmp_path / "store"))
        assert set(content.content(raw, sorted(ids))) == alone
        for d in ids[:6]:
            assert set(content.content(raw, [d])) == set(asyncio.run(dataset_triples(ctx, d))), d
        assert all(content.is_dataset(raw, ox.NamedNode(d)) for d in ids)
        assert not content.is_dataset(raw, ox.NamedNode(BASE + "organisation/esrc"))
