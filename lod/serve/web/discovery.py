"""What crawlers and linked-data clients look for first: VoID, the sitemap, robots.txt."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pyoxigraph as ox
from rdflib import Literal
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from lod.serve.context import ServeContext
from lod.serve.web import catalog, negotiate, rdf
from lod.serve.web.http import cached, last_change
from lod.serve.web.view import page_for

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
_SIZES = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) WHERE {
  GRAPH ?g { ?s ?p ?o } }"""
_STUDIES = """SELECT (COUNT(?d) AS ?n) WHERE {
  GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }"""
_STUDY_PAGE = """SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }
  ORDER BY STR(?d) LIMIT {limit} OFFSET {offset}"""


def _int(value: object) -> int:
    return int(value) if isinstance(value, Literal) else 0


async def void(request: Request, ctx: ServeContext) -> Response:
    """``/.well-known/void``: the dataset's size, endpoint, dump and URI space."""
    form = negotiate.choose(request.headers.get("accept"), negotiate.RDF_FORMS, negotiate.TURTLE)
    if form is None:
        return PlainTextResponse("VoID is offered in the RDF forms of /catalog", status_code=406)
    row = ((await ctx.reader.select(_SIZES)).rows or [{}])[0]
    me = ox.NamedNode(ctx.config.link(".well-known/void#dataset"))

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def count(value: object) -> ox.Literal:
        return ox.Literal(str(_int(value)), datatype=n(XSD + "integer"))

    found = [
        ox.Triple(me, n(RDF_TYPE), n(VOID + "Dataset")),
        ox.Triple(me, n("http://purl.org/dc/terms/title"), ox.Literal("Studies", language="en")),
        ox.Triple(me, n(VOID + "triples"), count(row.get("triples"))),
        ox.Triple(me, n(VOID + "distinctSubjects"), count(row.get("subjects"))),
        ox.Triple(me, n(VOID + "sparqlEndpoint"), n(ctx.config.link("sparql"))),
        ox.Triple(me, n(VOID + "dataDump"), n(ctx.config.link(catalog.DUMP_PATH))),
        ox.Triple(me, n(VOID + "uriSpace"), ox.Literal(ctx.config.base_uri)),
        ox.Triple(me, n(VOID + "rootResource"), n(ctx.config.link("catalog"))),
        ox.Triple(me, n("http://xmlns.com/foaf/0.1/homepage"), n(ctx.config.public_url)),
    ]
    return cached(request, rdf.write(found, form), form.media_type, await last_change(ctx),
                  {"Vary": "Accept"})


async def sitemap(request: Request, ctx: ServeContext) -> Response:
    """``/sitemap.xml``: every study page; a sitemap index of ``/sitemap-N.xml`` files when
    there are more than 50,000."""
    total = _int(((await ctx.reader.select(_STUDIES)).rows or [{}])[0].get("n"))
    if total > SITEMAP_LIMIT:
        parts = -(-total // SITEMAP_LIMIT)
        entries = "".join(f"<sitemap><loc>{escape(ctx.config.link(f'sitemap-{i}.xml'))}</loc>"
                          "</sitemap>\n" for i in range(1, parts + 1))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                '"http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n")
        return cached(request, body.encode(), "application/xml", await last_change(ctx))
    return await _sitemap_part(request, ctx, 1)


async def sitemap_part(request: Request, ctx: ServeContext) -> Response:
    raw = request.path_params["n"]
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        return PlainTextResponse("no such sitemap", status_code=404)
    return await _sitemap_part(request, ctx, int(raw))


async def _sitemap_part(request: Request, ctx: ServeContext, part: int) -> Response:
    query = _STUDY_PAGE.replace("{limit}", str(SITEMAP_LIMIT)).replace(
        "{offset}", str((part - 1) * SITEMAP_LIMIT))
    rows = (await ctx.reader.select(query)).rows
    if not rows and part > 1:
        return PlainTextResponse("no such sitemap", status_code=404)
    urls = "".join(f"<url><loc>{escape(page_for(ctx, str(r['d'])))}</loc></url>\n" for r in rows)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            '"http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")
    return cached(request, body.encode(), "application/xml", await last_change(ctx))


async def robots(request: Request, ctx: ServeContext) -> Response:
    text = ("User-agent: *\nDisallow: /sparql\nDisallow: /query\nDisallow: /graph-store\n"
            f"Sitemap: {ctx.config.link('sitemap.xml')}\n")
    return PlainTextResponse(text)
