"""Benchmark ``lod harvest``: a first harvest of N datasets from a local feed, then a
re-harvest with nothing changed.

    .venv/bin/python bench/harvest.py 10000                 # feed made from a lod store here
    .venv/bin/python bench/harvest.py --feed http://127.0.0.1:8000/catalog   # e.g. lod serve
    .venv/bin/python bench/harvest.py --serve /path/to/store   # a lod serve started here

With ``--serve``, a fresh ``lod serve`` of that store is started first, so the first harvest
meets a server that has rendered nothing yet ("cold"); a second first harvest into another
fresh store then meets pages the server has kept ("warm"). The server's own CPU seconds
(its process and its query workers, from /proc) are reported for each run.

Without ``--feed``: N synthetic Harmony-like records (bench/synthetic.py) are loaded into a
store A with ``lod load``, and A's feed (a ``dcat:Catalog`` page of ``--per-page`` datasets, each
with every triple of its study graph, ``hydra:next`` links) is served by a small threaded
server on 127.0.0.1 (the pages are made before the clock starts). Each harvest runs ``lod
harvest`` as a subprocess into a fresh store B; the clock covers the whole command (start-up,
HTTP, parsing, normalisation, hashing, writes, facet refresh). Reports datasets/s for both runs,
the harvester's CPU seconds (steadier than the clock on a shared machine), and the speed-up of
the re-harvest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LOD = str(Path(sys.executable).with_name("lod"))
SUMMARY = re.compile(r"harvested (\d+) datasets from (\d+) pages: (\d+) added, (\d+) changed, "
                     r"(\d+) unchanged")


def local_feed(n: int, per_page: int, work: Path) -> tuple[str, threading.Event]:
    import synthetic  # bench/synthetic.py

    from lod.store import open_store
    from tests.catalog_feed import publish
    from tests.harvest_server import serve

    records = work / "records.jsonl"
    with records.open("w") as out:
        for record in synthetic.records(n):
            out.write(json.dumps(record) + "\n")
    subprocess.run([LOD, "load", str(records), "--store", str(work / "a"), "-q"], check=True)
    ready, stop = threading.Event(), threading.Event()
    found: dict[str, str] = {}

    def run() -> None:
        for server in serve():
            with open_store(store_dir=str(work / "a")) as store:
                found["url"] = publish(server, store, per_page=per_page)
            ready.set()
            stop.wait()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return found["url"], stop


def start_serve(store: str) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([LOD, "serve", "--store", store, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "robots.txt", timeout=5).status_code == 200:
                return server, base + "catalog"
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    sys.exit("lod serve did not start")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the query workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def harvest(feed: str, store: Path) -> tuple[float, float, tuple[int, ...], str]:
    """Wall-clock and CPU seconds of one ``lod harvest`` (the CPU time is the harvester's own,
    not the feed server's, which runs in this process)."""
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([LOD, "harvest", feed, "--store", str(store), "--allow-private", "-q"],
                          capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    found = SUMMARY.search(line)
    if done.returncode != 0 or not found:
        sys.exit(f"lod harvest failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, cpu, tuple(int(x) for x in found.groups()), line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=10_000, help="datasets in the local feed")
    parser.add_argument("--feed", help="harvest this feed URL instead of a local one")
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--serve", metavar="STORE", help="start lod serve of STORE and harvest it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lod-bench-harvest-") as tmp:
        work = Path(tmp)
        feed = args.feed
        stop = None
        server = None
        if args.serve:
            server, feed = start_serve(args.serve)
        elif feed is None:
            feed, stop = local_feed(args.n, args.per_page, work)
        try:
            runs = [("first run", work / "b"), ("re-harvest", work / "b")]
            if server is not None:
                runs = [("first, cold server", work / "b"), ("first, warm server", work / "c"),
                        ("re-harvest", work / "c")]
            results = []
            for label, store in runs:
                served = tree_cpu(server.pid) if server is not None else 0.0
                seconds, cpu, counts, line = harvest(feed, store)
                served = tree_cpu(server.pid) - served if server is not None else None
                print(f"{label}: {line}")
                results.append((label, seconds, cpu, counts, served))
            first = results[0][1]
            for label, seconds, cpu, counts, served in results:
                datasets = counts[0]
                extra = f"; server CPU {served:.2f} s" if served is not None else ""
                print(f"{label:20s} {datasets / seconds:8,.0f} datasets/s ({seconds:.2f} s for "
                      f"{datasets:,}; harvester CPU {cpu:.2f} s{extra}); {first / seconds:.1f}x the "
                      f"first run; {counts[2]} added, {counts[3]} changed, {counts[4]} unchanged")
        finally:
            if stop is not None:
                stop.set()
            if server is not None:
                server.terminate()
                server.wait(30)


if __name__ == "__main__":
    main()
