"""Loading a store: study records are converted and written in batches of N-Quads; RDF files
go in as they are.

- Each study lives in its own named graph (its IRI) and so does each shared node (organisation,
  catalogue, keyword, place): a batch *replaces* the graphs it carries, so loading a changed
  record replaces that study and loading the same input twice changes nothing.
- Batches hold whole graphs only; in the embedded store each batch is all-or-nothing, so a
  killed load never leaves half a study, and running it again finishes the job.
- Writing overlaps conversion: batches go to the store from a thread of their own.
- Each study with a temporal coverage gets one index triple, ``lod:coverageYears "1990/2005"``
  (its span of years), which the period query and the facet summary (:mod:`lod.facets`) use.
- An RDF file that no reader claims (``.ttl .nt .nq .trig .rdf .jsonld``) is loaded as it is:
  triples into a graph named by the file's ``file://`` IRI (reloading the file replaces it),
  quads into their own graphs.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from . import facets
from .convert import StudyGraph
from .errors import InputError, LodError
from .parallel import ConverterSpec
from .pipeline import RunSummary, convert_inputs
from .rdfio import Syntax, syntax_for_path
from .readers import DETECT_BYTES, detect, expand_paths, open_input
from .records import Origin, Problem
from .store import Store
from .store.remote import RemoteStore

BATCH_TRIPLES = 50_000
_LOD = "https://w3id.org/lod-studies/vocab#"
_START = f'<{_LOD}startYear> "'
_END = f'<{_LOD}endYear> "'
_COVERAGE = f"<{facets.COVERAGE_YEARS}>"
_TEMPORAL = "http://purl.org/dc/terms/temporal"


@dataclass
class LoadReport:
    """What a load did."""

    conversion: RunSummary | None = None
    rdf_files: int = 0
    rdf_rejected: int = 0
    graphs: int = 0
    triples: int = 0  # written, index triples included
    batches: int = 0
    seconds: float = 0.0
    facets: facets.Summary | None = None
    files: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.triples / self.seconds if self.seconds else 0.0
        studies = self.conversion.studies if self.conversion else 0
        parts = [f"loaded {studies:,} studies"]
        if self.rdf_files:
            parts.append(f"{self.rdf_files:,} RDF files")
        return (f"{', '.join(parts)}: {self.graphs:,} graphs, {self.triples:,} triples "
                f"in {self.seconds:.2f} s ({rate:,.0f} triples/s)")


def span_of(text: str) -> str | None:
    """A study's span of years (``1990/2005``, ``1990/..``) from its N-Triples/N-Quads text."""
    start = _year_after(text, _START)
    end = _year_after(text, _END)
    if start is None and end is None:
        return None
    return f"{start or '..'}/{end or '..'}"


def _year_after(text: str, marker: str) -> str | None:
    at = text.find(marker)
    if at < 0:
        return None
    at += len(marker)
    close = text.find('"', at)
    value = text[at:close]
    return value if value.lstrip("-").isdigit() else None


