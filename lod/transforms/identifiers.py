"""Identifiers: DOIs in every spelling, and plain source identifiers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from lod.transforms.registry import TransformContext, transform
from lod.transforms.tables import slug
from lod.transforms.text import clean_text

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|info:doi/)",
                           re.IGNORECASE)


_IRI_SAFE = "/:;()._-~"
_PLAIN_DOI = re.compile(r"10\.\d{4,9}/[A-Za-z0-9/:;()._~-]+")  # nothing to unquote, strip or quote


def normalise_doi(raw: str) -> str | None:
    """``http://dx.doi.org/10.5255/X``, ``doi:10.5255/X``, ``10.5255%2FX`` → ``10.5255/X``.

    None when the text is not a DOI."""
    if _PLAIN_DOI.fullmatch(raw):
        return raw
    text = _DOI_PREFIXES.sub("", unquote(raw.strip())).strip()
    return text if _DOI.match(text) else None


def doi_iri(doi: str) -> str:
    if _PLAIN_DOI.fullmatch(doi):
        return "https://doi.org/" + doi
    return "https://doi.org/" + quote(doi, safe=_IRI_SAFE)


@transform("doi")
def doi(value: Any, ctx: TransformContext) -> Any:
    """A DOI in any spelling → ``{iri, notation, key, scheme}``; anything else is warned about and dropped."""
    if isinstance(value, dict):
        value = value.get("value") or value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return None
    found = normalise_doi(clean_text(value, ctx, "DOI"))
    if found is None:
        ctx.warn(f"not a DOI: {value!r}; dropped")
        return None
    return {"iri": doi_iri(found), "notation": found, "key": "doi-" + slug(found, 120),
            "scheme": "DOI", "agency": "International DOI Foundation"}


@transform("doi_or_identifier")
def doi_or_identifier(value: Any, ctx: TransformContext) -> Any:
    """Identifier lists mix DOIs, URLs and local ids: DOIs become DOI identifiers, others plain ones."""
    raw = value.get("value") if isinstance(value, dict) else value
    if isinstance(raw, str) and normalise_doi(raw):
        return doi(raw, ctx)
    return identifier(value, ctx)


@transform("identifier")
def identifier(value: Any, ctx: TransformContext) -> Any:
    """A local identifier (string, number, or schema.org PropertyValue) → ``{notation, key, scheme}``."""
    scheme = None
    if isinstance(value, dict):
        scheme = value.get("propertyID") or value.get("agency") or value.get("scheme")
        value = value.get("value") or value.get("@value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    notation = clean_text(value, ctx, "identifier").strip()
    if not notation:
        return None
    out = {"notation": notation, "key": slug(notation, 120)}
    if isinstance(scheme, str) and scheme.strip():
        out["scheme"] = scheme.strip()
    return out
