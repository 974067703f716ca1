"""Deleting studies: by source id (``ukds/851986``, found through ``dct:identifier``) or by IRI.

A study is its named graph, so deleting it drops that graph. The shared nodes it linked to
(organisations, keywords, places, catalogues) stay as long as anything else links to them; the
ones nothing links to any more are dropped too, so loading and then deleting the same studies
leaves the store as it was. Other studies are never touched, parts of a deleted study included
(they are studies of their own). The facet summary is marked stale first and rebuilt last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from lod.store import Store, facets

_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|urn:)\S+$")
_PREFIXES = """PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""
_BY_ID = _PREFIXES + "SELECT DISTINCT ?study WHERE { ?study dct:identifier ?id . ?study a dcat:Dataset }"
_LINKS = "SELECT DISTINCT ?node WHERE { GRAPH ?g { ?s ?p ?node } FILTER(isIRI(?node)) }"
_LINKED = "ASK { GRAPH ?h { ?s ?p ?node } FILTER(?h != ?node) }"
_IS_STUDY = _PREFIXES + "ASK { ?node a dcat:Dataset }"


@dataclass
class DeleteReport:
    deleted: list[str] = field(default_factory=list)  # study IRIs whose graphs were dropped
    missing: list[str] = field(default_factory=list)  # ids or IRIs with no study graph
    orphans: list[str] = field(default_factory=list)  # shared nodes nothing links to any more
    facets: facets.Summary | None = None


def resolve(store: Store, spec: str) -> list[str]:
    """The study IRIs ``spec`` names: an IRI as it is, else the studies with that identifier."""
    found = [str(row["study"]) for row in store.select(_BY_ID, {"id": Literal(spec)}).rows
             if isinstance(row.get("study"), URIRef)]
    if not found and _IRI.match(spec):
        found = [spec]
    return found


def delete(store: Store, specs: Sequence[str]) -> DeleteReport:
    """Delete the studies ``specs`` name, drop shared nodes left unlinked, refresh facets."""
    report = DeleteReport()
    targets: list[str] = []
    for spec in specs:
        iris = [iri for iri in resolve(store, spec) if store.has_graph(iri)]
        if iris:
            targets.extend(i for i in iris if i not in targets)
        else:
            report.missing.append(spec)
    if not targets:
        return report
    facets.mark_stale(store)
    candidates = _links(store, targets)
    store.delete_graphs(targets)
    report.deleted = targets
    report.orphans = _drop_orphans(store, candidates - set(targets))
    report.facets = facets.refresh(store)
    return report


def _links(store: Store, graphs: Sequence[str]) -> set[str]:
    """IRIs the given graphs link to that name graphs of their own."""
    out: set[str] = set()
    for graph in graphs:
        for row in store.select(_LINKS, {"g": URIRef(graph)}).rows:
            node = row.get("node")
            if isinstance(node, URIRef) and str(node) not in facets.ALL_GRAPHS:
                out.add(str(node))
    return {node for node in out if store.has_graph(node)}


def _drop_orphans(store: Store, candidates: set[str]) -> list[str]:
    """Drop candidate graphs that are not studies and that no other graph links to; then look
    again at what the dropped ones linked to (a place's gazetteer places, a catalogue's
    publisher)."""
    dropped: list[str] = []
    todo = set(candidates)
    while todo:
        orphans = sorted(node for node in todo
                         if not store.ask(_IS_STUDY, {"node": URIRef(node)})
                         and not store.ask(_LINKED, {"node": URIRef(node)}))
        if not orphans:
            break
        todo = _links(store, orphans) - set(orphans) - set(dropped)
        store.delete_graphs(orphans)
        dropped.extend(orphans)
    return dropped


__all__ = ["DeleteReport", "delete", "resolve"]
