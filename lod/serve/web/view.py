"""Reading a small described graph for pages: labels, values, links to the server's pages."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.term import Node

from lod.serve.context import ServeContext
from lod.store.terms import from_ox
from lod.transforms.codes import EU_COUNTRY

SCHEMA = rdflib.Namespace("https://schema.org/")
DCT = rdflib.DCTERMS
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
FOAF = rdflib.FOAF
SKOS = rdflib.SKOS
LOD = rdflib.Namespace("https://w3id.org/lod-studies/vocab#")
LABELS = (SCHEMA.name, DCT.title, FOAF.name, SKOS.prefLabel, rdflib.RDFS.label)


def graph_of(found: list[ox.Triple]) -> rdflib.Graph:
    """pyoxigraph triples as a small rdflib graph (pages read it; it is never the hot path)."""
    graph = rdflib.Graph()
    for t in found:  # term by term: re-parsing N-Triples in rdflib took most of a page's time
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph


def _rank(value: Literal) -> int:
    return 0 if value.language in (None, "en") else 1


@dataclass(frozen=True)
class Described:
    """One graph and the server's settings, for turning nodes into text and links."""

    graph: rdflib.Graph
    ctx: ServeContext

    def texts(self, node: Node, *predicates: URIRef) -> list[str]:
        """Literal values of the first predicate that has any, English (or untagged) first,
        without repeats."""
        for predicate in predicates:
            found = sorted((o for o in self.graph.objects(node, predicate) if isinstance(o, Literal)),
                           key=lambda o: (_rank(o), str(o)))
            if found:
                return list(dict.fromkeys(str(o) for o in found))
        return []

    def text(self, node: Node, *predicates: URIRef) -> str | None:
        found = self.texts(node, *predicates)
        return found[0] if found else None

    def nodes(self, node: Node, *predicates: URIRef) -> list[URIRef]:
        """IRI values of all the predicates, in a stable order, without repeats."""
        found: dict[URIRef, None] = {}
        for predicate in predicates:
            for o in sorted(o for o in self.graph.objects(node, predicate) if isinstance(o, URIRef)):
                found.setdefault(o, None)
        return list(found)

    def label(self, node: Node) -> str:
        return self.text(node, *LABELS) or str(node)

    def link(self, node: Node) -> str:
        return page_for(self.ctx, str(node))

    def item(self, node: URIRef) -> dict[str, str]:
        """A node as a page link: its label and where to read about it."""
        return {"label": self.label(node), "href": self.link(node), "iri": str(node)}


def page_for(ctx: ServeContext, iri: str) -> str:
    """Where the server describes ``iri``: ``/id/…`` for what lod minted, ``/country/XXX`` for
    an EU country; any other IRI is its own link."""
    base = ctx.config.base_uri
    if iri.startswith(base) and len(iri) > len(base) and "#" not in iri:
        return ctx.config.link("id/" + iri[len(base):])
    if iri.startswith(EU_COUNTRY) and len(iri) == len(EU_COUNTRY) + 3:
        return ctx.config.link("country/" + iri[len(EU_COUNTRY):])
    return iri
