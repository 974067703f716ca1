"""A minimal DCAT feed made from a real lod store: a ``dcat:Catalog`` page with ``dcat:dataset``
links and, for each dataset on the page, every triple of that study's own named graph (and not
the shared nodes it reaches, as ``lod serve`` adds), plus a ``hydra:PartialCollectionView`` with
``hydra:next`` as an IRI and ``hydra:totalItems``. The harvester must take this bare form too;
``tests/test_harvest_from_serve.py`` harvests the real ``lod serve`` feed."""

from __future__ import annotations

from rdflib import URIRef

from lod.store import Store
from tests.harvest_server import Request, Response, Server

DCAT = "http://www.w3.org/ns/dcat#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

STUDY_GRAPHS = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?g WHERE { GRAPH ?g { ?g a dcat:Dataset } } ORDER BY ?g"""
GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def study_graphs(store: Store) -> list[str]:
    return [str(row["g"]) for row in store.select(STUDY_GRAPHS).rows]


def pages(store: Store, base: str, per_page: int) -> dict[str, bytes]:
    """Route (path with query) → Turtle body, for every page of the feed."""
    studies = study_graphs(store)
    catalog = f"<{base}/catalog>"
    chunks = [studies[i:i + per_page] for i in range(0, len(studies), per_page)] or [[]]
    out: dict[str, bytes] = {}
    for n, chunk in enumerate(chunks, 1):
        route = "/catalog" if n == 1 else f"/catalog?page={n}"
        view = f"<{base}/catalog?page={n}>"
        lines = [f"{catalog} <{RDF_TYPE}> <{DCAT}Catalog> .",
                 f'{catalog} <{HYDRA}totalItems> "{len(studies)}"^^<{XSD_INTEGER}> .',
                 f"{catalog} <{HYDRA}view> {view} .",
                 f"{view} <{RDF_TYPE}> <{HYDRA}PartialCollectionView> ."]
        if n < len(chunks):
            lines.append(f"{view} <{HYDRA}next> <{base}/catalog?page={n + 1}> .")
        body = ["\n".join(lines), "\n"]
        for study in chunk:
            body.append(f"{catalog} <{DCAT}dataset> <{study}> .\n")
            body.append(store.construct(GRAPH_TRIPLES, {"g": URIRef(study)}).decode())
        out[route] = "".join(body).encode()
    return out


def publish(server: Server, store: Store, per_page: int = 4) -> str:
    """Serve ``store``'s feed from ``server``; the first page's URL. ETags are the pages'."""
    made = pages(store, server.base, per_page)

    def page(request: Request) -> Response:
        return 200, {"Content-Type": "text/turtle"}, made[request.path]

    for route in made:
        server.routes[route] = page
    return server.base + "/catalog"
