"""The conversion run: records in, study graphs out, every record counted and every problem reported."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from lod.converter.core import Conversion, Converter, StudyGraph
from lod.converter.parallel import ChunkResult, ConverterSpec, convert_lines_parallel
from lod.converter.seen import SeenStudies
from lod.readers import InputFile, harmony_json, open_inputs, records_of
from lod.records import Origin, Problem, Record, Rejected
from lod.wording import counted

PARALLEL_MIN_BYTES = 8 * 1024**2  # smaller inputs convert faster than worker processes start

# What a run does with a second record of a study IRI it already met: a store replaces the
# graph, so the later record is kept ("later"); a streamed output already holds the earlier
# one, so the later record is left out ("first"). Either way a warning names both places.
Keep = Literal["first", "later"]


@dataclass(slots=True)
class RunSummary:
    """Totals of a run. ``read == converted + rejected`` always holds."""

    read: int = 0
    converted: int = 0
    rejected: int = 0
    warnings: int = 0
    studies: int = 0
    shared: int = 0
    triples: int = 0
    seconds: float = 0.0
    duplicates: int = 0  # study graphs whose IRI an earlier record of the run had
    rejections: list[Problem] = field(default_factory=list)
    keep: Keep = "first"
    _studies: SeenStudies = field(default_factory=SeenStudies)

    def add(self, conversion: Conversion, sink: Callable[[StudyGraph], None],
            on_problem: Callable[[Problem, bool], None], described: set[str]) -> None:
        """Count one record's conversion and pass its graphs on (each shared node once, each
        study IRI once: see :data:`Keep`)."""
        self.read += 1
        for warning in conversion.warnings:
            self.warnings += 1
            on_problem(warning, False)
        if conversion.rejection is not None:
            self.rejected += 1
            self.rejections.append(conversion.rejection)
            on_problem(conversion.rejection, True)
            return
        self.converted += 1
        graphs = [g for g in conversion.graphs
                  if g.shared or self._first_of_study(g, conversion.origin, on_problem)]
        self._pass_graphs(graphs, sink, described)

    def _first_of_study(self, graph: StudyGraph, origin: Origin,
                        on_problem: Callable[[Problem, bool], None]) -> bool:
        """Whether a study graph goes on: True unless its IRI came before and the run keeps
        the first. A repeat is warned about with both places and counted once."""
        earlier = self._studies.get(graph.iri)
        self._studies.put(graph.iri, origin, graph.count)
        if earlier is None:
            return True
        self.duplicates += 1
        self.warnings += 1
        first, count = earlier
        kept = ("this later record replaces it" if self.keep == "later"
                else "this later record is left out (the earlier one was already written)")
        on_problem(Problem(origin, None, f"study <{graph.iri}> again: first at {first}; {kept}"),
                   False)
        if self.keep == "first":
            self._studies.put(graph.iri, *earlier)
            return False
        self.studies -= 1  # counted again when it is passed on
        self.triples -= count
        return True

    def _pass_graphs(self, graphs: Iterable[StudyGraph], sink: Callable[[StudyGraph], None],
                     described: set[str]) -> None:
        for graph in graphs:
            if self._admit(graph.iri if graph.shared else None, 0 if graph.shared else 1,
                           graph.count, described):
                sink(graph)

    def _admit(self, shared_iri: str | None, studies: int, triples: int, described: set[str]) -> bool:
        """Count graphs about to be written: a shared node's, or study graphs (``studies`` of
        them); False for a shared node already written."""
        if shared_iri is not None:
            if shared_iri in described:
                return False
            described.add(shared_iri)
            self.shared += 1
        self.studies += studies
        self.triples += triples
        return True

    def add_chunk(self, chunk: ChunkResult, sink: Callable[[StudyGraph], None],
                  sink_encoded: Callable[[bytes | memoryview], None] | None,
                  on_problem: Callable[[Problem, bool], None], described: set[str]) -> None:
        """Count a worker's chunk and pass its graphs on (each shared node once)."""
        self.read += chunk.read
        self.converted += chunk.converted
        self.rejected += chunk.rejected
        for problem, rejected, node in chunk.problems:
            if node is not None and node in described:
                continue  # the node's first description, from another worker, was reported
            if rejected:
                self.rejections.append(problem)
            else:
                self.warnings += 1
            on_problem(problem, rejected)
        origins: dict[str, list[Origin]] = {}
        for iri, origin in chunk.studies:
            origins.setdefault(iri, []).append(origin)
        graphs = (StudyGraph.unpack(*packed) for packed in chunk.graphs)
        self._pass_graphs((g for g in graphs if g.shared or not origins.get(g.iri)
                           or self._first_of_study(g, origins[g.iri].pop(0), on_problem)),
                          sink, described)
        if not chunk.pieces:
            return
        assert sink_encoded is not None
        for iri, origin in chunk.studies:  # encoded already: a repeat can only be reported
            earlier = self._studies.get(iri)
            if earlier is None:
                self._studies.put(iri, origin, 0)
                continue
            self.duplicates += 1
            self.warnings += 1
            on_problem(Problem(origin, None, f"study <{iri}> again: first at {earlier[0]}; "
                               "both are in the output (converted by parallel workers)"), False)
        for shared_iri, count, studies, data in chunk.encoded_pieces():
            if self._admit(shared_iri, studies, count, described):
                sink_encoded(data)

    def line(self) -> str:
        repeated = f" ({self.duplicates:,} repeated study IRIs)" if self.duplicates else ""
        return (f"read {counted(self.read, 'record')}: {self.converted:,} converted, "
                f"{self.rejected:,} rejected, {counted(self.warnings, 'warning')}; "
                f"{counted(self.studies, 'study')}{repeated}, {counted(self.shared, 'shared node')}, "
                f"{counted(self.triples, 'triple')} in {self.seconds:.2f} s")


