"""IRIs the harvester reads and writes."""

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
HYDRA = "http://www.w3.org/ns/hydra/core#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LOD = "https://w3id.org/lod-studies/vocab#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RELATORS = "http://id.loc.gov/vocabulary/relators/"

DATASET = DCAT + "Dataset"
CATALOG = DCAT + "Catalog"
HAS_DATASET = DCAT + "dataset"


def value(term: object) -> str:
    """An IRI's, blank node's or literal's value (a quoted triple's N-Triples text)."""
    found = getattr(term, "value", None)
    return found if isinstance(found, str) else str(term)
