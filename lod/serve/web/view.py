"""Reading a small described graph for pages: labels, values, links to the server's pages.

It works on pyoxigraph's terms as the store hands them back: converting each looked-up term
to rdflib's took a third of a study page's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from lod.serve.context import ServeContext
from lod.serve.links import Links

Subject = ox.NamedNode | ox.BlankNode


class Vocabulary:
    """IRIs in one namespace as attributes (``SCHEMA.name``), each made once."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        term = ox.NamedNode(self.base + name)
        setattr(self, name, term)
        return term

    def __str__(self) -> str:
        return self.base


SCHEMA = Vocabulary("https://schema.org/")
DCT = Vocabulary("http://purl.org/dc/terms/")
DCAT = Vocabulary("http://www.w3.org/ns/dcat#")
FOAF = Vocabulary("http://xmlns.com/foaf/0.1/")
SKOS = Vocabulary("http://www.w3.org/2004/02/skos/core#")
RDF = Vocabulary("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Vocabulary("http://www.w3.org/2000/01/rdf-schema#")
OWL = Vocabulary("http://www.w3.org/2002/07/owl#")
ADMS = Vocabulary("http://www.w3.org/ns/adms#")
XSD = Vocabulary("http://www.w3.org/2001/XMLSchema#")
LOD = Vocabulary("https://w3id.org/lod-studies/vocab#")
LABELS = (SCHEMA.name, DCT.title, FOAF.name, SKOS.prefLabel, RDFS.label)


class DescribedGraph:
    """The one lookup pages make on a described graph: the objects of a subject and
    predicate, and its size in distinct triples."""

    def __init__(self, objects: Mapping[tuple[Any, ox.NamedNode], list[Any]], size: int) -> None:
        self._objects = objects
        self._size = size

    @classmethod
    def of(cls, found: Iterable[ox.Triple]) -> DescribedGraph:
        objects: dict[tuple[Any, ox.NamedNode], list[Any]] = {}
        distinct = dict.fromkeys(found)  # a graph and a node's graph may share a triple
        for t in distinct:
            objects.setdefault((t.subject, t.predicate), []).append(t.object)
        return cls(objects, len(distinct))

    def objects(self, node: object, predicate: ox.NamedNode) -> list[Any]:
        return self._objects.get((node, predicate), [])

    def has(self, node: object, predicate: ox.NamedNode, value: object) -> bool:
        return value in self.objects(node, predicate)

    def __len__(self) -> int:
        return self._size


def graph_of(found: Iterable[ox.Triple]) -> DescribedGraph:
    """pyoxigraph triples, ready for the lookups pages make."""
    return DescribedGraph.of(found)


def _rank(value: ox.Literal) -> tuple[int, str]:
    return (0 if value.language in (None, "en") else 1, value.value)


@dataclass(frozen=True)
class Described:
    """One graph and where the server's pages are, for turning nodes into text and links."""

    graph: DescribedGraph
    links: Links

    def literals(self, node: object, predicate: ox.NamedNode) -> list[ox.Literal]:
        return [o for o in self.graph.objects(node, predicate) if isinstance(o, ox.Literal)]

    def texts(self, node: object, *predicates: ox.NamedNode) -> list[str]:
        """Literal values of the first predicate that has any, English (or untagged) first,
        without repeats."""
        for predicate in predicates:
            found = self.literals(node, predicate)
            if found:
                return list(dict.fromkeys(o.value for o in sorted(found, key=_rank)))
        return []

    def text(self, node: object, *predicates: ox.NamedNode) -> str | None:
        found = self.texts(node, *predicates)
        return found[0] if found else None

    def nodes(self, node: object, *predicates: ox.NamedNode) -> list[ox.NamedNode]:
        """IRI values of all the predicates, in a stable order, without repeats."""
        found: dict[ox.NamedNode, None] = {}
        for predicate in predicates:
            iris = [o for o in self.graph.objects(node, predicate) if isinstance(o, ox.NamedNode)]
            for o in sorted(iris, key=lambda n: n.value):
                found.setdefault(o, None)
        return list(found)

    def label(self, node: ox.NamedNode) -> str:
        return self.text(node, *LABELS) or node.value

    def link(self, node: ox.NamedNode) -> str:
        return self.links.page_for(node.value)

    def item(self, node: ox.NamedNode) -> dict[str, str]:
        """A node as a page link: its label and where to read about it."""
        return {"label": self.label(node), "href": self.link(node), "iri": node.value}


def page_for(ctx: ServeContext, iri: str) -> str:
    """Where the server describes ``iri`` (:meth:`lod.serve.links.Links.page_for`)."""
    return ctx.config.links.page_for(iri)
