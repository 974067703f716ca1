"""Benchmark ``lod harvest``: a first harvest of N datasets from a local feed, then a
re-harvest with nothing changed.

    .venv/bin/python bench/harvest.py 10000                 # feed made from a lod store here
    .venv/bin/python bench/harvest.py --feed http://127.0.0.1:8000/catalog   # e.g. lod serve

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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lod-bench-harvest-") as tmp:
        work = Path(tmp)
        feed = args.feed
        stop = None
        if feed is None:
            feed, stop = local_feed(args.n, args.per_page, work)
        first, first_cpu, counts, line = harvest(feed, work / "b")
        print(f"first run:  {line}")
        again, again_cpu, counts2, line2 = harvest(feed, work / "b")
        print(f"re-harvest: {line2}")
        datasets = counts[0]
        print(f"first run  {datasets / first:8,.0f} datasets/s ({first:.2f} s for {datasets:,}; "
              f"CPU {first_cpu:.2f} s, {datasets / first_cpu:,.0f} datasets per CPU second)")
        print(f"re-harvest {datasets / again:8,.0f} datasets/s ({again:.2f} s; CPU {again_cpu:.2f} s, "
              f"{datasets / again_cpu:,.0f} datasets per CPU second), {first / again:.1f}x faster "
              f"({first_cpu / again_cpu:.1f}x in CPU time); {counts2[3]} changed, {counts2[4]} unchanged")
        if stop is not None:
            stop.set()


if __name__ == "__main__":
    main()
