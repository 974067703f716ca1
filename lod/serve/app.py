"""The ASGI app: ``/sparql``, ``/graph-store``, ``/queries`` (this package) and everything
under :mod:`lod.serve.web`, over one backend (the embedded store or a remote server).

>>> app = create_app(ServeConfig("http://127.0.0.1:8000/"), store_dir="/tmp/store")  # doctest: +SKIP
>>> uvicorn.run(app)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp

from lod.errors import StoreBusyError, StoreMissingError, UsageError
from lod.serve import graph_store, named, sparql, web
from lod.serve.backend import COMPACT_AFTER_SECONDS, Backend, EmbeddedBackend, RemoteBackend
from lod.serve.cache import MAX_ENTRIES
from lod.serve.context import ServeConfig, ServeContext
from lod.serve.limits import MAX_BODY, RequestLimits
from lod.serve.reader import BackendReader, ReaderError
from lod.store import snapshots
from lod.store.embedded import EmbeddedStore
from lod.store.remote import RemoteStore


def embedded_backend(store_dir: str | Path, config: ServeConfig, *, workers: int = 2,
                     cache_entries: int = MAX_ENTRIES,
                     compact_after: float = COMPACT_AFTER_SECONDS) -> Backend:
    """The embedded store in ``store_dir``, which must exist. With writes on, the server
    opens it read-write (no ``lod load`` can run beside it then); without, it asks writers
    for snapshots so that ``lod load`` and ``lod delete`` can run while it serves."""
    path = Path(store_dir).expanduser()
    if not (path / "CURRENT").is_file():
        raise StoreMissingError(f"no store at {path}; lod load creates one")
    writer: EmbeddedStore | None = None
    if snapshots.enable(path):
        if config.update_token is not None:
            writer = EmbeddedStore(path, create=False)
            writer.publish_snapshot()
        elif snapshots.current(path) is None:
            _first_snapshot(path)
    elif config.update_token is not None:
        raise UsageError(f"store {path} cannot be written here; serve it without --update-token")
    return EmbeddedBackend(path, timeout=config.timeout, workers=workers, writer=writer,
                           cache_entries=cache_entries, compact_after=compact_after)


def _first_snapshot(path: Path) -> None:
    """A snapshot to serve from, unless a writer has the store open (it publishes one after
    its next commit; until then the workers read the folder itself)."""
    try:
        with EmbeddedStore(path, create=False) as store:
            if not store.read_only:
                store.publish_snapshot()
    except StoreBusyError:
        pass


def remote_backend(store: RemoteStore, config: ServeConfig) -> Backend:
    """A remote SPARQL server; writes (with the token) go through ``store``."""
    writer = store if config.update_token is not None else None
    return RemoteBackend(store.endpoint, timeout=config.timeout, reader=store, writer=writer)


def create_app(config: ServeConfig, backend: Backend, *, max_body: int = MAX_BODY,
               cache_entries: int = MAX_ENTRIES) -> ASGIApp:
    """The whole server over ``backend``; the backend is started and closed with the app."""
    if not config.public_url.endswith("/"):
        raise UsageError(f"the public URL must end with '/': {config.public_url!r}")
    ctx = ServeContext(config=config, reader=BackendReader(backend))
    endpoint = sparql.Endpoint(ctx, backend, max_body, cache_entries)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            await backend.close()

    app = Starlette(
        routes=[*sparql.routes(endpoint), *graph_store.routes(endpoint), *named.routes(endpoint),
                *web.routes(ctx)],
        lifespan=lifespan,
        exception_handlers={ReaderError: _unanswered},
    )
    return RequestLimits(app)


async def _unanswered(request: Request, exc: Exception) -> Response:
    """A page whose reads the store could not answer (past the time limit, no worker free):
    the status the reader names (503) and its message, never a bare 500."""
    assert isinstance(exc, ReaderError)
    headers = {"Retry-After": "5"} if exc.status == 503 else {}
    return PlainTextResponse(str(exc), status_code=exc.status, headers=headers)
