"""Writing the RDF the store hands back (N-Triples bytes) in the form a client asked for."""

from __future__ import annotations

import pyoxigraph as ox

from lod.serve.web.negotiate import Form

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


def triples(ntriples: bytes) -> list[ox.Triple]:
    """The distinct triples of N-Triples bytes (a CONSTRUCT over several graphs repeats some)."""
    seen: dict[ox.Triple, None] = {}
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        seen.setdefault(quad.triple, None)
    return list(seen)


def write(found: list[ox.Triple], form: Form) -> bytes:
    """``found`` in ``form``'s syntax, with lod's usual prefixes where the syntax has them."""
    assert form.rdf_format is not None, "HTML is rendered from templates, not serialized"
    if form.rdf_format == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(found, format=form.rdf_format) or b""
    return ox.serialize(found, format=form.rdf_format, prefixes=PREFIXES) or b""
