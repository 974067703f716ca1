"""Converting JSON Lines on several cores.

The main process reads the input in blocks of whole lines and hands them to worker processes,
which split, parse and convert them; results come back block by block in input order, at most
a few blocks in flight (memory stays flat). A block comes back as one :class:`ChunkResult`:
its counts, its problems in record order, and its graphs. When the output is N-Triples or
N-Quads the worker writes the graphs, encoded, to a spool file in memory (``/dev/shm`` where
there is one) and the result only says where each piece lies: the main process copies the
pieces to the output and nothing big crosses a pipe.

Each worker remembers the shared nodes it has described, and the main process keeps the
first description of each, so the output is the same, byte for byte, as a one-process run's:
the worker that converts a node's first mention has not met the node before, since every
worker takes its blocks in input order.
"""

from __future__ import annotations

import gc
import mmap
import multiprocessing as mp
import os
import shutil
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lod.converter.codecache import CodeCache
from lod.converter.core import Converter, PackedGraph, StudyGraph
from lod.converter.lifetime import die_with_parent
from lod.converter.spools import make_spool
from lod.errors import LodError
from lod.mapping.spec import load_mapping
from lod.output.syntaxes import Syntax, line_end, syntax_named
from lod.readers import harmony_json
from lod.records import Origin, Problem

BLOCK_BYTES = 256 * 1024  # lines handed to a worker at once (about 250 Harmony records)
IN_FLIGHT_PER_JOB = 2  # blocks queued or converting per worker
SPOOL_DIRS = ("/dev/shm",)  # memory-backed, where the system has one; else the temp folder
SPOOL_BATCH_BYTES = 1024**2  # encoded graphs a worker hands to the kernel at once (one writev)
SPOOL_BATCH_GRAPHS = 512  # and at most this many: under any system's limit (IOV_MAX is 1,024)

# A run of study graphs encoded together (shared node IRI None), or one shared node's graph:
# (shared node IRI, statements, study graphs, offset in the spool file, length in bytes)
EncodedPiece = tuple[str | None, int, int, int, int]


@dataclass(frozen=True, slots=True)
class ConverterSpec:
    """What a worker needs to build its own converter (picklable)."""

    base_uri: str
    mapping: str | None = None
    encode_as: str | None = None  # a line-based syntax: workers hand over bytes ready to write
    code_cache: str | None = None  # folder where compiled mapping code is kept between runs

    def build(self) -> Converter:
        return Converter(self.base_uri,
                         mapping_override=load_mapping(self.mapping) if self.mapping else None,
                         code_cache=CodeCache(Path(self.code_cache)) if self.code_cache else None)


@dataclass(slots=True)
class ChunkResult:
    """What a worker made of one block of lines. ``read == converted + rejected``.

    ``problems``: warnings and rejections (flagged True) in record order, each with the shared
    node whose description gave it, if one did. ``graphs``: each graph packed
    (:meth:`StudyGraph.pack`); or, when the spec names a syntax to encode in, ``pieces``
    instead, in output order, their bytes in ``spool_file``."""

    read: int
    converted: int
    problems: list[tuple[Problem, bool, str | None]]
    graphs: list[PackedGraph]
    pieces: list[EncodedPiece]
    spool_file: str | None = None
    studies: list[tuple[str, Origin]] = field(default_factory=list)  # study IRIs, record order

    @property
    def rejected(self) -> int:
        return self.read - self.converted

    def encoded_pieces(self) -> Iterator[tuple[str | None, int, int, memoryview]]:
        """Each piece with its bytes (valid until the next piece is asked for)."""
        if self.spool_file is None:  # nothing was written (graphs without statements)
            for shared_iri, count, studies, _, _ in self.pieces:
                yield shared_iri, count, studies, memoryview(b"")
            return
        with (open(self.spool_file, "rb") as f,
              mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data,
              memoryview(data) as view):
            for shared_iri, count, studies, offset, length in self.pieces:
                with view[offset:offset + length] as piece:
                    yield shared_iri, count, studies, piece


# One per worker process, set by its initializer: the converter, and the syntax it encodes in.
_worker: tuple[Converter, Syntax | None] | None = None


def _init_worker(spec: ConverterSpec, parent_pid: int) -> None:
    global _worker
    die_with_parent(parent_pid)
    _worker = spec.build(), syntax_named(spec.encode_as) if spec.encode_as else None


