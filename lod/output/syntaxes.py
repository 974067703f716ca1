"""RDF syntaxes: names, file extensions, media types, and writers for converted studies.

N-Triples and N-Quads are streamed as the converter makes them. Turtle and TriG are
serialised by pyoxigraph study by study (prefixes written once). RDF/XML and JSON-LD need
the whole graph: they are collected and written at the end (JSON-LD compacted by pyld with
the context shipped in ``vocabularies/contexts/lod.jsonld``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from lod.errors import UsageError
from lod.resources import vocabulary

if TYPE_CHECKING:
    from lod.converter.core import StudyGraph


@dataclass(frozen=True, slots=True)
class Syntax:
    name: str
    rdf_format: ox.RdfFormat
    extensions: tuple[str, ...]
    quads: bool  # has named graphs

    @property
    def line_based(self) -> bool:
        """One statement per line (N-Triples, N-Quads): graphs can be written as they come."""
        return self.name in ("ntriples", "nquads")

    @property
    def media_type(self) -> str:
        return str(self.rdf_format.media_type)


SYNTAXES: dict[str, Syntax] = {s.name: s for s in (
    Syntax("turtle", ox.RdfFormat.TURTLE, (".ttl",), False),
    Syntax("ntriples", ox.RdfFormat.N_TRIPLES, (".nt",), False),
    Syntax("nquads", ox.RdfFormat.N_QUADS, (".nq",), True),
    Syntax("trig", ox.RdfFormat.TRIG, (".trig",), True),
    Syntax("rdfxml", ox.RdfFormat.RDF_XML, (".rdf", ".xml", ".owl"), False),
    Syntax("jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), True),
)}


def syntax_named(name: str) -> Syntax:
    if name not in SYNTAXES:
        raise UsageError(f"unknown format {name!r}; choose from {', '.join(SYNTAXES)}")
    return SYNTAXES[name]


def syntax_for_path(path: str | Path, *, default: str | None = "turtle") -> Syntax | None:
    """The syntax a file name implies (``.ttl`` → Turtle; ``x.nt.gz`` → N-Triples)."""
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() != ".gz"]
    for syntax in SYNTAXES.values():
        if suffixes and suffixes[-1] in syntax.extensions:
            return syntax
    return SYNTAXES[default] if default else None


@cache
def context() -> dict[str, Any]:
    """The JSON-LD context lod compacts with (prefixes of every vocabulary it uses)."""
    with vocabulary("contexts", "lod.jsonld").open(encoding="utf-8") as f:
        return dict(json.load(f))


def prefixes() -> dict[str, str]:
    return {k: v for k, v in context()["@context"].items() if isinstance(v, str)}


def local_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves only contexts shipped in vocabularies/: never the network."""
    from pyld import jsonld

    from lod.readers.contexts import bundled_context

    doc = bundled_context(url)
    if doc is None:
        raise jsonld.JsonLdError(f"lod does not fetch remote JSON-LD contexts: {url}",
                                 "loading document failed", code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": doc}


def compact_jsonld(nquads: str) -> dict[str, Any]:
    """N-Quads → compacted JSON-LD (named graphs kept)."""
    from pyld import jsonld  # only JSON-LD output needs it: imported then

    options = {"documentLoader": local_document_loader}
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads", "useNativeTypes": False})
    return dict(jsonld.compact(expanded, context(), options))


def line_end(syntax: Syntax, graph_iri: str) -> str | None:
    """What follows each statement of a graph in a line-based syntax (None for the others)."""
    if not syntax.line_based:
        return None
    return f" <{graph_iri}> .\n" if syntax.quads else " .\n"


class StudyWriter:
    """Writes study graphs in one syntax to a binary stream. Use as a context manager."""

    def __init__(self, out: BinaryIO, syntax: Syntax):
        self.out = out
        self.syntax = syntax
        self._held: list[str] = []
        self._started = False

    def __enter__(self) -> StudyWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def write(self, graph: StudyGraph) -> None:
        name = self.syntax.name
        end = line_end(self.syntax, graph.iri)
        if end is not None:
            self.out.write(graph.encoded(end))
        elif name in ("turtle", "trig"):
            self._write_chunk(graph.iri, graph.text())
        else:
            self._held.append(graph.text(f" <{graph.iri}> .\n" if self.syntax.quads else " .\n"))

    def write_encoded(self, data: bytes | memoryview) -> None:
        """Graphs a worker already encoded in this (line-based) syntax."""
        assert self.syntax.line_based
        self.out.write(data)

    def _write_chunk(self, graph_iri: str, text: str) -> None:
        # Group statements by subject, the study first, so the Turtle reads as one block per node.
        triples = sorted((q.triple for q in ox.parse(text, ox.RdfFormat.N_TRIPLES)),
                         key=lambda t: (t.subject.value != graph_iri, str(t.subject)))
        if self.syntax.quads:
            graph = ox.NamedNode(graph_iri)
            quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
            chunk = ox.serialize(quads, None, self.syntax.rdf_format, prefixes=prefixes())
        else:
            chunk = ox.serialize(triples, None, self.syntax.rdf_format, prefixes=prefixes())
        assert chunk is not None
        if self._started:
            # Prefix declarations were written with the first chunk; drop the repeats.
            chunk = b"".join(line for line in chunk.splitlines(keepends=True)
                             if not line.startswith(b"@prefix "))
        self.out.write(chunk)
        self._started = True

    def close(self) -> None:
        name = self.syntax.name
        if name == "rdfxml":
            triples = (q.triple for q in ox.parse("".join(self._held), ox.RdfFormat.N_TRIPLES))
            ox.serialize(triples, self.out, ox.RdfFormat.RDF_XML, prefixes=prefixes())
        elif name == "jsonld":
            doc = compact_jsonld("".join(self._held))
            self.out.write(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode())
            self.out.write(b"\n")
        elif name in ("turtle", "trig") and not self._started:
            self.out.write(ox.serialize([], None, self.syntax.rdf_format, prefixes=prefixes()) or b"")
        self._held = []
        self.out.flush()
