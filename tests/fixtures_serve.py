"""Running ``lod serve``'s app for tests: real uvicorn on a free loopback port, in a thread of
the test process (the query workers are real processes), and stores to serve.

- ``serve_app(config, backend)``: a context manager giving the server's base URL.
- ``sample_store(tmp_path)``: an embedded store with a few graphs the tests know.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from lod.serve.app import create_app
from lod.serve.backend import Backend
from lod.serve.context import ServeConfig
from lod.store.embedded import EmbeddedStore
from tests.fixtures_store import free_port

EX = "http://example.org/"
SAMPLE_NQ = f"""\
<{EX}a> <{EX}p> "one" <{EX}g1> .
<{EX}b> <{EX}p> "two"@en <{EX}g1> .
<{EX}c> <{EX}q> <{EX}a> <{EX}g2> .
<{EX}d> <{EX}q> "3"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}g2> .
""".encode()


def sample_store(path: Path, nquads: bytes = SAMPLE_NQ) -> Path:
    with EmbeddedStore(path) as store:
        store.add_nquads(nquads)
    return path


def config_for(port: int, **options: object) -> ServeConfig:
    public = str(options.pop("public_url", f"http://127.0.0.1:{port}/"))
    return ServeConfig(public_url=public, **options)  # type: ignore[arg-type]


@contextlib.contextmanager
def serve_app(config: ServeConfig, backend: Backend, port: int, **app_options: object) -> Iterator[str]:
    """Serve the app on 127.0.0.1:``port`` until the block ends; yields the base URL."""
    app = create_app(config, backend, **app_options)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


__all__ = ["EX", "SAMPLE_NQ", "config_for", "free_port", "sample_store", "serve_app"]
