"""The DCAT catalogue feed at ``/catalog``: datasets a page, Hydra cursor paging, and the
whole-catalogue dump.

Paging is by cursor over dataset IRIs in code-point order: ``?after=IRI`` is the page of
datasets whose IRI sorts after ``IRI`` (``?before=IRI`` the page before it), so a study loaded
or deleted while a harvester pages through shifts no other study across a page boundary.

Each dataset comes with its whole named graph plus the graphs of the nodes it reaches there
(organisations, catalogues, concepts, places; two steps deep, never another study's graph), so
that a page is complete for SHACL and for a harvester.
"""

from __future__ import annotations

import bisect
import gzip
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Literal, URIRef
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from lod.serve.context import ServeContext
from lod.serve.rdfwrite import NAMES, write_triples
from lod.serve.web import negotiate, rdf
from lod.serve.web.http import cached, last_change

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DUMP_PATH = "catalog.nq.gz"

_PREFIXES = "PREFIX dcat: <http://www.w3.org/ns/dcat#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
_DATASET = "GRAPH ?d { ?d a dcat:Dataset }"
_SINCE = "GRAPH ?d { ?d dct:modified ?m } FILTER(STR(?m) >= ?since)"
# One dataset's content (``?d`` bound): its graph and the graphs of the nodes it reaches. The
# definition of what a page carries per dataset; page_content gives the same in three lookups
# (tests/test_web_feed.py compares them), 30 times faster than this on 216,000 studies.
DATASET_CONTENT = _PREFIXES + """CONSTRUCT { ?s ?p ?o } WHERE {
  { GRAPH ?d { ?s ?p ?o } }
  UNION { GRAPH ?d { ?x ?q ?n } FILTER(isIRI(?n) && ?n != ?d)
          FILTER NOT EXISTS { GRAPH ?n { ?n a dcat:Dataset } } GRAPH ?n { ?s ?p ?o } }
  UNION { GRAPH ?d { ?x ?q ?n } FILTER(isIRI(?n) && ?n != ?d)
          FILTER NOT EXISTS { GRAPH ?n { ?n a dcat:Dataset } }
          GRAPH ?n { ?y ?r ?k } FILTER(isIRI(?k) && ?k != ?n && ?k != ?d)
          FILTER NOT EXISTS { GRAPH ?k { ?k a dcat:Dataset } } GRAPH ?k { ?s ?p ?o } }
}"""

# A page's content in three steps (see page_content): the datasets' own graphs, then the
# graphs of the nodes they name that are not datasets, then once more.
_PAGE_GRAPHS = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?d {{ {values} }} GRAPH ?d {{ ?s ?p ?o }} }}"
_SHARED = ("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?n {{ {values} }} GRAPH ?n {{ ?s ?p ?o }} "
           "FILTER NOT EXISTS {{ GRAPH ?n {{ ?n a <http://www.w3.org/ns/dcat#Dataset> }} }} }}")


class BadParameter(ValueError):
    """A feed parameter that cannot be used; its message names it."""


@dataclass(frozen=True)
class PageRequest:
    after: str | None = None
    before: str | None = None
    since: str | None = None


def parse_since(value: str) -> str:
    """``modified_since`` as the ISO text ``dct:modified`` values are compared with: a date
    stays ``YYYY-MM-DD``; a datetime becomes UTC ``YYYY-MM-DDTHH:MM:SS``."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(f"modified_since={value!r} is not an ISO date or datetime "
                           "(e.g. 2024-05-01 or 2024-05-01T12:00:00Z)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat()


def page_request(request: Request) -> PageRequest:
    params = request.query_params
    unknown = sorted(set(params) - {"after", "before", "modified_since"})
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0]!r}: the feed takes after, before "
                           "and modified_since")
    after, before = params.get("after"), params.get("before")
    if after is not None and before is not None:
        raise BadParameter("give after or before, not both")
    for name, value in (("after", after), ("before", before)):
        if value is not None and not value.strip():
            raise BadParameter(f"{name}= is empty: it takes a dataset IRI")
    since = params.get("modified_since")
    return PageRequest(after, before, parse_since(since) if since is not None else None)


def _bindings(page: PageRequest) -> dict[str, Literal | URIRef]:
    return {"since": Literal(page.since)} if page.since else {}


async def _all_ids(ctx: ServeContext, page: PageRequest) -> list[str]:
    """Every dataset IRI the feed lists, in code-point order (kept per store generation:
    :mod:`lod.serve.feedids`). Sorted here: Oxigraph's ``ORDER BY STR(?d)`` took 0.3 s on
    3,000 studies, fetching them unsorted 20 ms."""
    async def read() -> list[str]:
        query = _PREFIXES + "SELECT ?d WHERE { " + _DATASET + (" " + _SINCE if page.since else "") + " }"
        rows = (await ctx.reader.select(query, _bindings(page))).rows
        return sorted({str(r["d"]) for r in rows})

    return await ctx.feed_ids.get(ctx.reader.generation(), page.since, read)


@dataclass(frozen=True)
class Window:
    ids: list[str]
    total: int
    has_next: bool
    has_previous: bool
    last_after: str | None  # the ``after`` of the last page; None when the first is the last


def window(every: list[str], page: PageRequest, size: int) -> Window:
    """The page of ``every`` (sorted) that ``page``'s cursor names."""
    if page.before is not None:
        end = bisect.bisect_left(every, page.before)
        start = max(0, end - size)
    else:
        start = bisect.bisect_right(every, page.after) if page.after is not None else 0
        end = start + size
    ids = every[start:end]
    last_start = (len(every) - 1) // size * size if every else 0
    return Window(ids, len(every), end < len(every), start > 0,
                  every[last_start - 1] if last_start > 0 else None)


