"""Graph writes as SPARQL 1.1 Update requests, for servers reached without the Graph Store
Protocol, and the N-Triples helpers the remote store shares with it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from lod.store.terms import iri

#: graphs per request when only dropping
DROPS_PER_REQUEST = 200


def write_by_update(
    update: Callable[[str], None],
    groups: dict[str | None, list[ox.Triple]],
    drop: Sequence[str],
    limit: int,
) -> None:
    """Send ``groups`` (triples by graph; None is the default graph) through ``update``,
    dropping the graphs in ``drop`` first.

    Several graphs share a request, ``DROP SILENT GRAPH`` for each followed by one
    ``INSERT DATA``, with at most ``limit`` triples per request; a graph's DROP travels with
    its first INSERT. A graph with blank nodes gets requests of its own, as
    ``INSERT { ... } WHERE {}``: Virtuoso refuses blank nodes in INSERT DATA, and SPARQL
    forbids one blank node label in two operations of a request. Blank nodes shared between
    graphs are therefore not kept shared.
    """
    to_drop = set(drop)
    drops: list[str] = []
    blocks: list[str] = []
    size = 0

    def send() -> None:
        nonlocal size
        ops = [f"DROP SILENT GRAPH {iri(g)}" for g in drops]
        if blocks:
            ops.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        if ops:
            update(" ;\n".join(ops))
        drops.clear()
        blocks.clear()
        size = 0

    for dropped in drop:
        if dropped not in groups:
            drops.append(dropped)
            if len(drops) >= DROPS_PER_REQUEST:
                send()
    for name, triples in groups.items():
        chunks = [triples[i : i + limit] for i in range(0, len(triples), limit)]
        if has_blank_nodes(triples):
            if len(chunks) > 1:
                warnings.warn(
                    f"graph <{name}> has blank nodes and more than {limit} triples: SPARQL "
                    "Update sends it in parts, which splits its blank nodes; give a Graph "
                    "Store Protocol endpoint to keep it whole",
                    stacklevel=4,
                )
            for k, chunk in enumerate(chunks):
                ops = [f"DROP SILENT GRAPH {iri(name)}"] if k == 0 and name in to_drop else []
                ops.append("INSERT {\n" + quad_data(name, chunk) + "\n} WHERE {}")
                update(" ;\n".join(ops))
            continue
        for k, chunk in enumerate(chunks):
            if size and size + len(chunk) > limit:
                send()
            if k == 0 and name is not None and name in to_drop:
                drops.append(name)
            blocks.append(quad_data(name, chunk))
            size += len(chunk)
    send()


def quad_data(graph: str | None, triples: Sequence[ox.Triple]) -> str:
    """Triples as SPARQL quad data (terms written by pyoxigraph), in ``GRAPH <g> { }`` unless
    graph is None."""
    lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    return lines if graph is None else f"GRAPH {iri(graph)} {{\n{lines}\n}}"


def ntriples(triples: Sequence[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return data if data is not None else b""


def has_blank_nodes(triples: Sequence[ox.Triple]) -> bool:
    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)
