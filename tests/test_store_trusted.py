"""The embedded store's short path for lod's own converter output (``replace_graphs(...,
trusted=True)``): graphs the store does not have yet are written without a Python parse and
with a journal that names them only. Same guarantees: all-or-nothing per batch (even under
SIGKILL), bad N-Quads refused without a trace, existing graphs replaced as before."""

from __future__ import annotations

import random
import sys
import threading
from pathlib import Path

import pytest
from rdflib import Literal

from lod.errors import StoreError
from lod.store.embedded import JOURNAL, EmbeddedStore, _write_journal
from tests.test_store import EX, P, g, kill_after_a_batch, nquads, study

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["transaction", "bulk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EmbeddedStore:
    """An empty store; ``bulk`` sends every payload through ``bulk_load``."""
    opened = EmbeddedStore(tmp_path / "store")
    if request.param == "bulk":
        opened.bulk_threshold = 0
    return opened


def test_new_graphs_load(store: EmbeddedStore) -> None:
    store.replace_graphs(study("a", 5) + study("b", 7), [g("a"), g("b")], trusted=True)
    assert [store.triple_count(g(n)) for n in "ab"] == [5, 7]
    assert not (store.path / JOURNAL).exists()
    store.close()


def test_existing_graphs_are_replaced(store: EmbeddedStore) -> None:
    store.replace_graphs(study("a", 5, version=1) + study("b", 3), [g("a"), g("b")], trusted=True)
    store.replace_graphs(study("a", 2, version=2) + study("c", 4), [g("a"), g("b"), g("c")],
                         trusted=True)
    assert store.graphs() == [g("a"), g("c")]
    assert store.triple_count(g("a")) == 2 and store.triple_count(g("c")) == 4
    store.close()


def test_bad_nquads_are_refused_and_leave_nothing(store: EmbeddedStore) -> None:
    store.replace_graphs(study("a", 3), [g("a")], trusted=True)
    bad = study("b", 4) + f"<{EX}x> <{P}> <not an iri> <{g('b')}> .\n".encode()
    with pytest.raises(StoreError, match="invalid N-Quads"):
        store.replace_graphs(bad, [g("b")], trusted=True)
    assert store.graphs() == [g("a")]
    assert not (store.path / JOURNAL).exists()
    store.close()
    EmbeddedStore(store.path).close()  # and the store opens again


def test_a_journal_without_payload_drops_its_graphs_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:
        store.replace_graphs(study("a", 4), [g("a")])
        store.add_nquads(study("b", 4))  # what a killed process had written of its batch
    _write_journal(path / JOURNAL, b"", [g("b"), g("c")])  # the journal of that batch
    with EmbeddedStore(path) as store:
        assert store.graphs() == [g("a")]
        assert store.triple_count(g("a")) == 4
    assert not (path / JOURNAL).exists()


_WORKER = """
import sys
import threading
from lod.store.embedded import EmbeddedStore
from tests.test_store_trusted import fresh_batch
path, graphs, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = EmbeddedStore(path)
store.bulk_threshold = 0
batch = first
while True:
    data, names = fresh_batch(batch, graphs)
    store.replace_graphs(data, names, trusted=True)
    print(batch, flush=True)
    batch += 1
"""


def fresh_batch(batch: int, graphs: int) -> tuple[bytes, list[str]]:
    """Graphs no earlier batch had, each with a size it states."""
    rows: list[tuple[object, object, object, str | None]] = []
    names = [g(f"b{batch}-{i}") for i in range(graphs)]
    for i, name in enumerate(names):
        size = 20 + (batch * 7 + i) % 31
        rows.append((name, EX + "size", Literal(size), name))
        rows += [(f"{name}#{k}", P, f"{EX}v{k}", name) for k in range(size - 1)]
    return nquads(*rows), names


def _check(path: Path, graphs: int) -> int:
    """Every graph whole and every batch whole or absent; returns the batches there."""
    with EmbeddedStore(path) as store:
        rows = store.select("SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?size) AS ?s) WHERE { GRAPH ?g { "
                            "?x ?p ?o OPTIONAL { ?x <http://example.org/size> ?size } } } "
                            "GROUP BY ?g").rows
    batches: dict[str, int] = {}
    for row in rows:
        name = str(row["g"])
        assert int(row["n"]) == int(row["s"]), f"{name}: half a graph"  # type: ignore[call-overload]
        batch = name.rsplit("/", 1)[1].split("-")[0]
        batches[batch] = batches.get(batch, 0) + 1
    assert all(n == graphs for n in batches.values()), f"half a batch: {batches}"
    return len(batches)


def test_sigkill_midway_leaves_every_new_batch_whole_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "store"
    graphs = 600
    rng = random.Random(20240602)
    first = 0
    for _cycle in range(4):
        kill_after_a_batch([sys.executable, "-c", _WORKER, str(path), str(graphs), str(first)], rng)
        done = _check(path, graphs)
        assert done > _cycle  # at least the batch the worker reported
        first += 1000  # the next worker's batches are new graphs again


def _versioned(names: list[str], version: int) -> bytes:
    rows: list[tuple[object, object, object, str | None]] = []
    for i, name in enumerate(names):
        size = 5 + (version + i) % 7
        rows.append((name, EX + "size", Literal(size), name))
        rows += [(f"{name}#{k}", P, Literal(f"v{version}"), name) for k in range(size - 1)]
    return nquads(*rows)


def test_concurrent_batches_of_the_same_graphs_never_mix(tmp_path: Path) -> None:
    """Threads writing the same graphs at once, trusted or not: each graph ends up as one
    writer's version, whole; a query meanwhile sees every graph whole."""
    store = EmbeddedStore(tmp_path / "store")
    store.bulk_threshold = 0
    names = [g(f"same{i}") for i in range(200)]
    errors: list[BaseException] = []
    payloads = {v: _versioned(names, v) for v in range(1, 7)}
    start = threading.Barrier(len(payloads))

    def write(version: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                store.replace_graphs(payloads[version], names, trusted=version % 3 != 0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(v,)) for v in range(1, 7)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        for row in store.select(_SIZES).rows:
            assert row["n"] == row["s"], row
    for thread in threads:
        thread.join()
    assert not errors
    assert store.graphs() == sorted(names)
    versions = {str(r["o"]) for r in store.select(f"SELECT DISTINCT ?o WHERE {{ ?s <{P}> ?o }}").rows}
    for row in store.select(_SIZES).rows:
        assert row["n"] == row["s"], row
    assert len(versions) == 1, versions  # one batch's version throughout
    store.close()


_SIZES = ("SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?size) AS ?s) WHERE { GRAPH ?g { ?x ?p ?o "
          "OPTIONAL { ?x <http://example.org/size> ?size } } } GROUP BY ?g")
