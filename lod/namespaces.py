"""The IRIs lod's code names: vocabularies' namespaces, lod's own, and the default base.

Mappings declare their own prefixes (they are data); Python code takes namespaces from here
only, so that each is written once.
"""

from __future__ import annotations

#: Where lod mints study, organisation, catalogue, keyword and place IRIs unless told otherwise.
DEFAULT_BASE_URI = "https://w3id.org/lod-studies/id/"
#: lod's own small vocabulary (``vocabularies/lod.ttl``).
LOD = "https://w3id.org/lod-studies/vocab#"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA_HTTP = "http://schema.org/"  # the older spelling, which readers fold into SCHEMA
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"

#: Prefixes written into Turtle and TriG output (parsing never needs them).
PREFIXES: dict[str, str] = {
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "dcat": DCAT, "dct": DCT, "foaf": FOAF, "schema": SCHEMA,
}
