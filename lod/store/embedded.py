"""The embedded store: Oxigraph (pyoxigraph) on disk, in a folder of its own.

Writes go through a small redo journal so that a batch is all-or-nothing even though the
fast path, ``Store.bulk_load``, is not transactional:

1. the payload is parsed once, strictly, and every quad is checked to lie in the batch;
2. the journal (``lod-journal.nq``: a comment line naming the graphs to drop, then the
   payload) is written to a temporary name, fsynced and renamed into place: this is the
   commit point;
3. the graphs are dropped and the payload loaded (``bulk_load`` for big payloads,
   the transactional ``load`` for small ones), the store is flushed, the journal removed.

A process killed after step 2 leaves the journal behind; the next open replays it (drop
and load are idempotent), so every graph of the batch ends up in its new state. Killed
before the rename, nothing happened: every graph keeps its old state.

A *trusted* batch (``replace_graphs(..., trusted=True)``: lod's own converter output, valid
N-Quads whose quads all lie in the batch's graphs by construction) whose graphs are all new
takes a shorter path: no parse in Python, and a journal of its own (``lod-journal-N.nq``) that
names the graphs but holds no payload, so replaying it drops them again (their old state:
absent). The payload is loaded by ``bulk_load`` without ``lenient``, which checks it as
strictly; if it is refused anyway, the graphs are dropped again and the batch is reported as
an error. (Below ``bulk_threshold`` the transactional ``load`` writes it: all-or-nothing by
itself, so no journal.) A trusted batch that replaces existing graphs takes the full path.

Trusted batches of new graphs do not hold the lock while they load, so two of them load at
once (a ``bulk_load`` of one batch runs on one core); every other write waits for those that
share a graph with it, ``update`` and ``close`` for all of them. A query meanwhile sees such a
batch whole or not at all (pyoxigraph ingests a bulk load's index files in one RocksDB step).

Only one process can open the folder (RocksDB's lock); a second one gets StoreBusyError.
Within a process, one lock serialises all other calls, so queries never see a batch half-done.
A store that exists but cannot be opened for writing (a read-only folder or file system) is
opened read-only (``pyoxigraph.Store.read_only``): it answers queries, and refuses writes.
"""

from __future__ import annotations

import itertools
import json
import operator
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from lod.errors import QueryError, StoreBusyError, StoreError, StoreMissingError
from lod.store import snapshots
from lod.store.base import DUMP_PREFIXES, Bindings, ClosingMixin, SelectResult, dump_format
from lod.store.bindings import inject_values
from lod.store.guard import check_query, check_update
from lod.store.scraps import remove_bulk_scraps
from lod.store.terms import iri

JOURNAL = "lod-journal.nq"
_JOURNALS = "lod-journal*.nq"  # JOURNAL and the trusted batches' lod-journal-N.nq
_JOURNAL_TAG = b"# lod-journal "
_NQ = ox.RdfFormat.N_QUADS
_GRAPH_NAME = operator.attrgetter("graph_name")


