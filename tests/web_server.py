"""Serving the web routes for tests: a real uvicorn server on a free loopback port in a
thread, over a real embedded store, and the corpus the web tests load.

The tests mount :func:`lod.serve.web.routes` in a plain Starlette app, so the web pages are
tested on their own; the browser test and the round trip use the whole ``lod serve`` app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lod.converter.parallel import ConverterSpec
from lod.serve.context import ServeConfig, ServeContext, StoreReader
from lod.serve.web import query_page, routes
from lod.store import Store, loading
from tests.fixtures_store import free_port
from tests.paths import ddi_corpus, harmony_corpus

BASE = "https://w3id.org/lod-studies/id/"


def load(store: Store, paths: list[Path]) -> None:
    problems: list[str] = []
    loading.load(store, [str(p) for p in paths], ConverterSpec(BASE),
                 on_problem=lambda p, rejected: problems.append(str(p)) if rejected else None)
    assert not problems


def corpus() -> list[Path]:
    """The Harmony and DDI samples: 18 studies, 4 of them with ``dct:modified``."""
    return harmony_corpus() + ddi_corpus()


@contextmanager
def serving(store: Store, *, public_url: str | None = None, page_size: int = 100,
            with_sparql_page: bool = False,
            extra_routes: Callable[[ServeContext], BaseRoute] | None = None,
            ) -> Iterator[tuple[str, ServeContext]]:
    """(the URL the server listens on, its context); ``public_url`` defaults to that URL.
    ``with_sparql_page``: also answer ``GET /sparql`` with :func:`query_page`, as the serve
    app does for a browser that sends no query. ``extra_routes``: one more route, made from
    the context (a test's stand-in for a route the serve app owns)."""
    port = free_port()
    bind = f"http://127.0.0.1:{port}/"
    ctx = ServeContext(ServeConfig(public_url=public_url or bind, page_size=page_size),
                       StoreReader(store))
    served: list[BaseRoute] = routes(ctx)
    if with_sparql_page:
        async def sparql_page(request: Request) -> Response:
            return await query_page(request, ctx)
        served.append(Route("/sparql", sparql_page))
    if extra_routes is not None:
        served.append(extra_routes(ctx))
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=served), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield bind, ctx
    finally:
        server.should_exit = True
        thread.join(20)