def run_conversion(items: Iterable[Record | Rejected], converter: Converter,
                   sink: Callable[[StudyGraph], None],
                   on_problem: Callable[[Problem, bool], None],
                   on_progress: Callable[[RunSummary], None] | None = None) -> RunSummary:
    """Convert every item in this process; hand each graph to ``sink``."""
    return _run((converter.convert(item) for item in items), sink, on_problem, on_progress)


def convert_inputs(paths: Sequence[str], spec: ConverterSpec, sink: Callable[[StudyGraph], None],
                   on_problem: Callable[[Problem, bool], None], *, source: str | None = None,
                   jobs: int = 1, on_progress: Callable[[RunSummary], None] | None = None,
                   stdin: BinaryIO | None = None,
                   sink_encoded: Callable[[bytes | memoryview], None] | None = None,
                   keep: Keep = "first") -> RunSummary:
    """Read and convert every input; big JSON Lines files use ``jobs`` worker processes.
    ``keep``: which record of a repeated study IRI goes on (:data:`Keep`).

    When ``spec.encode_as`` names a line-based syntax, workers encode graphs in it and their
    bytes go to ``sink_encoded`` (required then); graphs converted here still go to ``sink``."""
    if spec.encode_as is not None and sink_encoded is None:
        raise ValueError("a spec that encodes needs sink_encoded")
    converter = spec.build()

    def conversions() -> Iterator[Conversion | ChunkResult]:
        for file in open_inputs(paths, source=source, stdin=stdin):
            if jobs > 1 and _worth_parallel(file):
                yield from convert_lines_parallel(file.stream, file.name, 1, spec, jobs)
            else:
                yield from (converter.convert(item) for item in records_of(file))

    return _run(conversions(), sink, on_problem, on_progress, sink_encoded, keep)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _worth_parallel(file: InputFile) -> bool:
    if file.form != "harmony" or file.path == "-" or not harmony_json.looks_like_json_lines(file.head):
        return False
    try:
        return os.path.getsize(file.path) >= PARALLEL_MIN_BYTES
    except OSError:
        return False


def _run(conversions: Iterable[Conversion | ChunkResult], sink: Callable[[StudyGraph], None],
         on_problem: Callable[[Problem, bool], None],
         on_progress: Callable[[RunSummary], None] | None,
         sink_encoded: Callable[[bytes | memoryview], None] | None = None,
         keep: Keep = "first") -> RunSummary:
    summary = RunSummary(keep=keep)
    described: set[str] = set()
    started = time.perf_counter()
    reported = 0
    for conversion in conversions:
        if isinstance(conversion, ChunkResult):
            summary.add_chunk(conversion, sink, sink_encoded, on_problem, described)
        else:
            summary.add(conversion, sink, on_problem, described)
        if on_progress is not None and summary.read - reported >= 1000:
            reported = summary.read
            on_progress(summary)
    summary.seconds = time.perf_counter() - started
    return summary
