"""RDF terms across the libraries the store uses: rdflib (the public API) and pyoxigraph.

Also the one place a bound value becomes SPARQL text: :func:`sparql_term` checks the term
with pyoxigraph's strict constructors, then writes it (pyoxigraph's N-Triples form, which is
SPARQL too; rdflib's ``Identifier.n3()`` for rdflib terms).

rdflib is imported only where an rdflib term is made or met: ``lod query`` on the embedded
store works with pyoxigraph terms alone and starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from lod.errors import QueryError, StoreError

if TYPE_CHECKING:
    from rdflib.term import Identifier

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
#: The pyoxigraph term types lod works with (no RDF-star triple terms).
OX_TERM_TYPES = (ox.NamedNode, ox.BlankNode, ox.Literal)


def iri(value: str) -> ox.NamedNode:
    """A checked IRI; StoreError if ``value`` is not one (e.g. a graph name with spaces)."""
    try:
        return ox.NamedNode(value)
    except ValueError as err:
        raise StoreError(f"not a valid IRI: {value!r} ({err})") from None


def literal(value: str, name: str) -> ox.Literal:
    """A plain literal bound to ``?name``; QueryError if pyoxigraph refuses the text."""
    try:
        return ox.Literal(value)
    except (TypeError, ValueError) as err:
        raise QueryError(f"cannot bind ?{name}: {err}") from None


def to_ox(term: Identifier) -> OxTerm:
    """The pyoxigraph term for an rdflib term; ValueError if it is malformed."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def checked(term: object) -> OxTerm:
    """``term`` if it is a pyoxigraph IRI, blank node or literal; QueryError otherwise (an
    RDF-star triple in a query result)."""
    if isinstance(term, OX_TERM_TYPES):
        return term
    raise QueryError(f"unsupported term in a query result: {term!r} (RDF-star is not supported)")


def from_ox(term: object) -> Identifier:
    """The rdflib term for a pyoxigraph term. Plain strings come back without a datatype,
    as rdflib's parsers and the remote backend give them."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"unsupported term in a query result: {term!r} (RDF-star is not supported)")


def sparql_term(name: str, term: Identifier | OxTerm) -> str:
    """SPARQL text for a value bound to ``?name``: checked by pyoxigraph, written by it (or,
    for an rdflib term, by rdflib)."""
    if isinstance(term, ox.BlankNode):
        raise QueryError(f"cannot bind ?{name} to a blank node; SPARQL VALUES does not allow them")
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)  # pyoxigraph made it, so it is well-formed: N-Triples, valid SPARQL
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, BNode):
        raise QueryError(f"cannot bind ?{name} to a blank node; SPARQL VALUES does not allow them")
    if not isinstance(term, URIRef | Literal):
        raise QueryError(f"cannot bind ?{name} to {term!r}: not an IRI or a literal")
    try:
        to_ox(term)
    except ValueError as err:
        raise QueryError(f"cannot bind ?{name}: {err}") from None
    return term.n3()