class _Spool:
    """A block's encoded graphs, written to its spool file as they come, and the pieces they
    make: each shared node's graph, and the runs of study graphs between them.

    Spool files are reused, written over and cut to size: pages already in memory cost less
    to fill than new ones. Graphs are not joined (big short-lived buffers cost a page fault per
    page) nor copied into a write buffer: about a megabyte of them at a time goes to the
    kernel in one ``writev``."""

    def __init__(self, path: str, syntax: Syntax):
        self.syntax = syntax
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.batch: list[bytes] = []
        self.batch_bytes = 0
        self.pieces: list[EncodedPiece] = []
        self.offset = 0
        self.run_start = self.run_count = self.run_graphs = 0

    def add(self, graph: StudyGraph) -> None:
        end = line_end(self.syntax, graph.iri)
        assert end is not None
        data = graph.encoded(end)
        if graph.shared:
            self._end_run()
            self.pieces.append((graph.iri, graph.count, 0, self.offset, len(data)))
        else:
            self.run_count += graph.count
            self.run_graphs += 1
        self.batch.append(data)
        self.batch_bytes += len(data)
        if self.batch_bytes >= SPOOL_BATCH_BYTES or len(self.batch) >= SPOOL_BATCH_GRAPHS:
            self._write_batch()
        self.offset += len(data)
        if graph.shared:
            self.run_start = self.offset

    def _write_batch(self) -> None:
        written = os.writev(self.fd, self.batch)
        if written < self.batch_bytes:  # rare (a signal, a full disk): the rest piece by piece
            rest = memoryview(b"".join(self.batch))[written:]
            while rest:
                rest = rest[os.write(self.fd, rest):]
        self.batch.clear()
        self.batch_bytes = 0

    def _end_run(self) -> None:
        if self.run_graphs:
            self.pieces.append((None, self.run_count, self.run_graphs, self.run_start,
                                self.offset - self.run_start))
        self.run_start, self.run_count, self.run_graphs = self.offset, 0, 0

    def close(self) -> list[EncodedPiece]:
        self._end_run()
        try:
            if self.batch:
                self._write_batch()
            os.ftruncate(self.fd, self.offset)
        finally:
            os.close(self.fd)
        return self.pieces


def _convert_chunk(args: tuple[str, int, bytes, str | None]) -> ChunkResult:
    name, first_line, block, spool_file = args
    assert _worker is not None
    converter, syntax = _worker
    read = converted = 0
    problems: list[tuple[Problem, bool, str | None]] = []
    packed: list[PackedGraph] = []
    studies: list[tuple[str, Origin]] = []
    spool = _Spool(spool_file, syntax) if syntax is not None and spool_file is not None else None
    try:
        for item in harmony_json.read_block(block, name, first_line):
            c = converter.convert(item)
            read += 1
            if c.warnings:
                problems.extend((w, False, c.warning_nodes.get(k)) for k, w in enumerate(c.warnings))
            if c.rejection is not None:
                problems.append((c.rejection, True, None))
                continue
            converted += 1
            studies.extend((g.iri, c.origin) for g in c.graphs if not g.shared)
            if spool is None:
                packed.extend(g.pack() for g in c.graphs)
                continue
            for g in c.graphs:
                spool.add(g)
    finally:
        pieces = spool.close() if spool is not None else []
    return ChunkResult(read, converted, problems, packed, pieces,
                       spool_file if spool is not None and spool.offset else None, studies)


def blocks(stream: BinaryIO, name: str, first_line: int, size: int = BLOCK_BYTES,
           max_line: int = harmony_json.MAX_LINE_BYTES) -> Iterator[tuple[str, int, bytes]]:
    """``(name, number of the first line, whole lines)``, about ``size`` bytes each.

    A line longer than ``max_line`` is kept only to ``max_line + 1`` bytes (plus what the block
    that ends it holds): enough for the worker to reject it as too long, and memory stays
    bounded however long it is."""
    line = first_line
    unfinished: list[bytes] = []  # a line longer than a block, so far
    held = 0
    while data := stream.read(size):
        cut = data.rfind(b"\n") + 1
        if not cut:
            if held <= max_line:
                kept = data[: max_line + 1 - held]
                unfinished.append(kept)
                held += len(kept)
            continue
        block = b"".join([*unfinished, data[:cut]]) if unfinished else data[:cut]
        unfinished = [data[cut:]] if cut < len(data) else []
        held = len(data) - cut
        yield name, line, block
        line += block.count(b"\n")
    if unfinished:
        yield name, line, b"".join(unfinished)


def _spool_folder() -> str | None:
    for folder in SPOOL_DIRS:
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            return folder
    return None


def convert_lines_parallel(stream: BinaryIO, name: str, first_line: int, spec: ConverterSpec,
                           jobs: int) -> Iterator[ChunkResult]:
    """Conversions of the JSON Lines in ``stream`` (numbered from ``first_line``), block by
    block in input order. Use each result's :meth:`ChunkResult.encoded_pieces` before the next."""
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    spool = make_spool(_spool_folder()) if spec.encode_as else None
    in_flight = jobs * IN_FLIGHT_PER_JOB
    # What the workers inherit (imports, the mapping, tables) stays shared between processes:
    # frozen, it is left out of collections, which would otherwise copy every page they visit.
    gc.freeze()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(spec, os.getpid()))
    pending: deque[Future[ChunkResult]] = deque()
    try:
        for number, (name_, line, block) in enumerate(blocks(stream, name, first_line)):
            # A block's spool file is free again: the results of the blocks that used it
            # before were handed on and used before this one was sent.
            spool_file = os.path.join(spool, f"{number % (in_flight + 1)}.part") if spool else None
            pending.append(pool.submit(_convert_chunk, (name_, line, block, spool_file)))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        raise WorkerDied(f"{name}: a worker process converting it stopped (killed, or out of "
                         "memory); nothing after the last complete block was written") from None
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


class WorkerDied(LodError):
    """A worker process ended without finishing its block."""


__all__ = ["ChunkResult", "ConverterSpec", "EncodedPiece", "WorkerDied", "blocks", "convert_lines_parallel"]
