"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/). Graphs are named by ``?graph=IRI`` or
``?default`` (indirect), or by a URL under ``/graph-store/`` (direct: the URL is the graph's
IRI). GET and HEAD always; PUT, POST and DELETE with the update token. A POST to
``/graph-store`` itself makes a new graph and answers its IRI in ``Location``.

Bodies are parsed strictly by pyoxigraph (Turtle, N-Triples, RDF/XML, JSON-LD; several of
them as ``multipart/form-data``) before anything is written.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import uuid

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lod.errors import LodError
from lod.serve.jobs import GraphJob
from lod.serve.limits import read_body
from lod.serve.negotiate import GRAPH_TYPES, choose, format_of, parse_accept
from lod.serve.protocol import ProtocolError, graph_iri, media_type, parse_pairs
from lod.serve.sparql import Endpoint, answer_response, store_to_write, text_response
from lod.store.base import Store

_PARSE = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def routes(endpoint: Endpoint) -> list[BaseRoute]:
    async def indirect(request: Request) -> Response:
        return await _guarded(endpoint, request, direct=None)

    async def direct(request: Request) -> Response:
        # Direct identification: the graph's IRI is the request's URL as the public sees it.
        graph = endpoint.ctx.config.link("graph-store/" + request.path_params["rest"])
        return await _guarded(endpoint, request, direct=graph)

    methods = ["GET", "HEAD", "PUT", "POST", "DELETE"]
    return [Route("/graph-store", indirect, methods=methods),
            Route("/graph-store/{rest:path}", direct, methods=methods)]


async def _guarded(endpoint: Endpoint, request: Request, direct: str | None) -> Response:
    try:
        return await _handle(endpoint, request, direct)
    except ProtocolError as err:
        return text_response(err.status, err.message)


def _target(request: Request, direct: str | None) -> tuple[bool, str | None]:
    """(names a graph at all, the graph IRI or None for the default graph)."""
    if direct is not None:
        return True, direct
    pairs = parse_pairs(request.url.query)
    graphs = [v for k, v in pairs if k == "graph"]
    default = any(k == "default" for k, _ in pairs)
    if len(graphs) + default > 1:
        raise ProtocolError(400, "name one graph: ?graph=IRI or ?default, once")
    if graphs:
        graph_iri(graphs[0])
        return True, graphs[0]
    return default, None


async def _handle(endpoint: Endpoint, request: Request, direct: str | None) -> Response:
    named, graph = _target(request, direct)
    method = request.method
    if method in ("GET", "HEAD"):
        if not named:
            raise ProtocolError(400, "name a graph: ?graph=IRI or ?default")
        fmt = choose(parse_accept(request.headers.get("accept")), GRAPH_TYPES)
        if fmt is None:
            return text_response(406, "graphs come as Turtle, N-Triples, RDF/XML or JSON-LD")
        job = GraphJob(graph, graph_format=fmt, exists_only=method == "HEAD")
        answer = await endpoint.backend.graph(job)
        return answer_response(answer, head=method == "HEAD")
    writer = store_to_write(request, endpoint)
    if isinstance(writer, Response):
        return writer
    created_new = False
    if not named:
        if method != "POST":
            raise ProtocolError(400, "name a graph: ?graph=IRI or ?default")
        graph = endpoint.ctx.config.link(f"graph-store/{uuid.uuid4()}")
        created_new = True
    try:
        if method == "DELETE":
            existed = await asyncio.to_thread(_delete, writer, graph)
            status = 204 if existed else 404
            return Response(status_code=status) if existed else text_response(404, "no such graph")
        body = await read_body(request, endpoint.max_body)
        base = graph or endpoint.ctx.config.link("graph-store")
        payload = await asyncio.to_thread(_nquads, request, body, graph, base)
        if method == "PUT":
            existed = await asyncio.to_thread(_put, writer, graph, payload)
        else:
            existed = await asyncio.to_thread(_post, writer, graph, payload)
    except LodError as err:
        return text_response(500, str(err))
    finally:
        endpoint.backend.wrote()
    if created_new:
        return Response(status_code=201, headers={"Location": graph or ""})
    return Response(status_code=204 if existed else 201)


def _nquads(request: Request, body: bytes, graph: str | None, base: str) -> bytes:
    """The request's RDF as N-Quads in ``graph`` (None: the default graph)."""
    kind, _charset = media_type(request)
    parts: list[tuple[str, bytes]]
    if kind == "multipart/form-data":
        parts = _multipart(request.headers.get("content-type", ""), body)
    else:
        parts = [(kind, body)]
    name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    for part_type, data in parts:
        fmt = format_of(part_type)
        if fmt not in _PARSE:
            raise ProtocolError(415, f"cannot read {part_type or 'a body without a Content-Type'}; "
                                     "send Turtle, N-Triples, RDF/XML or JSON-LD")
        try:
            for quad in ox.parse(data, format=_PARSE[fmt], base_iri=base, without_named_graphs=True):
                quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, name))
        except (SyntaxError, ValueError) as err:
            raise ProtocolError(400, f"invalid {fmt} in the request body: {err}") from None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _multipart(header: str, body: bytes) -> list[tuple[str, bytes]]:
    """The parts of a ``multipart/form-data`` body, each with its media type."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ProtocolError(400, "malformed multipart/form-data body")
    parts = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True)
        parts.append((part.get_content_type(), data if isinstance(data, bytes) else b""))
    return parts


def _put(writer: Store, graph: str | None, payload: bytes) -> bool:
    if graph is None:
        writer.update("DROP SILENT DEFAULT")
        if payload:
            writer.add_nquads(payload)
        return True
    existed = writer.has_graph(graph)
    writer.replace_graphs(payload, [graph])
    return existed


def _post(writer: Store, graph: str | None, payload: bytes) -> bool:
    existed = graph is None or writer.has_graph(graph)
    if payload:
        writer.add_nquads(payload)
    return existed


def _delete(writer: Store, graph: str | None) -> bool:
    if graph is None:
        writer.update("DROP SILENT DEFAULT")
        return True
    return writer.delete_graphs([graph]) > 0
