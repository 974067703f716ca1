"""The schema.org ``Dataset`` a study page embeds for Google Dataset Search: plain JSON-LD,
one top-level object, built from the study's described graph.

Google wants a ``description`` of 50 to 5,000 characters. A shorter one is padded with the
sentence "Metadata of the research study NAME, published as linked open data." (repeated
words never added); a longer one is cut at the last space before 4,999 characters and ends
with "…".
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import pyoxigraph as ox

from lod.serve.web.view import DCAT, DCT, FOAF, OWL, RDF, SCHEMA, XSD, Described

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def description_for(name: str, text: str | None) -> str:
    """``text`` fitted to Google's 50–5,000 characters (the rule in the module's docstring)."""
    out = " ".join((text or "").split())
    if len(out) < MIN_DESCRIPTION:
        pad = f"Metadata of the research study {name}, published as linked open data."
        out = f"{out} {pad}".strip() if out else pad
        while len(out) < MIN_DESCRIPTION:
            out += " Research study metadata."
    if len(out) > MAX_DESCRIPTION:
        cut = out.rfind(" ", 0, MAX_DESCRIPTION - 1)
        out = out[: cut if cut > 0 else MAX_DESCRIPTION - 1] + "…"
    return out


def doi_url(value: str) -> str | None:
    """``https://doi.org/10.…`` for a DOI in any usual spelling, else None."""
    match = _DOI.match(value.strip())
    return "https://doi.org/" + match.group(1) if match else None


def _agent(view: Described, node: ox.NamedNode) -> dict[str, Any]:
    person = any(view.graph.has(node, RDF.type, kind) for kind in (SCHEMA.Person, FOAF.Person))
    kind = "Person" if person else "Organization"
    return {"@type": kind, "name": view.label(node), "url": view.link(node)}


def _related(view: Described, node: ox.NamedNode, kind: str) -> dict[str, Any]:
    return {"@type": kind, "name": view.label(node), "url": view.link(node)}


def dataset(view: Described, study: ox.NamedNode, page_url: str) -> dict[str, Any]:
    """The ``Dataset`` object; a property appears only when the study has data for it."""
    name = view.text(study, SCHEMA.name, DCT.title) or study.value
    out: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": page_url,
        "name": name,
        "description": description_for(name, view.text(study, SCHEMA.description,
                                                        DCT.description)),
        "url": page_url,
    }
    identifiers = [doi_url(v) or v for v in view.texts(study, SCHEMA.identifier)
                   + view.texts(study, DCT.identifier)]
    identifiers += [n.value for n in view.nodes(study, SCHEMA.identifier)]
    _put(out, "identifier", list(dict.fromkeys(identifiers)))
    _put(out, "sameAs", [n.value for n in view.nodes(study, SCHEMA.sameAs, OWL.sameAs)])
    _put(out, "keywords", view.texts(study, SCHEMA.keywords, DCAT.keyword)
         or [view.label(n) for n in view.nodes(study, DCAT.theme)])
    _put(out, "creator", [_agent(view, n) for n in view.nodes(study, SCHEMA.creator, DCT.creator)])
    _put(out, "funder", [_agent(view, n) for n in view.nodes(study, SCHEMA.funder)])
    _put(out, "sponsor", [_agent(view, n) for n in view.nodes(study, SCHEMA.sponsor)])
    _put(out, "license", [n.value for n in view.nodes(study, SCHEMA.license, DCT.license)])
    free = [o for o in view.literals(study, SCHEMA.isAccessibleForFree) if o.datatype == XSD.boolean]
    if free:
        out["isAccessibleForFree"] = free[0].value.strip() in ("true", "1")
    _put(out, "temporalCoverage", view.texts(study, SCHEMA.temporalCoverage))
    places = dict.fromkeys(view.label(n) for n in view.nodes(study, SCHEMA.spatialCoverage,
                                                             DCT.spatial))
    _put(out, "spatialCoverage", [{"@type": "Place", "name": name} for name in places])
    _put(out, "variableMeasured", view.texts(study, SCHEMA.variableMeasured)
         + [view.label(n) for n in view.nodes(study, SCHEMA.variableMeasured)])
    _put(out, "includedInDataCatalog", [_related(view, n, "DataCatalog")
                                        for n in view.nodes(study, SCHEMA.includedInDataCatalog)])
    _put(out, "isPartOf", [_related(view, n, "Dataset")
                           for n in view.nodes(study, SCHEMA.isPartOf, DCT.isPartOf)])
    _put(out, "hasPart", [_related(view, n, "Dataset")
                          for n in view.nodes(study, SCHEMA.hasPart, DCT.hasPart)])
    citations = view.texts(study, SCHEMA.citation) + view.texts(study, DCT.bibliographicCitation)
    citations += [n.value for n in view.nodes(study, SCHEMA.citation, DCT.isReferencedBy)]
    _put(out, "citation", list(dict.fromkeys(citations)))
    return out


def _put(out: dict[str, Any], key: str, values: list[Any]) -> None:
    """One value as itself, several as a list, none not at all."""
    if values:
        out[key] = values[0] if len(values) == 1 else values


def script_text(data: dict[str, Any]) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped so that no value can
    close the element."""
    text = orjson.dumps(data).decode("utf-8")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
