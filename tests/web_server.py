"""Serving the web routes for tests: a real uvicorn server on a free loopback port in a
thread, over a real embedded store, and the corpus the web tests load.

The other engineer's ``lod.serve.app`` is not on this branch yet; the tests mount
:func:`lod.serve.web.routes` in a plain Starlette app, as that app will.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from lod import loading
from lod.parallel import ConverterSpec
from lod.serve.context import ServeConfig, ServeContext, StoreReader
from lod.serve.web import routes
from lod.store import Store
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
def serving(store: Store, *, public_url: str | None = None,
            page_size: int = 100) -> Iterator[tuple[str, ServeContext]]:
    """(the URL the server listens on, its context); ``public_url`` defaults to that URL."""
    port = free_port()
    bind = f"http://127.0.0.1:{port}/"
    ctx = ServeContext(ServeConfig(public_url=public_url or bind, page_size=page_size),
                       StoreReader(store))
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes(ctx)), host="127.0.0.1",
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
