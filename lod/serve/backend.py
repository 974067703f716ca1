"""Where the server's queries and writes go: the embedded store (queries in killable worker
processes, see :mod:`lod.serve.pool`) or a remote SPARQL 1.1 server (queries forwarded with
the time limit). Both write through a lod :class:`~lod.store.Store`, only when writes are on.

Embedded: the workers read either the store folder itself or, when writers publish them, the
newest snapshot (:mod:`lod.store.snapshots`), checked at most once a second; the server's own
writes bump the generation so that every worker reopens its read-only handle.
"""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Protocol

import httpx
import pyoxigraph as ox
from rdflib import URIRef

from lod.errors import LodError, QueryError
from lod.serve.cache import MAX_ENTRIES, AnswerCache
from lod.serve.jobs import Answer, ContentJob, GraphJob, QueryJob, error
from lod.serve.negotiate import GRAPH_TYPES, RESULTS_TYPES, format_of
from lod.serve.pool import WorkerPool
from lod.store import snapshots
from lod.store.base import Store
from lod.store.embedded import EmbeddedStore
from lod.store.guard import check_query

POLL_SECONDS = 1.0
#: seconds without a write after which a writable embedded store that bulk-loaded is compacted
COMPACT_AFTER_SECONDS = 60.0
_OX_GRAPH = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class Backend(Protocol):
    """What the routes need from a store."""

    writer: Store | None  # None: read-only

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def query(self, job: QueryJob) -> Answer: ...

    async def graph(self, job: GraphJob) -> Answer: ...

    async def content(self, job: ContentJob) -> Answer | None:
        """What the feed carries for the job's datasets (:mod:`lod.serve.content`); None
        when this backend cannot read it directly (the caller asks by SPARQL then)."""
        ...

    def generation(self) -> str: ...

    def wrote(self) -> None:
        """Called after every write the server made itself."""
        ...


class EmbeddedBackend:
    """The embedded store in ``path``; ``writer`` (an open read-write EmbeddedStore) when
    writes are on."""

    def __init__(self, path: str | Path, *, timeout: float, workers: int = 2,
                 writer: Store | None = None, cache_entries: int = MAX_ENTRIES,
                 compact_after: float = COMPACT_AFTER_SECONDS) -> None:
        self.path = Path(path)
        self.cache = AnswerCache(cache_entries)
        self.timeout = timeout
        self.writer = writer
        self.pool = WorkerPool(workers)
        self.compact_after = compact_after  # 0: never
        self.compactions: list[float] = []  # seconds each took
        self._writes = 0
        self._location = str(self.path)
        self._checked = 0.0
        self._quiet: asyncio.TimerHandle | None = None
        self._compacting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._refresh(force=True)
        await self.pool.start()

    async def close(self) -> None:
        if self._quiet is not None:
            self._quiet.cancel()
        if self._compacting is not None:
            await self._compacting  # the writer's close would wait for it anyway
        self.pool.close()
        if self.writer is not None:
            await asyncio.to_thread(self.writer.close)

    def _refresh(self, force: bool = False) -> None:
        """Follow the newest published snapshot, looking at most once a second."""
        now = time.monotonic()
        if not force and now - self._checked < POLL_SECONDS:
            return
        self._checked = now
        current = snapshots.current(self.path)
        self._location = str(current) if current is not None else str(self.path)

    def generation(self) -> str:
        self._refresh()
        return f"{Path(self._location).name}.{self._writes}"

    def wrote(self) -> None:
        self._changed()
        self._compact_when_quiet()

    def _changed(self) -> None:
        """The store's content or files changed here: a new generation, which workers reopen."""
        self._writes += 1
        self._refresh(force=True)

    def _compact_when_quiet(self) -> None:
        """Each bulk load a write made adds files every read consults until they are merged
        (see :meth:`EmbeddedStore.compact`); merging after each write would rewrite the store
        each time, so it happens once the writes have paused for ``compact_after`` seconds."""
        if not isinstance(self.writer, EmbeddedStore) or self.compact_after <= 0:
            return
        if self._quiet is not None:
            self._quiet.cancel()
        loop = asyncio.get_running_loop()
        self._quiet = loop.call_later(self.compact_after, self._start_compaction)

    def _start_compaction(self) -> None:
        self._quiet = None
        if self._compacting is not None and not self._compacting.done():
            # writes came while one ran: their files are merged by the next, after a pause
            self._compact_when_quiet()
            return
        self._compacting = asyncio.get_running_loop().create_task(self._compact())

    async def _compact(self) -> None:
        assert isinstance(self.writer, EmbeddedStore)
        try:
            seconds = await asyncio.to_thread(self.writer.compact)
        except LodError as err:  # a full disk: the store stays as it was, only slower to read
            print(f"lod: warning: compacting after writes failed: {err}", file=sys.stderr)
            return
        if seconds is not None:  # a new snapshot of the merged files: workers reopen
            self.compactions.append(seconds)
            self._changed()

    async def query(self, job: QueryJob) -> Answer:
        return await self._run(job)

    async def graph(self, job: GraphJob) -> Answer:
        return await self._run(job)

    async def content(self, job: ContentJob) -> Answer | None:
        return await self._run(job)

    async def _run(self, job: QueryJob | GraphJob | ContentJob) -> Answer:
        generation = self.generation()
        kept = self.cache.get(generation, job)
        if kept is not None:
            return kept
        answer = await self.pool.run(self._location, generation, job, self.timeout)
        self.cache.put(generation, job, answer)
        return answer


