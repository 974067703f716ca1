"""The store layer against real stores: Oxigraph on disk and a Virtuoso started for the tests.

No mocks: network failures are produced by real sockets on loopback (a closed port, a
server that never answers, a server that answers 503).
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from lod.errors import QueryError, StoreBusyError, StoreError, UsageError
from lod.store import (
    DUMP_FORMATS,
    Store,
    TruncatedResultWarning,
    default_store_dir,
    open_store,
    resolve_password,
)
from lod.store.bindings import inject_values
from lod.store.embedded import JOURNAL, EmbeddedStore, _write_journal
from lod.store.gsp import GraphStore
from lod.store.http import HttpClient
from lod.store.terms import from_ox
from tests.fixtures_store import VirtuosoServer, free_port
from tests.paths import ROOT, W3C_GSP

EX = "http://example.org/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
P = URIRef(EX + "p")


def g(name: str) -> str:
    return f"{EX}graph/{name}"


def nquads(*quads: tuple[object, object, object, str | None]) -> bytes:
    """N-Quads written by pyoxigraph from rdflib-ish terms (strings are IRIs)."""

    def term(t: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal):
            return t
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        return ox.NamedNode(str(t))

    out = [
        ox.Quad(term(s), term(p), term(o), ox.NamedNode(graph) if graph else ox.DefaultGraph())  # type: ignore[arg-type]
        for s, p, o, graph in quads
    ]
    return ox.serialize(out, format=ox.RdfFormat.N_QUADS) or b""


def study(name: str, n: int, version: int = 1) -> bytes:
    """A synthetic study graph of ``n`` triples, all tagged with ``version``."""
    graph = g(name)
    rows = [(graph, EX + "version", Literal(version), graph)]
    rows += [(f"{graph}#{k}", P, Literal(f"v{version} value {k}"), graph) for k in range(n - 1)]
    return nquads(*rows)


def our_graphs(store: Store) -> list[str]:
    return [name for name in store.graphs() if name.startswith(EX)]


# -- loading, replacing, deleting (every backend) ------------------------------------------


def test_replace_graphs_loads_named_graphs(store: Store) -> None:
    store.replace_graphs(study("a", 5) + study("b", 7), [g("a"), g("b")])
    assert our_graphs(store) == [g("a"), g("b")]
    assert store.triple_count(g("a")) == 5
    assert store.triple_count(g("b")) == 7
    assert store.has_graph(g("a"))
    assert not store.has_graph(g("missing"))


def test_reloading_the_same_batch_changes_nothing(store: Store) -> None:
    batch = study("a", 5) + study("b", 7)
    store.replace_graphs(batch, [g("a"), g("b")])
    first = {name: store.triple_count(name) for name in our_graphs(store)}
    store.replace_graphs(batch, [g("a"), g("b")])
    assert {name: store.triple_count(name) for name in our_graphs(store)} == first
    assert sum(first.values()) == 12


def test_replace_swaps_content_and_drops_listed_graphs_without_data(store: Store) -> None:
    store.replace_graphs(study("a", 5, version=1) + study("b", 3), [g("a"), g("b")])
    store.replace_graphs(study("a", 2, version=2), [g("a"), g("b")])
    assert our_graphs(store) == [g("a")]
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{g('a')}> {{ ?s <{EX}version> ?v }} }}").rows
    assert rows == [{"v": Literal(2)}]
    assert store.triple_count(g("a")) == 2


def test_delete_graphs_returns_how_many_existed(store: Store) -> None:
    store.replace_graphs(study("a", 3) + study("b", 3), [g("a"), g("b")])
    assert store.delete_graphs([g("a"), g("nope"), g("a")]) == 1
    assert our_graphs(store) == [g("b")]
    assert store.delete_graphs([]) == 0


def test_add_nquads_adds_without_dropping(store: Store) -> None:
    store.add_nquads(nquads((EX + "s", P, Literal("one"), g("x"))))
    store.add_nquads(nquads((EX + "s", P, Literal("two"), g("x"))))
    assert store.triple_count(g("x")) == 2


def test_default_graph_is_the_union_of_named_graphs(store: Store) -> None:
    store.replace_graphs(
        nquads((EX + "s", P, Literal("in a"), g("a")), (EX + "s", P, Literal("in b"), g("b"))),
        [g("a"), g("b")],
    )
    rows = store.select(f"SELECT ?o WHERE {{ <{EX}s> <{P}> ?o }} ORDER BY ?o").rows
    assert [str(r["o"]) for r in rows] == ["in a", "in b"]
    assert store.ask(f"ASK {{ <{EX}s> <{P}> 'in b' }}")


def test_payload_outside_the_listed_graphs_is_refused_before_writing(store: Store) -> None:
    store.replace_graphs(study("a", 3), [g("a")])
    with pytest.raises(StoreError, match="outside the graphs"):
        store.replace_graphs(study("a", 9) + study("b", 2), [g("a")])
    assert our_graphs(store) == [g("a")]
    assert store.triple_count(g("a")) == 3


def test_invalid_nquads_are_refused_before_writing(store: Store) -> None:
    store.replace_graphs(study("a", 3), [g("a")])
    bad = study("a", 9) + b'<http://example.org/s> <http://example.org/p> "unterminated .\n'
    with pytest.raises(StoreError, match="invalid N-Quads"):
        store.replace_graphs(bad, [g("a")])
    assert store.triple_count(g("a")) == 3


def test_select_ask_construct(store: Store) -> None:
    store.replace_graphs(
        nquads(
            (EX + "s", P, Literal("plain"), g("a")),
            (EX + "s", P, Literal("tagged", lang="en"), g("a")),
            (EX + "s", P, Literal("5", datatype=XSD_INTEGER), g("a")),
            (EX + "s", URIRef(EX + "q"), EX + "o", g("a")),
        ),
        [g("a")],
    )
    result = store.select(
        f"SELECT ?p ?o ?unbound WHERE {{ <{EX}s> ?p ?o OPTIONAL {{ ?o <{EX}none> ?unbound }} }}"
    )
    assert result.variables == ["p", "o", "unbound"]
    assert all("unbound" not in row for row in result.rows)
    objects = {row["o"] for row in result.rows}
    assert objects == {
        Literal("plain"),
        Literal("tagged", lang="en"),
        Literal("5", datatype=XSD_INTEGER),
        URIRef(EX + "o"),
    }
    assert store.ask(f"ASK {{ <{EX}s> ?p 'plain' }}") is True
    assert store.ask(f"ASK {{ <{EX}s> ?p 'absent' }}") is False
    data = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g('a')}> {{ ?s ?p ?o }} }}")
    triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 4


def test_select_rows_keep_variable_order_and_refuse_triple_terms(
        make_store: Callable[..., Store], tmp_path: Path) -> None:
    store = make_store("embedded", store_dir=tmp_path / "s")
    rows = store.select("SELECT ?a ?none ?b WHERE { VALUES (?a ?b) { (1 'x') (2 UNDEF) } }").ox_rows
    assert rows == [{"a": ox.Literal("1", datatype=ox.NamedNode(str(XSD_INTEGER))), "b": ox.Literal("x")},
                    {"a": ox.Literal("2", datatype=ox.NamedNode(str(XSD_INTEGER)))}]
    with pytest.raises(QueryError, match="RDF-star is not supported"):
        store.select(f"SELECT ?a ?t WHERE {{ VALUES ?a {{ 1 }} BIND(TRIPLE(<{EX}s>, <{EX}p>, ?a) AS ?t) }}")


def test_malformed_query_is_a_query_error_with_the_reason(store: Store) -> None:
    with pytest.raises(QueryError) as caught:
        store.select("SELEC * WHERE { ?s ?p ?o }")
    assert re.search(r"error at 1:\d+|SP030", str(caught.value)), caught.value


def test_read_only_store_refuses_writes(make_store: Callable[..., Store], tmp_path: Path) -> None:
    make_store("embedded", store_dir=tmp_path / "ro").close()
    store = make_store("embedded", store_dir=tmp_path / "ro", read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graphs(study("a", 2), [g("a")])
    with pytest.raises(StoreError, match="read-only"):
        store.update("CLEAR ALL")
    assert store.graphs() == []


# -- bound values: never query text (every backend) ----------------------------------------

HOSTILE = [
    "plain",
    'a "quoted" value',
    'triple """ quotes """" and more"""""',
    "single ' and ''' quotes",
    "} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o",
    "# not a comment } .",
    'back\\slash \\" \\n \\u0041 literal',
    "new\nline\r\nand\ttab",
    "ünïcödé ✓ 𝔘 中文 \u200b",
    '"',
    "\\",
    'ends with a quote"',
    "ends with a backslash\\",
    "${x} ?x $x <http://evil.example/> . VALUES ?x { 1 }",
    "",
]


