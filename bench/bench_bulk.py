"""What raw pyoxigraph can load, with no lod code in the timed part: ways of writing the same
N-Quads into a fresh on-disk store.

    .venv/bin/lod convert synthetic-20000.jsonl -f nquads -o s20k.nq -q
    .venv/bin/python bench/bench_bulk.py s20k.nq                      # every method
    .venv/bin/python bench/bench_bulk.py s20k.nq --method path --method threads --chunk 50000

Methods (each in a fresh store, the input read into memory before the clock starts, except
``path``; the clock stops after ``flush``):

- ``path``: one ``bulk_load(path=FILE)``; ``path-lenient`` the same with ``lenient=True``;
- ``bytes``: one ``bulk_load(data)`` of the whole file from memory;
- ``chunks``: one ``bulk_load`` per ``--chunk`` lines, one after another (what a load in
  batches does); ``threads``: the same chunks from ``--threads`` threads at once;
- ``stream``: one ``bulk_load`` reading the chunks from a queue (a single bulk load fed while
  it runs);
- ``load``: the transactional ``Store.load`` per chunk; ``extend``: ``Store.extend`` of the
  parsed quads per chunk; ``bulk-extend``: one ``bulk_extend`` over all parsed quads.

Reports quads/s, CPU seconds of the process (user + system, all threads) and how many cores
that is on average: on a shared machine the CPU seconds per quad are the steadier figure.
"""

from __future__ import annotations

import argparse
import io
import os
import queue
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

NQ = ox.RdfFormat.N_QUADS
METHODS = ["path", "path-lenient", "bytes", "chunks", "threads", "stream", "load", "extend",
           "bulk-extend"]


class _QueueReader(io.RawIOBase):
    """A binary stream over byte strings taken from a queue (None ends it)."""

    def __init__(self, source: queue.Queue[bytes | None]) -> None:
        self.source = source
        self.buffer = memoryview(b"")
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self.buffer:
            item = None if self.done else self.source.get()
            if item is None:
                self.done = True
                return 0
            self.buffer = memoryview(item)
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n


def _stream(store: ox.Store, chunks: list[bytes]) -> None:
    feed: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    reader = io.BufferedReader(_QueueReader(feed), 1 << 20)
    loader = threading.Thread(target=store.bulk_load, args=(reader,), kwargs={"format": NQ})
    loader.start()
    for chunk in chunks:
        feed.put(chunk)
    feed.put(None)
    loader.join()


def _threads(store: ox.Store, chunks: list[bytes], n: int) -> None:
    def work(k: int) -> None:
        for chunk in chunks[k::n]:
            store.bulk_load(chunk, format=NQ)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def runner(method: str, path: Path, data: bytes, chunks: list[bytes],
           threads: int) -> Callable[[ox.Store], None]:
    return {
        "path": lambda s: s.bulk_load(path=path, format=NQ),
        "path-lenient": lambda s: s.bulk_load(path=path, format=NQ, lenient=True),
        "bytes": lambda s: s.bulk_load(data, format=NQ),
        "chunks": lambda s: [s.bulk_load(c, format=NQ) for c in chunks] and None,
        "threads": lambda s: _threads(s, chunks, threads),
        "stream": lambda s: _stream(s, chunks),
        "load": lambda s: [s.load(c, format=NQ) for c in chunks] and None,
        "extend": lambda s: [s.extend(list(ox.parse(c, format=NQ))) for c in chunks] and None,
        "bulk-extend": lambda s: s.bulk_extend(ox.parse(data, format=NQ)),
    }[method]


def measure(method: str, path: Path, data: bytes, chunks: list[bytes], quads: int,
            args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lod-bulk-", dir=args.dir))
    try:
        store = ox.Store(str(folder / "store"))
        run = runner(method, path, data, chunks, args.threads)
        before, started = os.times(), time.perf_counter()
        run(store)
        store.flush()
        seconds, after = time.perf_counter() - started, os.times()
        cpu = (after.user - before.user) + (after.system - before.system)
        stored = len(store)
        del store
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    label = method + (f" (chunks of {args.chunk:,})" if method not in ("path", "path-lenient",
                                                                      "bytes", "bulk-extend") else "")
    if method == "threads":
        label += f", {args.threads} threads"
    wrong = "" if stored == quads else f"  WRONG: {stored:,} quads stored"
    print(f"{label:<40} {quads / seconds:>9,.0f} quads/s  {seconds:6.1f} s  cpu {cpu:6.1f} s "
          f"({cpu / seconds:.2f} cores, {cpu / quads * 1e6:.1f} µs/quad)  "
          f"load avg {os.getloadavg()[0]:.1f}{wrong}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="an N-Quads file (lod convert -f nquads)")
    parser.add_argument("--method", action="append", choices=METHODS,
                        help="repeat for several (default: all)")
    parser.add_argument("--chunk", type=int, default=50_000, help="lines per chunk")
    parser.add_argument("--threads", type=int, default=2, help="threads for 'threads'")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each method")
    parser.add_argument("--dir", default=None, help="where the temporary stores go")
    args = parser.parse_args()
    data = args.file.read_bytes()
    lines = data.splitlines(keepends=True)
    chunks = [b"".join(lines[i:i + args.chunk]) for i in range(0, len(lines), args.chunk)]
    quads = len(lines)
    del lines
    print(f"pyoxigraph {ox.__version__}, {quads:,} quads, {os.cpu_count()} CPUs", flush=True)
    for _ in range(args.repeat):
        for method in args.method or METHODS:
            measure(method, args.file, data, chunks, quads, args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB (the input held in memory twice included)", file=sys.stderr)


if __name__ == "__main__":
    main()
