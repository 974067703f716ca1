"""``lod harvest --endpoint``: real feeds on loopback harvested into a real Virtuoso (started by
the ``virtuoso_server`` fixture), incrementally, with the same graphs and the same query
answers as the embedded store."""

from __future__ import annotations

import contextlib
import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from rdflib import URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from lod.cli import cli
from lod.store import Store, open_store
from lod.store.facets import FACETS
from tests.catalog_feed import GRAPH_TRIPLES, publish, study_graphs
from tests.fixtures_store import VirtuosoServer, free_port
from tests.harvest_server import Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST, STUDIES
from tests.test_harvest_feeds import ckan, view
from tests.test_harvest_harmony import as_stored, paging_api

pytestmark = pytest.mark.virtuoso
GENERATED = URIRef("http://www.w3.org/ns/prov#generatedAtTime")
DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
SUMMARY_MODIFIED = (URIRef(FACETS), rdflib.DCTERMS.modified)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> Iterator[VirtuosoServer]:
    virtuoso_server.reset()
    yield virtuoso_server
    virtuoso_server.reset()


def endpoint_args(v: VirtuosoServer, *, as_dba: bool = False) -> list[str]:
    if as_dba:
        return ["--endpoint", v.sparql_auth, "--gsp-endpoint", v.gsp_auth, "--user", v.user]
    return ["--endpoint", v.sparql, "--gsp-endpoint", v.gsp]


def harvest_remote(v: VirtuosoServer, *args: str, target: list[str] | None = None,
                   as_dba: bool = False) -> Result:
    argv = ["harvest", *(target or endpoint_args(v, as_dba=as_dba)), "--allow-private", *args]
    env = {"LOD_PASSWORD": v.password} if as_dba else {}
    return CliRunner().invoke(cli, argv, env=env)


def graph(store: Store, name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=store.construct(GRAPH_TRIPLES, {"g": URIRef(name)}), format="nt")


@contextlib.contextmanager
def harvested(v: VirtuosoServer) -> Iterator[Store]:
    store = v.open()
    try:
        yield store
    finally:
        store.close()


def remote_graphs(store: Store, v: VirtuosoServer) -> set[str]:
    return {g for g in store.graphs() if g not in v.system_graphs}


def datasets(store: Store, names: set[str]) -> set[str]:
    return {g for g in names if (URIRef(g), rdflib.RDF.type, DATASET) in graph(store, g)}


def stamps(store: Store, names: set[str]) -> dict[str, tuple[int, list[str]]]:
    """Per graph: its triple count and its harvest time stamps."""
    out = {}
    for name in names:
        out[name] = (store.triple_count(name), times(graph(store, name)))
    return out


def times(g: rdflib.Graph) -> list[str]:
    """When lod wrote this graph: harvest records' time stamps, the facet summary's."""
    return sorted(str(o) for s, p, o in g if p == GENERATED or (s, p) == SUMMARY_MODIFIED)


def without_times(g: rdflib.Graph) -> rdflib.Graph:
    out = rdflib.Graph()
    for s, p, o in g:
        if p != GENERATED and (s, p) != SUMMARY_MODIFIED:
            out.add((s, p, o))
    return out


def differences(a: rdflib.Graph, b: rdflib.Graph) -> tuple[list[str], list[str]]:
    """The triples only in ``a``, and only in ``b`` (for a failure message)."""
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return sorted(map(str, only_a)), sorted(map(str, only_b))


@pytest.mark.parametrize("writes", ["gsp", "update", "dba"])
def test_first_harvest_matches_the_embedded_store(server: Server, virtuoso: VirtuosoServer,
                                                  tmp_path: Path, writes: str) -> None:
    """Graph Store Protocol writes, SPARQL Update only, and digest auth as dba."""
    urls = [ckan(server), view(server)]
    target = ["--endpoint", virtuoso.sparql] if writes == "update" else None
    result = harvest_remote(virtuoso, *urls, target=target, as_dba=writes == "dba")
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert (s.datasets, s.pages, s.added, s.changed, s.unchanged, s.deleted, s.rejected) == \
        (8, 5, 8, 0, 0, 0, 0)
    local = run_harvest(tmp_path / "s", *urls)
    assert local.exit_code == 0, local.stderr
    with open_store(store_dir=str(tmp_path / "s")) as embedded:
        expected = set(embedded.graphs())
        with harvested(virtuoso) as remote:
            names = remote_graphs(remote, virtuoso)
            assert names == expected
            studies = datasets(remote, names)
            assert len(studies) == 8 and studies == datasets(embedded, expected)
            for name in sorted(names):
                theirs, ours = graph(remote, name), graph(embedded, name)
                assert len(theirs) > 0
                if name in studies:
                    assert len(list(theirs.objects(None, GENERATED))) == 1
                    # the remote graph holds exactly this dataset, nothing leaked in
                    assert set(theirs.subjects(rdflib.RDF.type, DATASET)) == {URIRef(name)}
                a, b = without_times(theirs), without_times(ours)
                assert isomorphic(a, b), (name, differences(a, b))


