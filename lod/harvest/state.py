"""What a source told lod last time, for the next run: each page's ``ETag`` (sent back as
``If-None-Match``), where it led and which datasets it held (so a ``304 Not Modified`` page
still counts its datasets and leads on), and whether the source advertises ``modified_since``.

It is kept in one small graph per source, ``urn:lod:harvest-state:<hash of the source URL>``,
and rewritten only when it changed: a re-harvest of an unchanged source writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from lod.harvest.vocab import LOD
from lod.store import Store

_STATE = LOD + "harvestState"
_PAGE = LOD + "harvestPage"
_URL = LOD + "pageUrl"
_ETAG = LOD + "etag"
_NEXT = LOD + "nextPage"
_HOLDS = LOD + "pageDataset"
_SINCE = LOD + "acceptsModifiedSince"

_READ = """SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"""


def graph_name(source: str) -> str:
    return "urn:lod:harvest-state:" + hashlib.sha256(source.encode()).hexdigest()[:32]


@dataclass
class PageState:
    etag: str
    next_url: str | None
    datasets: list[str] = field(default_factory=list)


@dataclass
class SourceState:
    source: str
    pages: dict[str, PageState] = field(default_factory=dict)
    modified_since: bool = False

    def quads(self) -> list[ox.Quad]:
        g = ox.NamedNode(graph_name(self.source))
        node = ox.NamedNode(graph_name(self.source))
        out = [ox.Quad(node, ox.NamedNode(_STATE), ox.NamedNode(self.source), g)]
        if self.modified_since:
            out.append(ox.Quad(node, ox.NamedNode(_SINCE), ox.Literal("true", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#boolean")), g))
        for url in sorted(self.pages):
            page = self.pages[url]
            digest = hashlib.sha256(url.encode()).hexdigest()[:24]
            p = ox.NamedNode(f"{graph_name(self.source)}:page:{digest}")
            out.append(ox.Quad(node, ox.NamedNode(_PAGE), p, g))
            out.append(ox.Quad(p, ox.NamedNode(_URL), ox.Literal(url), g))
            out.append(ox.Quad(p, ox.NamedNode(_ETAG), ox.Literal(page.etag), g))
            if page.next_url:
                out.append(ox.Quad(p, ox.NamedNode(_NEXT), ox.Literal(page.next_url), g))
            out.extend(ox.Quad(p, ox.NamedNode(_HOLDS), ox.NamedNode(d), g) for d in sorted(page.datasets))
        return out

    def text(self) -> bytes:
        text = ox.serialize(self.quads(), format=ox.RdfFormat.N_QUADS) or b""
        return b"".join(sorted(text.splitlines(True)))


def read(store: Store, source: str) -> SourceState:
    state = SourceState(source)
    rows = store.select(_READ, {"g": URIRef(graph_name(source))}).rows
    pages: dict[str, dict[str, object]] = {}
    for row in rows:
        s, p, o = str(row["s"]), str(row["p"]), str(row["o"])
        if p == _SINCE:
            state.modified_since = o == "true"
        elif p in (_URL, _ETAG, _NEXT):
            pages.setdefault(s, {"datasets": []})[p] = o
        elif p == _HOLDS:
            pages.setdefault(s, {"datasets": []})["datasets"].append(o)  # type: ignore[attr-defined]
    for info in pages.values():
        if _URL in info and _ETAG in info:
            state.pages[str(info[_URL])] = PageState(str(info[_ETAG]),
                                                     str(info[_NEXT]) if _NEXT in info else None,
                                                     list(info["datasets"]))  # type: ignore[call-overload]
    return state


def write_if_changed(store: Store, old: SourceState, new: SourceState) -> bool:
    if old.text() == new.text():
        return False
    store.replace_graphs(ox.serialize(new.quads(), format=ox.RdfFormat.N_QUADS) or b"",
                         [graph_name(new.source)])
    return True


__all__ = ["PageState", "SourceState", "graph_name", "read",
           "write_if_changed"]
