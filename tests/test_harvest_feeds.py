"""``lod harvest`` of DCAT feeds from real servers on 127.0.0.1: ckanext-dcat's PagedCollection
(RDF/XML, literal ``nextPage``), a PartialCollectionView feed (Turtle, IRI ``next``), the other
syntaxes, gzip, and how harvested datasets answer lod's named queries."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from lod.queries import named_queries, prepare
from lod.queries.run import Answer, execute
from lod.store import open_store
from tests.harvest_server import Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def ckan(server: Server) -> str:
    """Three RDF/XML pages, five datasets."""
    for n in (1, 2, 3):
        server.file(f"/ckan/catalog.xml?page={n}", HARVEST / f"ckan/page{n}.rdf", "application/rdf+xml")
    return server.base + "/ckan/catalog.xml?page=1"


def view(server: Server) -> str:
    """Two Turtle pages, three datasets (one a blank node)."""
    server.file("/catalog", HARVEST / "view/page1.ttl", "text/turtle")
    server.file("/catalog?page=2", HARVEST / "view/page2.ttl", "text/turtle; charset=utf-8")
    return server.base + "/catalog"


def run_named(store: object, name: str, params: dict[str, str]) -> Answer:
    return execute(store, prepare(named_queries()[name], params, limit=None))  # type: ignore[arg-type]


def graph_of(store_dir: Path, iri: str) -> rdflib.Graph:
    with open_store(store_dir=str(store_dir)) as store:
        data = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                               {"g": rdflib.URIRef(iri)})
    return rdflib.Graph().parse(data=data, format="nt")


def test_ckan_paged_collection_in_rdf_xml_is_harvested_whole(server: Server, tmp_path: Path) -> None:
    result = run_harvest(tmp_path / "s", ckan(server))
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert (s.datasets, s.pages, s.added, s.rejected) == (5, 3, 5, 0)
    assert [r.path for r in server.requests] == [f"/ckan/catalog.xml?page={n}" for n in (1, 2, 3)]
    g = graph_of(tmp_path / "s", server.base + "/dataset/survey-of-health")
    ds = rdflib.URIRef(server.base + "/dataset/survey-of-health")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert (ds, rdflib.RDF.type, dcat.Dataset) in g
    # the referenced nodes came with it: distribution, contact point (a blank node, skolemised)
    dist = rdflib.URIRef(server.base + "/dataset/survey-of-health/csv")
    assert (dist, dcat.accessURL, rdflib.URIRef(server.base + "/files/survey-of-health.csv")) in g
    contact = g.value(ds, dcat.contactPoint)
    assert isinstance(contact, rdflib.URIRef) and "#genid-" in str(contact)
    # the source catalogue link and the provenance
    assert (rdflib.URIRef(server.base + "/"), dcat.dataset, ds) in g
    record = rdflib.URIRef(str(ds) + "#harvest-record")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    lod = rdflib.Namespace("https://w3id.org/lod-studies/vocab#")
    assert (ds, prov.wasDerivedFrom, record) in g
    assert str(g.value(record, prov.atLocation)) == server.base + "/ckan/catalog.xml?page=1"
    assert str(g.value(record, lod.contentHash)).startswith("sha256:")
    assert g.value(record, prov.generatedAtTime) is not None
    # no other dataset leaked into this graph
    assert set(g.subjects(rdflib.RDF.type, dcat.Dataset)) == {ds}


def test_partial_collection_view_in_turtle_with_a_blank_node_dataset(server: Server, tmp_path: Path) -> None:
    url = view(server)
    result = run_harvest(tmp_path / "s", url)
    assert result.exit_code == 0, result.stderr
    assert summary(result).datasets == 3 and summary(result).pages == 2
    with open_store(store_dir=str(tmp_path / "s")) as store:
        minted = [g for g in store.graphs() if "/harvested/" in g]
    assert len(minted) == 1
    # the blank-node dataset's IRI comes from its identifier and the source: stable
    run_harvest(tmp_path / "t", url)
    with open_store(store_dir=str(tmp_path / "t")) as store:
        assert [g for g in store.graphs() if "/harvested/" in g] == minted


def test_harvested_datasets_answer_the_named_queries(server: Server, tmp_path: Path) -> None:
    assert run_harvest(tmp_path / "s", ckan(server), view(server)).exit_code == 0
    with open_store(store_dir=str(tmp_path / "s")) as store:
        sponsors = {str(r["name"]): int(r["studies"]) for r in run_named(store, "sponsors", {}).rows}
        # "ESRC" (Turtle feed, schema:funder) and "Economic and Social Research Council" (two
        # prov:qualifiedAttribution funders) are one organisation through the alias table
        assert sponsors["Economic and Social Research Council"] == 3
        assert sponsors["Wellcome Trust"] == 1
        by_keyword = {str(r["study"]) for r in
                      run_named(store, "studies-by-keyword", {"keyword": "HEALTH"}).rows}
        assert by_keyword == {server.base + "/dataset/survey-of-health", server.base + "/ds/alpha",
                              server.base + "/ds/beta"}
        in_gb = {str(r["study"]) for r in run_named(store, "studies-by-place", {"country": "GB"}).rows}
        # ds/alpha covers "Scotland", which lies in GB
        gb = ("dataset/survey-of-health", "dataset/cohort-1970", "dataset/crime-survey", "ds/alpha",
              "ds/beta")
        assert in_gb == {f"{server.base}/{s}" for s in gb}
        scotland = {str(r["study"]) for r in run_named(store, "studies-by-place", {"place": "Scotland"}).rows}
        assert scotland == {server.base + "/ds/alpha"}
        in_1995 = {str(r["study"]) for r in
                   run_named(store, "studies-in-period", {"from": "1995", "to": "1995"}).rows}
        assert in_1995 == {server.base + "/dataset/household-panel", server.base + "/dataset/cohort-1970"}
        stats = store.select("PREFIX lod: <https://w3id.org/lod-studies/vocab#> SELECT ?n WHERE "
                             "{ GRAPH <urn:lod:facets:catalogues> { ?c lod:studyCount ?n } }")
        assert sorted(int(r["n"]) for r in stats.rows) == [3, 5]  # the two source catalogues
        coverage = {(str(r["dimension"]), str(r["value"])): int(r["studies"])
                    for r in run_named(store, "coverage", {}).rows}
        assert coverage[("country", "GB")] == 5 and coverage[("country", "FI")] == 1


SYNTAXES = {
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("media_type", sorted(SYNTAXES))
@pytest.mark.parametrize("declared", ["right", "wrong", "missing"])
def test_every_syntax_by_content_type_or_by_sniffing(server: Server, tmp_path: Path, media_type: str,
                                                     declared: str) -> None:
    turtle = (HARVEST / "view/page1.ttl").read_bytes().replace(b"hydra:next <catalog?page=2> ;", b"")
    triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE, base_iri=server.base + "/catalog"))
    body = ox.serialize(triples, format=SYNTAXES[media_type]) or b""
    header = {"right": media_type, "wrong": "text/html", "missing": None}[declared]
    headers = {"Content-Type": header} if header else {}
    server.routes["/feed"] = lambda _: (200, headers, body)
    result = run_harvest(tmp_path / "s", server.base + "/feed")
    assert result.exit_code == 0, result.stderr
    assert summary(result).datasets == 2


def test_gzip_bodies_with_and_without_content_encoding(server: Server, tmp_path: Path) -> None:
    body = gzip.compress((HARVEST / "ckan/page3.rdf").read_bytes().replace(b"__BASE__", server.base.encode()))
    server.routes["/encoded"] = lambda _: (200, {"Content-Type": "application/rdf+xml",
                                                 "Content-Encoding": "gzip"}, body)
    server.routes["/file.rdf.gz"] = lambda _: (200, {"Content-Type": "application/gzip"}, body)
    for route in ("/encoded", "/file.rdf.gz"):
        result = run_harvest(tmp_path / route.strip("/"), server.base + route)
        assert result.exit_code == 0, result.stderr
        assert summary(result).datasets == 1
