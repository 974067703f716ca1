"""The parts of the server people and harvesters browse: the DCAT feed, dereferenceable IRIs,
HTML pages, the query page, VoID, the sitemap."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute

from lod.serve.context import ServeContext


def routes(ctx: ServeContext) -> list[BaseRoute]:
    """Every route this package serves."""
    return []


async def query_page(request: Request, ctx: ServeContext) -> Response:
    """The page a browser gets at ``/sparql`` with no query."""
    return PlainTextResponse("query page", media_type="text/html")
