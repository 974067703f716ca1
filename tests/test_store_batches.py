"""Batches of many small graphs, as lod loads them (one graph per study), on every backend.

A remote store with a Graph Store Protocol endpoint stages such batches (two POSTs and one
SPARQL Update, :mod:`lod.store.staging`); these tests check that the result is exactly what
the embedded store holds after the same writes: same graphs, same counts, isomorphic graphs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal

from lod.errors import StoreError
from lod.store import Store, open_store
from lod.store.remote import RemoteStore
from lod.store.staging import PREFIX, stage, stageable
from tests.fixtures_store import VirtuosoServer
from tests.test_store import EX, P, g, nquads, our_graphs

virtuoso = pytest.mark.virtuoso
SHARED = EX + "shared"


def batch(names: Iterable[str], version: int, size: int = 12) -> bytes:
    """Study-like graphs: the study IRI, fragment subjects, and one subject (``SHARED``) that
    every graph describes differently."""
    rows: list[tuple[object, object, object, str | None]] = []
    for name in names:
        graph = g(name)
        rows.append((graph, EX + "version", Literal(version), graph))
        rows += [
            (f"{graph}#{k}", P, Literal(f"{name} v{version} #{k}", lang="en"), graph) for k in range(size)
        ]
        rows.append((SHARED, P, Literal(f"shared in {name} v{version}"), graph))
        rows.append((SHARED, EX + "link", graph, graph))
    return nquads(*rows)


def blank_graph(name: str) -> bytes:
    node = ox.BlankNode()
    return nquads((g(name), EX + "has", node, g(name)), (node, P, Literal("inside a blank node"), g(name)))


def snapshot(store: Store) -> dict[str, Graph]:
    """Every graph lod wrote, as rdflib graphs."""
    out = {}
    for name in our_graphs(store):
        buffer = io.BytesIO()
        store.dump(buffer, "ntriples", graph=name)
        out[name] = Graph().parse(data=buffer.getvalue().decode(), format="nt")
    return out


def assert_same(store: Store, reference: Store) -> None:
    got, expected = snapshot(store), snapshot(reference)
    assert sorted(got) == sorted(expected)
    for name, graph in expected.items():
        assert len(got[name]) == len(graph), name
        assert got[name].isomorphic(graph), name
    assert sum(map(len, got.values())) == sum(map(len, expected.values()))


def small_chunks(store: Store) -> Store:
    """Several staged requests per batch, so that chunking is exercised too."""
    if isinstance(store, RemoteStore):
        store.staging_chunk_triples = 200
        store.staging_min_graphs = 2
    return store


def test_many_graphs_replace_like_the_embedded_store(
    store: Store, make_store: Callable[..., Store]
) -> None:
    reference = make_store("embedded")
    small_chunks(store)
    names = [f"s{i:02d}" for i in range(30)]
    first = batch(names, 1) + blank_graph("blank")
    listed = [g(n) for n in names] + [g("blank")]
    for target in (store, reference):
        target.replace_graphs(first, listed)
    assert_same(store, reference)
    assert sum(store.triple_count(name) for name in our_graphs(store)) == 30 * 15 + 2

    # a changed version of some graphs, two graphs emptied, the blank-node graph replaced
    changed = batch(names[:10], 2, size=3) + blank_graph("blank")
    listed = [g(n) for n in names[:12]] + [g("blank")]
    for target in (store, reference):
        target.replace_graphs(changed, listed)
    assert_same(store, reference)
    assert g(names[10]) not in our_graphs(store)
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{g(names[0])}> {{ ?s <{EX}version> ?v }} }}").rows
    assert rows == [{"v": Literal(2)}]


def test_loading_the_same_batch_twice_changes_nothing(
    store: Store, make_store: Callable[..., Store]
) -> None:
    reference = make_store("embedded")
    small_chunks(store)
    names = [f"t{i:02d}" for i in range(20)]
    data = batch(names, 1)
    reference.replace_graphs(data, [g(n) for n in names])
    for _ in range(2):
        store.replace_graphs(data, [g(n) for n in names])
        assert_same(store, reference)


def test_one_subject_in_many_graphs_stays_in_each(store: Store) -> None:
    small_chunks(store)
    names = [f"u{i}" for i in range(10)]
    store.replace_graphs(batch(names, 1, size=1), [g(n) for n in names])
    query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{SHARED}> ?p ?o }} }} GROUP BY ?g"
    counts = {str(row["g"]): int(row["n"]) for row in store.select(query).rows}  # type: ignore[call-overload]
    assert counts == {g(n): 2 for n in names}


def test_graphs_with_blank_nodes_or_staging_terms_are_not_staged() -> None:
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(P)
    assert stageable([ox.Triple(s, p, ox.Literal("x"))])
    assert not stageable([ox.Triple(s, p, ox.BlankNode())])
    assert not stageable([ox.Triple(ox.BlankNode(), p, ox.Literal("x"))])
    assert not stageable([ox.Triple(s, ox.NamedNode(PREFIX + "#graph"), ox.NamedNode(EX + "g"))])
    with pytest.raises(StoreError, match="cannot be staged"):
        stage([(g("b"), [ox.Triple(s, p, ox.BlankNode())])], [g("b")])


def test_staging_document_keys_each_graph_and_subject() -> None:
    s = ox.NamedNode(EX + "s")
    triples = [ox.Triple(s, ox.NamedNode(P), ox.Literal(str(k))) for k in range(3)]
    staged = stage([(g("a"), triples), (g("b"), triples[:1])], [g("a"), g("b"), g("gone")])
    assert staged.stage.startswith(PREFIX + ":") and staged.triples == 4
    data = list(ox.parse(staged.data, format=ox.RdfFormat.N_TRIPLES))
    keys = {q.subject for q in data if isinstance(q.subject, ox.BlankNode)}
    assert len(keys) == 2  # one key per (graph, subject)
    assert len(data) == 3 + 2 * 2 + 4  # three graphs replaced, two keys of two triples, the data
    update = staged.apply()
    assert g("a") not in update and "DROP" not in update


def test_the_staging_update_is_plain_sparql(store: Store) -> None:
    """The staging document and its update, run by hand on each backend (Oxigraph included):
    the graphs come out as they went in."""
    names = [f"e{i}" for i in range(3)]
    groups: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(batch(names, 1, size=2), format=ox.RdfFormat.N_QUADS):
        groups.setdefault(str(quad.graph_name.value), []).append(quad.triple)  # type: ignore[union-attr]
    staged = stage(groups.items(), list(groups))
    graph = ox.NamedNode(staged.stage)
    triples = (q.triple for q in ox.parse(staged.data, format=ox.RdfFormat.N_TRIPLES))
    quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    store.add_nquads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    store.update(staged.apply())
    store.delete_graphs([staged.stage])
    assert sorted(our_graphs(store)) == [g(n) for n in names]
    assert all(store.triple_count(g(n)) == 5 for n in names)


# -- Virtuoso: no cap cuts a staged batch, and staging graphs never stay behind ---------------


def _staging_graphs(server: VirtuosoServer) -> list[str]:
    store = open_store(endpoint=server.sparql)
    try:
        return [name for name in store.graphs() if name.startswith(PREFIX)]
    finally:
        store.close()


@virtuoso
def test_a_staged_batch_past_the_row_cap_arrives_whole(make_store: Callable[..., Store]) -> None:
    store = make_store("virtuoso")
    assert isinstance(store, RemoteStore)
    store.staging_chunk_triples = 100_000
    names = [f"big{i:03d}" for i in range(800)]  # 800 graphs × 15 triples: past 10,000 rows
    store.replace_graphs(batch(names, 1), [g(n) for n in names])
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }"
    count = store.select(query, {"prefix": Literal(EX)}).rows[0]["n"]
    assert int(count) == 800 * 15  # type: ignore[call-overload]
    assert len(our_graphs(store)) == 800


@virtuoso
def test_staging_graphs_are_gone_after_a_load_and_after_a_failure(
    virtuoso_server: VirtuosoServer, make_store: Callable[..., Store]
) -> None:
    names = [f"f{i}" for i in range(10)]
    good = make_store("virtuoso")
    good.replace_graphs(batch(names, 1), [g(n) for n in names])
    assert _staging_graphs(virtuoso_server) == []
    before = snapshot(good)
    # the update endpoint is wrong: the POSTs go through, the update fails
    broken = make_store("virtuoso", update_endpoint=virtuoso_server.base + "/no-such-endpoint")
    with pytest.raises(StoreError, match="no-such-endpoint"):
        broken.replace_graphs(batch(names, 2), [g(n) for n in names])
    assert _staging_graphs(virtuoso_server) == []
    after = snapshot(good)
    assert sorted(after) == sorted(before)
    assert all(after[name].isomorphic(before[name]) for name in before)
