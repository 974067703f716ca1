"""The parts of the server people and harvesters browse: the DCAT feed, dereferenceable IRIs,
HTML pages, the query page, VoID, the sitemap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from lod.serve.context import ServeContext
from lod.serve.web import catalog, discovery, pages, query, resources
from lod.serve.web.pagecache import PageCache, conditional, unconditional

Handler = Callable[[Request, ServeContext], Awaitable[Response]]


def _bound(handler: Handler, ctx: ServeContext,
           cache: PageCache | None = None) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if cache is None:
            return await handler(request, ctx)
        generation, key = ctx.reader.generation(), PageCache.key(request)
        kept = cache.get(generation, key)
        if kept is None:
            # Render the page as an unconditional request gets it, keep that, and answer a
            # conditional request from it: a harvester's If-None-Match is then a hit too.
            kept = await handler(unconditional(request), ctx)
            cache.put(generation, key, kept)
        return conditional(request, kept)
    endpoint.__name__ = handler.__name__
    return endpoint


async def _plain_query(request: Request, ctx: ServeContext) -> Response:
    return await query.page(request, ctx, plain=True)


def routes(ctx: ServeContext) -> list[BaseRoute]:
    """Every route this package serves."""
    table: list[tuple[str, Handler]] = [
        ("/", pages.home),
        ("/search", pages.search),
        ("/catalog", catalog.feed),
        ("/" + catalog.DUMP_PATH, catalog.dump),
        ("/catalog.{ext}", catalog.feed),
        ("/id/{rest:path}", resources.resource),
        ("/country/{code}", resources.country),
        ("/.well-known/void", discovery.void),
        ("/sitemap.xml", discovery.sitemap),
        ("/sitemap-{n}.xml", discovery.sitemap_part),
        ("/robots.txt", discovery.robots),
        ("/query", _plain_query),
    ]
    # Pages that depend only on the store are kept per store generation; the dump streams and
    # the plain query form runs a visitor's query, so neither is kept.
    cache = PageCache(ctx.config.page_cache_entries)
    uncached = {catalog.dump, _plain_query}
    out: list[BaseRoute] = [Route(path, _bound(handler, ctx, None if handler in uncached else cache),
                                  methods=["GET", "HEAD"])
                            for path, handler in table]
    if query.yasgui_installed():
        out.append(Mount("/static/yasgui", StaticFiles(directory=query.YASGUI_DIR),
                         name="yasgui"))
    return out


async def query_page(request: Request, ctx: ServeContext) -> Response:
    """The page a browser gets at ``/sparql`` with no query."""
    return await query.page(request, ctx)
