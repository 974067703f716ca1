"""Benchmark `lod convert` to N-Triples against building an rdflib Graph, in one run.

    python bench/bench_convert.py 20000 100000 200000 [--rdflib-n 5000] [--jobs 2]
    python bench/bench_convert.py 20000 --generator synthetic     # the easy records

For each N: generates N deterministic Harmony records (bench/realistic.py, shaped like the
real corpus; or the easy bench/synthetic.py with ``--generator synthetic``),
runs `lod convert -f ntriples` as a subprocess and reports records/s, triples/s and CPU time,
then runs it again for the peak memory: the largest sum, sampled every 50 ms, of the
proportional set size (PSS: shared pages split between the processes sharing them) of lod
and its worker processes, plus lod's spool files in /dev/shm (memory too). Sampling is kept
out of the timed run: each sample costs about 3 ms of CPU (5 % of a core every 50 ms) on a
machine lod keeps busy. lod keeps its compiled mapping code in a cache folder of the benchmark's
own, filled by a small conversion first, as any run after a user's first finds it; and lod's
modules are byte-compiled first, as pip does for a regular install (where PYTHONDONTWRITEBYTECODE
is set, as on the measured machine, an editable install otherwise compiles them in every run:
about 40 ms). Then converts the first
``--rdflib-n`` records the rdflib way (every triple added to an rdflib Dataset, then
serialised) and reports the ratio. Every output is parsed back by pyoxigraph (strict).
"""

from __future__ import annotations

import argparse
import compileall
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realistic  # noqa: E402
import synthetic  # noqa: E402

from lod.converter.core import Converter  # noqa: E402
from lod.records import Origin, Record  # noqa: E402

LOD = str(Path(sys.executable).parent / "lod")


GENERATORS = {"realistic": realistic.records, "synthetic": synthetic.records}


def write_input(generator: str, n: int, folder: Path) -> Path:
    path = folder / f"{generator}-{n}.jsonl"
    with path.open("w") as f:
        for rec in GENERATORS[generator](n):
            f.write(json.dumps(rec) + "\n")
    return path


def _process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
        except OSError:
            continue
    return found


def _memory_bytes(pid: int) -> int:
    """PSS of ``pid`` and its descendants, plus lod's spool files in /dev/shm."""
    total = 0
    for process in _process_tree(pid):
        try:
            with open(f"/proc/{process}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    for spool in glob.glob("/dev/shm/lod-convert-*/*"):
        try:
            total += os.path.getsize(spool)
        except OSError:
            continue
    return total


def run_lod(path: Path, out: Path, jobs: int, cache: Path, *, sample_memory: bool) -> dict[str, float]:
    """One `lod convert` run: its wall-clock and CPU time; with ``sample_memory``, its peak memory.
    ``cache``: where lod keeps its compiled mapping code."""
    os.sync()  # what was just written (the input) goes to disk now, not in the middle of the run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen([LOD, "convert", "-q", "-j", str(jobs), str(path), "-f", "ntriples",
                                "-o", str(out)], stderr=subprocess.DEVNULL,
                               env={**os.environ, "LOD_CACHE_DIR": str(cache)})
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _memory_bytes(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    if sample_memory:
        sampler.start()
    if process.wait() != 0:
        raise SystemExit(f"lod convert failed with exit status {process.returncode}")
    seconds = time.perf_counter() - started
    if sample_memory:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "peak_mb": peak / 1e6, "largest_rss_mb": after.ru_maxrss / 1024,
            "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


def run_rdflib(generator: str, n: int) -> dict[str, float]:
    converter = Converter("https://w3id.org/lod-studies/id/")
    started = time.perf_counter()
    dataset = rdflib.Dataset()
    triples = 0
    for i, rec in enumerate(GENERATORS[generator](n)):
        for graph in converter.convert(Record(rec, Origin("synthetic", line=i + 1))).graphs:
            g = dataset.graph(rdflib.URIRef(graph.iri))
            g.parse(data="".join(s + " .\n" for s in graph.statements), format="nt")
            triples += len(graph.statements)
    data = dataset.serialize(format="nquads", encoding="utf-8")
    seconds = time.perf_counter() - started
    assert len(data) > 0
    return {"seconds": seconds, "triples": triples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[20000, 100000, 200000])
    parser.add_argument("--rdflib-n", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="realistic")
    args = parser.parse_args()
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "lod"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # lod runs first: a child forked from a big parent would count the parent's memory.
        lod_results = []
        cache = folder / "code-cache"
        warm_up = write_input(args.generator, 10, folder)
        run_lod(warm_up, folder / "warm-up.nt", 1, cache, sample_memory=False)
        for n in args.sizes:
            path = write_input(args.generator, n, folder)
            out = folder / f"out-{n}.nt"
            # Each run writes a new file, removed after it: writing over an existing one would
            # add the file system's truncation of the old one, which is not conversion.
            result = run_lod(path, out, args.jobs, cache, sample_memory=False)
            result["triples"] = sum(1 for _ in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))
            out.unlink()
            memory = run_lod(path, out, args.jobs, cache, sample_memory=True)
            out.unlink()
            result.update(peak_mb=memory["peak_mb"], largest_rss_mb=memory["largest_rss_mb"])
            lod_results.append((n, result))
            path.unlink()
        rdflib_result = run_rdflib(args.generator, args.rdflib_n)
        rdflib_rate = args.rdflib_n / rdflib_result["seconds"]
        print(f"rdflib graph building: {args.rdflib_n:,} records in {rdflib_result['seconds']:.1f} s = "
              f"{rdflib_rate:,.0f} records/s, "
              f"{rdflib_result['triples'] / rdflib_result['seconds']:,.0f} triples/s")
        for n, result in lod_results:
            rate = n / result["seconds"]
            print(f"lod convert -j {args.jobs} N={n:,} {args.generator}: {result['seconds']:.1f} s, "
                  f"{rate:,.0f} records/s, "
                  f"{result['triples'] / result['seconds']:,.0f} triples/s "
                  f"({result['triples'] / n:.0f} triples/record), peak memory {result['peak_mb']:.0f} MB "
                  f"(largest process RSS {result['largest_rss_mb']:.0f} MB), "
                  f"CPU {result['cpu_seconds']:.1f} s; {rate / rdflib_rate:.1f}x the rdflib way")


if __name__ == "__main__":
    main()
