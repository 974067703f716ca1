"""Opening the store the ``store_options`` name, and keeping its facet summary current: what
every store command needs, and no more (``lod query`` imports this, not the loading code)."""

from __future__ import annotations

import os
from typing import Any

import click

from lod.errors import UsageError
from lod.store import Store, default_store_dir, facets, open_store, resolve_password


def open_target(target: dict[str, Any], *, create: bool = False) -> Store:
    """The store the ``store_options`` point at (the environment is read here, nowhere else).
    Only ``create`` (``lod load``) makes an embedded store that is not there yet."""
    endpoint = target.get("endpoint")
    store_dir = target.get("store_dir")
    if store_dir == "":
        raise UsageError("--store needs a folder, not an empty string")
    if endpoint is None and (target.get("update_endpoint") or target.get("gsp_endpoint")
                             or target.get("user")):
        raise UsageError("--update-endpoint, --gsp-endpoint and --user need --endpoint")
    if endpoint is None:
        return open_store(store_dir=store_dir or default_store_dir(os.environ), create=create)
    if store_dir is not None:
        raise UsageError("give --store or --endpoint, not both")
    user = target.get("user")
    password = resolve_password(user, endpoint, os.environ) if user else None
    return open_store(endpoint=endpoint, update_endpoint=target.get("update_endpoint"),
                      gsp_endpoint=target.get("gsp_endpoint"), user=user, password=password,
                      timeout=target.get("timeout") or 60.0)


def ensure_facets(store: Store, *, quiet: bool = False, rebuild: bool | None = None) -> None:
    """Rebuild the facet summary when a change was interrupted (or it was never built).

    In the embedded store only one process can be at work, so a stale summary means a killed
    load: it is rebuilt. On a server another client's load may be running: lod warns instead
    (``lod stats --refresh`` rebuilds it)."""
    reason = facets.state(store)
    if reason is None:
        return
    if rebuild is None:
        rebuild = not store.remote and not getattr(store, "read_only", False)
    if not rebuild:
        click.echo(f"lod: warning: the facet summary is out of date ({reason}, or a load is "
                   "running); counts may be off until it finishes (lod stats --refresh "
                   "rebuilds it)", err=True)
        return
    if not quiet:
        click.echo(f"lod: rebuilding the facet summary ({reason})", err=True)
    facets.refresh(store)


