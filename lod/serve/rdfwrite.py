"""Writing triples in an RDF syntax with lod's usual prefixes: one rule for the web routes
and the query workers (which import this, and not the web package, to start light)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "void": "http://rdfs.org/ns/void#",
    "adms": "http://www.w3.org/ns/adms#",
    "prov": "http://www.w3.org/ns/prov#",
    "lod": "https://w3id.org/lod-studies/vocab#",
}


#: the syntaxes by the names jobs use for them (:data:`lod.serve.jobs.GRAPH_FORMATS`)
FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS,
}
NAMES = {fmt: name for name, fmt in FORMATS.items()}


def write_triples(found: Iterable[ox.Triple], fmt: ox.RdfFormat, out: IO[bytes]) -> None:
    """``found`` in ``fmt`` to ``out``, with :data:`PREFIXES` where the syntax has prefixes."""
    if fmt == ox.RdfFormat.N_TRIPLES:
        ox.serialize(found, out, format=fmt)
    else:
        ox.serialize(found, out, format=fmt, prefixes=PREFIXES)


__all__ = ["FORMATS", "NAMES", "PREFIXES", "write_triples"]
