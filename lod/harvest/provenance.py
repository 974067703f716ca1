"""Harvest provenance, in the form lod's converted studies already use: the dataset is
``prov:wasDerivedFrom`` a ``prov:Entity`` (here ``<dataset#harvest-record>``, next to lod's
``#source-record``) that names the source, the page, the harvest time and the content hash.
It lives in the dataset's own graph, so deleting the dataset deletes it; and it is separable:
:func:`without_provenance` drops exactly these triples (and the source catalogue's
``dcat:dataset`` link and the dataset's ``schema:includedInDataCatalog`` back to it), which
is how a round trip is compared."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from lod.harvest.vocab import DCAT, DCT, HAS_DATASET, LOD, PROV, RDF_TYPE, XSD, value
from lod.store import Store

RECORD_SUFFIX = "#harvest-record"
HARVEST_SOURCE = LOD + "harvestSource"
CONTENT_HASH = LOD + "contentHash"
SOURCE_CATALOG = LOD + "sourceCatalog"
IN_CATALOG = "https://schema.org/includedInDataCatalog"

_KNOWN = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX lod: <https://w3id.org/lod-studies/vocab#>
SELECT ?dataset ?hash WHERE {
  GRAPH ?dataset { ?dataset prov:wasDerivedFrom ?record .
                   ?record lod:harvestSource ?source ; lod:contentHash ?hash }
}"""


def record_iri(dataset: str) -> str:
    if "#" in dataset:
        return "urn:lod:harvest-record:" + hashlib.sha256(dataset.encode()).hexdigest()[:32]
    return dataset + RECORD_SUFFIX


def content_hash(lines: Iterable[str], version: str = "") -> str:
    """SHA-256 of a dataset's sorted N-Triples lines (deterministic: blank nodes are
    skolemised before), and of ``version``, what the lines are turned into."""
    return "sha256:" + hashlib.sha256("\n".join([version, *sorted(lines)]).encode()).hexdigest()


def provenance(dataset: str, *, source: str, page: str, digest: str, fmt: str,
               catalogues: Iterable[str], when: datetime | None = None) -> list[ox.Triple]:
    record = ox.NamedNode(record_iri(dataset))
    node = ox.NamedNode(dataset)
    stamp = (when or datetime.now(UTC)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out = [ox.Triple(node, ox.NamedNode(PROV + "wasDerivedFrom"), record),
           ox.Triple(record, ox.NamedNode(RDF_TYPE), ox.NamedNode(PROV + "Entity")),
           ox.Triple(record, ox.NamedNode(LOD + "sourceFormat"), ox.Literal(fmt)),
           ox.Triple(record, ox.NamedNode(HARVEST_SOURCE), ox.NamedNode(source)),
           ox.Triple(record, ox.NamedNode(PROV + "atLocation"), ox.NamedNode(page)),
           ox.Triple(record, ox.NamedNode(PROV + "generatedAtTime"),
                     ox.Literal(stamp, datatype=ox.NamedNode(XSD + "dateTime"))),
           ox.Triple(record, ox.NamedNode(CONTENT_HASH), ox.Literal(digest))]
    for catalogue in catalogues:
        out.append(ox.Triple(ox.NamedNode(catalogue), ox.NamedNode(HAS_DATASET), node))
        out.append(ox.Triple(node, ox.NamedNode(IN_CATALOG), ox.NamedNode(catalogue)))  # facets
        out.append(ox.Triple(record, ox.NamedNode(SOURCE_CATALOG), ox.NamedNode(catalogue)))
    return out


def without_provenance(triples: Iterable[ox.Triple], dataset: str) -> list[ox.Triple]:
    """A harvested dataset's triples with the harvest provenance taken out."""
    items = list(triples)
    record = record_iri(dataset)
    catalogues = {value(t.object) for t in items
                  if value(t.subject) == record and t.predicate.value == SOURCE_CATALOG}
    return [t for t in items if value(t.subject) != record
            and not (t.predicate.value == PROV + "wasDerivedFrom" and value(t.object) == record)
            and not (t.predicate.value == HAS_DATASET and value(t.subject) in catalogues)
            and not (t.predicate.value == IN_CATALOG and value(t.object) in catalogues)]


def known_hashes(store: Store, source: str) -> dict[str, str]:
    """The datasets already harvested from ``source``: IRI → content hash."""
    from rdflib import URIRef  # the store's bindings are rdflib terms

    result = store.select(_KNOWN, {"source": URIRef(source)})
    return {str(row["dataset"]): str(row["hash"]) for row in result.rows}


_LAST = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX lod: <https://w3id.org/lod-studies/vocab#>
SELECT (MAX(?when) AS ?last) WHERE {
  GRAPH ?dataset { ?dataset prov:wasDerivedFrom ?record .
                   ?record lod:harvestSource ?source ; prov:generatedAtTime ?when }
}"""

#: taken off the last change lod saw, for clock differences between lod and the source
SINCE_MARGIN = timedelta(minutes=10)


def last_change(store: Store, source: str) -> str | None:
    """When lod last wrote a dataset from ``source`` (less a margin), as ``modified_since``
    wants it: every later change upstream is after this."""
    from rdflib import URIRef

    rows = store.select(_LAST, {"source": URIRef(source)}).rows
    if not rows or "last" not in rows[0]:
        return None
    try:
        when = datetime.fromisoformat(str(rows[0]["last"]).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when - SINCE_MARGIN).astimezone(UTC).isoformat().replace("+00:00", "Z")


def catalogue_node(iri: str, lines: list[tuple[str, str, str]]) -> list[str]:
    """A source catalogue's own description (not its dataset links, not its paging), as
    statements for its shared graph."""
    node = f"<{iri}>"
    keep = [f"{s} {p} {o}" for s, p, o in lines if s == node and p != f"<{HAS_DATASET}>"
            and not p.startswith("<http://www.w3.org/ns/hydra/core#") and o[0] != "_"]
    typed = f"{node} <{RDF_TYPE}> <{DCAT}Catalog>"
    return keep if typed in keep else [*keep, typed]


#: part of every content hash: a harvest that maps data differently re-writes what it had
NORMALISATION = "lod-harvest-2"


__all__ = ["CONTENT_HASH", "HARVEST_SOURCE", "catalogue_node", "content_hash", "known_hashes", "last_change",
           "NORMALISATION", "provenance", "record_iri", "without_provenance", "DCT"]
