"""The query workers: the time limit stops a query for real (its process is killed and
replaced), the server follows snapshots that ``lod load`` publishes while it serves, and
``lod serve`` itself starts, prints its URL and stops cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.cli.serve_cmd import default_workers
from lod.serve.app import embedded_backend
from lod.serve.backend import EmbeddedBackend
from lod.serve.context import ServeConfig
from lod.serve.jobs import GraphJob, QueryJob
from lod.serve.pool import WorkerPool
from lod.serve.worker import run_job
from lod.store import snapshots
from lod.store.embedded import EmbeddedStore
from tests.fixtures_serve import EX, config_for, free_port, sample_store, serve_app
from tests.paths import HARMONY

JSON = "application/sparql-results+json"
VALUES = " ".join(str(i) for i in range(200))
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"VALUES ?v{i} {{ {VALUES} }}" for i in range(5)) + " }")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a killed child that was reaped is gone; one not yet reaped is a zombie
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().split()[2] == "Z"


def test_a_query_past_the_time_limit_is_stopped(tmp_path: Path) -> None:
    store = sample_store(tmp_path / "store")
    port = free_port()
    config = config_for(port, timeout=1.0)
    backend = embedded_backend(store, config, workers=1)
    assert isinstance(backend, EmbeddedBackend)
    with serve_app(config, backend, port) as url:
        before = backend.pool.pids()
        response = httpx.get(url + "sparql", params={"query": SLOW}, timeout=60)
        assert response.status_code == 503
        assert "time limit (1 s)" in response.text
        assert backend.pool.restarts == 1
        (old,) = before
        assert _gone(old)
        assert backend.pool.pids() != before
        again = httpx.get(url + "sparql", params={"query": "ASK { ?s ?p 'one' }"}, timeout=60)
        assert again.json()["boolean"] is True


def test_server_follows_snapshots_a_writer_publishes(tmp_path: Path) -> None:
    store = sample_store(tmp_path / "store")
    port = free_port()
    config = config_for(port)
    backend = embedded_backend(store, config)
    assert snapshots.current(store) is not None  # the server asked for snapshots and made one
    ask = {"query": f"ASK {{ GRAPH <{EX}late> {{ ?s ?p ?o }} }}"}
    failures: list[str] = []
    stop = threading.Event()
    with serve_app(config, backend, port) as url:
        def keep_asking() -> None:
            while not stop.is_set():
                r = httpx.get(url + "sparql", params={"query": "ASK { ?s ?p 'one' }"}, timeout=60)
                if r.status_code != 200 or r.json()["boolean"] is not True:
                    failures.append(f"{r.status_code} {r.text[:200]}")
        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            generation = backend.generation()
            assert httpx.get(url + "sparql", params=ask).json()["boolean"] is False
            # another process's writer (here: this one's) commits while the server serves
            with EmbeddedStore(store) as writer:
                writer.replace_graphs(f'<{EX}s> <{EX}p> "late" <{EX}late> .\n'.encode(), [EX + "late"])
            deadline = time.monotonic() + 30
            while not httpx.get(url + "sparql", params=ask).json()["boolean"]:
                assert time.monotonic() < deadline, "the server never saw the change"
                time.sleep(0.2)
            assert backend.generation() != generation
        finally:
            stop.set()
            asker.join()
    assert failures == []


def test_lod_load_runs_while_the_server_serves(tmp_path: Path) -> None:
    store = sample_store(tmp_path / "store")
    port = free_port()
    config = config_for(port)
    with serve_app(config, embedded_backend(store, config), port) as url:
        result = CliRunner().invoke(cli, ["load", "--store", str(store), str(HARMONY)])
        assert result.exit_code == 0, result.output
        count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
        deadline = time.monotonic() + 30
        while True:
            rows = httpx.get(url + "sparql", params={"query": count}, headers={"Accept": JSON}).json()
            if int(rows["results"]["bindings"][0]["n"]["value"]) > 0:
                break
            assert time.monotonic() < deadline, "the loaded studies never showed"
            time.sleep(0.2)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_lod_serve_prints_its_url_and_stops_cleanly(tmp_path: Path, stop_signal: int) -> None:
    store = sample_store(tmp_path / "store")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lod", "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline() if proc.stderr else ""
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert r.json()["boolean"] is True
        huge_header = httpx.get(f"http://127.0.0.1:{port}/sparql", headers={"X-Big": "x" * 40_000})
        assert huge_header.status_code in (400, 431)  # uvicorn's parser, or lod's limit
        children = _children(proc.pid)
        workers = [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == default_workers()  # one more than the cores, at least 2
        proc.send_signal(stop_signal)
        assert proc.wait(timeout=30) == 0
        assert all(_gone_or_missing(pid) for pid in children)
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_lod_serve_without_a_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "missing")])
    assert result.exit_code != 0
    assert "no store at" in result.output
    assert "Traceback" not in result.output


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _gone_or_missing(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if _gone(pid):
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_answers_are_kept_until_the_store_changes(tmp_path: Path) -> None:
    store = sample_store(tmp_path / "store")
    port = free_port()
    config = config_for(port, update_token="t")
    backend = embedded_backend(store, config)
    assert isinstance(backend, EmbeddedBackend)
    ask = {"query": f"ASK {{ <{EX}z> ?p ?o }}"}
    with serve_app(config, backend, port) as url:
        assert httpx.get(url + "sparql", params=ask).json()["boolean"] is False
        assert httpx.get(url + "sparql", params=ask).json()["boolean"] is False
        assert backend.cache.hits == 1
        update = f"INSERT DATA {{ <{EX}z> <{EX}p> 1 }}"
        assert httpx.post(url + "sparql", data={"update": update},
                          headers={"Authorization": "Bearer t"}).status_code == 204
        assert httpx.get(url + "sparql", params=ask).json()["boolean"] is True
        assert backend.cache.hits == 1


def test_a_graph_past_the_size_limit_is_refused_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "store"
    nquads = "".join(f'<{EX}s{i}> <{EX}p> "{"x" * 100}" <{EX}big> .\n' for i in range(500))
    sample_store(path, nquads.encode())
    store = ox.Store.read_only(str(path))
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    whole = run_job(store, QueryJob(construct, graph_format="ntriples"))
    assert whole.kind == "graph" and len(whole.body) > 50_000
    for job in (QueryJob(construct, graph_format="turtle", max_bytes=10_000),
                GraphJob(EX + "big", max_bytes=10_000)):
        answer = run_job(store, job)
        assert (answer.kind, answer.status) == ("error", 413)
        assert "10,000 bytes" in answer.message


def test_a_cancelled_request_never_leaves_its_worker_busy_or_stale(tmp_path: Path) -> None:
    store = str(sample_store(tmp_path / "store"))

    async def scenario() -> tuple[bytes, int]:
        pool = WorkerPool(1)
        await pool.start()
        try:
            slow = asyncio.ensure_future(pool.run(store, "0", QueryJob(SLOW), timeout=60))
            await asyncio.sleep(1.0)
            slow.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await slow
            answer = await pool.run(store, "0", QueryJob("ASK { ?s ?p 'one' }"), timeout=60)
            return answer.body, pool.restarts
        finally:
            pool.close()

    body, restarts = asyncio.run(scenario())
    assert body == b'{"head":{},"boolean":true}'
    assert restarts == 1


@pytest.mark.parametrize("args", [["--public-url", "data.example.org"], ["--update-token", " "]])
def test_lod_serve_refuses_bad_options_in_one_line(tmp_path: Path, args: list[str]) -> None:
    store = sample_store(tmp_path / "store")
    result = CliRunner().invoke(cli, ["serve", "--store", str(store), *args])
    assert result.exit_code == 2
    assert result.output.startswith("lod: error: ")
    assert len(result.output.strip().splitlines()) == 1


def test_kept_pages_follow_the_store(tmp_path: Path) -> None:
    """Rendered pages are served from memory until the store changes, then rendered again."""
    store = tmp_path / "store"
    seed = HARMONY / "seed_ukds_851986.json"
    assert CliRunner().invoke(cli, ["load", "--store", str(store), str(seed)]).exit_code == 0
    port = free_port()
    config = config_for(port)
    study = url_path = "id/study/ukds/851986"
    with serve_app(config, embedded_backend(store, config), port) as url:
        first = httpx.get(url + url_path, headers={"Accept": "text/html"})
        assert first.status_code == 200 and "Meaningful and measurable" in first.text
        again = httpx.get(url + url_path, headers={"Accept": "text/html"})
        assert again.text == first.text and again.headers["content-type"] == first.headers["content-type"]
        record = json.loads(seed.read_text(encoding="utf-8"))
        record["dataset_schema"]["name"] = "A title changed while the server serves"
        changed = tmp_path / "changed.json"
        changed.write_text(json.dumps(record), encoding="utf-8")
        assert CliRunner().invoke(cli, ["load", "--store", str(store), str(changed)]).exit_code == 0
        deadline = time.monotonic() + 30
        while "A title changed while the server serves" not in httpx.get(
                url + study, headers={"Accept": "text/html"}).text:
            assert time.monotonic() < deadline, "the kept page never followed the store"
            time.sleep(0.2)


def test_a_conditional_request_for_a_kept_page_gets_304(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["load", "--store", str(store), str(HARMONY)]).exit_code == 0
    port = free_port()
    config = config_for(port)
    with serve_app(config, embedded_backend(store, config), port) as url:
        page = httpx.get(url + "catalog.ttl")
        etag, modified = page.headers["etag"], page.headers["last-modified"]
        assert httpx.get(url + "catalog.ttl", headers={"If-None-Match": etag}).status_code == 304
        assert httpx.get(url + "catalog.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
        assert httpx.get(url + "catalog.ttl", headers={"If-Modified-Since": modified}).status_code == 304
        stale = "Mon, 01 Jan 1990 00:00:00 GMT"
        assert httpx.get(url + "catalog.ttl", headers={"If-Modified-Since": stale}).status_code == 200
        assert httpx.get(url + "catalog.ttl", headers={"If-Modified-Since": "not a date"}).status_code == 200


def _big_graph(n: int) -> bytes:
    """N-Triples of over 1 MB: a Graph Store PUT of it is a bulk load."""
    return "".join(f"<{EX}s{n}-{i}> <{EX}p> \"value {i} of a graph put whole\" .\n"
                   for i in range(14_000)).encode()


PUT_AUTH = {"Authorization": "Bearer t", "Content-Type": "application/n-triples"}


def _writable(tmp_path: Path, compact_after: float) -> tuple[Path, ServeConfig, EmbeddedBackend, int]:
    """A sample store served with writes on (token ``t``): folder, config, backend, port."""
    store = sample_store(tmp_path / "store")
    port = free_port()
    config = config_for(port, update_token="t")
    backend = embedded_backend(store, config, compact_after=compact_after)
    assert isinstance(backend, EmbeddedBackend)
    return store, config, backend, port


def test_a_writable_server_compacts_once_bulk_writes_pause(tmp_path: Path) -> None:
    store, config, backend, port = _writable(tmp_path, 0.5)
    count = {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
    with serve_app(config, backend, port) as url:
        for n in range(3):
            put = httpx.put(url + "graph-store", params={"graph": f"{EX}big{n}"},
                            content=_big_graph(n), headers=PUT_AUTH, timeout=60)
            assert put.status_code == 201, put.text
        files = len(list(store.glob("*.sst")))
        deadline = time.monotonic() + 60
        while not backend.compactions and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(backend.compactions) == 1
        assert len(list(store.glob("*.sst"))) < files
        answer = httpx.get(url + "sparql", params=count,
                           headers={"Accept": "application/sparql-results+json"}).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == str(3 * 14_000 + 4)
        # A small write is a transaction, which RocksDB merges as it goes: no compaction.
        update = f"INSERT DATA {{ GRAPH <{EX}g9> {{ <{EX}z> <{EX}p> 1 }} }}"
        assert httpx.post(url + "sparql", data={"update": update},
                          headers={"Authorization": "Bearer t"}).status_code == 204
        time.sleep(1.5)
        assert len(backend.compactions) == 1


def test_compacting_after_writes_can_be_turned_off(tmp_path: Path) -> None:
    store, config, backend, port = _writable(tmp_path, 0)
    with serve_app(config, backend, port) as url:
        put = httpx.put(url + "graph-store", params={"graph": f"{EX}big"}, content=_big_graph(0),
                        headers=PUT_AUTH, timeout=60)
        assert put.status_code == 201, put.text
        time.sleep(1.0)
        assert backend.compactions == []
    files = len(list(store.glob("*.sst")))
    with EmbeddedStore(store, create=False) as reopened:
        reopened.compact(force=True)
    assert len(list(store.glob("*.sst"))) < files  # the bulk load's files were left unmerged
