"""Many small graphs in a few requests: Graph Store Protocol staging + one SPARQL Update.

The Graph Store Protocol writes one graph per request, and servers spend milliseconds on
each (Virtuoso: ~10 ms per PUT), so one graph per study caps a load at ~100 graphs/s. Here a
whole batch of graphs travels as two GSP POSTs into fresh staging graphs, then one SPARQL 1.1
Update moves it into place:

- ``urn:lod:staging:<uuid>`` holds every triple of the batch, with each subject ``s`` of
  graph ``g`` replaced by a key ``urn:lod:staging:<uuid>:<k>`` (one key per (g, s) pair:
  the same subject in two graphs keeps its two graphs apart);
- ``urn:lod:staging:<uuid>:map`` says for each key which graph and subject it stands for
  (``<key> lodst:graph <g> ; lodst:subject <s>``) and lists the graphs being replaced
  (``<map> lodst:replaces <g>``);
- the update deletes what the replaced graphs held, inserts the batch where it belongs
  (``INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { staging ⋈ map }``), and drops both staging
  graphs. The staging graphs are dropped even when a step fails.

Only standard protocols, so any server with a Graph Store Protocol endpoint can take it.
Graphs with blank nodes cannot go this way (a blank node's identity does not survive being
split across two documents); the caller sends those whole, one request each.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from lod.errors import StoreError
from lod.store.gsp import GraphStore
from lod.store.terms import iri
from lod.store.writes import has_blank_nodes, ntriples

PREFIX = "urn:lod:staging"
GRAPH = ox.NamedNode(PREFIX + "#graph")
SUBJECT = ox.NamedNode(PREFIX + "#subject")
REPLACES = ox.NamedNode(PREFIX + "#replaces")


@dataclass(frozen=True)
class StagedBatch:
    """One batch as the two staging documents (N-Triples) and the names they go to."""

    stage: str
    map: str
    data: bytes
    map_data: bytes
    triples: int

    def apply(self) -> str:
        """The SPARQL Update that replaces the batch's graphs with the staged triples and
        drops the staging graphs (every IRI written by pyoxigraph from a checked term)."""
        stage, mapping = iri(self.stage), iri(self.map)
        return (
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {mapping} {{ {mapping} {REPLACES} ?g }} GRAPH ?g {{ ?s ?p ?o }} }} ;\n"
            f"INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {stage} {{ ?k ?p ?o }} GRAPH {mapping} {{ ?k {GRAPH} ?g ; {SUBJECT} ?s }} }} ;\n"
            f"{self.drop()}"
        )

    def drop(self) -> str:
        """The SPARQL Update that drops both staging graphs."""
        return f"DROP SILENT GRAPH {iri(self.stage)} ;\nDROP SILENT GRAPH {iri(self.map)}"


def stage(groups: Iterable[tuple[str, Sequence[ox.Triple]]], replaces: Iterable[str]) -> StagedBatch:
    """The staging documents for ``groups`` (graph name, its triples; no blank nodes), which
    replace the graphs in ``replaces`` (the groups' graphs and any graph to be emptied)."""
    name = f"{PREFIX}:{uuid.uuid4().hex}"
    mapping = ox.NamedNode(name + ":map")
    keys: dict[tuple[str, ox.NamedNode], ox.NamedNode] = {}
    staged: list[ox.Triple] = []
    index = [ox.Triple(mapping, REPLACES, iri(g)) for g in dict.fromkeys(replaces)]
    for graph, triples in groups:
        target = iri(graph)
        for t in triples:
            subject = t.subject
            if not isinstance(subject, ox.NamedNode) or isinstance(t.object, ox.BlankNode):
                raise StoreError(f"graph <{graph}> has blank nodes: it cannot be staged")
            key = keys.get((graph, subject))
            if key is None:
                key = ox.NamedNode(f"{name}:{len(keys)}")
                keys[(graph, subject)] = key
                index.append(ox.Triple(key, GRAPH, target))
                index.append(ox.Triple(key, SUBJECT, subject))
            staged.append(ox.Triple(key, t.predicate, t.object))
    return StagedBatch(
        stage=name,
        map=mapping.value,
        data=ntriples(staged),
        map_data=ntriples(index),
        triples=len(staged),
    )


def replace_graphs(
    gsp: GraphStore,
    update: Callable[[str], None],
    groups: dict[str | None, list[ox.Triple]],
    names: Sequence[str],
    *,
    chunk_triples: int,
    min_graphs: int,
) -> None:
    """Replace the graphs ``names`` with ``groups`` (their triples by graph): graphs without
    blank nodes staged, in batches of whole graphs of about ``chunk_triples`` triples;
    graphs with blank nodes, and all of them when fewer than ``min_graphs`` would be staged,
    one PUT each; graphs without data emptied by the first staged batch, or one DELETE each."""
    plain: list[str] = []
    whole: list[str] = []
    empty: list[str] = []
    for name in names:
        triples = groups.get(name)
        if not triples:
            empty.append(name)
        elif has_blank_nodes(triples):
            whole.append(name)
        else:
            plain.append(name)
    if len(plain) < min_graphs:
        whole, plain = [n for n in names if n in groups and groups[n]], []
    for name in whole:
        gsp.put(name, ntriples(groups[name]))
    chunks: list[list[str]] = []
    size = 0
    for name in plain:
        if not chunks or (size and size + len(groups[name]) > chunk_triples):
            chunks.append([])
            size = 0
        chunks[-1].append(name)
        size += len(groups[name])
    if not chunks:
        for name in empty:
            gsp.delete(name)
        return
    for k, chunk in enumerate(chunks):
        replaces = chunk + empty if k == 0 else chunk
        write_staged(gsp, update, stage(((n, groups[n]) for n in chunk), replaces))


def write_staged(gsp: GraphStore, update: Callable[[str], None], batch: StagedBatch) -> None:
    """Send one staged batch: two POSTs, then the update that puts it in place and drops the
    staging graphs. If a step fails, the staging graphs are deleted all the same (a failure
    to delete them then does not hide the first one)."""
    applied = False
    try:
        gsp.post(batch.stage, batch.data)
        gsp.post(batch.map, batch.map_data)
        update(batch.apply())
        applied = True
    finally:
        if not applied:  # through the Graph Store Protocol: the update endpoint may be what failed
            for name in (batch.stage, batch.map):
                with contextlib.suppress(StoreError):
                    gsp.delete(name)