def _url(ctx: ServeContext, path: str, page: PageRequest, **cursor: str) -> str:
    params = dict(cursor)
    if page.since:
        params["modified_since"] = page.since
    return ctx.config.link(path) + ("?" + urlencode(params) if params else "")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD + "integer"))


async def feed_page(ctx: ServeContext, path: str, page: PageRequest, fmt: ox.RdfFormat) -> bytes:
    """One feed page, written in ``fmt``: the catalogue, the datasets on this page with what
    they carry (:data:`DATASET_CONTENT`), the view. When it has a next page, that one is
    started at once (:mod:`lod.serve.readahead`): a harvester asks for it next."""
    generation = ctx.reader.generation()
    name = NAMES[fmt]
    kept = await ctx.feed_ahead.take(generation, (path, page, name))
    body, following = kept if kept is not None else await _render_page(ctx, path, page, fmt)
    # Only with kept pages on, and while the store's generation holds still between two looks
    # (a reader that cannot tell when the store changes gives a new one each time).
    if following is not None and ctx.config.page_cache_entries and ctx.reader.generation() == generation:
        ahead = following
        ctx.feed_ahead.start(generation, (path, ahead, name),
                             lambda: _render_page(ctx, path, ahead, fmt))
    return body


async def _render_page(ctx: ServeContext, path: str, page: PageRequest,
                       fmt: ox.RdfFormat) -> tuple[bytes, PageRequest | None]:
    """The page's bytes and the request for the page after it (None on the last page). The
    store's reader writes the page itself when it can (the embedded store's worker), so it is
    not read back and written again."""
    head, ids, following = await _feed_head(ctx, path, page)
    if ids:
        written = await ctx.reader.content(ids, graph_format=NAMES[fmt],
                                           head=ox.serialize(head, format=ox.RdfFormat.N_TRIPLES) or b"")
        if written is not None:
            return written, following
    seen = dict.fromkeys(head)
    for triple in await page_content(ctx, ids):
        seen.setdefault(triple, None)
    out = io.BytesIO()
    write_triples(list(seen), fmt, out)
    return out.getvalue(), following


async def _feed_head(ctx: ServeContext, path: str,
                     page: PageRequest) -> tuple[list[ox.Triple], list[str], PageRequest | None]:
    """A feed page's own triples (the catalogue, the view, the page's dataset links), the
    datasets on it, and the request for the next page (None when this is the last)."""
    found = window(await _all_ids(ctx, page), page, ctx.config.page_size)
    ids, total = found.ids, found.total
    catalog = _n(ctx.config.link("catalog"))
    here = _n(_url(ctx, path, page, **({"after": page.after} if page.after else {})
                   | ({"before": page.before} if page.before else {})))
    publisher = _n(ctx.config.link("catalog#publisher"))
    out = [
        ox.Triple(catalog, RDF_TYPE, _n(DCAT + "Catalog")),
        ox.Triple(catalog, _n(DCT + "title"), ox.Literal("Studies", language="en")),
        ox.Triple(catalog, _n(DCT + "description"), ox.Literal(
            "Every study this server publishes, as DCAT-AP datasets.", language="en")),
        ox.Triple(catalog, _n(DCT + "publisher"), publisher),
        ox.Triple(catalog, _n(FOAF + "homepage"), _n(ctx.config.public_url)),
        ox.Triple(_n(ctx.config.public_url), RDF_TYPE, _n(FOAF + "Document")),
        ox.Triple(catalog, _n(HYDRA + "totalItems"), _int(total)),
        ox.Triple(catalog, _n(HYDRA + "view"), here),
        ox.Triple(catalog, _n(VOID + "dataDump"), _n(ctx.config.link(DUMP_PATH))),
        ox.Triple(publisher, RDF_TYPE, _n(FOAF + "Agent")),
        ox.Triple(publisher, _n(FOAF + "name"), ox.Literal(ctx.config.public_url)),
        ox.Triple(here, RDF_TYPE, _n(HYDRA + "PartialCollectionView")),
        ox.Triple(here, _n(HYDRA + "totalItems"), _int(total)),
        ox.Triple(here, _n(HYDRA + "first"), _n(_url(ctx, path, page))),
    ]
    last = found.last_after
    out.append(ox.Triple(here, _n(HYDRA + "last"),
                         _n(_url(ctx, path, page, **({"after": last} if last else {})))))
    if ids and found.has_next:
        out.append(ox.Triple(here, _n(HYDRA + "next"), _n(_url(ctx, path, page, after=ids[-1]))))
    if ids and found.has_previous:
        out.append(ox.Triple(here, _n(HYDRA + "previous"),
                             _n(_url(ctx, path, page, before=ids[0]))))
    out += [ox.Triple(catalog, _n(DCAT + "dataset"), _n(d)) for d in ids]
    following = PageRequest(after=ids[-1], since=page.since) if ids and found.has_next else None
    return list(dict.fromkeys(out)), ids, following


