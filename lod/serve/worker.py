"""The query worker: a process that holds a read-only handle on the store and answers jobs
(:mod:`lod.serve.jobs`) sent down a pipe, results serialized by pyoxigraph's own writers.

pyoxigraph cannot cancel a query, so the server kills a worker whose query runs past the time
limit and starts another; that is why queries run here and not in the server's process.
A worker ends when the server does: Linux's parent-death signal, and EOF on its pipe.

Each message is ``(location, generation, job)``: the store folder (or snapshot) to read and
a token that changes with its content. A worker opens it on first use and reopens it when
either changes (a read-only handle sees the store as it was when opened), which is how a new
snapshot or the server's own write reaches every worker without failing a request.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from multiprocessing.connection import Connection
from typing import IO, cast

import pyoxigraph as ox

from lod.serve import content
from lod.serve.jobs import Answer, ContentJob, GraphJob, Job, QueryJob, StudyPage, error
from lod.serve.rdfwrite import FORMATS, write_triples

_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_PR_SET_PDEATHSIG = 1


class TooManyRows(Exception):
    """Raised from inside pyoxigraph's serializer once the row limit is passed."""


class _RowCounter:
    """A binary writer for TSV results that keeps them and counts their lines: TSV escapes
    line breaks inside values, so each line past the header is one row."""

    def __init__(self, max_rows: int | None) -> None:
        self.max_lines = None if max_rows is None else max_rows + 1
        self.lines = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        self.chunks.append(bytes(data))
        if self.max_lines is not None and self.lines > self.max_lines:
            raise TooManyRows
        return len(data)

    def first_lines(self) -> bytes:
        """What was written, up to ``max_lines`` whole lines."""
        data = b"".join(self.chunks)
        if self.max_lines is None or self.lines <= self.max_lines:
            return data
        return b"".join(line + b"\n" for line in data.split(b"\n")[: self.max_lines])

    def flush(self) -> None:
        pass


class TooLarge(Exception):
    """Raised from inside pyoxigraph's serializer once the size limit is passed."""


