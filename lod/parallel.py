"""Converting JSON Lines on several cores.

The main process reads lines and hands chunks to worker processes, which parse and convert
them; results come back in input order, at most a few chunks in flight (memory stays flat).
Each chunk is converted on its own (shared nodes described afresh), and the main process
keeps the first description of every shared node, so the output is the same, byte for byte,
as a one-process run's.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from .convert import Conversion, Converter, PackedGraph, StudyGraph
from .mapping import load_mapping
from .rdfio import Syntax, line_end, syntax_named
from .readers import harmony_json

CHUNK_LINES = 1000


@dataclass(frozen=True, slots=True)
class ConverterSpec:
    """What a worker needs to build its own converter (picklable)."""

    base_uri: str
    mapping: str | None = None
    encode_as: str | None = None  # a line-based syntax: workers hand over bytes ready to write

    def build(self) -> Converter:
        return Converter(self.base_uri,
                         mapping_override=load_mapping(self.mapping) if self.mapping else None)


# One per worker process, set by its initializer: the converter, and the syntax it encodes in.
_worker: tuple[Converter, Syntax | None] | None = None


def _init_worker(spec: ConverterSpec) -> None:
    global _worker
    _worker = spec.build(), syntax_named(spec.encode_as) if spec.encode_as else None


# A conversion as it crosses the process boundary: a graph's statements travel as one string
# (pickling thousands of small strings costs more than converting them), and stay one string
# in the parent until somebody needs them one by one (writers of N-Triples/N-Quads never do).
_Packed = tuple[Any, list[Any], Any, list[PackedGraph]]


def _convert_chunk(args: tuple[str, int, list[bytes]]) -> list[_Packed]:
    name, first_line, lines = args
    assert _worker is not None
    converter, syntax = _worker
    converter.forget_described()  # each chunk describes its shared nodes; the parent dedupes
    packed = []
    for item in harmony_json.read_numbered_lines(lines, name, first_line):
        c = converter.convert(item)
        graphs = [g.pack(line_end(syntax, g.iri) if syntax else None) for g in c.graphs]
        packed.append((c.origin, c.warnings, c.rejection, graphs))
    return packed


def _unpack(packed: _Packed) -> Conversion:
    origin, warnings, rejection, graphs = packed
    return Conversion(origin, [StudyGraph.unpack(*g) for g in graphs], warnings, rejection)


def _chunks(lines: Iterable[bytes], name: str, first_line: int) -> Iterator[tuple[str, int, list[bytes]]]:
    chunk: list[bytes] = []
    start = first_line
    for number, line in enumerate(lines, first_line):
        if not chunk:
            start = number
        chunk.append(line)
        if len(chunk) >= CHUNK_LINES:
            yield name, start, chunk
            chunk = []
    if chunk:
        yield name, start, chunk


def convert_lines_parallel(lines: Iterable[bytes], name: str, first_line: int, spec: ConverterSpec,
                           jobs: int) -> Iterator[Conversion]:
    """Conversions of JSON Lines ``lines`` (numbered from ``first_line``), in input order."""
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    pool: Pool = context.Pool(jobs, initializer=_init_worker, initargs=(spec,))
    pending: deque[AsyncResult[Any]] = deque()
    try:
        for chunk in _chunks(lines, name, first_line):
            pending.append(pool.apply_async(_convert_chunk, (chunk,)))
            if len(pending) >= jobs * 3:
                yield from map(_unpack, pending.popleft().get())
        while pending:
            yield from map(_unpack, pending.popleft().get())
    finally:
        pool.terminate()
        pool.join()
