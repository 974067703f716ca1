"""What a feed page or a study's ``/id/`` document carries for each dataset, read from an
embedded store by quad lookups instead of SPARQL: the dataset's graph, and the graphs of the
shared nodes it reaches (organisations, keywords, places, catalogues), two steps deep, never
another dataset's graph.

This is :data:`lod.serve.web.catalog.DATASET_CONTENT`, the definition, computed the way
:func:`lod.serve.web.catalog.page_content` does over any SPARQL server, but inside the query
worker in one job: the SPARQL way costs three or four worker round trips and query plans a
study (about 14 ms a study page at 216,000 studies; this takes about 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
STEPS = 2  # shared nodes reached through shared nodes: a catalogue's publisher, a place's country


def is_dataset(store: ox.Store, node: ox.NamedNode) -> bool:
    """Whether ``node`` names a graph in which it is a ``dcat:Dataset`` (a stored study)."""
    return next(iter(store.quads_for_pattern(node, RDF_TYPE, DATASET, node)), None) is not None


#: (subject, predicate) → the objects: what pages look up in a described graph. Subjects and
#: objects are pyoxigraph terms (an RDF-star triple is skipped: lod stores none).
Objects = dict[tuple[object, ox.NamedNode], list[object]]


class SharedGraph:
    """One shared graph as read: its triples (for writing RDF), and the same indexed by
    subject and predicate with the IRIs it names (for a study page's lookups, built on first
    use)."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples
        self._objects: Objects | None = None
        self._reached: set[ox.NamedNode] = set()

    def indexed(self) -> tuple[Objects, set[ox.NamedNode]]:
        if self._objects is None:
            objects: Objects = {}
            for t in self.triples:
                o = t.object
                if isinstance(o, ox.NamedNode):
                    self._reached.add(o)
                elif not isinstance(o, ox.BlankNode | ox.Literal):
                    continue
                objects.setdefault((t.subject, t.predicate), []).append(o)
            self._objects = objects
        return self._objects, self._reached


class SharedGraphs:
    """The shared graphs read so far from one unchanging store: name → its graph, or None
    when the name is no shared graph (no graph, or a dataset's). The same organisations,
    countries and concepts recur on page after page; each costs a lookup once. Bounded: when
    ``limit`` graphs are kept, they are dropped and read again as needed. Names that are no
    shared graph are kept apart, under the same bound: most are met once (a study's own
    variables and distributions), and filling up with them must not drop the graphs that
    recur."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._kept: dict[ox.NamedNode, SharedGraph] = {}
        self._absent: set[ox.NamedNode] = set()

    def __len__(self) -> int:
        return len(self._kept) + len(self._absent)

    def graph(self, store: ox.Store, name: ox.NamedNode) -> SharedGraph | None:
        found = self._kept.get(name)
        if found is not None or name in self._absent:
            return found
        if not store.contains_named_graph(name) or is_dataset(store, name):
            if len(self._absent) >= self.limit:
                self._absent.clear()
            self._absent.add(name)
            return None
        found = SharedGraph(_graphs(store, [name]))
        if len(self._kept) >= self.limit:
            self._kept.clear()
        self._kept[name] = found
        return found

    def get(self, store: ox.Store, name: ox.NamedNode) -> list[ox.Triple] | None:
        found = self.graph(store, name)
        return None if found is None else found.triples


def content(store: ox.Store, iris: Sequence[str], shared: SharedGraphs | None = None) -> list[ox.Triple]:
    """The distinct triples of the datasets ``iris`` and of what they reach, in a stable order
    (each dataset's graph, then each step's shared graphs by IRI). ``shared``: the shared
    graphs already read from this ``store``, kept between calls."""
    shared = shared if shared is not None else SharedGraphs()
    seen: dict[ox.Triple, None] = {}
    done = {ox.NamedNode(i) for i in iris}
    level = _graphs(store, [ox.NamedNode(i) for i in iris])
    seen.update(dict.fromkeys(level))
    for _ in range(STEPS):
        names = {t.object for t in level if isinstance(t.object, ox.NamedNode)} - done
        if not names:
            break
        done |= names
        level = [t for n in sorted(names, key=lambda n: n.value) for t in shared.get(store, n) or ()]
        for triple in level:
            seen.setdefault(triple, None)
    return list(seen)


def indexed(store: ox.Store, iri: str, shared: SharedGraphs | None = None) -> tuple[Objects, int]:
    """:func:`content` of the one dataset ``iri``, as the objects of each subject and
    predicate, and how many distinct triples that is. A study page needs only these
    lookups, so the dataset's quads go straight into them, with no triple made or hashed:
    that halves the read of a page."""
    shared = shared if shared is not None else SharedGraphs()
    node = ox.NamedNode(iri)
    objects: Objects = {}
    size = 0
    reached: set[ox.NamedNode] = set()
    for q in store.quads_for_pattern(None, None, None, node):
        o = q.object
        if isinstance(o, ox.NamedNode):
            reached.add(o)
        elif not isinstance(o, ox.BlankNode | ox.Literal):
            continue  # an RDF-star triple: lod stores none, and pages show none
        objects.setdefault((q.subject, q.predicate), []).append(o)
        size += 1
    done = {node}
    for _ in range(STEPS):
        names = reached - done
        if not names:
            break
        done |= names
        reached = set()
        for name in sorted(names, key=lambda n: n.value):
            graph = shared.graph(store, name)
            if graph is None:
                continue
            part, named = graph.indexed()
            reached |= named
            for key, values in part.items():
                have = objects.get(key)
                if have is None:
                    objects[key] = list(values)
                    size += len(values)
                    continue
                for value in values:  # a triple the dataset's graph, or another, has too
                    if value not in have:
                        have.append(value)
                        size += 1
    return objects, size


def _graphs(store: ox.Store, names: Iterable[ox.NamedNode]) -> list[ox.Triple]:
    return [q.triple for name in names for q in store.quads_for_pattern(None, None, None, name)]


__all__ = ["Objects", "SharedGraph", "SharedGraphs", "content", "indexed", "is_dataset"]