class _SizeLimit:
    """A binary writer that keeps what it is given, up to ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _too_large(limit: int) -> Answer:
    return error(413, f"the graph is larger than the server's limit ({limit:,} bytes); "
                      "ask for less (LIMIT in the WHERE clause, or a narrower pattern)")


class StoreHandle:
    """The read-only store a worker reads, reopened when its location or generation changes,
    and the shared graphs read from it (which go with it)."""

    def __init__(self) -> None:
        self.key: tuple[str, str] | None = None
        self.store: ox.Store | None = None
        self.shared = content.SharedGraphs()

    def open(self, location: str, generation: str) -> ox.Store:
        if self.store is None or (location, generation) != self.key:
            self.store = None  # close the old handle before opening the new one
            self.shared = content.SharedGraphs()
            self.store = ox.Store.read_only(location)
            self.key = (location, generation)
        return self.store


def run_job(store: ox.Store, job: Job, shared: content.SharedGraphs | None = None) -> Answer:
    """Answer one job from ``store``; ``shared``: the shared graphs read from it before."""
    if isinstance(job, GraphJob):
        return _graph(store, job)
    if isinstance(job, ContentJob):
        return _content(store, job, shared)
    return _query(store, job)


def _query(store: ox.Store, job: QueryJob) -> Answer:
    options: dict[str, object] = {"base_iri": job.base_iri}
    if job.default_graphs or job.named_graphs:
        # The protocol's dataset: only what the client named (an empty default graph if it
        # named only graphs for GRAPH).
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or ox.DefaultGraph()
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    else:
        options["use_default_graph_as_union"] = True
    try:
        result = store.query(job.query, **options)  # type: ignore[arg-type]
    except SyntaxError as err:
        return error(400, f"invalid SPARQL query: {err}")
    except (OSError, ValueError) as err:
        return error(500, f"query failed: {err}")
    try:
        if isinstance(result, ox.QueryBoolean):
            if job.results_format is None:
                return error(406, "an ASK query answers with a boolean; accept a SPARQL results format")
            body = result.serialize(format=_RESULTS[job.results_format])
            return Answer("results", body or b"", form="ask", fmt=job.results_format)
        if isinstance(result, ox.QueryTriples):
            if job.graph_format is None:
                return error(406, "a CONSTRUCT or DESCRIBE query answers with a graph; accept an RDF syntax")
            out = _SizeLimit(job.max_bytes)
            try:
                result.serialize(cast(IO[bytes], out), format=FORMATS[job.graph_format])
            except TooLarge:
                return _too_large(job.max_bytes)
            return Answer("graph", b"".join(out.chunks), form="graph", fmt=job.graph_format)
        if job.results_format is None:
            return error(406, "a SELECT query answers with a table; accept a SPARQL results format")
        return _solutions(result, job)
    except (OSError, ValueError) as err:
        return error(500, f"query failed: {err}")


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> Answer:
    """SELECT results: written as TSV first, counting rows (the row limit stops it early),
    then, for other formats, read back and written again by pyoxigraph: one run of the query,
    every byte written by pyoxigraph."""
    cut = job.cut_at is not None and (job.max_rows is None or job.cut_at <= job.max_rows)
    counter = _RowCounter(job.cut_at if cut else job.max_rows)
    more = False
    try:
        result.serialize(cast(IO[bytes], counter), format=ox.QueryResultsFormat.TSV)
    except TooManyRows:
        if not cut:
            return error(
                413,
                f"the result has more than {job.max_rows:,} rows (the server's --max-rows); "
                "ask for fewer with LIMIT and OFFSET",
            )
        more = True
    tsv = counter.first_lines()
    fmt = job.results_format or "json"
    if fmt == "tsv":
        return Answer("results", tsv, form="select", fmt=fmt, more=more)
    again = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    assert isinstance(again, ox.QuerySolutions)
    body = again.serialize(format=_RESULTS[fmt])
    return Answer("results", body or b"", form="select", fmt=fmt, more=more)


def _graph(store: ox.Store, job: GraphJob) -> Answer:
    name: ox.NamedNode | ox.DefaultGraph = (
        ox.DefaultGraph() if job.graph is None else ox.NamedNode(job.graph)
    )
    if isinstance(name, ox.NamedNode) and not store.contains_named_graph(name):
        return error(404, f"no graph <{job.graph}> in the store")
    if job.exists_only:
        return Answer("graph", b"", form="graph", fmt=job.graph_format)
    triples = (quad.triple for quad in store.quads_for_pattern(None, None, None, name))
    out = _SizeLimit(job.max_bytes)
    try:
        ox.serialize(triples, cast(IO[bytes], out), format=FORMATS[job.graph_format])
    except TooLarge:
        return _too_large(job.max_bytes)
    return Answer("graph", b"".join(out.chunks), form="graph", fmt=job.graph_format)


def _content(store: ox.Store, job: ContentJob, shared: content.SharedGraphs | None) -> Answer:
    try:
        names = [ox.NamedNode(i) for i in job.iris]
    except ValueError as err:
        return error(400, f"not an IRI: {err}")
    if job.datasets_only and not all(content.is_dataset(store, n) for n in names):
        return error(404, "not a stored dataset")
    if job.page is not None:
        return _page(store, job, job.page, shared)
    out = _SizeLimit(job.max_bytes)
    try:
        found = content.content(store, job.iris, shared)
        if job.head:
            head = [q.triple for q in ox.parse(job.head, format=ox.RdfFormat.N_TRIPLES)]
            found = list(dict.fromkeys(head + found))
        write_triples(found, FORMATS[job.graph_format], cast(IO[bytes], out))
    except TooLarge:
        return _too_large(job.max_bytes)
    return Answer("graph", b"".join(out.chunks), form="graph", fmt=job.graph_format)


def _page(store: ox.Store, job: ContentJob, page: StudyPage,
          shared: content.SharedGraphs | None) -> Answer:
    """One study's HTML page, rendered here beside the read: the page's CPU then runs in the
    workers, on every core, and the server process only forwards it."""
    from lod.serve.web.study import study_html  # the templates load on the first page
    from lod.serve.web.view import DescribedGraph

    if len(job.iris) != 1:
        return error(400, "a study page is one study")
    graph = DescribedGraph(*content.indexed(store, job.iris[0], shared))
    html = study_html(graph, job.iris[0], page.path, page.links).encode("utf-8")
    if len(html) > job.max_bytes:
        return _too_large(job.max_bytes)
    return Answer("page", html, form="page", fmt="html")


def _die_with_parent() -> None:
    """Ask Linux to send SIGKILL when the server process ends (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # the pipe's EOF ends the worker anyway


def main(conn: Connection) -> None:
    """The worker's loop: one job at a time until the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the whole group; the server decides
    handle = StoreHandle()
    while True:
        try:
            location, generation, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            store = handle.open(location, generation)
        except OSError as err:
            answer = error(503, f"cannot open the store: {err}")
        else:
            answer = run_job(store, job, handle.shared)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return
