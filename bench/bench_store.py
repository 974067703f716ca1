"""Store load throughput on synthetic studies (57 triples each, one named graph per study).

    .venv/bin/python bench/bench_store.py embedded --studies 100000 --batch 2000
    .venv/bin/python bench/bench_store.py raw --studies 100000 --batch 2000 --method load
    .venv/bin/python bench/bench_store.py remote --endpoint http://127.0.0.1:8890/sparql \\
        --gsp http://127.0.0.1:8890/sparql-graph-crud --studies 5000

``embedded`` goes through lod's EmbeddedStore.replace_graphs (strict parse, journal, drop,
load, flush); ``--method load`` forces pyoxigraph's transactional ``Store.load``, ``bulk``
(the default above 1 MB per batch) its ``bulk_load``. ``raw`` calls pyoxigraph directly
(remove_graph + load/bulk_load, no journal) to show what the journal costs. Payloads are
built before the clock starts; the figure is triples per second of store time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402

from lod.store import open_store  # noqa: E402
from lod.store.embedded import EmbeddedStore  # noqa: E402

BASE = "https://example.org/study/"
XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"


def study(i: int, version: int = 1) -> bytes:
    """57 N-Quads lines shaped like a converted Harmony record."""
    g = f"<{BASE}{i}>"
    lines = [
        f"{g} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> {g} ."
    ]
    lines.append(f'{g} <http://purl.org/dc/terms/title> "Study {i} v{version} — ünïcode"@en {g} .')
    lines += [
        f"{g} <http://purl.org/dc/terms/subject> <https://example.org/kw/{(i * 7 + k) % 5000}> {g} ."
        for k in range(20)
    ]
    lines += [f'{g} <http://www.w3.org/ns/dcat#keyword> "keyword {k} of {i}"@en {g} .' for k in range(20)]
    lines += [f'<{BASE}{i}#d{k}> <http://schema.org/value> "{i * k}"^^{XSD_INTEGER} {g} .' for k in range(15)]
    return ("\n".join(lines) + "\n").encode()


def batches(studies: int, size: int) -> list[tuple[bytes, list[str]]]:
    out = []
    for start in range(0, studies, size):
        ids = range(start, min(start + size, studies))
        out.append((b"".join(study(i) for i in ids), [f"{BASE}{i}" for i in ids]))
    return out


def report(label: str, triples: int, seconds: float) -> None:
    load = os.getloadavg()[0]
    print(
        f"{label}: {triples:,} triples in {seconds:.1f} s = {triples / seconds:,.0f} triples/s "
        f"(load average {load:.1f})",
        flush=True,
    )


def run_embedded(args: argparse.Namespace, work: list[tuple[bytes, list[str]]], triples: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lod-bench-", dir=args.dir))
    try:
        store = EmbeddedStore(folder / "store")
        if args.method == "load":
            store.bulk_threshold = 1 << 62
        elif args.method == "bulk":
            store.bulk_threshold = 0
        started = time.perf_counter()
        for data, graphs in work:
            store.replace_graphs(data, graphs)
        store.close()
        report(
            f"embedded replace_graphs ({args.method}, batch {args.batch})",
            triples,
            time.perf_counter() - started,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_raw(args: argparse.Namespace, work: list[tuple[bytes, list[str]]], triples: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lod-bench-", dir=args.dir))
    try:
        store = ox.Store(str(folder / "store"))
        started = time.perf_counter()
        for data, graphs in work:
            for name in graphs:
                store.remove_graph(ox.NamedNode(name))
            if args.method == "load":
                store.load(data, format=ox.RdfFormat.N_QUADS)
            else:
                store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
        report(
            f"raw pyoxigraph {args.method} (batch {args.batch}, no journal)",
            triples,
            time.perf_counter() - started,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_remote(args: argparse.Namespace, work: list[tuple[bytes, list[str]]], triples: int) -> None:
    store = open_store(
        endpoint=args.endpoint, gsp_endpoint=args.gsp, user=args.user, password=args.password, timeout=300
    )
    label = "GSP PUT per graph" if args.gsp else "SPARQL Update"
    started = time.perf_counter()
    for data, graphs in work:
        store.replace_graphs(data, graphs)
    report(f"remote replace_graphs via {label} (batch {args.batch})", triples, time.perf_counter() - started)
    one_graph = b"".join(
        line.rsplit(b" ", 2)[0] + b" <" + BASE.encode() + b"big> .\n"
        for data, _ in work
        for line in data.splitlines()
    )
    started = time.perf_counter()
    store.add_nquads(one_graph)
    report(
        f"remote add_nquads, one graph ({'GSP POST, 50k per request' if args.gsp else 'INSERT DATA'})",
        one_graph.count(b"\n"),
        time.perf_counter() - started,
    )
    store.delete_graphs([f"{BASE}big"] + [name for _, names in work for name in names])
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("backend", choices=["embedded", "raw", "remote"])
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--method", choices=["auto", "load", "bulk"], default="auto")
    parser.add_argument("--dir", default=None, help="where temporary stores go")
    parser.add_argument("--endpoint")
    parser.add_argument("--gsp")
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    work = batches(args.studies, args.batch)
    triples = sum(data.count(b"\n") for data, _ in work)
    if args.backend == "embedded":
        run_embedded(args, work, triples)
    elif args.backend == "raw":
        args.method = "bulk" if args.method == "auto" else args.method
        run_raw(args, work, triples)
    else:
        if not args.endpoint:
            parser.error("remote needs --endpoint")
        run_remote(args, work, triples)


if __name__ == "__main__":
    main()