def test_second_run_writes_nothing_then_one_change_then_one_deletion(
        server: Server, virtuoso: VirtuosoServer) -> None:
    urls = [ckan(server), view(server)]
    first = harvest_remote(virtuoso, *urls)
    assert first.exit_code == 0, first.stderr
    with harvested(virtuoso) as store:
        names = remote_graphs(store, virtuoso)
        before = stamps(store, names)
    time.sleep(1.1)  # time stamps have whole seconds: a rewrite would now show a new one

    # Writes would go to the update endpoint, and nothing listens there: a write fails the run.
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    read_only = ["--endpoint", virtuoso.sparql, "--update-endpoint", dead]
    again = harvest_remote(virtuoso, *urls, "--delete-missing", target=read_only)
    assert again.exit_code == 0, again.stderr
    s = summary(again)
    assert (s.datasets, s.added, s.changed, s.unchanged, s.deleted, s.rejected) == (8, 0, 0, 8, 0, 0)
    with harvested(virtuoso) as store:
        assert remote_graphs(store, virtuoso) == names
        assert stamps(store, names) == before

    # one dataset changes upstream (page 2 of the CKAN feed)
    page2 = (HARVEST / "ckan/page2.rdf").read_bytes()
    changed = page2.replace(b"Cohort 1970<", b"Cohort 1970, 2nd edition<")
    assert changed != page2
    server.routes["/ckan/catalog.xml?page=2"] = lambda _: (
        200, {"Content-Type": "application/rdf+xml"}, changed.replace(b"__BASE__", server.base.encode()))
    cohort = server.base + "/dataset/cohort-1970"
    # the dead update endpoint does catch a write: now that there is one to make, it fails
    refused = harvest_remote(virtuoso, *urls, target=read_only)
    assert refused.exit_code != 0 and f"cannot reach {dead}" in refused.stderr
    with harvested(virtuoso) as store:
        assert stamps(store, names) == before
    third = harvest_remote(virtuoso, *urls, as_dba=True)
    assert third.exit_code == 0, third.stderr
    s = summary(third)
    assert (s.added, s.changed, s.unchanged, s.deleted) == (0, 1, 7, 0)
    with harvested(virtuoso) as store:
        titles = {str(o) for o in graph(store, cohort).objects(URIRef(cohort), rdflib.DCTERMS.title)}
        assert titles == {"Cohort 1970, 2nd edition"}
        after = stamps(store, names)
        assert after[cohort][1] != before[cohort][1]
        assert after[FACETS][1] != before[FACETS][1]  # the summary was rebuilt
        studies = datasets(store, names)
        assert {n: after[n] for n in studies - {cohort}} == {n: before[n] for n in studies - {cohort}}

    # page 3's one dataset disappears from the CKAN feed: the feed ends at page 2
    ended = changed.replace(b"<hydra:nextPage>__BASE__/ckan/catalog.xml?page=3</hydra:nextPage>", b"")
    assert ended != changed
    server.routes["/ckan/catalog.xml?page=2"] = lambda _: (
        200, {"Content-Type": "application/rdf+xml"}, ended.replace(b"__BASE__", server.base.encode()))
    crime = server.base + "/dataset/crime-survey"
    remote = ["--endpoint", virtuoso.sparql]
    assert [r["study"] for r in query(remote, "studies-by-keyword", "keyword=crime")] == [crime]
    gone = harvest_remote(virtuoso, urls[0], "--delete-missing")
    assert gone.exit_code == 0, gone.stderr
    s = summary(gone)
    assert (s.datasets, s.pages, s.added, s.changed, s.unchanged, s.deleted) == (4, 2, 0, 0, 4, 1)
    with harvested(virtuoso) as store:
        assert not store.has_graph(crime)
        left = datasets(store, remote_graphs(store, virtuoso))
        assert left == studies - {crime}  # the Turtle feed's three datasets stay
        assert {server.base + "/ds/alpha", server.base + "/ds/beta"} <= left
    assert query(remote, "studies-by-keyword", "keyword=crime") == []  # the summary follows


