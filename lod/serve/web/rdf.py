"""Writing the RDF the store hands back (N-Triples bytes) in the form a client asked for."""

from __future__ import annotations

import io

import pyoxigraph as ox

from lod.serve.rdfwrite import write_triples
from lod.serve.web.negotiate import Form


def triples(ntriples: bytes) -> list[ox.Triple]:
    """The distinct triples of N-Triples bytes (a CONSTRUCT over several graphs repeats some)."""
    seen: dict[ox.Triple, None] = {}
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        seen.setdefault(quad.triple, None)
    return list(seen)


def write(found: list[ox.Triple], form: Form) -> bytes:
    """``found`` in ``form``'s syntax, with lod's usual prefixes where the syntax has them."""
    assert form.rdf_format is not None, "HTML is rendered from templates, not serialized"
    out = io.BytesIO()
    write_triples(found, form.rdf_format, out)
    return out.getvalue()
