"""RDF files loaded as they are (``lod load`` on ``.ttl .nt .nq .trig .rdf .jsonld`` files that
no reader claims): triples into a graph named by the file's ``file://`` IRI, quads into their
own graphs; each study with a ``dct:temporal`` period gets its ``lod:coverageYears`` index
triple, as converted studies do. A file is parsed whole before any of it is written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from lod.errors import InputError
from lod.output.syntaxes import Syntax, syntax_for_path
from lod.readers import DETECT_BYTES, detect, expand_paths, open_input
from lod.store import coverage


class GraphWriter(Protocol):
    """Where the graphs of an RDF file go (:class:`lod.store.loading.BatchWriter`)."""

    def add_text(self, iri: str, text: str, count: int) -> None:
        """A graph's whole content as N-Quads text (it replaces the graph)."""

    def append_text(self, iri: str, text: str, count: int) -> None:
        """Quads added to graph ``iri`` (nothing is dropped first)."""



def split_inputs(paths: Sequence[str], source: str | None = None) -> tuple[list[str], list[str]]:
    """Inputs for the readers, and RDF files to load as they are: a file with an RDF
    extension that no reader claims (a reader may claim ``.jsonld`` or ``.xml``)."""
    records: list[str] = []
    rdf: list[str] = []
    for path in expand_paths(paths):
        if path == "-" or source is not None or syntax_for_path(path, default=None) is None:
            records.append(path)
            continue
        try:
            stream, name = open_input(path)
        except InputError:
            records.append(path)  # the reader side reports it as that file's rejection
            continue
        try:
            head = stream.peek(DETECT_BYTES)[:DETECT_BYTES]
        finally:
            stream.close()
        (records if detect.record_form(name, head) is not None else rdf).append(path)
    return records, rdf


def check_rdf_file(path: str) -> None:
    """Parse the whole file strictly before any of it is written: InputError if it is not
    valid (so a broken file is refused whole, not loaded up to the error)."""
    syntax = syntax_for_path(path, default=None)
    if syntax is None:
        raise InputError(f"{path}: not an RDF file (.ttl .nt .nq .trig .rdf .jsonld)")
    stream, name = open_input(path)
    try:
        for quad in ox.parse(stream, format=syntax.rdf_format, base_iri=Path(path).resolve().as_uri()):
            if isinstance(quad.graph_name, ox.BlankNode):
                raise InputError(f"{name}: graphs named by blank nodes cannot be loaded")
    except SyntaxError as err:
        raise InputError(f"{name}: not valid {syntax.name}: {err}") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err})") from None
    finally:
        stream.close()


def load_rdf_file(writer: GraphWriter, path: str) -> None:
    """Load one RDF file as it is, graph by graph, through ``writer``: triples into the graph
    named by the file's ``file://`` IRI, quads into their own graphs. A graph replaces the one
    in the store; a graph that comes back later in the same file is added to it."""
    syntax = syntax_for_path(path, default=None)
    if syntax is None:
        raise InputError(f"{path}: not an RDF file (.ttl .nt .nq .trig .rdf .jsonld)")
    home = Path(path).resolve().as_uri()
    stream, name = open_input(path)
    seen: set[str] = set()
    try:
        for graph, quads in _graphs_of(stream, name, syntax, home):
            text = _nquads(quads)
            if graph in seen:
                writer.append_text(graph, text, len(quads))
            else:
                seen.add(graph)
                writer.add_text(graph, text, len(quads))
    finally:
        stream.close()


def _graphs_of(stream: Any, name: str, syntax: Syntax, home: str) -> Iterator[tuple[str, list[ox.Quad]]]:
    """The file's quads in runs of one graph (default-graph triples go to ``home``), each run
    with the ``lod:coverageYears`` index triples its studies lack."""
    current: str | None = None
    run: list[ox.Quad] = []
    home_node = ox.NamedNode(home)
    try:
        for quad in ox.parse(stream, format=syntax.rdf_format, base_iri=home):
            g = quad.graph_name
            if isinstance(g, ox.BlankNode):
                raise InputError(f"{name}: graphs named by blank nodes cannot be loaded")
            if not isinstance(g, ox.NamedNode):
                g = home_node
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, g)
            if g.value != current:
                if current is not None:
                    yield current, run + coverage.index_quads(run, ox.NamedNode(current))
                current, run = g.value, []
            run.append(quad)
    except SyntaxError as err:
        raise InputError(f"{name}: not valid {syntax.name}: {err}") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err})") from None
    if current is not None:
        yield current, run + coverage.index_quads(run, ox.NamedNode(current))


def _nquads(quads: list[ox.Quad]) -> str:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data.decode("utf-8") if data else ""


__all__ = ["check_rdf_file", "load_rdf_file", "split_inputs"]
