"""Change detection and writing: each harvested dataset is compared, by content hash, with
what the store holds from the same source; unchanged ones cost no write at all, changed and
new ones replace their graph (with fresh provenance) in batches, and shared nodes
(organisations, concepts, places, catalogues) are written only when the store lacks them."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from lod.harvest.provenance import known_hashes, provenance
from lod.store import Store, facets
from lod.store.embedded import EmbeddedStore

BATCH_TRIPLES = 50_000  # statements per write, as lod load's batches


Built = tuple[list[str], dict[str, list[str]]]


@dataclass
class Item:
    """One dataset of a source: its IRI and content hash, where it came from, and how to make
    its graph's statements (N-Triples, no final dot) and the shared nodes it uses: only called
    when the dataset is new or changed."""

    iri: str
    digest: str
    page: str
    fmt: str
    build: Callable[[], Built]
    catalogues: list[str] = field(default_factory=list)


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    writes: int = 0  # store write calls made


class Sink:
    def __init__(self, store: Store, source: str) -> None:
        self.store = store
        self.source = source
        self.known = known_hashes(store, source)
        self.seen: set[str] = set()
        self.counts = Counts()
        self._graphs: set[str] | None = None
        self._pending: list[str] = []
        self._pending_graphs: list[str] = []
        self._size = 0
        self._stale = False
        self._writer = _Writer(store)

    def add(self, item: Item) -> None:
        if item.iri in self.seen:
            return  # the same dataset again (a repeated page): no duplicate
        self.seen.add(item.iri)
        old = self.known.get(item.iri)
        if old == item.digest:
            self.counts.unchanged += 1
            return
        if old is None:
            self.counts.added += 1
        else:
            self.counts.changed += 1
        statements, shared = item.build()
        graph = f" <{item.iri}> .\n"
        self._pending.append("".join(s + graph for s in statements))
        self._pending.append("".join(f"{t}{graph}" for t in provenance(
            item.iri, source=self.source, page=item.page, digest=item.digest, fmt=item.fmt,
            catalogues=item.catalogues)))
        self._pending_graphs.append(item.iri)
        existing = self._existing()
        for node, node_statements in shared.items():
            if node in existing:
                continue
            existing.add(node)
            self._pending.append("".join(f"{s} <{node}> .\n" for s in node_statements))
            self._pending_graphs.append(node)
        self._size += len(statements) + 8
        if self._size >= BATCH_TRIPLES:
            self.flush()

    def unchanged(self, iri: str) -> None:
        """A dataset on a page the source says is not modified (304)."""
        if iri in self.seen:
            return
        self.seen.add(iri)
        self.counts.unchanged += 1

    def _existing(self) -> set[str]:
        if self._graphs is None:
            self._graphs = set(self.store.graphs())
        return self._graphs

    def flush(self) -> None:
        """Hand the pending graphs to the writer thread (one batch in flight at a time, so
        parsing the next pages overlaps writing)."""
        if not self._pending_graphs:
            return
        if not self._stale:
            facets.mark_stale(self.store)
            self._stale = True
            self.counts.writes += 1
        self._writer.submit("".join(self._pending).encode("utf-8"), self._pending_graphs)
        self.counts.writes += 1
        self._pending, self._pending_graphs, self._size = [], [], 0

    def delete_missing(self) -> int:
        gone = sorted(set(self.known) - self.seen)
        if gone:
            self.flush()
            self._writer.wait()
            if not self._stale:
                facets.mark_stale(self.store)
                self._stale = True
            self.store.delete_graphs(gone)
            self.counts.writes += 1
        self.counts.deleted = len(gone)
        return len(gone)

    def finish(self) -> None:
        """Write what is pending; compact an embedded store after bulk loads (see
        :meth:`EmbeddedStore.compact`); refresh the facet summary when anything was written."""
        try:
            self.flush()
        finally:
            self._writer.close()
        if isinstance(self.store, EmbeddedStore) and self.store.compact() is not None:
            self.counts.writes += 1
        if self._stale:
            facets.refresh(self.store)
            self.counts.writes += 1


class _Writer:
    """One thread writing batches; the first error is raised in the caller's thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: queue.Queue[tuple[bytes, list[str]] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, payload: bytes, graphs: list[str]) -> None:
        self._check()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lod-harvest-writer", daemon=True)
            self._thread.start()
        self._queue.put((payload, graphs))

    def wait(self) -> None:
        if self._thread is not None:
            self._queue.join()
        self._check()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._check()

    def _check(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:
                    payload, graphs = item
                    if isinstance(self.store, EmbeddedStore):
                        # every statement was written by pyoxigraph (or lod's converter)
                        self.store.replace_graphs(payload, graphs, trusted=True)
                    else:
                        self.store.replace_graphs(payload, graphs)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._error = exc
            finally:
                self._queue.task_done()


__all__ = ["BATCH_TRIPLES", "Counts", "Item", "Sink"]
