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

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

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
    with run_asgi(app, port) as url:
        yield url


__all__ = ["EX", "SAMPLE_NQ", "auth_proxy_app", "config_for", "free_port", "run_asgi",
           "sample_store", "serve_app"]


def auth_proxy_app(upstream: str, token: str) -> Starlette:
    """A loopback reverse proxy that adds ``Authorization: Bearer token`` to every request:
    a client that holds the token, for test runners that cannot send headers of their own."""
    client = httpx.AsyncClient(timeout=60)

    async def forward(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        headers["authorization"] = f"Bearer {token}"
        url = upstream.rstrip("/") + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        answer = await client.request(request.method, url, headers=headers, content=await request.body())
        out = {k: v for k, v in answer.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")}
        return Response(answer.content, status_code=answer.status_code, headers=out)

    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


@contextlib.contextmanager
def run_asgi(app: ASGIApp, port: int) -> Iterator[str]:
    """Any ASGI app on 127.0.0.1:``port`` (uvicorn in a thread) until the block ends."""
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
