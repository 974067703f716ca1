"""Splitting a page into datasets: each dataset is its node plus the closure of the nodes it
reaches (publisher, contact points, distributions, periods, places…), never another dataset
or the page's catalogue and paging nodes. Blank nodes are skolemised deterministically (from
their content and their dataset), so an unchanged dataset always yields the same triples."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .vocab import CATALOG, DATASET, HAS_DATASET, HYDRA, RDF_TYPE

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode


@dataclass
class Found:
    """One dataset of a page, its triples already skolemised (subject is always an IRI)."""

    iri: str
    triples: list[ox.Triple]
    catalogues: list[str] = field(default_factory=list)  # the page's catalogues listing it


@dataclass
class Rejection:
    where: str
    reason: str


@dataclass
class Split:
    datasets: list[Found]
    rejected: list[Rejection]
    catalogues: dict[str, list[ox.Triple]]  # the page's catalogue nodes, their own triples


class PageIndex:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by_subject: dict[Subject, list[ox.Triple]] = defaultdict(list)
        for t in triples:
            self.by_subject[t.subject].append(t)  # type: ignore[index]

    def types(self, node: Subject) -> set[str]:
        return {str(t.object.value) for t in self.by_subject.get(node, ())
                if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)}


def split(triples: list[ox.Triple], *, source: str, base_uri: str, page_url: str) -> Split:
    index = PageIndex(triples)
    catalogues = {s for s in index.by_subject if CATALOG in index.types(s)}
    paging = {s for s in index.by_subject
              if any(t.predicate.value.startswith(HYDRA) for t in index.by_subject[s])}
    datasets: dict[Subject, None] = {}
    for s in index.by_subject:
        if DATASET in index.types(s):
            datasets[s] = None
    listed_by: dict[Subject, list[str]] = defaultdict(list)
    incoming: dict[Subject, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == HAS_DATASET and isinstance(t.object, ox.NamedNode | ox.BlankNode):
            datasets.setdefault(t.object, None)
            if t.subject in catalogues and isinstance(t.subject, ox.NamedNode):
                listed_by[t.object].append(t.subject.value)
            else:  # a catalogue named in the dataset's own data (e.g. lod's catalogue nodes)
                incoming[t.object].append(t)
    stop = set(datasets) | catalogues | paging
    out = Split([], [], {c.value: index.by_subject[c] for c in catalogues
                         if isinstance(c, ox.NamedNode)})
    for node in datasets:
        if node not in index.by_subject:
            out.rejected.append(Rejection(page_url, f"dataset {node} is listed but not described"))
            continue
        if isinstance(node, ox.BlankNode):
            ident = _identifier(index, node)
            if ident is None:
                out.rejected.append(Rejection(page_url, "a blank-node dataset without "
                                              "dct:identifier cannot be given a stable IRI"))
                continue
            digest = hashlib.sha256(f"{source}\n{ident}".encode()).hexdigest()[:24]
            iri = ox.NamedNode(f"{base_uri}harvested/{digest}")
        else:
            iri = node
        closure = _closure(index, node, stop - {node})
        closure.extend(incoming.get(node, ()))
        out.datasets.append(Found(iri.value, skolemise(closure, node, iri), listed_by.get(node, [])))
    return out


def _identifier(index: PageIndex, node: Subject) -> str | None:
    for t in index.by_subject.get(node, ()):
        if t.predicate.value == "http://purl.org/dc/terms/identifier" and isinstance(t.object, ox.Literal):
            return t.object.value
    return None


def _closure(index: PageIndex, start: Subject, stop: set[Subject]) -> list[ox.Triple]:
    seen = {start}
    todo = [start]
    out: list[ox.Triple] = []
    while todo:
        node = todo.pop()
        for t in index.by_subject.get(node, ()):
            if node != start and (t.predicate.value == HAS_DATASET or t.object in stop):
                continue  # a catalogue's links to its datasets, another dataset: not ours
            out.append(t)
            o = t.object
            if isinstance(o, ox.NamedNode | ox.BlankNode) and o not in seen and o not in stop \
                    and o in index.by_subject:
                seen.add(o)
                todo.append(o)
    return out


def skolemise(triples: list[ox.Triple], node: Subject, iri: ox.NamedNode) -> list[ox.Triple]:
    """Replace the dataset node by ``iri`` and every blank node by an IRI made from a hash of
    its content (nested blank nodes by theirs) and the dataset IRI."""
    by_subject: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            by_subject[t.subject].append(t)
    if not by_subject and isinstance(node, ox.NamedNode):
        return triples
    names: dict[ox.BlankNode, str] = {}
    prefix = iri.value.split("#")[0] + "#genid-"

    def name(b: ox.BlankNode, busy: frozenset[ox.BlankNode]) -> str:
        if b in names:
            return names[b]
        if b in busy:
            return "cycle"
        lines = sorted(f"{t.predicate} "
                       f"{name(t.object, busy | {b}) if isinstance(t.object, ox.BlankNode) else t.object}"
                       for t in by_subject.get(b, ()))
        digest = hashlib.sha256("\n".join([iri.value, *lines]).encode()).hexdigest()[:24]
        names[b] = digest
        return digest

    def term(x: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> ox.NamedNode | ox.Literal:
        if x == node:
            return iri
        if isinstance(x, ox.BlankNode):
            return ox.NamedNode(prefix + name(x, frozenset()))
        assert isinstance(x, ox.NamedNode | ox.Literal)
        return x

    out = []
    for t in triples:
        s = term(t.subject)
        assert isinstance(s, ox.NamedNode)
        out.append(ox.Triple(s, t.predicate, term(t.object)))
    return out


__all__ = ["Found", "PageIndex", "Rejection", "Split", "skolemise", "split"]
