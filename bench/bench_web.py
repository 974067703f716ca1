"""The web routes' speed on a store of N synthetic studies (default 3,000).

    .venv/bin/python bench/bench_web.py [N] [--work DIR] [--seconds 10] [--connections 16]

1. Writes N deterministic Harmony-like records (bench/synthetic.py) and loads them into a
   fresh on-disk store in ``--work`` (kept, so a second run skips the load).
2. Serves ``lod.serve.web.routes`` with uvicorn in a separate process on a free loopback port.
3. Times every page of the DCAT feed at 100 datasets a page, one client following
   ``hydra:next`` (p50, p90, max), and measures a study page as HTML and as Turtle with
   ``hey`` (Debian package ``hey``) at ``--connections`` for ``--seconds``: requests/s, p50, p99.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import records  # noqa: E402

BASE = "https://w3id.org/lod-studies/id/"
HYDRA_NEXT = rdflib.URIRef("http://www.w3.org/ns/hydra/core#next")
SERVER = """
import sys, uvicorn
from starlette.applications import Starlette
from lod.serve.context import ServeConfig, ServeContext, StoreReader
from lod.serve.web import routes
from lod.store import open_store
store_dir, port = sys.argv[1], int(sys.argv[2])
ctx = ServeContext(ServeConfig(public_url=f"http://127.0.0.1:{port}/", page_size=100),
                   StoreReader(open_store(store_dir=store_dir)))
uvicorn.run(Starlette(routes=routes(ctx)), host="127.0.0.1", port=port, log_level="warning")
"""


def build(store_dir: Path, n: int) -> None:
    """The records as JSON Lines, loaded by ``lod load`` (as a publisher would)."""
    source = store_dir.parent / f"synthetic-{n}.jsonl"
    with source.open("w") as out:
        for rec in records(n):
            out.write(json.dumps(rec) + "\n")
    lod = Path(sys.executable).with_name("lod")
    subprocess.run([str(lod), "load", "--store", str(store_dir), "-q", str(source)], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hey(url: str, seconds: int, connections: int, accept: str) -> str:
    out = subprocess.run(["hey", "-z", f"{seconds}s", "-c", str(connections), "-H",
                          f"Accept: {accept}", url], capture_output=True, text=True, check=True)
    text = out.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"50% in ([\d.]+) secs", text)
    p99 = re.search(r"99% in ([\d.]+) secs", text)
    codes = re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)
    if not (rate and p50 and p99):
        return "hey printed no summary:\n" + text
    return (f"{float(rate.group(1)):,.0f} requests/s, p50 {float(p50.group(1)) * 1000:.1f} ms, "
            f"p99 {float(p99.group(1)) * 1000:.1f} ms, status {dict(codes)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=3000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="lod-bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    store_dir = work / f"store-{args.n}"
    if not store_dir.exists():
        build(store_dir, args.n)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(store_dir), str(port)])
    bind = f"http://127.0.0.1:{port}/"
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(200):
                try:
                    client.get(bind + "robots.txt")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            times: list[float] = []
            url: str | None = bind + "catalog.ttl"
            while url is not None:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                graph = rdflib.Graph().parse(data=response.text, format="turtle")
                nxt = next(iter(graph.objects(None, HYDRA_NEXT)), None)
                url = str(nxt) if nxt is not None else None
            times.sort()
            print(f"feed pages of 100 datasets: {len(times)} pages, p50 "
                  f"{statistics.median(times) * 1000:.0f} ms, p90 "
                  f"{times[int(len(times) * 0.9)] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
            study = bind + "id/study/" + client.get(bind + "sitemap.xml").text.split(
                "/id/study/", 1)[1].split("<", 1)[0]
        if shutil.which("hey") is None:
            print("hey is not installed (apt-get install hey): no request rates")
            return
        print(f"study as HTML ({args.connections} connections): "
              f"{hey(study, args.seconds, args.connections, 'text/html')}")
        print(f"study as Turtle ({args.connections} connections): "
              f"{hey(study + '.ttl', args.seconds, args.connections, 'text/turtle')}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