class EmbeddedStore(ClosingMixin):
    """An Oxigraph store in ``path``, created on first use."""

    remote = False
    #: payloads at least this big (bytes) go through ``bulk_load``; smaller ones through the
    #: transactional ``load``, which is slower per quad but has no per-call file overhead.
    bulk_threshold = 1_000_000

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False,
                 create: bool = True) -> None:
        """``read_only``: refuse writes. ``create``: make the store if there is none; else a
        missing store is a :class:`StoreMissingError`."""
        self.path = Path(path).expanduser()
        self.read_only = read_only
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)  # notified when a trusted batch ends
        self._loading: set[str] = set()  # graphs of the trusted batches loading now
        self._journal_ids = itertools.count(1)
        self._bulk_loads = 0  # bulk loads since the last compaction (see compact)
        if create:
            _prepare_folder(self.path)
        elif not (self.path / "CURRENT").is_file():
            raise StoreMissingError(
                f"no store at {self.path}" + (" (it is not a folder)" if self.path.exists()
                                              and not self.path.is_dir() else "")
                + "; lod load creates one"
            )
        try:
            self._store: ox.Store | None = ox.Store(str(self.path))
        except OSError as err:
            message = str(err).lower()
            if "read-only file system" in message or "permission denied" in message:
                self._store = self._open_read_only(err)
                return
            if "lock" in message:
                raise StoreBusyError(
                    f"store {self.path} is busy: another lod process (a load?) has it open; "
                    "try again when it finishes"
                ) from None
            raise StoreError(f"cannot open store {self.path}: {err}") from None
        remove_bulk_scraps(self.path)  # we hold the lock: no other load is writing them
        self._recover()

    def _open_read_only(self, refused: OSError) -> ox.Store:
        """The store opened read-only, after opening it for writing was ``refused``."""
        if any(self.path.glob(_JOURNALS)):
            raise StoreError(
                f"store {self.path} is read-only ({refused}) and holds an interrupted load "
                "that must be finished first: open it once where it can be written"
            )
        try:
            store = ox.Store.read_only(str(self.path))
        except OSError as err:
            raise StoreError(f"cannot open store {self.path}: {err}") from None
        self.read_only = True
        return store

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

    # -- writes -------------------------------------------------------------------------

    def replace_graphs(self, nquads: bytes, graphs: Sequence[str], *, trusted: bool = False) -> None:
        """See :meth:`lod.store.Store.replace_graphs`. ``trusted``: ``nquads`` is lod's own
        converter output (see the module's docstring): new graphs skip the Python parse and
        the payload in the journal, and load alongside other trusted batches."""
        names = list(dict.fromkeys(graphs))
        for name in names:
            iri(name)
        if trusted and self._begin_new(names):
            try:
                self._load_new(nquads, names)
            finally:
                with self._lock:
                    self._loading.difference_update(names)
                    self._idle.notify_all()
            return
        self._check_payload(nquads, allowed=set(names))
        self._commit(nquads, names)

    def add_nquads(self, nquads: bytes) -> None:
        self._check_payload(nquads, allowed=None)
        self._commit(nquads, [])

    def delete_graphs(self, graphs: Sequence[str]) -> int:
        self._check_writable()
        names = list(dict.fromkeys(graphs))
        store = self._open_store()
        with self._lock:
            self._idle.wait_for(lambda: self._loading.isdisjoint(names))
            existing = [g for g in names if store.contains_named_graph(iri(g))]
            if existing:
                self._commit(b"", existing)
        return len(existing)

    def update(self, sparql: str) -> None:
        self._check_writable()
        check_update(sparql)
        store = self._open_store()
        with self._lock:
            self._idle.wait_for(lambda: not self._loading)
            try:
                store.update(sparql)
            except SyntaxError as err:
                raise QueryError(f"invalid SPARQL update: {err}") from None
            except OSError as err:
                raise StoreError(f"store {self.path}: update failed: {err}") from None
            self._publish(store)

    # -- reads --------------------------------------------------------------------------

    def has_graph(self, graph: str) -> bool:
        store = self._open_store()
        with self._lock:
            return bool(store.contains_named_graph(iri(graph)))

    def graphs(self) -> list[str]:
        store = self._open_store()
        with self._lock:
            return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self, graph: str | None = None) -> int:
        store = self._open_store()
        with self._lock:
            if graph is not None:
                return sum(1 for _ in store.quads_for_pattern(None, None, None, iri(graph)))
            in_default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            return len(store) - in_default

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        return SelectResult.of(result)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("not a CONSTRUCT or DESCRIBE query")
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return data if data is not None else b""

    def dump(self, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
        rdf_format = dump_format(fmt)
        store = self._open_store()
        prefixes = DUMP_PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        with self._lock:
            try:
                if graph is None and rdf_format.supports_datasets:
                    store.dump(out, rdf_format, prefixes=prefixes)
                elif graph is None:
                    ox.serialize((q.triple for q in store), out, rdf_format, prefixes=prefixes)
                elif rdf_format.supports_datasets:
                    quads = store.quads_for_pattern(None, None, None, iri(graph))
                    ox.serialize(quads, out, rdf_format, prefixes=prefixes)
                else:
                    store.dump(out, rdf_format, from_graph=iri(graph), prefixes=prefixes)
            except OSError as err:
                raise StoreError(f"store {self.path}: dump failed: {err}") from None

    def close(self) -> None:
        with self._lock:
            self._idle.wait_for(lambda: not self._loading)
            store, self._store = self._store, None
            try:
                if store is not None and not self.read_only:  # read-only: nothing to flush
                    store.flush()
            except OSError as err:
                raise StoreError(f"store {self.path}: closing failed: {err}") from None
            finally:
                # Dropping the last reference closes RocksDB and releases the folder's lock.
                del store

    # -- internals ----------------------------------------------------------------------

    def _open_store(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"store {self.path} is closed")
        return self._store

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"store {self.path} is read-only: it cannot be changed")

    def _query(self, query: str, bindings: Bindings | None) -> object:
        check_query(query)
        text = inject_values(query, bindings)
        store = self._open_store()
        with self._lock:
            try:
                return store.query(text, use_default_graph_as_union=True)
            except SyntaxError as err:
                raise QueryError(f"invalid SPARQL query: {err}") from None
            except OSError as err:
                raise StoreError(f"store {self.path}: query failed: {err}") from None

    def _check_payload(self, nquads: bytes, allowed: set[str] | None) -> None:
        """Parse the whole payload strictly before anything is written; with ``allowed``,
        every quad must lie in one of those graphs."""
        self._check_writable()
        try:
            names = set(map(_GRAPH_NAME, ox.parse(nquads, format=_NQ)))
        except SyntaxError as err:
            raise StoreError(f"invalid N-Quads for store {self.path}: {err}") from None
        if allowed is not None:
            outside = names - {ox.NamedNode(name) for name in allowed}
            if outside:
                first = sorted(str(name) for name in outside)[0]
                raise StoreError(f"quad in graph {first} is outside the graphs being replaced")

    def _commit(self, nquads: bytes, drop: list[str]) -> None:
        """Journal, apply, flush, forget: the write path every change takes."""
        self._check_writable()
        store = self._open_store()
        journal = self.path / JOURNAL
        with self._lock:
            self._idle.wait_for(lambda: self._loading.isdisjoint(drop))
            try:
                _write_journal(journal, nquads, drop)
                self._apply(store, nquads, drop)
                store.flush()
                journal.unlink()
                self._publish(store)
            except OSError as err:
                raise StoreError(f"store {self.path}: write failed: {err}") from None

    def _begin_new(self, names: list[str]) -> bool:
        """Claim ``names`` for a trusted batch if the store has none of them (once any batch
        in flight that shares one has ended); False: the batch takes the full path."""
        self._check_writable()
        store = self._open_store()
        with self._lock:
            self._idle.wait_for(lambda: self._loading.isdisjoint(names))
            if any(store.contains_named_graph(ox.NamedNode(n)) for n in names):
                return False
            self._loading.update(names)
            return True

    def _load_new(self, nquads: bytes, names: list[str]) -> None:
        """Load a trusted batch of new graphs (claimed by :meth:`_begin_new`) without the
        lock: its journal names the graphs only, so a replay removes whatever of them a killed
        process had written."""
        store = self._open_store()
        journal = self.path / f"lod-journal-{next(self._journal_ids)}.nq"
        small = len(nquads) < self.bulk_threshold  # one transaction: needs no journal
        try:
            if not small:
                _write_journal(journal, b"", names)
            try:
                if small:
                    store.load(nquads, format=_NQ)
                else:
                    store.bulk_load(nquads, format=_NQ)
            except SyntaxError as err:
                if not small:
                    self._apply(store, b"", names)
                    store.flush()
                    journal.unlink()
                raise StoreError(f"invalid N-Quads for store {self.path}: {err}") from None
            if small:
                store.flush()
            # A bulk load is on disk when it returns (its files are ingested, not written
            # through the memtables), so it needs no flush: at 100,000 studies the flushes
            # waited minutes in all on RocksDB's compactions.
            journal.unlink(missing_ok=True)
            with self._lock:
                if not small:
                    self._bulk_loads += 1
                self._publish(store)
        except OSError as err:
            raise StoreError(f"store {self.path}: write failed: {err}") from None

    def _apply(self, store: ox.Store, nquads: bytes, drop: Sequence[str]) -> None:
        for name in drop:
            node = ox.NamedNode(name)
            if store.contains_named_graph(node):  # a lookup costs far less than a drop
                store.remove_graph(node)
        if len(nquads) >= self.bulk_threshold:
            # Checked strictly in _check_payload already, so skip the second validation.
            store.bulk_load(nquads, format=_NQ, lenient=True)
            self._bulk_loads += 1
        elif nquads:
            store.load(nquads, format=_NQ)

    def compact(self, *, force: bool = False) -> float | None:
        """Compact the store's files if bulk loads have written any since the last time (or
        always, with ``force``: this process cannot know what earlier ones wrote); the
        seconds it took, or None when there was nothing to do.

        Each bulk load adds its own sorted files, which every later read has to consult until
        RocksDB merges them: on a store fresh from a 1.1-million-triple load, reading each
        graph's quads took 18.2 s before and 6.2 s after a compaction that took 2.0 s. Small
        loads (transactions) are merged by RocksDB as it goes, and compacting after one
        would rewrite the whole store for nothing, so they do not count."""
        self._check_writable()
        store = self._open_store()
        with self._lock:
            self._idle.wait_for(lambda: not self._loading)
            if not self._bulk_loads and not force:
                return None
            started = time.perf_counter()
            try:
                store.optimize()
            except OSError as err:
                raise StoreError(f"store {self.path}: compaction failed: {err}") from None
            self._bulk_loads = 0
            self._publish(store)  # readers of snapshots get the compacted files too
            return time.perf_counter() - started

    def publish_snapshot(self) -> None:
        """Publish a snapshot now (see :mod:`lod.store.snapshots`), e.g. when a reader starts."""
        store = self._open_store()
        with self._lock:
            self._idle.wait_for(lambda: not self._loading)
            snapshots.publish(store, self.path)

    def _publish(self, store: ox.Store) -> None:
        """A snapshot for the readers that asked for them (see :mod:`lod.store.snapshots`)."""
        if snapshots.enabled(self.path):
            snapshots.publish(store, self.path)

    def _recover(self) -> None:
        """Finish the batches a killed process committed but did not complete."""
        for tmp in self.path.glob(_JOURNALS + ".tmp"):
            tmp.unlink(missing_ok=True)
        store = self._open_store()
        for journal in sorted(self.path.glob(_JOURNALS)):
            try:
                data = journal.read_bytes()
                drop = _journal_graphs(data)
                self._apply(store, data, drop)
                store.flush()
                journal.unlink()
            except (OSError, SyntaxError, ValueError) as err:
                raise StoreError(
                    f"store {self.path}: cannot finish the interrupted load recorded in {journal}: {err}"
                ) from None


def _prepare_folder(path: Path) -> None:
    """Create the store folder, refusing a folder that holds something other than a store."""
    if path.exists() and not path.is_dir():
        raise StoreError(f"store {path} is not a folder")
    if path.is_dir() and not (path / "CURRENT").exists() and any(_visible(path)):
        raise StoreError(
            f"{path} is not an lod store (it has other files in it); choose a new or empty folder"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create store folder {path}: {err}") from None


def _visible(path: Path) -> Iterator[Path]:
    return (p for p in path.iterdir() if not p.name.startswith("."))


def _write_journal(journal: Path, nquads: bytes, drop: Sequence[str]) -> None:
    tmp = journal.with_name(journal.name + ".tmp")
    header = _JOURNAL_TAG + json.dumps({"drop": list(drop)}).encode("ascii") + b"\n"
    with open(tmp, "wb") as f:
        f.write(header)
        f.write(nquads)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, journal)
    fd = os.open(journal.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _journal_graphs(data: bytes) -> list[str]:
    first, _, _ = data.partition(b"\n")
    if not first.startswith(_JOURNAL_TAG):
        raise ValueError("journal has no header line")
    header = json.loads(first[len(_JOURNAL_TAG) :])
    return [str(g) for g in header["drop"]]
