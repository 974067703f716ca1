"""Splitting a page into datasets: each dataset is its node plus the closure of the nodes it
reaches (publisher, contact points, distributions, periods, places…), never another dataset
or the page's catalogue and paging nodes. Blank nodes are skolemised deterministically (from
their content and their dataset), so an unchanged dataset always yields the same lines.

This is the hot path of a harvest, so it works on the N-Triples lines pyoxigraph writes
(subject, predicate and the rest split at the first two spaces, which N-Triples puts only
there), not on term objects: a re-harvest of unchanged data costs little more than a parse
and a hash per dataset."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from lod.harvest.vocab import CATALOG, DATASET, DCT, HAS_DATASET, HYDRA, RDF_TYPE

_TYPE = f"<{RDF_TYPE}>"
_DATASET = f"<{DATASET}>"
_CATALOG = f"<{CATALOG}>"
_HAS_DATASET = f"<{HAS_DATASET}>"
_HYDRA = f"<{HYDRA}"
_IDENTIFIER = f"<{DCT}identifier>"

Line = tuple[str, str, str]  # subject, predicate, object, each in N-Triples syntax


@dataclass
class Found:
    """One dataset of a page, skolemised: its IRI and its N-Triples statements (no dot)."""

    iri: str
    statements: list[str]
    catalogues: list[str] = field(default_factory=list)  # the page's catalogues listing it


@dataclass
class Rejection:
    where: str
    reason: str


@dataclass
class Split:
    datasets: list[Found]
    rejected: list[Rejection]
    catalogues: dict[str, list[Line]]  # the page's catalogue nodes (IRIs), their own lines


def lines_of(ntriples: bytes) -> list[Line]:
    """N-Triples split into terms, each distinct triple once."""
    return [line_of(line[:-2]) for line in dict.fromkeys(ntriples.decode("utf-8").splitlines())]


def line_of(statement: str) -> Line:
    """A statement (an N-Triples line without its final " .") split into its three terms."""
    s, p, o = statement.split(" ", 2)
    return s, p, o


def is_iri(term: str) -> bool:
    """Whether an N-Triples term is an IRI (not a literal, blank node or quoted triple)."""
    return term[0] == "<" and term[1:2] != "<"


def literal_value(term: str) -> str:
    """The lexical value of an N-Triples literal."""
    if term.startswith('"') and "\\" not in term:
        return term[1:term.rindex('"')]
    triple = next(iter(ox.parse(f"<urn:x> <urn:x> {term} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return str(triple.object.value)


def split(lines: list[Line], *, source: str, base_uri: str, page_url: str) -> Split:
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in lines:
        by_subject[s].append((p, o))
    catalogues: set[str] = set()
    paging: set[str] = set()
    datasets: dict[str, None] = {}
    for s, p, o in lines:
        if p == _TYPE:
            if o == _DATASET:
                datasets[s] = None
            elif o == _CATALOG:
                catalogues.add(s)
        elif p.startswith(_HYDRA):
            paging.add(s)
    # The page's own catalogue carries the paging (hydra:view, hydra:totalItems); a catalogue
    # node inside a dataset's description (lod's own catalogues) is data like any other node.
    # A page with no paging at all is one catalogue listing its datasets.
    catalogues = {c for c in catalogues if c in paging} or catalogues
    listed_by: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for s, p, o in lines:
        if p == _HAS_DATASET and o[0] in "<_":
            datasets.setdefault(o, None)
            if s in catalogues and s[0] == "<":
                listed_by[o].append(s[1:-1])
            else:  # a catalogue named in the dataset's own data (e.g. lod's catalogue nodes)
                incoming[o].append(f"{s} {p} {o}")
    stop = set(datasets) | catalogues | paging
    out = Split([], [], {c[1:-1]: [(c, p, o) for p, o in by_subject[c]]
                         for c in catalogues if c[0] == "<"})
    for node in datasets:
        if node not in by_subject:
            out.rejected.append(Rejection(page_url, f"dataset {node} is listed but not described"))
            continue
        if node[0] == "_":
            ident = next((literal_value(o) for p, o in by_subject[node]
                          if p == _IDENTIFIER and o[0] == '"'), None)
            if ident is None:
                out.rejected.append(Rejection(page_url, "a blank-node dataset without "
                                              "dct:identifier cannot be given a stable IRI"))
                continue
            digest = hashlib.sha256(f"{source}\n{ident}".encode()).hexdigest()[:24]
            iri = f"{base_uri}harvested/{digest}"
        else:
            iri = node[1:-1]
        closure = _closure(by_subject, node, stop)
        statements = skolemise(closure, node, iri) + incoming.get(node, [])
        out.datasets.append(Found(iri, statements, listed_by.get(node, [])))
    return out


def _closure(by_subject: dict[str, list[tuple[str, str]]], start: str, stop: set[str]) -> list[Line]:
    seen = {start}
    todo = [start]
    out: list[Line] = []
    while todo:
        node = todo.pop()
        for p, o in by_subject[node]:
            if node != start and (p == _HAS_DATASET or o in stop):
                continue  # a catalogue's links to its datasets, another dataset: not ours
            out.append((node, p, o))
            if o[0] in "<_" and o not in seen and o not in stop and o in by_subject:
                seen.add(o)
                todo.append(o)
    return out


def skolemise(lines: list[Line], node: str, iri: str) -> list[str]:
    """Statements with the dataset node as ``<iri>`` and every blank node replaced by an IRI
    made from a hash of its content (nested blank nodes by theirs) and the dataset IRI."""
    blank = {s for s, _, _ in lines if s[0] == "_"} | {o for _, _, o in lines if o[0] == "_"}
    if not blank and node[0] == "<":
        return [f"{s} {p} {o}" for s, p, o in lines]
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in lines:
        if s[0] == "_":
            by_subject[s].append((p, o))
    names: dict[str, str] = {node: f"<{iri}>"}
    prefix = iri.split("#")[0] + "#genid-"

    def name(b: str, busy: frozenset[str]) -> str:
        if b in names:
            return names[b]
        if b in busy:
            return "cycle"
        parts = sorted(f"{p} {name(o, busy | {b}) if o[0] == '_' else o}" for p, o in by_subject[b])
        digest = hashlib.sha256("\n".join([iri, *parts]).encode()).hexdigest()[:24]
        names[b] = f"<{prefix}{digest}>"
        return names[b]

    def term(x: str) -> str:
        return name(x, frozenset()) if x[0] == "_" or x == node else x

    return [f"{term(s)} {p} {term(o)}" for s, p, o in lines]


__all__ = ["Found", "Line", "Rejection", "Split", "is_iri", "line_of", "lines_of", "literal_value",
           "skolemise", "split"]
