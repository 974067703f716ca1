"""Benchmark ``lod serve`` over HTTP, side by side with ``oxigraph serve-read-only`` on the
same store in the same run (load generators: ``hey`` and ``wrk`` on the same machine).

    python bench/serve.py STORE_DIR [--oxigraph PATH/TO/oxigraph] [--mixed-seconds 60]

Cases: ``ASK {}``; each named query with a typical parameter (next to the same question as
a GROUP BY on Oxigraph's server); one study's graph as Turtle (``/id/…`` and
``/graph-store``; Oxigraph: ``/store?graph=``); a catalogue page of 100 (``/catalog.ttl``);
a study as HTML; ``--many`` different studies as Turtle, cycled (``/id/…`` next to Oxigraph's
``/store?graph=``, so that no answer cache helps), then as HTML; and 50 clients on a mixed workload (wrk:
the cases above plus ``--varied`` studies, sponsors, keywords and feed pages no cache has
seen), with errors, non-2xx answers and the server's memory (RSS of the server and its
workers) before and after. A route that answers 404 (not built yet) is reported as such.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

SCHEMA = "https://schema.org/"
DCAT = "http://www.w3.org/ns/dcat#"
GROUP_BY = {
    "sponsors": f"SELECT ?org (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{SCHEMA}sponsor>|<{SCHEMA}funder> "
                "?org } GROUP BY ?org ORDER BY DESC(?n)",
    "keywords": f"SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{DCAT}keyword> ?k }} GROUP BY ?k "
                "ORDER BY DESC(?n)",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def status(url: str, accept: str = "*/*") -> int:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def hey(url: str, *, requests: int, clients: int, accept: str = "*/*") -> dict[str, object]:
    out = subprocess.run(["hey", "-n", str(requests), "-c", str(clients), "-H", f"Accept: {accept}", url],
                         capture_output=True, text=True, timeout=600).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%+ in ([\d.]+) secs", out)
    p99 = re.search(r"99%+ in ([\d.]+) secs", out)
    codes = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", out))
    return {
        "rps": round(float(rate.group(1)), 1) if rate else None,
        "p50_ms": round(float(p50.group(1)) * 1000, 1) if p50 else None,
        "p99_ms": round(float(p99.group(1)) * 1000, 1) if p99 else None,
        "codes": {k: int(v) for k, v in codes.items()},
    }


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, KiB."""
    pids = [pid] + [int(p) for p in subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)],
                                                     capture_output=True, text=True).stdout.split()]
    total = 0
    for p in pids:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+)", text)
        total += int(found.group(1)) if found else 0
    return total


def first(base: str, query: str) -> str | None:
    """The first value of the first row of a query on lod's endpoint."""
    found = values(base, query)
    return found[0] if found else None


def mixed(base: str, paths: list[str], seconds: int, clients: int,
          accept: str = "*/*") -> dict[str, object]:
    """wrk with a Lua script that cycles through ``paths``."""
    lua = "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n" + (
        "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
        f"  return wrk.format('GET', paths[i], {{Accept = {json.dumps(accept)}}})\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('RESULT %d %d %d %d %d %d\\n', summary.requests, summary.errors.connect,"
        " summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))\n"
        "  io.write(string.format('LATENCY %d %d\\n', latency:percentile(50), latency:percentile(99)))\n"
        "end\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
                          "-s", f.name, base], capture_output=True, text=True, timeout=seconds + 120).stdout
    Path(f.name).unlink()
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        return {"error": out[-500:]}
    n, connect, read, write, timeout, non2xx = map(int, found.groups())
    latency = re.search(r"LATENCY (\d+) (\d+)", out)
    return {"requests": n, "rps": float(rate.group(1)) if rate else None,
            "errors": connect + read + write + timeout, "non_2xx_3xx": non2xx,
            "p50_ms": int(latency.group(1)) / 1000 if latency else None,
            "p99_ms": int(latency.group(2)) / 1000 if latency else None}


