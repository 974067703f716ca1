"""Many small graphs in a few requests: one Graph Store Protocol POST + one SPARQL Update.

The Graph Store Protocol writes one graph per request, and servers spend milliseconds on
each (Virtuoso 7.2: 6–15 ms of server CPU per PUT), so one graph per study caps a load at
~100–150 graphs/s. Here a whole batch of graphs travels as one GSP POST into a fresh staging
graph ``urn:lod:staging:<uuid>``, then one SPARQL 1.1 Update moves it into place:

- every triple ``s p o`` of graph ``g`` is staged as ``_:k p o``, with one blank node key
  per (g, s) pair (the same subject in two graphs keeps its two graphs apart), and the key
  says where it belongs: ``_:k lodst:graph <g> ; lodst:subject <s>``. Keys are blank nodes,
  so they share the staging document's scope and leave nothing behind (IRI keys would stay
  in Virtuoso's IRI dictionary forever: 16 per study);
- ``<stage> lodst:replaces <g>`` lists the graphs being replaced (those with data, and
  those to be emptied);
- the update deletes what the replaced graphs held, then inserts the batch where it
  belongs (``INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH <stage> { ?k lodst:graph ?g ;
  lodst:subject ?s ; ?p ?o } }``); a GSP DELETE drops the staging graph afterwards, also
  when a step failed.

Only standard protocols, so any server with a Graph Store Protocol endpoint can take it.
Graphs with blank nodes of their own, or using lod's staging vocabulary, are not staged:
:func:`replace_graphs` sends those whole, one PUT each.
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
from lod.store.writes import ntriples

PREFIX = "urn:lod:staging"
GRAPH = ox.NamedNode(PREFIX + "#graph")
SUBJECT = ox.NamedNode(PREFIX + "#subject")
REPLACES = ox.NamedNode(PREFIX + "#replaces")
_VOCABULARY = frozenset({GRAPH, SUBJECT, REPLACES})


@dataclass(frozen=True)
class StagedBatch:
    """One batch as its staging document (N-Triples) and the graph it goes to."""

    stage: str
    data: bytes
    triples: int  # the batch's own triples, keys and lists not counted

    def apply(self) -> str:
        """The SPARQL Update that empties the replaced graphs and inserts the staged
        triples where they belong (every IRI written by pyoxigraph from a checked term)."""
        stage = iri(self.stage)
        return (
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {stage} {{ {stage} {REPLACES} ?g }} GRAPH ?g {{ ?s ?p ?o }} }} ;\n"
            f"INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }}\n"
            f"WHERE {{ GRAPH {stage} {{ ?k {GRAPH} ?g ; {SUBJECT} ?s ; ?p ?o "
            f"FILTER(?p != {GRAPH} && ?p != {SUBJECT}) }} }}"
        )


def stageable(triples: Sequence[ox.Triple]) -> bool:
    """Whether a graph can be staged: no blank nodes, no staging vocabulary."""
    return all(
        isinstance(t.subject, ox.NamedNode)
        and not isinstance(t.object, ox.BlankNode)
        and t.predicate not in _VOCABULARY
        for t in triples
    )


def stage(groups: Iterable[tuple[str, Sequence[ox.Triple]]], replaces: Iterable[str]) -> StagedBatch:
    """The staging document for ``groups`` (graph name, its triples; all :func:`stageable`),
    which replace the graphs in ``replaces`` (the groups' graphs and any graph to be emptied)."""
    name = iri(f"{PREFIX}:{uuid.uuid4().hex}")
    keys: dict[tuple[str, ox.NamedNode], ox.BlankNode] = {}
    staged = [ox.Triple(name, REPLACES, iri(g)) for g in dict.fromkeys(replaces)]
    count = 0
    for graph, triples in groups:
        if not stageable(triples):
            raise StoreError(f"graph <{graph}> has blank nodes or lod's staging terms: it cannot be staged")
        target = iri(graph)
        for t in triples:
            subject = t.subject
            key = keys.get((graph, subject))  # type: ignore[arg-type]
            if key is None:
                key = keys[(graph, subject)] = ox.BlankNode()  # type: ignore[index]
                staged.append(ox.Triple(key, GRAPH, target))
                staged.append(ox.Triple(key, SUBJECT, subject))
            staged.append(ox.Triple(key, t.predicate, t.object))
            count += 1
    return StagedBatch(stage=name.value, data=ntriples(staged), triples=count)


def replace_graphs(
    gsp: GraphStore,
    update: Callable[[str], None],
    groups: dict[str | None, list[ox.Triple]],
    names: Sequence[str],
    *,
    chunk_triples: int,
    min_graphs: int,
) -> None:
    """Replace the graphs ``names`` with ``groups`` (their triples by graph): stageable graphs
    in batches of whole graphs of about ``chunk_triples`` triples; the others, and all of
    them when fewer than ``min_graphs`` would be staged, one PUT each; graphs without data
    emptied by the first staged batch, or one DELETE each."""
    plain: list[str] = []
    whole: list[str] = []
    empty: list[str] = []
    for name in names:
        triples = groups.get(name)
        if not triples:
            empty.append(name)
        elif not stageable(triples):
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
    """Send one staged batch: a POST, the update that puts it in place, and a DELETE of the
    staging graph, which happens whatever failed before it (and then, failing itself, does
    not hide the first failure)."""
    try:
        gsp.post(batch.stage, batch.data)
        update(batch.apply())
    except BaseException:
        with contextlib.suppress(StoreError):
            gsp.delete(batch.stage)
        raise
    gsp.delete(batch.stage)
