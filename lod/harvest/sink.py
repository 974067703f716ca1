"""Change detection and writing: each harvested dataset is compared, by content hash, with
what the store holds from the same source; unchanged ones cost no write at all, changed and
new ones replace their graph (with fresh provenance) in batches, and shared nodes
(organisations, concepts, places, catalogues) are written only when the store lacks them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import facets
from ..store import Store
from ..store.embedded import EmbeddedStore
from .provenance import known_hashes, provenance

BATCH_DATASETS = 500


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
        self._stale = False

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
        if len(self._pending_graphs) >= BATCH_DATASETS:
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
        if not self._pending_graphs:
            return
        if not self._stale:
            facets.mark_stale(self.store)
            self._stale = True
            self.counts.writes += 1
        payload = "".join(self._pending).encode("utf-8")
        if isinstance(self.store, EmbeddedStore):
            # every statement was written by pyoxigraph (or lod's converter): valid N-Quads
            self.store.replace_graphs(payload, self._pending_graphs, trusted=True)
        else:
            self.store.replace_graphs(payload, self._pending_graphs)
        self.counts.writes += 1
        self._pending, self._pending_graphs = [], []

    def delete_missing(self) -> int:
        gone = sorted(set(self.known) - self.seen)
        if gone:
            self.flush()
            if not self._stale:
                facets.mark_stale(self.store)
                self._stale = True
            self.store.delete_graphs(gone)
            self.counts.writes += 1
        self.counts.deleted = len(gone)
        return len(gone)

    def finish(self) -> None:
        """Write what is pending; refresh the facet summary when anything was written."""
        self.flush()
        if self._stale:
            facets.refresh(self.store)
            self.counts.writes += 1


__all__ = ["BATCH_DATASETS", "Counts", "Item", "Sink"]
