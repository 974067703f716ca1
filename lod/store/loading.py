"""Loading a store: study records are converted and written in batches of N-Quads; RDF files
go in as they are.

- Each study lives in its own named graph (its IRI) and so does each shared node (organisation,
  catalogue, keyword, place): a batch *replaces* the graphs it carries, so loading a changed
  record replaces that study and loading the same input twice changes nothing.
- Batches hold whole graphs only; in the embedded store each batch is all-or-nothing, so a
  killed load never leaves half a study, and running it again finishes the job.
- Writing overlaps conversion: batches go to the store from a thread of their own.
- Each study with a temporal coverage gets one index triple, ``lod:coverageYears "1990/2005"``
  (its span of years), which the period query and the facet summary (:mod:`lod.store.facets`) use.
- An RDF file that no reader claims (``.ttl .nt .nq .trig .rdf .jsonld``) is loaded as it is:
  triples into a graph named by the file's ``file://`` IRI (reloading the file replaces it),
  quads into their own graphs.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from lod.converter.core import StudyGraph
from lod.converter.parallel import ConverterSpec
from lod.converter.pipeline import RunSummary, convert_inputs
from lod.errors import InputError, LodError
from lod.records import Origin, Problem
from lod.store import Store, coverage, facets
from lod.store.embedded import EmbeddedStore
from lod.store.rdffiles import STDIN_GRAPH, check_rdf_file, load_rdf_file, split_inputs
from lod.wording import counted

BATCH_TRIPLES = 50_000


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
    compaction: float | None = None  # seconds spent compacting the store's files, if any
    facets: facets.Summary | None = None
    files: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = self.triples / self.seconds if self.seconds else 0.0
        studies = self.conversion.studies if self.conversion else 0
        parts = [f"loaded {counted(studies, 'study')}"]
        if self.rdf_files:
            parts.append(counted(self.rdf_files, "RDF file"))
        compacted = (f"; compacting took {self.compaction:.2f} s"
                     if self.compaction is not None else "")
        return (f"{', '.join(parts)}: {counted(self.graphs, 'graph')}, {counted(self.triples, 'triple')} "
                f"in {self.seconds:.2f} s ({rate:,.0f} triples/s{compacted})")


class BatchWriter:
    """Collects graphs into batches of about ``batch_triples`` and writes each batch with one
    ``replace_graphs`` call, from ``threads`` threads of its own (pyoxigraph's bulk loader runs
    without the GIL). In the embedded store, batches of converted graphs are *trusted* (valid
    by construction): while their graphs are new, two of them load at once; other batches are
    parsed strictly first. A batch that shares a graph with one still in flight waits for it,
    so a later version of a graph always wins. The first error is raised in the caller's
    thread."""

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
        self._trusted = True  # every pending graph came from lod's converter
        self._queue: queue.Queue[tuple[int, bytes, list[str] | None, int, bool] | None] = \
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
        text = graph.text(g)
        count = graph.count
        if not graph.shared:
            text, added = coverage.index_text(graph.iri, text, g)
            count += added
        self._add(graph.iri, text, count)

    def add_text(self, iri: str, text: str, count: int) -> None:
        """A graph's whole content as N-Quads text; a later version of a graph in the same
        batch replaces the earlier one. Text from elsewhere than lod's converter: the
        embedded store parses its batch strictly before writing."""
        self._trusted = False
        self._add(iri, text, count)

    def _add(self, iri: str, text: str, count: int) -> None:
        old = self._pending.get(iri)
        if old is not None:
            self._size -= old[1]
        self._pending[iri] = (text, count)
        self._size += count
        if self._size >= self.batch_triples:
            self.flush()

    def append_text(self, iri: str, text: str, count: int) -> None:
        """Quads added to graph ``iri``, already written (nothing is dropped first)."""
        self.flush()
        self._submit(text.encode("utf-8"), None, count, {iri}, trusted=False)

    def flush(self) -> None:
        if not self._pending:
            return
        payload = "".join(text for text, _ in self._pending.values()).encode("utf-8")
        graphs = list(self._pending)
        size, self._pending, self._size = self._size, {}, 0
        trusted, self._trusted = self._trusted, True
        self._submit(payload, graphs, size, set(graphs), trusted=trusted)

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

    def _submit(self, payload: bytes, graphs: list[str] | None, count: int, names: set[str], *,
                trusted: bool) -> None:
        with self._cond:
            # a batch waits for any batch in flight that has one of its graphs
            self._cond.wait_for(lambda: self._error is not None or all(
                names.isdisjoint(busy) for busy in self._inflight.values()))
            self._check()
            self._seq += 1
            self._inflight[self._seq] = names
            seq = self._seq
        self._queue.put((seq, payload, graphs, count, trusted))

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            seq, payload, graphs, count, trusted = item
            error: BaseException | None = None
            written: tuple[int, int] | None = None
            if self._error is None:
                try:
                    if graphs is None:
                        self.store.add_nquads(payload)
                    elif trusted and isinstance(self.store, EmbeddedStore):
                        self.store.replace_graphs(payload, graphs, trusted=True)
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
            if written is not None and self.on_written is not None:
                self.on_written(*written)


def load(store: Store, paths: Sequence[str], spec: ConverterSpec, *,
         on_problem: Callable[[Problem, bool], None],
         source: str | None = None, jobs: int = 1, batch_triples: int = BATCH_TRIPLES,
         on_progress: Callable[[RunSummary], None] | None = None,
         on_written: Callable[[int, int], None] | None = None,
         stdin: BinaryIO | None = None, writers: int | None = None,
         format_name: str | None = None, compact: bool = True) -> LoadReport:
    """Convert and load ``paths`` (files, folders, ``-``), then refresh the facet summary.

    ``writers``: threads writing batches; by default 2 for the embedded store (two bulk loads
    at once), 1 for a server (its CPU is the limit: with Virtuoso two writers cost more server
    time per study and were no faster; over SPARQL Update alone it answers concurrent updates
    with "Transaction deadlocked").

    ``compact``: in the embedded store, compact its files after bulk loads (see
    :meth:`EmbeddedStore.compact`): reading a graph gets about 3× faster, and the facet
    summary that follows reads them all."""
    if writers is None:
        writers = 1 if store.remote else 2
    started = time.perf_counter()
    record_paths, rdf_paths = split_inputs(paths, source, format_name)
    report = LoadReport(files=rdf_paths)
    facets.mark_stale(store)
    writer = BatchWriter(store, batch_triples, on_written, threads=writers)
    try:
        if record_paths:
            report.conversion = convert_inputs(record_paths, spec, writer.add, on_problem,
                                               source=source, jobs=jobs, on_progress=on_progress,
                                               stdin=stdin, keep="later")
        for path in rdf_paths:
            with _rdf_file(path, stdin) as local:
                try:
                    check_rdf_file(local, format_name)
                except InputError as err:  # refused whole, reported like a rejected record
                    on_problem(_rdf_problem(path, local, err), True)
                    report.rdf_rejected += 1
                    continue
                load_rdf_file(writer, local, format_name,
                              home=STDIN_GRAPH if path == "-" else None)
            report.rdf_files += 1
    finally:
        writer.close()
    report.graphs, report.triples, report.batches = writer.graphs, writer.triples, writer.batches
    if compact and isinstance(store, EmbeddedStore):
        report.compaction = store.compact()
    report.facets = facets.refresh(store)
    report.seconds = time.perf_counter() - started
    return report


def _rdf_problem(path: str, local: str, err: InputError) -> Problem:
    """An RDF file's refusal as a rejection: file, line when the message has one, reason."""
    text = str(err).removeprefix(local).removeprefix(":")
    line, sep, rest = text.partition(": ")
    if sep and line.isdigit():
        return Problem(Origin(path, line=int(line)), None, rest)
    return Problem(Origin(path), None, text.strip())


@contextlib.contextmanager
def _rdf_file(path: str, stdin: BinaryIO | None) -> Iterator[str]:
    """A path to read an RDF input from twice (checked whole, then loaded): stdin is copied
    to a temporary file first."""
    if path != "-":
        yield path
        return
    source = stdin or sys.stdin.buffer
    with tempfile.NamedTemporaryFile(prefix="lod-stdin-", suffix=".rdf") as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield copy.name


__all__ = ["BATCH_TRIPLES", "BatchWriter", "LoadReport", "LodError", "check_rdf_file", "load",
           "load_rdf_file", "split_inputs"]
