"""Store load throughput on synthetic studies (57 triples each, one named graph per study).

    .venv/bin/python bench/bench_store.py embedded --studies 100000 --batch 2000
    .venv/bin/python bench/bench_store.py raw --studies 100000 --batch 2000 --method load
    .venv/bin/python bench/bench_store.py remote --endpoint http://127.0.0.1:8890/sparql \\
        --gsp http://127.0.0.1:8890/sparql-graph-crud --studies 5000
    .venv/bin/python bench/bench_store.py remote --virtuoso --studies 10000 --batch 877 \\
        --mode staged|put|update [--chunk 50000] [--writers 2] [--rounds 2]

``embedded`` goes through lod's EmbeddedStore.replace_graphs (strict parse, journal, drop,
load, flush); ``--method load`` forces pyoxigraph's transactional ``Store.load``, ``bulk``
(the default above 1 MB per batch) its ``bulk_load``. ``raw`` calls pyoxigraph directly
(remove_graph + load/bulk_load, no journal) to show what the journal costs. Payloads are
built before the clock starts; the figure is triples per second of store time.
``remote --virtuoso`` starts its own throwaway Virtuoso the way the tests do (in a temporary
folder, stopped afterwards); ``--rounds 2`` loads again, replacing every graph; after each
round the triples on the server are counted (a ``WRONG`` line if any are missing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402
from rdflib import Literal  # noqa: E402

from lod.store import open_store  # noqa: E402
from lod.store.embedded import EmbeddedStore  # noqa: E402
from lod.store.remote import RemoteStore  # noqa: E402
from tests.fixtures_store import start_virtuoso, stop_virtuoso  # noqa: E402

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
    if args.virtuoso:
        with tempfile.TemporaryDirectory(prefix="lod-bench-virtuoso-", dir=args.dir) as folder:
            proc, server = start_virtuoso(Path(folder))
            try:
                args.endpoint, args.gsp = server.sparql, (server.gsp if args.mode != "update" else None)
                args.server_pid = proc.pid
                remote_rounds(args, work, triples)
            finally:
                stop_virtuoso(proc, server)
    else:
        remote_rounds(args, work, triples)


def remote_rounds(args: argparse.Namespace, work: list[tuple[bytes, list[str]]], triples: int) -> None:
    store = open_store(
        endpoint=args.endpoint, gsp_endpoint=args.gsp, user=args.user, password=args.password, timeout=600
    )
    assert isinstance(store, RemoteStore)
    store.staging_chunk_triples = args.chunk
    if args.mode == "put":
        store.staging_min_graphs = sys.maxsize  # one PUT per graph, as before staging
    label = {"put": "GSP PUT per graph", "staged": f"GSP staging, {args.chunk:,} per request",
             "update": "SPARQL Update"}[args.mode]
    names = [name for _, batch in work for name in batch]
    for round_ in range(1, args.rounds + 1):  # round 2+: every graph exists and is replaced
        started, client, server = time.perf_counter(), time.process_time(), _cpu(args.server_pid)
        with ThreadPoolExecutor(args.writers) as pool:
            for _ in pool.map(lambda item: store.replace_graphs(*item), work):
                pass
        seconds = time.perf_counter() - started
        report(f"remote replace_graphs via {label}, {args.writers} writer(s), batch {args.batch}, "
               f"round {round_}", triples, seconds)
        cpu = f"server {_cpu(args.server_pid) - server:.1f} s, " if args.server_pid else ""
        print(f"  CPU: {cpu}client {time.process_time() - client:.1f} s", flush=True)
        stored = _count(store)
        if stored != triples:
            print(f"WRONG: the server holds {stored:,} triples in the loaded graphs, not {triples:,}")
    if args.add_nquads:
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
        names.append(f"{BASE}big")
    if not args.virtuoso:
        for start in range(0, len(names), 10_000):
            store.delete_graphs(names[start : start + 10_000])
    store.close()


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the process ``pid`` has used so far (Linux)."""
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _count(store: RemoteStore) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?base)) }"
    return int(store.select(query, {"base": Literal(BASE)}).rows[0]["n"])  # type: ignore[call-overload]


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
    parser.add_argument("--virtuoso", action="store_true",
                        help="remote: start a throwaway Virtuoso (as the tests do) instead of --endpoint")
    parser.add_argument("--mode", choices=["staged", "put", "update"], default="staged",
                        help="remote: staged batches (default), one PUT per graph, or SPARQL Update only")
    parser.add_argument("--server-pid", type=int, help="remote: report this process's CPU time too")
    parser.add_argument("--chunk", type=int, default=5_000, help="remote: triples per staged request")
    parser.add_argument("--writers", type=int, default=1, help="remote: concurrent replace_graphs calls")
    parser.add_argument("--rounds", type=int, default=1, help="remote: load this many times (2+: replace)")
    parser.add_argument("--add-nquads", action="store_true",
                        help="remote: also time add_nquads into one graph")
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
        if not args.endpoint and not args.virtuoso:
            parser.error("remote needs --endpoint or --virtuoso")
        run_remote(args, work, triples)


if __name__ == "__main__":
    main()
