"""Reading a small described graph for pages: labels, values, links to the server's pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from lod.serve.context import ServeContext
from lod.store.terms import from_ox, to_ox
from lod.transforms.codes import EU_COUNTRY

SCHEMA = rdflib.Namespace("https://schema.org/")
DCT = rdflib.DCTERMS
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
FOAF = rdflib.FOAF
SKOS = rdflib.SKOS
LOD = rdflib.Namespace("https://w3id.org/lod-studies/vocab#")
LABELS = (SCHEMA.name, DCT.title, FOAF.name, SKOS.prefLabel, rdflib.RDFS.label)


class DescribedGraph:
    """The one lookup pages make on a described graph, the objects of a subject and
    predicate, over pyoxigraph triples: building an rdflib ``Graph`` of them took half of a
    study page's time. Terms come out as rdflib terms, converted when looked up."""

    def __init__(self, found: list[ox.Triple]) -> None:
        self._objects: dict[tuple[object, ox.NamedNode], list[object]] = {}
        distinct = dict.fromkeys(found)
        for t in distinct:
            self._objects.setdefault((t.subject, t.predicate), []).append(t.object)
        self._size = len(distinct)

    def objects(self, node: Node, predicate: URIRef) -> Iterator[Identifier]:
        if not isinstance(node, URIRef | BNode):
            return iter(())
        key = (to_ox(node), ox.NamedNode(str(predicate)))
        return (from_ox(o) for o in self._objects.get(key, ()))

    def __contains__(self, triple: tuple[Node, URIRef, Node]) -> bool:
        node, predicate, value = triple
        return value in set(self.objects(node, predicate))

    def __len__(self) -> int:
        return self._size


def graph_of(found: list[ox.Triple]) -> DescribedGraph:
    """pyoxigraph triples, ready for the lookups pages make."""
    return DescribedGraph(found)


def _rank(value: Literal) -> int:
    return 0 if value.language in (None, "en") else 1


@dataclass(frozen=True)
class Described:
    """One graph and the server's settings, for turning nodes into text and links."""

    graph: DescribedGraph
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
