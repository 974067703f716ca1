"""RDF files loaded as they are (``lod load`` on ``.ttl .nt .nq .trig .rdf .jsonld`` files that
no reader claims): triples into a graph named by the file's ``file://`` IRI, quads into their
own graphs; each study with a ``dct:temporal`` period gets its ``lod:coverageYears`` index
triple, as converted studies do. A file is parsed whole before any of it is written, and
written in runs of at most ``RUN_QUADS`` quads (memory stays flat however big the file)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from lod.errors import InputError
from lod.output.syntaxes import Syntax, syntax_for_path, syntax_named
from lod.readers import DETECT_BYTES, detect, expand_paths, open_input
from lod.readers.rdfsafety import refuse_xml_entities
from lod.store import coverage

RUN_QUADS = 100_000  # quads of one graph held before they are handed to the writer


class GraphWriter(Protocol):
    """Where the graphs of an RDF file go (:class:`lod.store.loading.BatchWriter`)."""

    def add_text(self, iri: str, text: str, count: int) -> None:
        """A graph's whole content as N-Quads text (it replaces the graph)."""

    def append_text(self, iri: str, text: str, count: int) -> None:
        """Quads added to graph ``iri`` (nothing is dropped first)."""



def rdf_syntax(path: str, format_name: str | None = None) -> Syntax:
    """The syntax ``--format`` names, else the one the file name says; InputError if neither."""
    if format_name is not None:
        return syntax_named(format_name)
    syntax = syntax_for_path(path, default=None)
    if syntax is None:
        raise InputError(f"{path}: not an RDF file extension (.ttl .nt .nq .trig .rdf .jsonld); "
                         "name its syntax with --input-format")
    return syntax


def rdf_quads(stream: Any, name: str, syntax: Syntax, base_iri: str | None) -> Iterator[ox.Quad]:
    """The quads of one RDF input, parsed strictly and safely (:mod:`lod.readers.rdfsafety`); every
    problem is an InputError naming the input."""
    if syntax.name == "rdfxml":
        refuse_xml_entities(stream, name)
    try:
        for quad in ox.parse(stream, format=syntax.rdf_format, base_iri=base_iri):
            if isinstance(quad.graph_name, ox.BlankNode):
                raise InputError(f"{name}: graphs named by blank nodes cannot be loaded")
            yield quad
    except SyntaxError as err:
        raise InputError(f"{name}: not valid {syntax.name}: {err}") from None
    except (OSError, EOFError) as err:
        raise InputError(f"{name}: cannot read ({err})") from None
    except MemoryError as err:  # pyoxigraph caps one token (a literal, an IRI) at 16 MiB
        raise InputError(f"{name}: not read: {err} (a term longer than that)") from None


def split_inputs(paths: Sequence[str], source: str | None = None,
                 format_name: str | None = None) -> tuple[list[str], list[str]]:
    """Inputs for the readers, and RDF files to load as they are: a file with an RDF
    extension that no reader claims (a reader may claim ``.jsonld`` or ``.xml``); with
    ``format_name`` (an RDF syntax), every input is RDF."""
    if format_name is not None:
        return [], expand_paths(paths)
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


def check_rdf_file(path: str, format_name: str | None = None) -> None:
    """Parse the whole file strictly before any of it is written: InputError if it is not
    valid (so a broken file is refused whole, not loaded up to the error)."""
    syntax = rdf_syntax(path, format_name)
    stream, name = open_input(path)
    try:
        for _ in rdf_quads(stream, name, syntax, Path(path).resolve().as_uri()):
            pass
    finally:
        stream.close()


STDIN_GRAPH = "urn:lod:stdin"  # where the triples of RDF read from stdin go


def load_rdf_file(writer: GraphWriter, path: str, format_name: str | None = None, *,
                  home: str | None = None) -> None:
    """Load one RDF file as it is, graph by graph, through ``writer``: triples into the graph
    named by the file's ``file://`` IRI, quads into their own graphs. A graph replaces the one
    in the store; a graph that comes back later in the same file (or is longer than
    ``RUN_QUADS``) is added to it. ``home``: the graph for triples instead of the file's IRI."""
    syntax = rdf_syntax(path, format_name)
    home = home or Path(path).resolve().as_uri()
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
    for quad in rdf_quads(stream, name, syntax, home):
        g = quad.graph_name
        if not isinstance(g, ox.NamedNode):
            g = home_node
            quad = ox.Quad(quad.subject, quad.predicate, quad.object, g)
        if g.value != current or len(run) >= RUN_QUADS:
            if current is not None:
                yield current, run + coverage.index_quads(run, ox.NamedNode(current))
            current, run = g.value, []
        run.append(quad)
    if current is not None:
        yield current, run + coverage.index_quads(run, ox.NamedNode(current))


def _nquads(quads: list[ox.Quad]) -> str:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return data.decode("utf-8") if data else ""


__all__ = ["RUN_QUADS", "STDIN_GRAPH", "check_rdf_file", "load_rdf_file", "rdf_quads", "rdf_syntax",
           "split_inputs"]