def _hostile_terms() -> list[Literal | URIRef]:
    terms: list[Literal | URIRef] = [Literal(v) for v in HOSTILE]
    terms += [Literal('lang "tagged" }', lang="en-GB"), Literal("42", datatype=XSD_INTEGER)]
    terms += [URIRef(EX + "odd#frag?q=1&r='2'"), URIRef("urn:x-lod:(weird);ünï")]
    return terms


def test_bound_values_come_back_unchanged_and_inject_nothing(store: Store) -> None:
    terms = _hostile_terms()
    rows = [(f"{EX}s{i}", P, term, g("h")) for i, term in enumerate(terms)]
    store.replace_graphs(nquads(*rows), [g("h")])
    before = store.triple_count()
    for i, term in enumerate(terms):
        found = store.select(f"SELECT ?s WHERE {{ ?s <{P}> ?v }}", {"v": term}).rows
        assert found == [{"s": URIRef(f"{EX}s{i}")}], repr(term)
        echoed = store.select(f"SELECT ?v WHERE {{ <{EX}s{i}> <{P}> ?v }}").rows
        assert echoed == [{"v": term}], repr(term)
        assert store.ask(f"ASK {{ ?s <{P}> ?v }}", {"v": term}), repr(term)
        counted = store.select(
            # bound values join the outermost group: a FILTER using them must sit there too
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?o = ?v) }",
            {"v": term, "g": URIRef(g("h"))},
        ).rows
        assert counted == [{"n": Literal(1)}], repr(term)
    assert store.triple_count() == before
    assert our_graphs(store) == [g("h")]


