"""The HTML pages: home (facets, search box, studies per decade), study pages, and the pages of
organisations, keywords, places, countries and catalogues listing their studies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from lod.serve.context import ServeContext
from lod.serve.web import study
from lod.serve.web.templating import render_text
from lod.serve.web.view import DCT, FOAF, LOD, RDF, SCHEMA, SKOS, Described, graph_of, page_for
from lod.store.facets import GRAPHS

FACET_ROWS = 15
MAX_SEARCH = 200
_PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX lod: <https://w3id.org/lod-studies/vocab#>
"""
# The facet graphs carry their nodes' names (lod.store.facets), so the label is read there.
_LABEL = "OPTIONAL { ?node lod:name ?label }"
_FACET = _PREFIXES + ("SELECT ?node ?n (SAMPLE(?label) AS ?name) WHERE { GRAPH ?g { ?node "
                      "lod:studyCount ?n " + _LABEL + " } } GROUP BY ?node ?n "
                      f"ORDER BY DESC(?n) STR(?node) LIMIT {FACET_ROWS}")
_DECADES = _PREFIXES + ("SELECT ?start ?n WHERE { GRAPH ?g { ?d lod:startYear ?start ; "
                        "lod:studyCount ?n } } ORDER BY ?start")
_COUNTS = _PREFIXES + """SELECT ?studies ?catalogues WHERE {
  OPTIONAL { GRAPH <urn:lod:facets> { <urn:lod:facets> lod:studyCount ?studies } }
  { SELECT (COUNT(?c) AS ?catalogues) WHERE { GRAPH <urn:lod:facets:catalogues> {
      ?c lod:studyCount ?k } } } }"""
_STUDIES_OF = _PREFIXES + """SELECT ?study (SAMPLE(?t) AS ?title) WHERE {
  GRAPH ?study { ?study a dcat:Dataset ; ?p ?node . OPTIONAL { ?study dct:title ?t } } }
  GROUP BY ?study ORDER BY STR(?study) LIMIT {limit} OFFSET {offset}"""
_COUNT_OF = _PREFIXES + """SELECT (COUNT(DISTINCT ?study) AS ?n) WHERE {
  GRAPH ?study { ?study a dcat:Dataset ; ?p ?node } }"""
_SEARCH = _PREFIXES + """SELECT ?study (SAMPLE(?t) AS ?title) WHERE {
  GRAPH ?study { ?study a dcat:Dataset ; dct:title ?t . OPTIONAL { ?study dcat:keyword ?k } }
  FILTER(CONTAINS(LCASE(STR(?t)), ?q) || CONTAINS(LCASE(STR(?k)), ?q)) }
  GROUP BY ?study ORDER BY STR(?study) LIMIT {limit} OFFSET {offset}"""


def render(ctx: ServeContext, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(render_text(ctx.config.links, name, **values), status_code=status)


@dataclass(frozen=True)
class Paging:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def paging(request: Request, size: int) -> Paging:
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
    return Paging(page, size)


def _int(value: object) -> int:
    return int(value) if isinstance(value, Literal) else 0


async def home(request: Request, ctx: ServeContext) -> Response:
    reader = ctx.reader
    counts = (await reader.select(_COUNTS)).rows
    row = counts[0] if counts else {}
    facets = {}
    for name in ("sponsors", "keywords", "countries", "catalogues"):
        rows = (await reader.select(_FACET, {"g": URIRef(GRAPHS[name])})).rows
        facets[name] = [{"label": str(r.get("name") or r["node"]), "count": _int(r.get("n")),
                         "href": page_for(ctx, str(r["node"]))} for r in rows]
    decades = [{"label": f"{_int(r.get('start'))}s", "count": _int(r.get("n"))}
               for r in (await reader.select(_DECADES, {"g": URIRef(GRAPHS["decades"])})).rows]
    return render(ctx, "home.html", studies=_int(row.get("studies")),
                  catalogues=_int(row.get("catalogues")), facets=facets,
                  chart=decade_chart(decades))


def decade_chart(decades: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the inline SVG of studies per decade."""
    top = max((d["count"] for d in decades), default=0) or 1
    width, height, bar = 40, 120, 32
    bars = [{"x": i * width, "h": round(d["count"] / top * height), "y": height - round(
        d["count"] / top * height), "w": bar, **d} for i, d in enumerate(decades)]
    return {"bars": bars, "width": max(width * len(decades), width), "height": height + 30}


async def studies_of(ctx: ServeContext, node: str, page: Paging) -> tuple[list[dict[str, str]], int]:
    """The studies naming ``node`` in any property, one page, and how many there are."""
    query = _STUDIES_OF.replace("{limit}", str(page.size)).replace("{offset}", str(page.offset))
    rows = (await ctx.reader.select(query, {"node": URIRef(node)})).rows
    total = _int(((await ctx.reader.select(_COUNT_OF, {"node": URIRef(node)})).rows or [{}])[0]
                 .get("n"))
    return [{"label": str(r.get("title") or r["study"]), "href": page_for(ctx, str(r["study"]))}
            for r in rows], total


async def search(request: Request, ctx: ServeContext) -> Response:
    """Studies whose title or a keyword contains ``q``, any case (the value is bound)."""
    q = " ".join(request.query_params.get("q", "").split())[:MAX_SEARCH]
    page = paging(request, ctx.config.page_size)
    found: list[dict[str, str]] = []
    more = False
    if q:
        query = _SEARCH.replace("{limit}", str(page.size + 1)).replace("{offset}", str(page.offset))
        rows = (await ctx.reader.select(query, {"q": Literal(q.lower())})).rows
        more = len(rows) > page.size
        found = [{"label": str(r.get("title") or r["study"]), "href": page_for(ctx, str(r["study"]))}
                 for r in rows[: page.size]]
    return render(ctx, "search.html", q=q, found=found, page=page.page, more=more)


async def study_page(ctx: ServeContext, iri: str, path: str, found: list[ox.Triple]) -> Response:
    return HTMLResponse(study.study_html(graph_of(found), iri, path, ctx.config.links))


async def node_page(request: Request, ctx: ServeContext, iri: str, path: str | None,
                    found: list[ox.Triple]) -> Response:
    """An organisation, keyword, place, country or catalogue, with its studies, paged."""
    view = Described(graph_of(found), ctx.config.links)
    node = ox.NamedNode(iri)
    page = paging(request, ctx.config.page_size)
    studies, total = await studies_of(ctx, iri, page)
    kinds = sorted(view.label(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
                   for t in view.nodes(node, RDF.type))
    return render(ctx, "node.html", title=view.label(node), iri=iri, kinds=kinds,
                  description=view.text(node, DCT.description, SCHEMA.description),
                  homepage=[n.value for n in view.nodes(node, FOAF.homepage, SCHEMA.url)],
                  alt=view.texts(node, SKOS.altLabel), studies=studies, total=total,
                  page=page.page, pages=max(1, -(-total // page.size)),
                  forms=study.forms(ctx.config.links, path) if path else [], lod=str(LOD))
