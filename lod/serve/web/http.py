"""What every browsable response shares: validators (ETag, Last-Modified) and 304s."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from rdflib import Literal, URIRef
from starlette.requests import Request
from starlette.responses import Response

from lod.serve.context import ServeContext
from lod.store.facets import FACETS

_STAMP = """SELECT ?modified WHERE {
  GRAPH <urn:lod:facets> { ?summary <http://purl.org/dc/terms/modified> ?modified } }"""


async def last_change(ctx: ServeContext) -> datetime | None:
    """When the store last changed: the facet summary's stamp, rewritten after every load and
    delete (:func:`lod.store.facets.refresh`); None for a store without one. Kept per
    store generation."""
    generation = ctx.reader.generation()
    known, kept = ctx.per_generation.get(generation, "last_change")
    if known:
        assert kept is None or isinstance(kept, datetime)
        return kept
    stamp = await _read_last_change(ctx)
    ctx.per_generation.put(generation, "last_change", stamp)
    return stamp


async def _read_last_change(ctx: ServeContext) -> datetime | None:
    rows = (await ctx.reader.select(_STAMP, {"summary": URIRef(FACETS)})).rows
    value = rows[0].get("modified") if rows else None
    if not isinstance(value, Literal):
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    tags = request.headers.get("if-none-match")
    if tags is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        return tags.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in tags.split(",")]
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return modified.replace(microsecond=0) <= when


def cached(request: Request, body: bytes, media_type: str, modified: datetime | None,
           headers: dict[str, str] | None = None) -> Response:
    """``body`` with a strong ETag (its digest) and Last-Modified, or 304 when the client's
    copy is current."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    out = {"ETag": etag, **(headers or {})}
    if modified is not None:
        out["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)
