"""A study's HTML page, from its described graph: what the page shows, its Dataset JSON-LD,
and the template. A pure function of the triples and the server's links, so that it runs in
a query worker beside the read (the embedded store) or in the server (a remote one)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from lod.serve.links import Links
from lod.serve.web import dataset_jsonld, negotiate
from lod.serve.web.templating import render_text
from lod.serve.web.view import ADMS, DCAT, DCT, SCHEMA, SKOS, Described, DescribedGraph


def forms(links: Links, path: str) -> list[dict[str, str]]:
    """Links to the RDF forms of the document at ``path``."""
    return [{"label": form.media_type, "href": links.link(path + form.suffix)}
            for form in negotiate.RDF_FORMS]


def study_values(view: Described, study: ox.NamedNode, path: str) -> dict[str, Any]:
    """What the study page shows."""
    periods = []
    for period in view.nodes(study, DCT.temporal):
        start = view.text(period, DCAT.startDate)
        end = view.text(period, DCAT.endDate)
        if start or end:
            periods.append(f"{start or '…'} – {end or '…'}")
    identifiers = []
    for value in view.texts(study, DCT.identifier) + view.texts(study, SCHEMA.identifier):
        identifiers.append({"label": value, "href": dataset_jsonld.doi_url(value)})
    for node in view.nodes(study, ADMS.identifier):
        for notation in view.texts(node, SKOS.notation):
            identifiers.append({"label": notation, "href": dataset_jsonld.doi_url(notation)})
    unique: dict[str, dict[str, str | None]] = {}
    for found in identifiers:
        unique.setdefault(str(found["label"]), found)
    publications = [view.item(n) for n in view.nodes(study, DCT.isReferencedBy, SCHEMA.citation)]
    publications += [{"label": text, "href": "", "iri": ""}
                     for text in view.texts(study, DCT.bibliographicCitation)]
    keywords = [view.item(n) for n in view.nodes(study, DCAT.theme)]
    return {
        "title": view.label(study),
        "iri": study.value,
        "description": view.text(study, DCT.description, SCHEMA.description) or "",
        "sponsors": [view.item(n) for n in view.nodes(study, SCHEMA.sponsor)],
        "funders": [view.item(n) for n in view.nodes(study, SCHEMA.funder)],
        "creators": [view.item(n) for n in view.nodes(study, DCT.creator, SCHEMA.creator)],
        "publishers": [view.item(n) for n in view.nodes(study, DCT.publisher)],
        "temporal": view.texts(study, SCHEMA.temporalCoverage) or periods,
        "spatial": [view.item(n) for n in view.nodes(study, DCT.spatial)],
        "keywords": keywords,
        "free_keywords": [] if keywords else view.texts(study, DCAT.keyword),
        "catalogues": [view.item(n) for n in view.nodes(study, SCHEMA.includedInDataCatalog)],
        "identifiers": list(unique.values()),
        "landing_pages": [n.value for n in view.nodes(study, DCAT.landingPage)],
        "publications": publications,
        "parents": [view.item(n) for n in view.nodes(study, DCT.isPartOf)],
        "children": [view.item(n) for n in view.nodes(study, DCT.hasPart)],
        "forms": forms(view.links, path),
        "modified": view.text(study, DCT.modified),
        "n_triples": len(view.graph),
    }


def study_html(graph: DescribedGraph, iri: str, path: str, links: Links) -> str:
    """The page of the study ``iri`` at server path ``path``, from its described graph."""
    view = Described(graph, links)
    study = ox.NamedNode(iri)
    data = dataset_jsonld.dataset(view, study, links.link(path))
    return render_text(links, "study.html", s=study_values(view, study, path),
                       jsonld=dataset_jsonld.script_text(data))