def test_binding_several_variables_and_a_graph(store: Store) -> None:
    store.replace_graphs(study("a", 3) + study("b", 3), [g("a"), g("b")])
    rows = store.select(
        "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
        {"g": URIRef(g("b")), "o": Literal("v1 value 1")},
    ).rows
    assert rows == [{"s": URIRef(g("b") + "#1")}]
    construct = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(g("a"))}
    )
    assert len(list(ox.parse(construct, format=ox.RdfFormat.N_TRIPLES))) == 3


def test_bad_bindings_are_query_errors(store: Store) -> None:
    with pytest.raises(QueryError, match="blank node"):
        store.select("SELECT * WHERE { ?s ?p ?o }", {"o": BNode()})
    with pytest.raises(QueryError, match="variable name"):
        store.select("SELECT * WHERE { ?s ?p ?o }", {"o) } DROP ALL #": Literal("x")})
    with pytest.raises(QueryError):
        store.select("SELECT * WHERE { ?s ?p ?o }", {"o": URIRef("http://x.example/a b>")})
    with pytest.raises(QueryError):
        store.select("SELECT * WHERE { ?s ?p ?o }", {"o": Literal("x", datatype="not an IRI")})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { VALUES"),
        ("ASK{?s ?p ?o}", "ASK{ VALUES"),
        (
            'PREFIX ex: <http://example.org/x#>\nSELECT ("{" AS ?b) # {\nWHERE { ?s ?p ?o }',
            "WHERE { VALUES",
        ),
        ("SELECT (EXISTS { ?s ?p 1 } AS ?e) ?o { ?s ?p ?o }", "?o { VALUES"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "} WHERE { VALUES"),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://x.example/> { ?s ?p ?o }", "/> { VALUES"),
        ("SELECT ?x WHERE { ?s ?p '''a { ''' . ?s ?p ?o }", "WHERE { VALUES"),
        ("select ?o where { select ?o { ?s ?p ?o } }", "integer> }\n{ select ?o"),
    ],
)
def test_values_go_into_the_outermost_where_group(query: str, expected: str) -> None:
    text = inject_values(query, {"o": Literal(1)})
    assert expected in text
    ox.Store().query(text)  # still a valid query