class BatchWriter:
    """Collects graphs into batches of about ``batch_triples`` and writes each batch with one
    ``replace_graphs`` call, from ``threads`` threads of its own: while one batch is being
    written (pyoxigraph's bulk loader runs without the GIL), the next is checked. A batch
    that shares a graph with one still in flight waits for it, so a later version of a graph
    always wins. The first error is raised in the caller's thread."""

    def __init__(self, store: Store, batch_triples: int = BATCH_TRIPLES,
                 on_written: Callable[[int, int], None] | None = None, threads: int = 2) -> None:
        self.store = store
        self.batch_triples = batch_triples
        self.on_written = on_written
        self.graphs = 0
        self.triples = 0
        self.batches = 0
        self._pending: dict[str, tuple[str, int]] = {}
        self._size = 0
        self._queue: queue.Queue[tuple[int, bytes, list[str] | None, int] | None] = \
            queue.Queue(maxsize=threads)
        self._cond = threading.Condition()
        self._inflight: dict[int, set[str]] = {}
        self._seq = 0
        self._error: BaseException | None = None
        self._threads = [threading.Thread(target=self._run, name=f"lod-load-writer-{i}", daemon=True)
                         for i in range(max(1, threads))]
        for thread in self._threads:
            thread.start()

    def add(self, graph: StudyGraph) -> None:
        """One converted graph (a study or a shared node)."""
        g = f" <{graph.iri}> .\n"
        text = g.join(graph.statements) + g if graph.statements else ""
        count = len(graph.statements)
        if not graph.shared:
            span = span_of(text)
            if span is not None and _COVERAGE not in text:
                text += f'<{graph.iri}> {_COVERAGE} "{span}"{g}'
                count += 1
        self.add_text(graph.iri, text, count)

    def add_text(self, iri: str, text: str, count: int) -> None:
        """A graph's whole content as N-Quads text; a later version of a graph in the same
        batch replaces the earlier one."""
        old = self._pending.get(iri)
        if old is not None:
            self._size -= old[1]
        self._pending[iri] = (text, count)
        self._size += count
        if self._size >= self.batch_triples:
            self.flush()

    def append_text(self, text: str, count: int) -> None:
        """Quads added to graphs already written (nothing is dropped first)."""
        self.flush()
        self._submit(text.encode("utf-8"), None, count, set())

    def flush(self) -> None:
        if not self._pending:
            return
        payload = "".join(text for text, _ in self._pending.values()).encode("utf-8")
        graphs = list(self._pending)
        size, self._pending, self._size = self._size, {}, 0
        self._submit(payload, graphs, size, set(graphs))

    def close(self) -> None:
        """Write what is left and wait for the writers; re-raise the first error, if any."""
        try:
            self.flush()
        finally:
            for _ in self._threads:
                self._queue.put(None)
            for thread in self._threads:
                thread.join()
        self._check()

    def _submit(self, payload: bytes, graphs: list[str] | None, count: int, names: set[str]) -> None:
        with self._cond:
            # an append goes after everything before it; a batch after any batch it overlaps
            self._cond.wait_for(lambda: self._error is not None or not any(
                graphs is None or not names.isdisjoint(busy) for busy in self._inflight.values()))
            self._check()
            self._seq += 1
            self._inflight[self._seq] = names if graphs is not None else {"*"}
            seq = self._seq
        self._queue.put((seq, payload, graphs, count))

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            seq, payload, graphs, count = item
            error: BaseException | None = None
            if self._error is None:
                try:
                    if graphs is None:
                        self.store.add_nquads(payload)
                    else:
                        self.store.replace_graphs(payload, graphs)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    error = exc
            with self._cond:
                del self._inflight[seq]
                if error is not None and self._error is None:
                    self._error = error
                elif error is None and self._error is None:
                    self.graphs += len(graphs or ())
                    self.triples += count
                    self.batches += 1
                    written = (self.graphs, self.triples)
                self._cond.notify_all()
            if error is None and self._error is None and self.on_written is not None:
                self.on_written(*written)


def split_inputs(paths: Sequence[str], source: str | None = None) -> tuple[list[str], list[str]]:
    """Inputs for the readers, and RDF files to load as they are: a file with an RDF
    extension that no reader claims (a reader may claim ``.jsonld`` or ``.xml``)."""
    records: list[str] = []
    rdf: list[str] = []
    for path in expand_paths(paths):
        if path == "-" or source is not None or syntax_for_path(path, default=None) is None:
            records.append(path)
            continue
        try:
            stream, name = open_input(path)
        except InputError:
            records.append(path)  # the reader side reports it as that file's rejection
            continue
        try:
            head = stream.peek(DETECT_BYTES)[:DETECT_BYTES]
        finally:
            stream.close()
        (records if detect.detect(name, head) is not None else rdf).append(path)
    return records, rdf


def load(store: Store, paths: Sequence[str], spec: ConverterSpec, *,
         on_problem: Callable[[Problem, bool], None],
         source: str | None = None, jobs: int = 1, batch_triples: int = BATCH_TRIPLES,
         on_progress: Callable[[RunSummary], None] | None = None,
         on_written: Callable[[int, int], None] | None = None,
         stdin: BinaryIO | None = None, writers: int | None = None) -> LoadReport:
    """Convert and load ``paths`` (files, folders, ``-``), then refresh the facet summary.

    ``writers``: threads writing batches; by default 2 (embedded: one checks a batch while the
    other's is loaded; Graph Store Protocol: two PUTs at a time), but 1 for a server written
    through SPARQL Update (Virtuoso answers concurrent updates with "Transaction deadlocked")."""
    if writers is None:
        by_update = isinstance(store, RemoteStore) and store.gsp_endpoint is None
        writers = 1 if by_update else 2
    started = time.perf_counter()
    record_paths, rdf_paths = split_inputs(paths, source)
    report = LoadReport(files=rdf_paths)
    facets.mark_stale(store)
    writer = BatchWriter(store, batch_triples, on_written, threads=writers)
    try:
        if record_paths:
            report.conversion = convert_inputs(record_paths, spec, writer.add, on_problem,
                                               source=source, jobs=jobs, on_progress=on_progress,
                                               stdin=stdin)
        for path in rdf_paths:
            try:
                check_rdf_file(path)
            except InputError as err:  # refused whole, reported like a rejected record
                on_problem(Problem(Origin(path), None, str(err).removeprefix(f"{path}: ")), True)
                report.rdf_rejected += 1
                continue
            load_rdf_file(writer, path)
            report.rdf_files += 1
    finally:
        writer.close()
    report.graphs, report.triples, report.batches = writer.graphs, writer.triples, writer.batches
    report.facets = facets.refresh(store)
    report.seconds = time.perf_counter() - started
    return report