def query(target: list[str], name: str, *params: str) -> list[dict[str, str]]:
    argv = ["query", name, "--format", "csv", "--limit", "0", *target]
    for p in params:
        argv += ["--param", p]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_harvested_datasets_answer_the_named_queries(server: Server, virtuoso: VirtuosoServer,
                                                     tmp_path: Path) -> None:
    urls = [ckan(server), view(server)]
    assert harvest_remote(virtuoso, *urls).exit_code == 0
    assert run_harvest(tmp_path / "s", *urls).exit_code == 0
    remote = ["--endpoint", virtuoso.sparql]
    local = ["--store", str(tmp_path / "s")]

    sponsors = {r["name"]: int(r["studies"]) for r in query(remote, "sponsors")}
    assert sponsors["Economic and Social Research Council"] == 3
    assert sponsors["Wellcome Trust"] == 1
    assert sponsors == {r["name"]: int(r["studies"]) for r in query(local, "sponsors")}

    health = {r["study"] for r in query(remote, "studies-by-keyword", "keyword=HEALTH")}
    assert health == {server.base + "/dataset/survey-of-health", server.base + "/ds/alpha",
                      server.base + "/ds/beta"}
    assert health == {r["study"] for r in query(local, "studies-by-keyword", "keyword=HEALTH")}


@pytest.mark.parametrize("writes", ["gsp", "update"])
def test_a_lod_feed_of_every_sample_study_matches_the_embedded_store(
        server: Server, virtuoso: VirtuosoServer, tmp_path: Path, writes: str) -> None:
    """Real studies, ten to a page: batches big enough for the staged GSP write."""
    loaded = CliRunner().invoke(cli, ["load", str(STUDIES), "--store", str(tmp_path / "a"), "-q"])
    assert loaded.exit_code == 0, loaded.stderr
    with open_store(store_dir=str(tmp_path / "a")) as a:
        url = publish(server, a, per_page=10)
        studies = set(study_graphs(a))
    assert len(studies) >= 18
    target = ["--endpoint", virtuoso.sparql] if writes == "update" else None
    result = harvest_remote(virtuoso, url, target=target)
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert (s.datasets, s.pages, s.added, s.rejected) == (len(studies), -(-len(studies) // 10),
                                                          len(studies), 0)
    assert run_harvest(tmp_path / "b", url).exit_code == 0
    with open_store(store_dir=str(tmp_path / "b")) as embedded, harvested(virtuoso) as remote:
        names = remote_graphs(remote, virtuoso)
        assert names == set(embedded.graphs())
        assert studies <= names
        for name in sorted(names):
            a_, b_ = without_times(graph(remote, name)), without_times(graph(embedded, name))
            assert len(a_) > 0 and isomorphic(a_, b_), (name, differences(a_, b_))
    again = summary(harvest_remote(virtuoso, url, target=target))
    assert (again.added, again.changed, again.unchanged) == (0, 0, len(studies))


def test_a_harmony_search_matches_the_embedded_store(server: Server, virtuoso: VirtuosoServer,
                                                     tmp_path: Path) -> None:
    server.routes["/discover/search"] = paging_api
    url = server.base + "/discover/search?query=health&num_results=2"
    result = harvest_remote(virtuoso, "--from", "harmony", url)
    assert result.exit_code == 0, result.stderr
    s = summary(result)
    assert (s.pages, s.added, s.changed, s.rejected) == (3, s.datasets, 0, 0) and s.datasets >= 5
    assert run_harvest(tmp_path / "s", "--from", "harmony", url).exit_code == 0
    with open_store(store_dir=str(tmp_path / "s")) as embedded, harvested(virtuoso) as remote:
        names = remote_graphs(remote, virtuoso)
        assert names == set(embedded.graphs())
        assert len(datasets(remote, names)) == s.datasets
        datatypes = set()
        for name in sorted(names):
            theirs = graph(remote, name)
            datatypes |= {o.datatype for o in theirs.objects() if isinstance(o, rdflib.Literal)}
            # compared as Oxigraph stores it: it answers xsd:integer for xsd:nonNegativeInteger
            a = without_times(as_stored(theirs.serialize(format="nt")))
            b = without_times(graph(embedded, name))
            assert len(a) > 0 and isomorphic(a, b), (name, differences(a, b))
        assert rdflib.XSD.nonNegativeInteger in datatypes  # Virtuoso keeps the converter's type
    again = summary(harvest_remote(virtuoso, "--from", "harmony", url))
    assert (again.added, again.changed, again.unchanged) == (0, 0, s.datasets)