def many_studies(base: str, oxi_base: str | None, n: int, seconds: int,
                 clients: int) -> dict[str, object]:
    """``n`` different studies as Turtle, cycled: lod's ``/id/…`` next to Oxigraph's
    ``/store?graph=``, in turns (lod, Oxigraph, lod, Oxigraph) so that drift and the page
    cache hit both alike; the second turn of each is reported (the first reads the disk)."""
    studies = values(base, f"SELECT ?s WHERE {{ GRAPH ?s {{ ?s a <{DCAT}Dataset> }} }} "
                           f"OFFSET 5000 LIMIT {n}")
    lod_paths = ["/id/" + s.split("/id/", 1)[1] for s in studies if "/id/" in s]
    ox_paths = ["/store?" + urllib.parse.urlencode({"graph": s}) for s in studies]
    out: dict[str, object] = {"studies": len(lod_paths)}
    for turn in ("first", "second"):
        out[f"lod_{turn}"] = mixed(base, lod_paths, seconds, clients, "text/turtle")
        if oxi_base:
            out[f"oxigraph_{turn}"] = mixed(oxi_base, ox_paths, seconds, clients, "text/turtle")
    # The same studies' HTML pages, after the Turtle turns: no page is kept, since the
    # server keeps each answer per form (the target: 500 requests/s).
    for turn in ("first", "second"):
        out[f"lod_html_{turn}"] = mixed(base, lod_paths, seconds, clients, "text/html")
    return out


def values(base: str, query: str) -> list[str]:
    """The first column of a query's rows on lod's endpoint."""
    url = base + "sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    rows = json.load(urllib.request.urlopen(request, timeout=120))["results"]["bindings"]
    return [next(iter(row.values()))["value"] for row in rows if row]


