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

Handler = Callable[[Request, ServeContext], Awaitable[Response]]


def _bound(handler: Handler, ctx: ServeContext) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, ctx)
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
    out: list[BaseRoute] = [Route(path, _bound(handler, ctx), methods=["GET", "HEAD"])
                            for path, handler in table]
    if query.yasgui_installed():
        out.append(Mount("/static/yasgui", StaticFiles(directory=query.YASGUI_DIR),
                         name="yasgui"))
    return out


async def query_page(request: Request, ctx: ServeContext) -> Response:
    """The page a browser gets at ``/sparql`` with no query."""
    return await query.page(request, ctx)
