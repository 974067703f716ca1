"""Benchmark `lod convert` to N-Triples against building an rdflib Graph, in one run.

    python bench/bench_convert.py 20000 100000 200000 [--rdflib-n 5000] [--jobs 2]

For each N: generates N synthetic Harmony-like records (bench/synthetic.py, deterministic),
runs `lod convert -f ntriples` as a subprocess and reports records/s, triples/s and the
process's peak memory (RSS, including worker processes). Then converts the first
``--rdflib-n`` records the rdflib way (every triple added to an rdflib Dataset, then
serialised) and reports the ratio. Every output is parsed back by pyoxigraph (strict).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import records  # noqa: E402

from lod.convert import Converter  # noqa: E402
from lod.records import Origin, Record  # noqa: E402

LOD = str(Path(sys.executable).parent / "lod")


def write_input(n: int, folder: Path) -> Path:
    path = folder / f"synthetic-{n}.jsonl"
    with path.open("w") as f:
        for rec in records(n):
            f.write(json.dumps(rec) + "\n")
    return path


def run_lod(path: Path, out: Path, jobs: int) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([LOD, "convert", "-q", "-j", str(jobs), str(path), "-f", "ntriples", "-o", str(out)],
                   check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    triples = sum(1 for _ in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))
    return {"seconds": seconds, "triples": triples, "peak_rss_mb": after.ru_maxrss / 1024,
            "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


def run_rdflib(n: int) -> dict[str, float]:
    converter = Converter("https://w3id.org/lod-studies/id/")
    started = time.perf_counter()
    dataset = rdflib.Dataset()
    triples = 0
    for i, rec in enumerate(records(n)):
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # lod runs first: a child forked from a big parent would count the parent's memory.
        lod_results = []
        for n in args.sizes:
            path = write_input(n, folder)
            lod_results.append((n, run_lod(path, folder / "out.nt", args.jobs)))
            path.unlink()
        rdflib_result = run_rdflib(args.rdflib_n)
        rdflib_rate = args.rdflib_n / rdflib_result["seconds"]
        print(f"rdflib graph building: {args.rdflib_n:,} records in {rdflib_result['seconds']:.1f} s = "
              f"{rdflib_rate:,.0f} records/s, "
              f"{rdflib_result['triples'] / rdflib_result['seconds']:,.0f} triples/s")
        for n, result in lod_results:
            rate = n / result["seconds"]
            print(f"lod convert -j {args.jobs} N={n:,}: {result['seconds']:.1f} s, {rate:,.0f} records/s, "
                  f"{result['triples'] / result['seconds']:,.0f} triples/s "
                  f"({result['triples'] / n:.0f} triples/record), peak RSS {result['peak_rss_mb']:.0f} MB, "
                  f"CPU {result['cpu_seconds']:.1f} s; {rate / rdflib_rate:.1f}x the rdflib way")


if __name__ == "__main__":
    main()