def varied(base: str, n: int) -> list[str]:
    """Paths no answer cache has seen: ``n`` studies as HTML and as Turtle (spread over the
    store), studies-by-sponsor and -by-keyword for ``n`` of the named queries' sponsors and
    keywords, and feed pages followed by their cursors."""
    studies = values(base, f"SELECT ?s WHERE {{ ?s a <{DCAT}Dataset> }} OFFSET 1000 LIMIT {n * 20}")[::20]
    ids = ["/id/" + s.split("/id/", 1)[1] for s in studies if "/id/" in s]
    paths = [p for i in ids for p in (i, i + ".ttl")]
    sponsors = values(base, "PREFIX lod: <https://w3id.org/lod-studies/vocab#> SELECT ?name WHERE "
                            "{ GRAPH <urn:lod:facets:sponsors> { ?o lod:name ?name } } LIMIT " + str(n))
    keywords = values(base, "PREFIX lod: <https://w3id.org/lod-studies/vocab#> SELECT ?name WHERE "
                            "{ GRAPH <urn:lod:facets:keywords> { ?k lod:name ?name } } LIMIT " + str(n))
    paths += ["/queries/studies-by-sponsor?" + urllib.parse.urlencode({"sponsor": v}) for v in sponsors]
    paths += ["/queries/studies-by-keyword?" + urllib.parse.urlencode({"keyword": v}) for v in keywords]
    page = base + "catalog.ttl"
    for _ in range(min(n, 20)):
        text = urllib.request.urlopen(urllib.request.Request(page, headers={"Accept": "text/turtle"}),
                                      timeout=120).read().decode()
        found = re.search(r"hydra:next <([^>]+)>", text)
        if not found:
            break
        page = found.group(1)
        paths.append(urllib.parse.urlsplit(page)._replace(scheme="", netloc="").geturl())
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--oxigraph", help="the oxigraph CLI (PyPI oxigraph 0.5.13), for the side-by-side")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mixed-seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, help="lod serve's query workers (default: its own)")
    parser.add_argument("--varied", type=int, default=100,
                        help="studies, sponsors and keywords the mixed workload varies over")
    parser.add_argument("--many", type=int, default=2000,
                        help="different studies for the many-studies case (0: skip it)")
    parser.add_argument("--cache-entries", type=int, default=512,
                        help="lod serve's answer cache (0: every request runs its query)")
    args = parser.parse_args()
    port = free_port()
    workers = ["--workers", str(args.workers)] if args.workers else []
    lod = subprocess.Popen([sys.executable, "-m", "lod", "serve", "--store", str(args.store), "--port",
                            str(port), *workers, "--cache-entries", str(args.cache_entries)],
                           stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    oxi: subprocess.Popen[bytes] | None = None
    oxi_base = None
    results: dict[str, object] = {"store": str(args.store), "cache_entries": args.cache_entries}
    try:
        wait_for(base + "sparql?query=ASK%7B%7D", lod)
        if args.oxigraph:
            oxi_port = free_port()
            oxi = subprocess.Popen([args.oxigraph, "serve-read-only", "--location", str(args.store),
                                    "--bind", f"127.0.0.1:{oxi_port}", "--union-default-graph"],
                                   stderr=subprocess.DEVNULL)
            oxi_base = f"http://127.0.0.1:{oxi_port}/"
            wait_for(oxi_base + "query?query=ASK%7B%7D", oxi)
        n, c = args.requests, args.clients
        study = first(base, f"SELECT ?s WHERE {{ ?s a <{DCAT}Dataset> ; <{SCHEMA}sponsor> ?o }} LIMIT 1")
        sponsor = first(base, f"SELECT ?n WHERE {{ ?s <{SCHEMA}sponsor> ?o . ?o <{SCHEMA}name> ?n }} LIMIT 1")
        keyword = first(base, f"SELECT ?k WHERE {{ ?s <{DCAT}keyword> ?k }} LIMIT 1")
        named = {
            "sponsors": {}, "keywords": {}, "coverage": {},
            "studies-by-sponsor": {"sponsor": sponsor or "esrc"},
            "studies-by-keyword": {"keyword": keyword or "health"},
            "studies-by-place": {"country": "GB"},
            "studies-in-period": {"from": "1990", "to": "1999"},
        }
        cases: dict[str, dict[str, object]] = {}

        def case(name: str, url: str, other: str | None = None, accept: str = "*/*",
                 requests: int = n) -> None:
            row: dict[str, object] = {}
            code = status(url, accept)
            ok = code == 200
            row["lod"] = hey(url, requests=requests, clients=c, accept=accept) if ok else {"status": code}
            if other is not None:
                row["oxigraph"] = hey(other, requests=requests, clients=c, accept=accept)
            cases[name] = row
            print(name, json.dumps(row), file=sys.stderr)

        def ox_query(q: str) -> str | None:
            return oxi_base + "query?" + urllib.parse.urlencode({"query": q}) if oxi_base else None

        case("ASK {}", base + "sparql?query=ASK%7B%7D", ox_query("ASK {}"),
             accept="application/sparql-results+json")
        for qname, params in named.items():
            url = base + f"queries/{qname}?" + urllib.parse.urlencode(params)
            other = ox_query(GROUP_BY[qname]) if qname in GROUP_BY else None
            case(f"/queries/{qname}", url, other, accept="application/sparql-results+json",
                 requests=max(50, n // 10))
        if study:
            gsp = base + "graph-store?" + urllib.parse.urlencode({"graph": study})
            ox_store = oxi_base + "store?" + urllib.parse.urlencode({"graph": study}) if oxi_base else None
            case("study graph as Turtle (/graph-store)", gsp, ox_store, accept="text/turtle")
            path = "/id/" + study.split("/id/", 1)[1] if "/id/" in study else None
            if path:
                case("study as Turtle (/id/…)", base + path.lstrip("/"), ox_store, accept="text/turtle")
                case("study as HTML (/id/…)", base + path.lstrip("/"), accept="text/html")
        case("/catalog.ttl (page of 100)", base + "catalog.ttl", accept="text/turtle",
             requests=max(50, n // 10))
        results["cases"] = cases
        if args.many:
            results["many_studies"] = many_studies(base, oxi_base, args.many, 20, c)
            print("many studies", json.dumps(results["many_studies"]), file=sys.stderr)
        paths = ["/sparql?query=ASK%7B%7D"] + [
            f"/queries/{q}?" + urllib.parse.urlencode(p) for q, p in named.items()]
        if study:
            paths.append("/graph-store?" + urllib.parse.urlencode({"graph": study}))
        paths += varied(base, args.varied)
        before = rss_kib(lod.pid)
        results["mixed"] = mixed(base, paths, args.mixed_seconds, 50)
        results["mixed"]["rss_kib_before"] = before  # type: ignore[index]
        results["mixed"]["rss_kib_after"] = rss_kib(lod.pid)  # type: ignore[index]
        print(json.dumps(results, indent=2))
    finally:
        for proc in (lod, oxi):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)


if __name__ == "__main__":
    main()
