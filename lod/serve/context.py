"""What every part of the server shares: its settings and read access to the store.

The routes (``/sparql``, the feed, the pages) get a :class:`ServeContext` and read through
its :class:`Reader`; none of them opens a store itself. The reader owns time limits and the
swap to a newer store snapshot, so the routes never see either.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

from lod.namespaces import DEFAULT_BASE_URI
from lod.serve.feedids import FeedIds
from lod.serve.generational import Generational
from lod.serve.jobs import StudyPage
from lod.serve.links import Links
from lod.serve.readahead import ReadAhead
from lod.store.base import Bindings, SelectResult, Store


@dataclass(frozen=True)
class ServeConfig:
    """``lod serve``'s options. ``public_url`` ends with ``/``; every absolute link uses it."""

    public_url: str
    base_uri: str = DEFAULT_BASE_URI
    update_token: str | None = None
    timeout: float = 30.0
    max_rows: int = 100_000
    page_size: int = 100
    page_cache_entries: int = 1024  # rendered pages kept per store generation (0: none)

    @property
    def links(self) -> Links:
        return Links(self.public_url, self.base_uri)

    def link(self, path: str) -> str:
        """The public URL of a server path such as ``catalog.ttl`` or ``/id/study/x``."""
        return self.public_url + path.lstrip("/")


class Reader(Protocol):
    """Read access for the routes. Every call is bounded by the server's query time limit."""

    async def select(self, query: str, bindings: Bindings | None = None) -> SelectResult: ...

    async def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    async def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        """CONSTRUCT or DESCRIBE; N-Triples bytes."""
        ...

    async def content(self, iris: list[str], *, datasets_only: bool = False,
                      graph_format: str = "ntriples", head: bytes = b"",
                      page: StudyPage | None = None) -> bytes | None:
        """What the feed carries for each dataset in ``iris`` (:mod:`lod.serve.content`) in
        ``graph_format`` (:data:`lod.serve.jobs.GRAPH_FORMATS`), after the N-Triples ``head``
        (a feed page's own triples), or as one study's HTML ``page``, read directly from the
        store;
        empty when ``datasets_only`` and one of them is not a stored dataset; None when this
        reader cannot read directly (ask by SPARQL then)."""
        ...

    def generation(self) -> str:
        """A token that changes whenever the store's content may have changed (ETags, caches)."""
        ...


class StoreReader:
    """A :class:`Reader` over one open lod :class:`Store`, queries run in threads
    (pyoxigraph releases the GIL). It has no time limit of its own, and keeps nothing."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._calls = 0

    async def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        return await asyncio.to_thread(self._store.select, query, bindings)

    async def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        return await asyncio.to_thread(self._store.ask, query, bindings)

    async def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        return await asyncio.to_thread(self._store.construct, query, bindings)

    async def content(self, iris: list[str], *, datasets_only: bool = False,
                      graph_format: str = "ntriples", head: bytes = b"",
                      page: StudyPage | None = None) -> bytes | None:
        return None  # through the Store API: by SPARQL (page_content), as over a server

    def generation(self) -> str:
        # It cannot tell when the store changes, so every call is a new generation and
        # nothing is served from a cache kept by generation.
        self._calls += 1
        return str(self._calls)


class PerGeneration:
    """Small values read from the store (its last-change stamp), kept until the store's
    generation changes: every page needs them, and they change only with the store."""

    def __init__(self) -> None:
        self._values: Generational[str, object] = Generational()

    def get(self, generation: str, key: str) -> tuple[bool, object]:
        """(whether a value is kept for ``key`` in ``generation``, the value)."""
        return self._values.lookup(generation, key)

    def put(self, generation: str, key: str, value: object) -> None:
        self._values.put(generation, key, value)


@dataclass(frozen=True)
class ServeContext:
    config: ServeConfig
    reader: Reader
    feed_ids: FeedIds = field(default_factory=FeedIds)
    per_generation: PerGeneration = field(default_factory=PerGeneration)
    #: feed pages started before they are asked for: (path, page request, format) → (bytes,
    #: the request for the page after it)
    feed_ahead: ReadAhead[tuple[str, Any, str], tuple[bytes, Any]] = field(default_factory=ReadAhead)
