"""``lod serve``: publish the store on the web (see docs/serving.md)."""

from __future__ import annotations

import functools
import os
import signal
import urllib.parse
from types import FrameType
from typing import Any

import click

from lod.cli.options import DEFAULT_BASE_URI, store_options
from lod.errors import UsageError


def default_workers() -> int:
    """One worker more than the cores this process may use: a worker waiting on its pipe
    leaves a core idle otherwise (measured on 2 cores: 3 workers serve 20-30 % more study
    pages than 2, docs/serving.md). Each costs a store handle's memory, hence the cap."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(2, min(cores + 1, 8))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--public-url", metavar="URL",
              help="The URL people reach the server at (behind a proxy); default: the bound URL.")
@click.option("--base-uri", default=DEFAULT_BASE_URI, show_default=True, metavar="URI",
              help="The base the stored IRIs were minted under.")
@click.option("--update-token", envvar="LOD_UPDATE_TOKEN", metavar="TOKEN",
              help="Allow writes to requests with 'Authorization: Bearer TOKEN' "
                   "(else $LOD_UPDATE_TOKEN; without one the server is read-only).")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Refuse (never cut) results with more rows.")
@click.option("--page-size", type=click.IntRange(min=1, max=10_000), default=100,
              show_default=True, help="Datasets per catalogue page.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=default_workers,
              show_default="cores + 1, 2 to 8",
              help="Query worker processes (embedded store); each holds its own store handle.")
@click.option("--cache-entries", type=click.IntRange(min=0), default=512, show_default=True,
              help="Answers, and as many rendered pages twice over, kept until the store "
                   "changes (0: none).")
@click.option("--compact-after", type=click.FloatRange(min=0), default=60.0, show_default=True,
              metavar="SECONDS", help="With writes on, compact the embedded store once writes "
                                      "that bulk-loaded have paused this long (0: never).")
@functools.partial(store_options, timeout=30.0,
                   timeout_help="Stop any query running longer than this (503).")
def serve_command(host: str, port: int, public_url: str | None, base_uri: str,
                  update_token: str | None, max_rows: int,
                  page_size: int, workers: int, cache_entries: int, compact_after: float,
                  target: dict[str, Any]) -> None:
    """Serve the store: SPARQL endpoint, Graph Store, named queries, DCAT feed, pages.

    Example: lod serve --store ./store --port 8000"""
    import uvicorn

    from lod.cli.store_cmds import open_target
    from lod.serve.app import create_app, embedded_backend, remote_backend
    from lod.serve.context import ServeConfig
    from lod.serve.limits import MAX_HEADERS
    from lod.store.env import default_store_dir
    from lod.store.remote import RemoteStore

    if update_token is not None and not update_token.strip():
        raise UsageError("--update-token is empty; give a secret, or none for a read-only server")
    bound = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    public = public_url or bound
    if not public.endswith("/"):
        public += "/"
    parts = urllib.parse.urlsplit(public)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--public-url must be an http(s) URL such as https://data.example.org/lod/, "
                         f"not {public_url!r}")
    config = ServeConfig(public_url=public, base_uri=base_uri, update_token=update_token,
                         timeout=float(target["timeout"]), max_rows=max_rows, page_size=page_size,
                         page_cache_entries=2 * cache_entries)
    if target.get("endpoint"):
        store = open_target(target)
        assert isinstance(store, RemoteStore)
        backend = remote_backend(store, config)
    else:
        store_dir = target.get("store_dir") or default_store_dir(os.environ)
        backend = embedded_backend(store_dir, config, workers=workers, cache_entries=cache_entries,
                                   compact_after=compact_after)
    app = create_app(config, backend, cache_entries=cache_entries)
    click.echo(f"lod: serving on {bound}" + (f" (public URL {public})" if public != bound else "")
               + ("; writes on (bearer token)" if update_token else "; read-only"), err=True)
    # uvicorn handles SIGINT and SIGTERM: it stops taking requests, ends the app's lifespan
    # (which stops the query workers and closes the store), then raises the signal again for
    # the handler it found; that handler is _stopped, so lod exits 0 with no traceback.
    signal.signal(signal.SIGINT, _stopped)
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                h11_max_incomplete_event_size=MAX_HEADERS, lifespan="on")


def _stopped(signum: int, frame: FrameType | None) -> None:
    """The signal came after the server had stopped cleanly: nothing more to do."""