class RemoteBackend:
    """A SPARQL 1.1 server at ``endpoint``; ``writer`` a RemoteStore for writes (or None)."""

    def __init__(self, endpoint: str, *, timeout: float, reader: Store,
                 writer: Store | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.reader = reader
        self.writer = writer
        self._writes = 0
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def generation(self) -> str:
        # A remote server does not say when it changed; the server's own writes count.
        return f"remote.{self._writes}"

    def wrote(self) -> None:
        self._writes += 1

    async def content(self, job: ContentJob) -> Answer | None:
        return None  # a remote server is asked by SPARQL (lod.serve.web.catalog.page_content)

    async def query(self, job: QueryJob) -> Answer:
        assert self._client is not None
        check_query(job.query)
        wanted = []
        if job.results_format is not None:
            wanted.append(RESULTS_TYPES[job.results_format][0])
        if job.graph_format in GRAPH_TYPES:
            wanted.append(GRAPH_TYPES[job.graph_format][0])
        accept = ", ".join(wanted)
        text = job.query
        if job.base_iri is not None:  # on the first line: the server's messages keep their lines
            text = f"BASE {ox.NamedNode(job.base_iri)} {text}"
        form = [("query", text)]
        form += [("default-graph-uri", g) for g in job.default_graphs]
        form += [("named-graph-uri", g) for g in job.named_graphs]
        try:
            response = await self._client.post(
                self.endpoint, content=urllib.parse.urlencode(form).encode("utf-8"),
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "Accept": accept or "*/*"},
            )
        except httpx.TimeoutException:
            return error(503, f"{self.endpoint} did not answer within the server's time limit "
                              f"({self.timeout:g} s)")
        except httpx.HTTPError as err:
            return error(502, f"cannot reach {self.endpoint}: {err}")
        if response.status_code == 400:
            return error(400, f"invalid SPARQL query: {response.text.strip()[:500]}")
        if response.status_code >= 300:
            return error(502, f"{self.endpoint} answered HTTP {response.status_code}")
        if response.headers.get("X-SPARQL-MaxRows"):
            return error(413, f"{self.endpoint} cut the result at its row limit "
                              f"({response.headers['X-SPARQL-MaxRows']} rows); "
                              "ask for fewer with LIMIT and OFFSET")
        fmt = format_of(response.headers.get("Content-Type", ""))
        if fmt in RESULTS_TYPES and fmt == job.results_format:
            return _virtuoso_ask(Answer("results", response.content, form="results", fmt=fmt))
        if fmt in GRAPH_TYPES and job.graph_format in GRAPH_TYPES:
            return _regraph(response.content, fmt, job.graph_format)
        return error(502, f"{self.endpoint} answered {response.headers.get('Content-Type')!r}, "
                          "which this server cannot pass on")

    async def graph(self, job: GraphJob) -> Answer:
        try:
            if job.graph is not None:
                exists = await asyncio.to_thread(self.reader.has_graph, job.graph)
                if not exists:
                    return error(404, f"no graph <{job.graph}> in the store")
                if job.exists_only:
                    return Answer("graph", b"", form="graph", fmt=job.graph_format)
                data = await asyncio.to_thread(
                    self.reader.construct,
                    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                    {"g": URIRef(job.graph)},
                )
            else:
                data = await asyncio.to_thread(
                    self.reader.construct, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
                )
        except QueryError as err:
            return error(400, str(err))
        except LodError as err:
            return error(502, str(err))
        return _regraph(data, "ntriples", job.graph_format)


_ASK_COLUMN = "__ASK_RETVAL"
_OX_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


def _virtuoso_ask(answer: Answer) -> Answer:
    """Virtuoso answers ASK as a table with one column, ``__ASK_RETVAL`` (one row ``1`` for
    true); turn that into the protocol's boolean result."""
    if answer.fmt not in _OX_RESULTS or _ASK_COLUMN.encode() not in answer.body:
        return answer
    try:
        table = ox.parse_query_results(answer.body, format=_OX_RESULTS[answer.fmt])
    except SyntaxError:
        return answer
    if not isinstance(table, ox.QuerySolutions) or [v.value for v in table.variables] != [_ASK_COLUMN]:
        return answer
    truth = any(s[_ASK_COLUMN] is not None and s[_ASK_COLUMN].value in ("1", "true") for s in table)
    boolean = ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"),
                                     format=ox.QueryResultsFormat.JSON)
    assert isinstance(boolean, ox.QueryBoolean)
    body = boolean.serialize(format=_OX_RESULTS[answer.fmt])
    return Answer("results", body or b"", form="ask", fmt=answer.fmt)


def _regraph(data: bytes, fmt: str, wanted: str) -> Answer:
    """A graph re-serialized from ``fmt`` into ``wanted`` by pyoxigraph."""
    if fmt == wanted:
        return Answer("graph", data, form="graph", fmt=wanted)
    try:
        triples = (q.triple for q in ox.parse(data, format=_OX_GRAPH[fmt]))
        body = ox.serialize(triples, format=_OX_GRAPH[wanted])
    except SyntaxError as err:
        return error(502, f"the SPARQL server sent an unreadable graph: {err}")
    return Answer("graph", body or b"", form="graph", fmt=wanted)
