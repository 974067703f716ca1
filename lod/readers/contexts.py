"""JSON-LD contexts lod ships, by the URLs documents use for them (no network, ever)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lod.resources import vocabulary

# URL (as documents write it, normalised) → file in vocabularies/contexts/.
_BUNDLED = {
    "https://w3id.org/lod-studies/context.jsonld": "lod.jsonld",
    "https://schema.org": "schemaorg.jsonld",
    "http://schema.org": "schemaorg.jsonld",
    "https://schema.org/docs/jsonldcontext.jsonld": "schemaorg.jsonld",
    "http://schema.org/docs/jsonldcontext.jsonld": "schemaorg.jsonld",
}


@cache
def _load(filename: str) -> dict[str, Any] | None:
    path = vocabulary("contexts", filename)
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        return dict(json.load(f))


def bundled_context(url: str) -> dict[str, Any] | None:
    """The bundled copy of a context URL, or None if lod does not ship it."""
    filename = _BUNDLED.get(url.rstrip("/"))
    return _load(filename) if filename else None