def check_rdf_file(path: str) -> None:
    """Parse the whole file strictly before any of it is written: InputError if it is not
    valid (so a broken file is refused whole, not loaded up to the error)."""
    syntax = syntax_for_path(path, default=None)
    if syntax is None:
        raise InputError(f"{path}: not an RDF file (.ttl .nt .nq .trig .rdf .jsonld)")
    stream, name = open_input(path)
    try:
        for quad in ox.parse(stream, format=syntax.rdf_format, base_iri=Path(path).resolve().as_uri()):
            if isinstance(quad.graph_name, ox.BlankNode):
                raise InputError(f"{name}: graphs named by blank nodes cannot be loaded")
    except SyntaxError as err:
        raise InputError(f"{name}: not valid {syntax.name}: {err}") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err})") from None
    finally:
        stream.close()


def load_rdf_file(writer: BatchWriter, path: str) -> None:
    """Load one RDF file as it is, graph by graph, through ``writer``: triples into the graph
    named by the file's ``file://`` IRI, quads into their own graphs. A graph replaces the one
    in the store; a graph that comes back later in the same file is added to it."""
    syntax = syntax_for_path(path, default=None)
    if syntax is None:
        raise InputError(f"{path}: not an RDF file (.ttl .nt .nq .trig .rdf .jsonld)")
    home = Path(path).resolve().as_uri()
    stream, name = open_input(path)
    seen: set[str] = set()
    try:
        for graph, quads in _graphs_of(stream, name, syntax, home):
            text = _nquads(quads)
            if graph in seen:
                writer.append_text(text, len(quads))
            else:
                seen.add(graph)
                writer.add_text(graph, text, len(quads))
    finally:
        stream.close()


def _graphs_of(stream: Any, name: str, syntax: Syntax, home: str) -> Iterator[tuple[str, list[ox.Quad]]]:
    """The file's quads in runs of one graph (default-graph triples go to ``home``), each run
    with the ``lod:coverageYears`` index triples its studies lack."""
    current: str | None = None
    run: list[ox.Quad] = []
    home_node = ox.NamedNode(home)
    try:
        for quad in ox.parse(stream, format=syntax.rdf_format, base_iri=home):
            g = quad.graph_name
            if isinstance(g, ox.BlankNode):
                raise InputError(f"{name}: graphs named by blank nodes cannot be loaded")
            if not isinstance(g, ox.NamedNode):
                g = home_node
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, g)
            if g.value != current:
                if current is not None:
                    yield current, run + _coverage_index(run, ox.NamedNode(current))
                current, run = g.value, []
            run.append(quad)
    except SyntaxError as err:
        raise InputError(f"{name}: not valid {syntax.name}: {err}") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err})") from None
    if current is not None:
        yield current, run + _coverage_index(run, ox.NamedNode(current))


def _coverage_index(quads: list[ox.Quad], graph: ox.NamedNode) -> list[ox.Quad]:
    years: dict[Any, dict[str, str]] = {}
    temporal: list[tuple[Any, Any]] = []
    indexed = set()
    for q in quads:
        p = q.predicate.value
        if p == _TEMPORAL:
            temporal.append((q.subject, q.object))
        elif p in (_LOD + "startYear", _LOD + "endYear") and isinstance(q.object, ox.Literal):
            years.setdefault(q.subject, {})[p[len(_LOD):]] = q.object.value
        elif p == facets.COVERAGE_YEARS:
            indexed.add(q.subject)
    out = []
    predicate = ox.NamedNode(facets.COVERAGE_YEARS)
    for study, period in temporal:
        found = years.get(period)
        if found and study not in indexed:
            span = f"{found.get('startYear', '..')}/{found.get('endYear', '..')}"
            out.append(ox.Quad(study, predicate, ox.Literal(span), graph))
            indexed.add(study)
    return out


def _nquads(quads: list[ox.Quad]) -> str:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data.decode("utf-8") if data else ""


__all__ = ["BATCH_TRIPLES", "BatchWriter", "LoadReport", "LodError", "check_rdf_file", "load",
           "load_rdf_file",
           "span_of", "split_inputs"]
