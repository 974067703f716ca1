"""Load and query benchmark: N records, end to end, in a fresh on-disk store, next to
pyoxigraph's own bulk loader on the same quads.

    .venv/bin/python bench/bench_load_query.py 100000
    .venv/bin/python bench/bench_load_query.py 20000 --generator synthetic
    .venv/bin/python bench/bench_load_query.py 20000 --virtuoso http://127.0.0.1:8890/sparql \\
        --virtuoso-gsp http://127.0.0.1:8890/sparql-graph-crud

1. Writes N deterministic records as JSON Lines (not timed): realistic ones
   (bench/realistic.py, the default) or the easy ones (``--generator synthetic``).
2. Writes lod's N-Quads of the same records (``lod convert -f nquads``, not timed) and times
   pyoxigraph alone: ``Store(DIR).bulk_load(path=FILE)`` into a fresh folder, then
   ``flush``, with no lod code, before and after step 3 (the machine's speed drifts); then
   times pyoxigraph's ``optimize`` (compaction) of that store, which lod does after a load.
3. Runs ``lod load FILE --store DIR`` as a separate process and times it from start to exit:
   reading, conversion, writing, facet summary. Reports triples/s (triples in the store
   afterwards, facet graphs excluded), studies/s, the ratio to step 2's quads/s, and the peak
   RSS of the load (largest of the process and its worker processes), and the ratio without
   the seconds lod reports for compacting.
4. Runs every named query ``--runs`` times with typical and selective parameters through the
   library (no process start-up), reports p50/p95 ms.
5. With ``--virtuoso``, loads the same file into that server (Graph Store Protocol when
   ``--virtuoso-gsp`` is given) and reports triples/s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import realistic  # noqa: E402
import synthetic  # noqa: E402

from lod.queries import named_queries, prepare  # noqa: E402
from lod.queries.run import execute  # noqa: E402
from lod.store import facets, open_store  # noqa: E402

LOD = str(ROOT / ".venv" / "bin" / "lod")

#: (query, parameters, what the case shows)
CASES: list[tuple[str, dict[str, str], str]] = [
    ("sponsors", {}, "all sponsors with counts"),
    ("keywords", {}, "all keywords with counts"),
    ("coverage", {}, "countries and decades"),
    ("studies-by-sponsor", {"sponsor": "esrc"}, "common sponsor, by alias"),
    ("studies-by-sponsor", {"sponsor": "Wellcome Trust"}, "another sponsor"),
    ("studies-by-sponsor", {"sponsor": "MRC"}, "code"),
    ("studies-by-sponsor", {"sponsor": "no such funder"}, "no match"),
    ("studies-by-keyword", {"keyword": "mental HEALTH"}, "keyword, other case"),
    ("studies-by-keyword", {"keyword": "education"}, "commonest keyword"),
    ("studies-by-keyword", {"keyword": "topic 123"}, "rare keyword (synthetic)"),
    ("studies-by-keyword", {"keyword": "Pain School 2"}, "rare keyword (realistic)"),
    ("studies-in-period", {"from": "1990", "to": "1995"}, "years, many matches"),
    ("studies-in-period", {"from": "1950-03-01", "to": "1950-06-30"}, "dates, edge of range"),
    ("studies-in-period", {"from": "1800", "to": "1900"}, "no match"),
    ("studies-by-place", {"country": "GB"}, "country by code"),
    ("studies-by-place", {"country": "Finland"}, "country by name"),
    ("studies-by-place", {"place": "Scotland"}, "gazetteer place"),
    ("studies-by-place", {"country": "GBR", "place": "London"}, "country and place"),
]


GENERATORS = {"realistic": realistic.records, "synthetic": synthetic.records}


def write_input(generator: str, n: int, seed: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for rec in GENERATORS[generator](n, seed):
            out.write(json.dumps(rec) + "\n")


def raw_bulk_load(nquads: Path, folder: Path) -> tuple[float, float, int]:
    """pyoxigraph alone: seconds for one bulk load of the file into a fresh store, seconds for
    the ``optimize`` (compaction) after it, and quads."""
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()
    started = time.perf_counter()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.optimize()
    optimized = time.perf_counter() - started
    quads = len(store)
    del store
    shutil.rmtree(folder, ignore_errors=True)
    return seconds, optimized, quads


def timed_load(args: list[str]) -> tuple[float, float, str]:
    """Run ``lod load``; wall seconds, peak RSS (MiB) of it and its workers, its stderr."""
    # wait4 gives this child's own peak (with its reaped workers'), not that of the earlier
    # ``lod convert`` child, which RUSAGE_CHILDREN would report when it was bigger.
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen([LOD, "load", *args], stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode()
    if process.returncode != 0:
        sys.exit(f"lod load failed ({process.returncode}):\n{stderr}")
    return seconds, usage.ru_maxrss / 1024, stderr


def compaction_seconds(log: str) -> float:
    """The seconds ``lod load`` says it spent compacting (0 when it did not)."""
    found = re.search(r"compacting took ([0-9.]+) s", log)
    return float(found.group(1)) if found else 0.0


def store_triples(store: object) -> int:
    total = store.triple_count()  # type: ignore[attr-defined]
    return total - sum(store.triple_count(g) for g in facets.ALL_GRAPHS)  # type: ignore[attr-defined]


def print_queries(queries: list[dict[str, object]]) -> None:
    print(f"{'query':<20} {'parameters':<42} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for q in queries:
        params = " ".join(f"{k}={v}" for k, v in q["params"].items())  # type: ignore[attr-defined]
        print(f"{q['query']:<20} {params:<42} {q['rows']:>5} {q['p50_ms']:>8.2f} {q['p95_ms']:>8.2f}")


def bench_queries(store_dir: Path, runs: int) -> list[dict[str, object]]:
    out = []
    queries = named_queries()
    with open_store(store_dir=store_dir) as store:
        for name, params, note in CASES:
            prepared = prepare(queries[name], params)
            rows = len(execute(store, prepared).rows)  # warm-up, and the row count
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                execute(store, prepared)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out.append({"query": name, "params": params, "case": note, "rows": rows,
                        "p50_ms": round(statistics.median(times), 2),
                        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=100_000, help="records")
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="realistic")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=50, help="runs of each query")
    parser.add_argument("--jobs", type=int, default=None, help="lod load --jobs")
    parser.add_argument("--work", type=Path, help="folder for the input and the store (kept)")
    parser.add_argument("--virtuoso", metavar="URL", help="SPARQL endpoint of a Virtuoso to load into")
    parser.add_argument("--virtuoso-gsp", metavar="URL", help="its Graph Store Protocol endpoint")
    parser.add_argument("--virtuoso-n", type=int, default=10_000, metavar="N",
                        help="studies to load into Virtuoso (default 10,000: it is slow)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--queries-only", type=Path, metavar="STORE",
                        help="only run the queries, on this existing store (no input, no load)")
    args = parser.parse_args()
    if args.queries_only:
        print_queries(bench_queries(args.queries_only, args.runs))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="lod-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{args.generator}-{args.n}.jsonl"
    store_dir = work / "store"
    if not source.exists():
        write_input(args.generator, args.n, args.seed, source)
    nquads = work / f"{args.generator}-{args.n}.nq"
    subprocess.run([LOD, "convert", "-q", str(source), "-f", "nquads", "-o", str(nquads)], check=True)
    raw_before, raw_optimize, quads = raw_bulk_load(nquads, work / "raw-store")
    shutil.rmtree(store_dir, ignore_errors=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    os.sync()
    seconds, rss, log = timed_load([str(source), "--store", str(store_dir), "-q", *jobs])
    raw_after, _, _ = raw_bulk_load(nquads, work / "raw-store")
    nquads.unlink()
    with open_store(store_dir=store_dir) as store:
        triples = store_triples(store)
        graphs = len(store.graphs())
    raw_rate = quads / ((raw_before + raw_after) / 2)
    compaction = compaction_seconds(log)
    result: dict[str, object] = {
        "generator": args.generator, "records": args.n, "graphs": graphs, "triples": triples,
        "load_seconds": round(seconds, 2), "triples_per_s": round(triples / seconds),
        "records_per_s": round(args.n / seconds), "raw_bulk_load_seconds": [round(raw_before, 2),
                                                                            round(raw_after, 2)],
        "raw_quads_per_s": round(raw_rate), "ratio_to_raw": round(triples / seconds / raw_rate, 3),
        "compaction_seconds": compaction, "raw_optimize_seconds": round(raw_optimize, 2),
        "ratio_to_raw_without_compaction": round(triples / (seconds - compaction) / raw_rate, 3),
        "peak_rss_mib": round(rss), "cpus": os.cpu_count(), "load_log": log.strip().splitlines(),
    }
    result["queries"] = bench_queries(store_dir, args.runs)
    if args.virtuoso:
        remote = ["--endpoint", args.virtuoso] + (["--gsp-endpoint", args.virtuoso_gsp]
                                                  if args.virtuoso_gsp else [])
        v_source = work / f"synthetic-{args.virtuoso_n}-v.jsonl"
        if not v_source.exists():
            write_input(args.generator, args.virtuoso_n, args.seed + 1, v_source)
        v_seconds, _, v_log = timed_load([str(v_source), "-q", *remote, *jobs])
        v_triples = int(v_log.strip().splitlines()[-1].split(" graphs, ")[1].split(" triples")[0]
                        .replace(",", ""))
        result["virtuoso"] = {"studies": args.virtuoso_n, "triples": v_triples,
                              "via": "Graph Store Protocol" if args.virtuoso_gsp else "SPARQL Update",
                              "load_seconds": round(v_seconds, 2),
                              "triples_per_s": round(v_triples / v_seconds),
                              "load_log": v_log.strip().splitlines()}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{args.n:,} {args.generator} records, {triples:,} triples: loaded in {seconds:.1f} s = "
          f"{triples / seconds:,.0f} triples/s, {args.n / seconds:,.0f} records/s, "
          f"peak RSS {rss:,.0f} MiB ({os.cpu_count()} CPUs)")
    print(f"pyoxigraph bulk_load of the same {quads:,} quads: {raw_before:.1f} s before, "
          f"{raw_after:.1f} s after = {raw_rate:,.0f} quads/s; lod load / raw = "
          f"{triples / seconds / raw_rate:.2f}")
    print(f"compaction: {compaction:.2f} s of lod's load (ratio without it "
          f"{result['ratio_to_raw_without_compaction']:.2f}); pyoxigraph's optimize after its one "
          f"bulk load {raw_optimize:.2f} s")
    for line in result["load_log"]:  # type: ignore[attr-defined]
        print("  " + line)
    print_queries(result["queries"])  # type: ignore[arg-type]
    if "virtuoso" in result:
        v = result["virtuoso"]
        print(f"Virtuoso ({v['via']}): {v['studies']:,} studies, {v['triples']:,} triples "  # type: ignore[index]
              f"in {v['load_seconds']} s = {v['triples_per_s']:,} triples/s")  # type: ignore[index]
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
