"""What the server says about one IRI, read through ``ctx.reader``: a study's graph with
the nodes it reaches, or another node's own description."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from lod.serve.context import ServeContext
from lod.serve.web import catalog, rdf

_IS_STUDY = "ASK { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }"
_NODE = """CONSTRUCT { ?s ?p ?o } WHERE {
  { GRAPH ?g { ?x ?p ?o } BIND(?x AS ?s) } UNION { GRAPH ?x { ?s ?p ?o } } }"""


async def is_study(ctx: ServeContext, iri: str) -> bool:
    return await ctx.reader.ask(_IS_STUDY, {"d": URIRef(iri)})


async def study(ctx: ServeContext, iri: str) -> list[ox.Triple]:
    """A study's named graph and the graphs of the nodes it reaches, as the feed has it."""
    return await catalog.dataset_triples(ctx, iri)


async def node(ctx: ServeContext, iri: str) -> list[ox.Triple]:
    """Every triple about ``iri`` in any graph, and its own graph if it has one."""
    return rdf.triples(await ctx.reader.construct(_NODE, {"x": URIRef(iri)}))


async def describe(ctx: ServeContext, iri: str, *, not_a_study: bool = False
                   ) -> tuple[bool, list[ox.Triple]]:
    """(whether ``iri`` is a study, its description); an empty one means unknown.
    ``not_a_study``: the reader has already said so (its :meth:`content` answered empty)."""
    if not_a_study:
        return False, await node(ctx, iri)
    direct = await ctx.reader.content([iri], datasets_only=True)
    if direct:  # a study, read by lookups in one job (lod.serve.content)
        return True, rdf.triples(direct)
    if direct is None and await is_study(ctx, iri):
        return True, await study(ctx, iri)
    return False, await node(ctx, iri)