async def page_content(ctx: ServeContext, ids: list[str]) -> list[ox.Triple]:
    """The graphs of the page's datasets and of the shared nodes they reach, two steps deep
    (never another dataset's graph): what :data:`DATASET_CONTENT` gives for one dataset, for a whole
    page in three queries (one per dataset was 100 queries, about 3.5 times slower). The IRIs
    are the store's own, written by pyoxigraph into a VALUES block."""
    if not ids:
        return []
    direct = await ctx.reader.content(ids)
    if direct is not None:  # the embedded store, read by lookups (lod.serve.content)
        return rdf.triples(direct)
    own = rdf.triples(await ctx.reader.construct(_PAGE_GRAPHS.format(values=_values(ids))))
    out, done = list(own), set(ids)
    level = own
    for _ in range(2):
        names = {t.object.value for t in level if isinstance(t.object, ox.NamedNode)} - done
        if not names:
            break
        done |= names
        level = rdf.triples(await ctx.reader.construct(_SHARED.format(values=_values(sorted(names)))))
        out += level
    return out


def _values(iris: list[str]) -> str:
    return " ".join(str(ox.NamedNode(i)) for i in iris)


async def dataset_triples(ctx: ServeContext, iri: str) -> list[ox.Triple]:
    """A stored dataset as a feed page carries it (its IRI checked to be one by the caller)."""
    return await page_content(ctx, [iri])


async def feed(request: Request, ctx: ServeContext) -> Response:
    """``/catalog`` (by Accept) and ``/catalog.ttl|.jsonld|.rdf|.nt``."""
    ext = request.path_params.get("ext")
    if ext is not None:
        form = negotiate.BY_SUFFIX.get("." + ext)
        if form is None or form.rdf_format is None:
            return PlainTextResponse(f"no catalogue form .{ext}: use .ttl, .jsonld, .rdf or .nt",
                                     status_code=404)
    else:
        chosen = negotiate.choose(request.headers.get("accept"), negotiate.RDF_FORMS,
                                  negotiate.TURTLE)
        if chosen is None:
            return PlainTextResponse("the catalogue is offered as text/turtle, "
                                     "application/ld+json, application/rdf+xml and "
                                     "application/n-triples", status_code=406)
        form = chosen
    try:
        page = page_request(request)
    except BadParameter as err:
        return PlainTextResponse(str(err), status_code=400)
    path = request.url.path.lstrip("/")
    assert form.rdf_format is not None
    body = await feed_page(ctx, path, page, form.rdf_format)
    headers = {"Vary": "Accept"} if ext is None else {}
    return cached(request, body, form.media_type, await last_change(ctx), headers)


_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STR(?g) > ?after) } " \
          "ORDER BY STR(?g) LIMIT 200"
_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


async def _dump_chunks(ctx: ServeContext) -> AsyncIterator[bytes]:
    """Every named graph as N-Quads, gzipped on the fly, a graph at a time (memory stays flat)."""
    sink = _Sink()
    packer = gzip.GzipFile(fileobj=sink, mode="wb")
    after = ""
    while True:
        rows = (await ctx.reader.select(_GRAPHS, {"after": Literal(after)})).rows
        if not rows:
            break
        for row in rows:
            graph = row["g"]
            body = await ctx.reader.construct(_GRAPH, {"g": graph})
            name = _n(str(graph))
            quads = (ox.Quad(t.subject, t.predicate, t.object, name)
                     for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            packer.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
            chunk = sink.take()
            if chunk:
                yield chunk
        after = str(rows[-1]["g"])
    packer.close()
    yield sink.take()


class _Sink:
    """The file a GzipFile writes into; :meth:`take` hands over what is there so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


async def dump(request: Request, ctx: ServeContext) -> Response:
    """``/catalog.nq.gz``: the whole store as gzipped N-Quads, streamed."""
    return StreamingResponse(_dump_chunks(ctx), media_type="application/gzip", headers={
        "Content-Disposition": 'attachment; filename="catalog.nq.gz"'})
