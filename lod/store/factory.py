"""``open_store``: the one way to get a store, embedded (a folder) or remote (a URL)."""

from __future__ import annotations

import os

from lod.errors import UsageError
from lod.store.base import Store
from lod.store.embedded import EmbeddedStore


def open_store(
    *,
    store_dir: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    auth: str = "auto",
    timeout: float = 60.0,
    read_only: bool = False,
    create: bool = True,
) -> Store:
    """Open the embedded store in ``store_dir``, or the SPARQL server at ``endpoint``.

    ``create``: make the embedded store if there is none (else that is an error).
    ``update_endpoint`` defaults to ``endpoint``; without ``gsp_endpoint`` bulk writes use
    SPARQL Update. ``auth`` is ``"auto"`` (whatever the server's 401 challenge asks for),
    ``"digest"`` or ``"basic"``. ``timeout`` (seconds) applies to every HTTP request.
    """
    if store_dir is not None and endpoint is not None:
        raise UsageError("give either a store folder or a SPARQL endpoint, not both")
    if endpoint is not None:
        from lod.store.remote import RemoteStore  # httpx: only when a server is asked for

        return RemoteStore(
            endpoint,
            update_endpoint=update_endpoint,
            gsp_endpoint=gsp_endpoint,
            user=user,
            password=password,
            auth=auth,
            timeout=timeout,
            read_only=read_only,
        )
    if update_endpoint is not None or gsp_endpoint is not None or user is not None:
        raise UsageError("update/GSP endpoints and credentials need a SPARQL endpoint too")
    if store_dir is None:
        raise UsageError("no store given: pass a store folder or a SPARQL endpoint")
    return EmbeddedStore(store_dir, read_only=read_only, create=create)
