"""``/sparql``: the SPARQL 1.1 Protocol (queries and, with the token, updates), its service
description, CORS for browser clients on other sites, and the query page for browsers."""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lod.errors import LodError, QueryError
from lod.serve import web
from lod.serve.backend import Backend
from lod.serve.context import ServeContext
from lod.serve.jobs import Answer, QueryJob
from lod.serve.limits import read_body
from lod.serve.negotiate import (
    GRAPH_TYPES,
    RESULTS_TYPES,
    Range,
    choose,
    content_type,
    parse_accept,
    prefers_html,
)
from lod.serve.protocol import (
    Operation,
    ProtocolError,
    check_graph_iris,
    media_type,
    operation,
    parse_pairs,
    with_base,
    with_using,
)
from lod.serve.service_description import service_description
from lod.store.base import Store
from lod.store.guard import check_query, check_update

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
    "Access-Control-Max-Age": "86400",
}


@dataclass(frozen=True)
class Endpoint:
    """What the protocol routes need: the shared context, the backend and the body limit."""

    ctx: ServeContext
    backend: Backend
    max_body: int
    cache_entries: int = 512  # answers kept per store generation by the routes that keep them

    @property
    def url(self) -> str:
        return self.ctx.config.link("sparql")


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.rstrip("\n") + "\n", status_code=status,
                    media_type="text/plain; charset=utf-8", headers=headers)


def answer_response(answer: Answer, head: bool = False, extra: dict[str, str] | None = None) -> Response:
    headers = {"Vary": "Accept", **(extra or {})}
    if answer.kind == "error":
        return text_response(answer.status, answer.message, headers)
    return Response(b"" if head else answer.body, media_type=content_type(answer.fmt),
                    headers=headers)


def authorized(request: Request, token: str | None) -> Response | None:
    """None if the request may write; else the response that refuses it (403 when writes
    are off, 401 without the right bearer token)."""
    if token is None:
        return text_response(403, "this server is read-only: it takes no updates "
                                  "(start it with --update-token to allow them)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return text_response(401, "updates need the header Authorization: Bearer <token>",
                             {"WWW-Authenticate": 'Bearer realm="lod"'})
    return None


def store_to_write(request: Request, endpoint: Endpoint) -> Store | Response:
    """The store a write goes to, or the response that refuses the write (the token's 401 or
    403, or 403 when the server's store is read-only): the one gate of every write."""
    refused = authorized(request, endpoint.ctx.config.update_token)
    if refused is not None:
        return refused
    writer = endpoint.backend.writer
    if writer is None:
        return text_response(403, "this server's store is read-only")
    return writer


def routes(endpoint: Endpoint) -> list[BaseRoute]:
    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS)
        try:
            response = await _handle(endpoint, request)
        except ProtocolError as err:
            response = text_response(err.status, err.message)
        if request.method == "GET":
            response.headers.update(CORS)
        return response

    return [Route("/sparql", sparql, methods=["GET", "POST", "OPTIONS"])]


async def _handle(endpoint: Endpoint, request: Request) -> Response:
    url_pairs = parse_pairs(request.url.query)
    kind_type, charset = media_type(request)
    body = await read_body(request, endpoint.max_body) if request.method == "POST" else b""
    op = operation(request.method, url_pairs, kind_type, charset, body)
    ranges = parse_accept(request.headers.get("accept"))
    if op is None:
        if prefers_html(ranges):
            return await web.query_page(request, endpoint.ctx)
        fmt = choose(ranges, GRAPH_TYPES)
        if fmt is None:
            return text_response(406, "the service description is RDF: accept Turtle, "
                                      "N-Triples, RDF/XML or JSON-LD")
        data = service_description(endpoint.url, fmt, writable=endpoint.ctx.config.update_token is not None)
        return Response(data, media_type=content_type(fmt), headers={"Vary": "Accept"})
    if op.kind == "update":
        return await _update(endpoint, request, op)
    return await _query(endpoint, op, ranges)


async def _query(endpoint: Endpoint, op: Operation, ranges: list[Range]) -> Response:
    results_format = choose(ranges, RESULTS_TYPES)
    graph_format = choose(ranges, GRAPH_TYPES)
    if results_format is None and graph_format is None:
        return text_response(406, "cannot answer in any type the Accept header allows; SPARQL "
                                  "results: " + ", ".join(t[0] for t in RESULTS_TYPES.values())
                             + "; graphs: " + ", ".join(t[0] for t in GRAPH_TYPES.values()))
    check_graph_iris(op.default_graphs + op.named_graphs)
    try:
        check_query(op.text)
    except QueryError as err:
        return text_response(400, str(err))
    job = QueryJob(op.text, results_format=results_format, graph_format=graph_format,
                   default_graphs=op.default_graphs, named_graphs=op.named_graphs,
                   max_rows=endpoint.ctx.config.max_rows, base_iri=endpoint.url)
    return answer_response(await endpoint.backend.query(job))


async def _update(endpoint: Endpoint, request: Request, op: Operation) -> Response:
    writer = store_to_write(request, endpoint)
    if isinstance(writer, Response):
        return writer
    check_graph_iris(op.default_graphs + op.named_graphs)
    text = with_base(with_using(op.text, op.default_graphs, op.named_graphs), endpoint.url)
    try:
        check_update(text)
        await asyncio.to_thread(writer.update, text)
    except QueryError as err:
        return text_response(400, str(err))
    except LodError as err:
        return text_response(500, str(err))
    finally:
        endpoint.backend.wrote()
    return Response(status_code=204)