def test_a_query_without_a_where_group_cannot_take_bindings() -> None:
    with pytest.raises(QueryError, match="WHERE"):
        inject_values("DESCRIBE <http://example.org/x>", {"o": Literal(1)})
    with pytest.raises(QueryError, match="short form"):
        inject_values("CONSTRUCT WHERE { ?s ?p ?o }", {"o": Literal(1)})
    with pytest.raises(QueryError, match="unterminated"):
        inject_values("SELECT * WHERE { ?s ?p 'oops }", {"o": Literal(1)})


# -- dumps parse back, strictly, to what went in (every backend) ---------------------------


def _sample_dataset() -> bytes:
    b = ox.BlankNode()
    return nquads(
        (EX + "s", P, Literal("plain"), g("a")),
        (EX + "s", P, Literal("tagged\nwith a newline", lang="en"), g("a")),
        (EX + "s", URIRef(EX + "q"), b, g("a")),
        (b, P, Literal("3.5", datatype=XSD_DECIMAL), g("a")),
        (EX + "t", P, EX + "s", g("b")),
        (EX + "t", P, Literal('quote " and ünïcödé'), g("b")),
    )


def _graphs_of(data: bytes, fmt: str) -> dict[str | None, Graph]:
    """Parse strictly with pyoxigraph; one rdflib graph per graph name (None: default)."""
    out: dict[str | None, Graph] = {}
    for quad in ox.parse(data, format=DUMP_FORMATS[fmt]):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        triple = (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
        out.setdefault(name, Graph()).add(triple)
    return out


def _reachable(graph: Graph, prefix: str) -> Graph:
    """The triples about subjects under ``prefix`` and the blank nodes they lead to."""
    out = Graph()
    todo = [s for s in set(graph.subjects()) if str(s).startswith(prefix)]
    seen = set(todo)
    while todo:
        subject = todo.pop()
        for p, o in graph.predicate_objects(subject):
            out.add((subject, p, o))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return out


def _expected_graphs() -> dict[str | None, Graph]:
    return _graphs_of(_sample_dataset(), "nquads")


@pytest.mark.parametrize("fmt", sorted(DUMP_FORMATS))
def test_dump_one_graph_round_trips(store: Store, fmt: str) -> None:
    store.replace_graphs(_sample_dataset(), [g("a"), g("b")])
    out = io.BytesIO()
    store.dump(out, fmt, graph=g("a"))
    got = _graphs_of(out.getvalue(), fmt)
    expected = _expected_graphs()[g("a")]
    (graph,) = got.values()
    assert isomorphic(graph, expected)
    if DUMP_FORMATS[fmt].supports_datasets:
        assert list(got) == [g("a")]


@pytest.mark.parametrize("fmt", sorted(DUMP_FORMATS))
def test_dump_everything_round_trips(store: Store, fmt: str) -> None:
    store.replace_graphs(_sample_dataset(), [g("a"), g("b")])
    out = io.BytesIO()
    store.dump(out, fmt)
    got = _graphs_of(out.getvalue(), fmt)
    expected = _expected_graphs()
    if DUMP_FORMATS[fmt].supports_datasets:
        for name in (g("a"), g("b")):
            assert isomorphic(got[name], expected[name]), name
    else:
        union = _reachable(got[None], EX)  # Virtuoso adds its own graphs to the union
        merged = Graph()
        for name in (g("a"), g("b")):
            for triple in expected[name]:
                merged.add(triple)
        assert isomorphic(union, merged)


def test_unknown_dump_format_is_a_usage_error(store: Store) -> None:
    with pytest.raises(UsageError, match="turtle"):
        store.dump(io.BytesIO(), "n3")


# -- embedded: atomic batches, busy folder, recovery ----------------------------------------

_WORKER = """
import sys
from lod.store import open_store
from tests.test_store import crash_batch
path, graphs, mode, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = open_store(store_dir=path)
if mode == "load":
    store.bulk_threshold = 10**12
while True:
    version += 1
    data, names = crash_batch(version, graphs)
    store.replace_graphs(data, names)
    print(version, flush=True)
"""


def crash_batch(version: int, graphs: int) -> tuple[bytes, list[str]]:
    """A batch where graph i has a known size that changes with every version."""
    rows: list[tuple[object, object, object, str | None]] = []
    names = [g(f"crash{i}") for i in range(graphs)]
    for i, name in enumerate(names):
        size = 20 + (version * 7 + i) % 31
        rows.append((name, EX + "version", Literal(version), name))
        rows.append((name, EX + "size", Literal(size), name))
        rows += [(f"{name}#{k}", P, Literal(f"{version}/{k}"), name) for k in range(size - 2)]
    return nquads(*rows), names


def _check_crash_store(path: Path, graphs: int) -> int:
    """Every graph whole, and every graph of the batch at the same version; returns it."""
    with open_store(store_dir=path) as store:
        rows = store.select("SELECT ?g ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    by_graph: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_graph.setdefault(str(row["g"]), []).append((str(row["p"]), str(row["o"])))
    if not by_graph:
        return 0
    assert len(by_graph) == graphs
    versions = set()
    for name, pairs in by_graph.items():
        version = [int(o) for p, o in pairs if p == EX + "version"]
        size = [int(o) for p, o in pairs if p == EX + "size"]
        assert len(version) == 1 and len(size) == 1, f"{name}: half a graph"
        assert len(pairs) == size[0], f"{name}: {len(pairs)} triples, expected {size[0]}"
        fillers = {o.split("/")[0] for p, o in pairs if p == str(P)}
        assert fillers == {str(version[0])}, f"{name}: mixed versions"
        versions.add(version[0])
    assert len(versions) == 1, f"graphs of one batch at different versions: {sorted(versions)}"
    return versions.pop()


@pytest.mark.parametrize("mode", ["bulk", "load"])
def test_sigkill_midway_leaves_every_graph_old_or_new(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "store"
    graphs = 600 if mode == "bulk" else 150
    rng = random.Random(20240601)
    seen = 0
    for _cycle in range(4):
        kill_after_a_batch([sys.executable, "-c", _WORKER, str(path), str(graphs), mode, str(seen)], rng)
        version = _check_crash_store(path, graphs)
        assert version > seen  # at least the batch the worker reported is there
        seen = version


def kill_after_a_batch(command: list[str], rng: random.Random) -> None:
    """Run a writer that prints a line after each batch; once it has printed one, let it go on
    for a random while (up to two batches' time), then SIGKILL it."""
    worker = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        started = time.monotonic()
        line = worker.stdout.readline()  # one full batch written in this cycle
        assert line, worker.stderr.read() if worker.stderr else ""
        batch_time = max(0.05, time.monotonic() - started)
        time.sleep(rng.uniform(0.0, batch_time * 2))
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


def test_interrupted_batch_is_finished_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open_store(store_dir=path) as store:
        store.replace_graphs(study("a", 4, version=1) + study("b", 4), [g("a"), g("b")])
    # what a process killed right after committing its journal leaves behind
    _write_journal(path / JOURNAL, study("a", 6, version=2), [g("a"), g("b")])
    with open_store(store_dir=path) as store:
        assert store.graphs() == [g("a")]
        assert store.triple_count(g("a")) == 6
    assert not (path / JOURNAL).exists()


def test_store_busy_while_another_process_has_it(tmp_path: Path) -> None:
    path = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom lod.store import open_store\n"
            "s = open_store(store_dir=sys.argv[1])\nprint('open', flush=True)\ntime.sleep(60)",
            str(path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreBusyError) as caught:
            open_store(store_dir=path, read_only=True)
        message = str(caught.value)
        assert str(path) in message and "busy" in message and "\n" not in message
    finally:
        holder.kill()
        holder.wait()
    with open_store(store_dir=path) as store:
        assert store.graphs() == []


def test_close_releases_the_folder(tmp_path: Path) -> None:
    store = open_store(store_dir=tmp_path / "s")
    store.replace_graphs(study("a", 2), [g("a")])
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.graphs()
    with open_store(store_dir=tmp_path / "s") as again:
        assert again.graphs() == [g("a")]


def test_a_folder_with_other_files_is_not_taken(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an lod store"):
        open_store(store_dir=tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        open_store(store_dir=tmp_path / "file")


def test_embedded_store_is_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store"
    with open_store(store_dir=path) as store:
        assert isinstance(store, EmbeddedStore)
    assert (path / "CURRENT").exists()


# -- open_store and the environment helpers -----------------------------------------------


def test_open_store_needs_exactly_one_target(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no store"):
        open_store()
    with pytest.raises(UsageError, match="not both"):
        open_store(store_dir=tmp_path, endpoint="http://127.0.0.1:1/sparql")
    with pytest.raises(UsageError, match="http"):
        open_store(endpoint="ftp://example.org/sparql")
    with pytest.raises(UsageError, match="auth"):
        open_store(endpoint="http://127.0.0.1:1/sparql", user="u", auth="ntlm")
    with pytest.raises(UsageError, match="without a user"):
        open_store(endpoint="http://127.0.0.1:1/sparql", password="p")
    with pytest.raises(UsageError, match="endpoint"):
        open_store(store_dir=tmp_path / "x", gsp_endpoint="http://127.0.0.1:1/gsp")


def test_default_store_dir() -> None:
    assert default_store_dir({"LOD_STORE": "/data/lod", "XDG_DATA_HOME": "/x"}) == Path("/data/lod")
    assert default_store_dir({"XDG_DATA_HOME": "/x", "HOME": "/h"}) == Path("/x/lod/store")
    assert default_store_dir({"XDG_DATA_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/share/lod/store")
    assert default_store_dir({"HOME": "/h"}) == Path("/h/.local/share/lod/store")


def test_resolve_password(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine db.example.org login dba password s3cret\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc), "HOME": str(tmp_path)}
    assert resolve_password("dba", "db.example.org", env) == "s3cret"
    assert resolve_password(None, "https://db.example.org:8890/sparql", env) == "s3cret"
    assert resolve_password("someone", "db.example.org", env) is None
    assert resolve_password("dba", "other.example.org", env) is None
    assert resolve_password("dba", "db.example.org", {**env, "LOD_PASSWORD": "env"}) == "env"
    assert resolve_password("dba", "db.example.org", {"HOME": str(tmp_path / "nohome")}) is None
    netrc.write_text("machine\n")
    with pytest.raises(UsageError, match="cannot read"):
        resolve_password("dba", "db.example.org", env)


# -- remote failures, on real loopback sockets ---------------------------------------------


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    store = open_store(endpoint=url, timeout=5)
    started = time.monotonic()
    with pytest.raises(StoreError, match=f"cannot reach {url}"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 2


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_timeout_is_reported_quickly(silent_server: str) -> None:
    store = open_store(endpoint=silent_server, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(StoreError, match=r"did not answer within 0.5 s"):
        store.ask("ASK { ?s ?p ?o }")
    assert time.monotonic() - started < 3


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next (status, content type, body) of its script."""

    script: list[tuple[int, str, bytes]] = []
    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.seen.append(self.headers.get("Accept", ""))
        status, content_type, body = self.script.pop(0) if self.script else (500, "text/plain", b"")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on a loopback port in a thread; yields the /sparql URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def scripted_server() -> Iterator[tuple[str, type[_Scripted]]]:
    handler = type("Handler", (_Scripted,), {"script": [], "seen": []})
    with _serve(handler) as url:
        yield url, handler


class _BasicOnly(_Scripted):
    """Answers ASK true to ``user:secret`` over HTTP basic auth, 401 + a Basic challenge else."""

    auths: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        expected = "Basic " + base64.b64encode(b"user:secret").decode()
        self.auths.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") == expected:
            self.script[:] = [ASK_TRUE]
            super().do_POST()
            return
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="lod test"')
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize(("auth", "requests"), [("basic", 1), ("auto", 2)])
def test_basic_auth(auth: str, requests: int) -> None:
    handler: type[_BasicOnly] = type("Handler", (_BasicOnly,), {"script": [], "seen": [], "auths": []})
    with _serve(handler) as url:
        assert open_store(endpoint=url, user="user", password="secret", auth=auth).ask("ASK {}")
        assert len(handler.auths) == requests  # basic is sent up front; auto waits for the 401
        for wrong in ("basic", "auto", "digest"):
            store = open_store(endpoint=url, user="user", password="wrong", auth=wrong)
            with pytest.raises(StoreError, match=f"credentials refused by {url}"):
                store.ask("ASK {}")


ASK_TRUE = (200, "application/sparql-results+json", json.dumps({"head": {}, "boolean": True}).encode())
BUSY = (503, "text/plain", b"Service busy: try later\nsecond line")


def test_transient_503_is_retried(scripted_server: tuple[str, type[_Scripted]]) -> None:
    url, handler = scripted_server
    handler.script[:] = [BUSY, BUSY, ASK_TRUE]
    assert open_store(endpoint=url).ask("ASK {}") is True
    assert len(handler.seen) == 3
    assert all("application/sparql-results+json" in accept for accept in handler.seen)


def test_persistent_503_gives_the_servers_first_line(
    scripted_server: tuple[str, type[_Scripted]],
) -> None:
    url, handler = scripted_server
    handler.script[:] = [BUSY, BUSY, BUSY, ASK_TRUE]
    with pytest.raises(StoreError) as caught:
        open_store(endpoint=url).ask("ASK {}")
    assert str(caught.value) == f"{url} failed (HTTP 503): Service busy: try later"
    assert len(handler.seen) == 3


def test_an_html_answer_is_not_taken_for_results(
    scripted_server: tuple[str, type[_Scripted]],
) -> None:
    url, handler = scripted_server
    handler.script[:] = [(200, "text/html", b"<html>query form</html>")]
    with pytest.raises(StoreError, match="HTML page"):
        open_store(endpoint=url).select("SELECT * WHERE { ?s ?p ?o }")


# -- Virtuoso specifics: auth, server errors, row caps, the W3C GSP cases ------------------

virtuoso = pytest.mark.virtuoso


@virtuoso
@pytest.mark.parametrize("auth", ["digest", "auto"])
def test_digest_auth_as_dba(virtuoso_server: VirtuosoServer, auth: str) -> None:
    store = virtuoso_server.open(as_dba=True, auth=auth)
    try:
        store.replace_graphs(study("auth", 4), [g("auth")])
        assert store.triple_count(g("auth")) == 4
        store.update(f"DROP SILENT GRAPH <{g('auth')}>")
        assert not store.has_graph(g("auth"))
    finally:
        store.close()
        virtuoso_server.reset()


@virtuoso
@pytest.mark.parametrize("auth", ["digest", "auto"])
def test_wrong_password_is_refused(virtuoso_server: VirtuosoServer, auth: str) -> None:
    store = virtuoso_server.open(as_dba=True, password="wrong", auth=auth)
    with pytest.raises(StoreError, match=f"credentials refused by {virtuoso_server.sparql_auth}"):
        store.ask("ASK {}")
    with pytest.raises(StoreError, match=f"credentials refused by {virtuoso_server.gsp_auth}"):
        store.replace_graphs(study("x", 2), [g("x")])


@virtuoso
def test_auth_endpoint_without_credentials(virtuoso_server: VirtuosoServer) -> None:
    store = open_store(endpoint=virtuoso_server.sparql_auth)
    with pytest.raises(StoreError, match="requires credentials"):
        store.ask("ASK {}")


@virtuoso
def test_server_side_error_carries_the_servers_message(virtuoso_server: VirtuosoServer) -> None:
    store = virtuoso_server.open()
    with pytest.raises(StoreError, match=r"HTTP 500\): Virtuoso 22012 Error SR084: Division by 0"):
        store.select("SELECT (1/0 AS ?x) WHERE {}")
    with pytest.raises(QueryError, match="SP030"):
        store.select("SELEC * WHERE { ?s ?p ?o }")


@virtuoso
@pytest.mark.parametrize("gsp", [True, False], ids=["gsp", "update"])
def test_row_cap_is_flagged_and_paged_past(virtuoso_server: VirtuosoServer, gsp: bool) -> None:
    big = nquads(*[(f"{EX}s{i}", P, Literal(i), g("big")) for i in range(10_001)])
    store = virtuoso_server.open(gsp=gsp)
    try:
        store.replace_graphs(big, [g("big")])
        assert store.triple_count(g("big")) == 10_001
        with pytest.warns(TruncatedResultWarning, match="10000 rows"):
            rows = store.select(f"SELECT ?s WHERE {{ GRAPH <{g('big')}> {{ ?s ?p ?o }} }}").rows
        assert len(rows) == 10_000
        out = io.BytesIO()
        store.dump(out, "ntriples", graph=g("big"))
        assert len(list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES))) == 10_001
    finally:
        store.close()
        virtuoso_server.reset()


@virtuoso
def test_many_graphs_are_listed_past_the_row_cap(virtuoso_server: VirtuosoServer) -> None:
    names = [g(f"many{i:05d}") for i in range(10_050)]
    store = virtuoso_server.open(gsp=False)  # SPARQL Update packs many graphs per request
    try:
        store.add_nquads(nquads(*[(EX + "s", P, Literal(1), name) for name in names]))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert our_graphs(store) == names
    finally:
        store.close()
        virtuoso_server.reset()


ManifestRequest = tuple[str, str, bytes | None, set[int], Graph | None]


def _manifest_requests(test_name: str, count: int) -> list[ManifestRequest]:
    """(method, graph, N-Triples body, expected statuses, expected graph) of the first
    ``count`` requests of one W3C Graph Store Protocol manifest test."""
    manifest = Graph().parse(W3C_GSP / "manifest-indirect.ttl", format="turtle")
    mf = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    ht = "http://www.w3.org/2011/http#"
    chars = URIRef("http://www.w3.org/2011/content#chars")
    statuses = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
    base = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/http-rdf-update/manifest#"
    action = manifest.value(URIRef(base + test_name), URIRef(mf + "action"))
    out: list[ManifestRequest] = []
    first = manifest.value(action, URIRef(ht + "requests"))
    assert first is not None, test_name
    for req in list(manifest.items(first))[:count]:
        method = str(manifest.value(req, URIRef(ht + "methodName")))
        path = str(manifest.value(req, URIRef(ht + "absolutePath")))
        graph = unquote(path.split("graph=", 1)[1])
        body = None
        body_node = manifest.value(req, URIRef(ht + "body"))
        if body_node is not None:
            quads = ox.parse(str(manifest.value(body_node, chars)).encode(), format=ox.RdfFormat.TURTLE)
            body = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
        resp = manifest.value(req, URIRef(ht + "resp"))
        expected = {
            statuses[str(status).rsplit("#", 1)[1]]
            for status in manifest.objects(resp, URIRef(mf + "expectedStatus"))
        }
        resp_body = manifest.value(resp, URIRef(ht + "body"))
        expected_graph = None
        if resp_body is not None:
            expected_graph = Graph().parse(data=str(manifest.value(resp_body, chars)), format="turtle")
        out.append((method, graph, body, expected, expected_graph))
    return out


@virtuoso
@pytest.mark.parametrize(
    ("case", "requests"),
    [
        ("put_get_repeat_indirect", 4),
        ("put_delete_get_delete_indirect", 4),
        ("post_get_post_get_indirect", 2),  # its 3rd request is multipart/form-data: not ours
    ],
)
def test_gsp_client_against_w3c_manifest_cases(
    virtuoso_server: VirtuosoServer, case: str, requests: int
) -> None:
    client = GraphStore(virtuoso_server.gsp, HttpClient(timeout=10))
    try:
        for method, graph, body, expected, expected_graph in _manifest_requests(case, requests):
            accept = "application/n-triples" if method == "GET" else None
            response = client.send(method, graph, body, accept=accept)
            assert response.status in expected, (method, graph, response.status)
            if expected_graph is not None:
                got = Graph().parse(data=response.body.decode(), format="nt")
                assert isomorphic(got, expected_graph)
    finally:
        virtuoso_server.reset()


@virtuoso
def test_gsp_wrappers(virtuoso_server: VirtuosoServer) -> None:
    client = GraphStore(virtuoso_server.gsp, HttpClient(timeout=10))
    name = g("wrapped")
    try:
        assert client.get(name) is None
        assert client.put(name, b'<http://example.org/s> <http://example.org/p> "1" .\n') == 201
        assert client.post(name, b'<http://example.org/s> <http://example.org/p> "2" .\n') in (
            200,
            201,
            204,
        )
        body = client.get(name)
        assert body is not None and len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 2
        assert client.delete(name) is True
        assert client.delete(name) is False
    finally:
        virtuoso_server.reset()
