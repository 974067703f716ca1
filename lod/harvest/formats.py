"""Which RDF syntax a page is in (Content-Type first, a sniff of the body when the type is
missing, generic or wrong), and parsing it strictly. RDF/XML is refused when it declares a
DOCTYPE, before any parser sees it: pyoxigraph's RDF/XML parser expands internal entities, so
a billion-laughs page would otherwise grow without bound. No parser fetches anything: JSON-LD
remote contexts are refused by pyoxigraph, and RDF/XML has no external entities left."""

from __future__ import annotations

import xml.parsers.expat

import pyoxigraph as ox

from lod.errors import LodError

ACCEPT = ("text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.9, "
          "application/n-triples;q=0.8, */*;q=0.1")

_BY_TYPE = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


class PageFormatError(LodError):
    """A page is not RDF lod can read."""


def choose(content_type: str | None, body: bytes) -> ox.RdfFormat:
    """The declared syntax when the body looks like it, else the sniffed one."""
    declared = _BY_TYPE.get((content_type or "").split(";")[0].strip().lower())
    sniffed = sniff(body)
    if declared is not None and (sniffed is None or _compatible(declared, sniffed)):
        return declared
    if sniffed is not None:
        return sniffed
    raise PageFormatError(f"not RDF: Content-Type {content_type or 'missing'} and the content "
                          "looks like none of Turtle, RDF/XML, JSON-LD or N-Triples")


def _compatible(declared: ox.RdfFormat, sniffed: ox.RdfFormat) -> bool:
    text_family = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES}
    return declared == sniffed or (declared in text_family and sniffed in text_family)


def sniff(body: bytes) -> ox.RdfFormat | None:
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:14].lower().startswith((b"<!doctype html", b"<html")):
        return None
    if head.startswith((b"{", b"[")):
        return ox.RdfFormat.JSON_LD
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF") or head.startswith(b"<!--") \
            or (head.startswith(b"<") and b"rdf:RDF" in head) or b"<!DOCTYPE" in head[:512]:
        return ox.RdfFormat.RDF_XML
    if head.startswith((b"@prefix", b"@base", b"PREFIX", b"prefix", b"BASE", b"#")) \
            or head.startswith(b"<") or head.startswith(b"_:"):
        return ox.RdfFormat.TURTLE  # N-Triples is Turtle
    if head[:1].isalpha() and b":" in head[:200]:
        return ox.RdfFormat.TURTLE  # e.g. "dcat:Catalog" style prefixed names after no prefix
    return None


def refuse_doctype(body: bytes) -> None:
    """Refuse an XML document with a DOCTYPE (entity declarations live there), reading it with
    expat only as far as the DOCTYPE, which expat reports before expanding anything."""
    parser = xml.parsers.expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise PageFormatError("RDF/XML with a DOCTYPE is refused (entity declarations are not "
                              "expanded)")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as err:
        raise PageFormatError(f"malformed XML: {err}") from None


def parse(body: bytes, fmt: ox.RdfFormat, base_iri: str) -> bytes:
    """A page's triples as N-Triples (parsed in pyoxigraph, written back out by it: one
    triple a line; :func:`lod.harvest.datasets.lines_of` drops repeated lines)."""
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_doctype(body)
    try:
        if fmt == ox.RdfFormat.JSON_LD:  # the one syntax here that can hold named graphs
            return _graph_free(body, fmt, base_iri)
        # streamed straight through, with no store to index the quads in
        return ox.serialize(ox.parse(body, format=fmt, base_iri=base_iri),
                            format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as err:
        raise PageFormatError(f"malformed {fmt.name}: {str(err).splitlines()[0]}") from None


def _graph_free(body: bytes, fmt: ox.RdfFormat, base_iri: str) -> bytes:
    store = ox.Store()
    store.load(body, format=fmt, base_iri=base_iri)
    if any(True for _ in store.named_graphs()):
        raise PageFormatError("the page has named graphs; a DCAT feed page is one graph")
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""


__all__ = ["ACCEPT", "PageFormatError", "choose", "parse", "refuse_doctype", "sniff"]
