"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description suites (npm
``rdf-test-suite``, installed in ``tests/w3c`` by ``tests/run.sh``) against ``lod serve``
started as a real process on a free port.

The runner cannot send headers of its own, so with writes on it talks to a loopback proxy
that adds the bearer token (a client that holds it); ``--public-url`` is the proxy's URL, as
behind any reverse proxy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures_serve import auth_proxy_app, free_port, run_asgi, sample_store
from tests.paths import TESTS, W3C_SPARQL11

RUNNER = TESTS / "w3c"
SUITES = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
TOKEN = "w3c-token"
#: the Protocol tests that need an update: the 7 update tests, and the 6 query tests whose
#: data the runner loads with an update first.
NEEDS_UPDATE = {
    "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
    "query_multiple_dataset", "update_dataset_default_graph", "update_dataset_default_graphs",
    "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
    "update_post_direct", "update_base_uri",
}


def run_suite(suite: str, option: str, url: str) -> tuple[int, int, set[str], str]:
    """(passed, total, names of the failed tests, output) for one suite's manifest."""
    if shutil.which("npx") is None or not (RUNNER / "node_modules" / "rdf-test-suite").is_dir():
        pytest.fail("rdf-test-suite is not installed: run tests/run.sh (npm install in tests/w3c)")
    command = ["npx", "--no-install", "rdf-test-suite", "engine.js", f"{SUITES}{suite}/manifest.ttl",
               "-m", f"{SUITES}~{W3C_SPARQL11.resolve()}/", "-i", f'{{"{option}":"{url}"}}',
               "-d", "10000", "-e"]
    done = subprocess.run(command, cwd=RUNNER, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    found = re.search(r"(\d+) / (\d+) tests succeeded", output)
    assert found, output[-3000:]
    failed = set(re.findall(r"✖ .*?manifest#([\w-]+)\)", output))
    return int(found.group(1)), int(found.group(2)), failed, output


def _start(store: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "lod", "serve", "--store", str(store),
                             "--port", str(port), *options],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"})
            return proc
        except httpx.ConnectError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("lod serve did not start") from None
            time.sleep(0.1)


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[str]:
    """lod serve with writes on, behind a proxy that holds the token: the proxy's URL."""
    store = sample_store(tmp_path / "store", b"")
    port, proxy_port = free_port(), free_port()
    public = f"http://127.0.0.1:{proxy_port}/"
    proc = _start(store, port, "--update-token", TOKEN, "--public-url", public)
    try:
        with run_asgi(auth_proxy_app(f"http://127.0.0.1:{port}/", TOKEN), proxy_port) as url:
            yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[str]:
    store = sample_store(tmp_path / "store", b"")
    port = free_port()
    proc = _start(store, port)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_protocol_suite_with_writes_on(writable: str) -> None:
    passed, total, failed, output = run_suite("protocol", "protocolEndpoint", writable + "sparql")
    assert (passed, total) == (34, 34), sorted(failed)


def test_protocol_suite_read_only(read_only: str) -> None:
    passed, total, failed, output = run_suite("protocol", "protocolEndpoint", read_only + "sparql")
    assert total == 34
    assert failed == NEEDS_UPDATE, output[-3000:]
    assert passed == 34 - len(NEEDS_UPDATE)
    assert "Got: 403" in output


def test_graph_store_protocol_suite(writable: str) -> None:
    passed, total, failed, output = run_suite("graph-store-protocol", "graphStoreEndpoint",
                                              writable + "graph-store")
    assert (passed, total) == (13, 13), output[-4000:]


def test_service_description_suite(writable: str) -> None:
    passed, total, failed, output = run_suite("service-description", "serviceDescriptionEndpoint",
                                              writable + "sparql")
    assert (passed, total) == (3, 3), output[-3000:]
