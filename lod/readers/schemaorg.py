"""schema.org ``Dataset`` JSON-LD, as publishers write it, in JSON files or HTML pages.

Every document is expanded with pyld against the bundled schema.org context
(``vocabularies/contexts/schemaorg.jsonld``; the document loader serves only that and refuses
everything else, so nothing is fetched), ``http://schema.org/`` IRIs are folded into
``https://schema.org/``, and the graph is framed on ``Dataset`` with every referenced node
embedded. Each Dataset becomes one record (``source="schemaorg"``) in one compact shape, the
shape Harmony's ``dataset_schema`` has:

* keys are schema.org property names (``name``, ``keywords`` ...); ``@id`` is kept when it is
  an absolute IRI, ``@type`` is a short name (or a list of them);
* ``LIST_PROPERTIES`` (keywords, identifier, url, creator, funder, ...) are always lists;
  others are a single value, or a list when the document gives several;
* a language-tagged string is ``{"@value": ..., "@language": ...}``, other literals plain;
* keywords given as one comma-separated string are split; ``DefinedTerm`` keywords give
  their ``name``;
* agents (creator, funder, sponsor, publisher ...) are objects with ``name`` (a bare string
  becomes ``{"name": ...}``; a Person with only given/family names gets them joined);
* ``spatialCoverage`` items are objects (text becomes ``{"name": ...}``), identifiers are
  strings (a ``PropertyValue`` gives its ``url`` or ``value``), ``license`` a string;
* ``_key`` (lod's, not schema.org's) is a stable id for the study IRI: ``doi/<DOI>`` when an
  identifier or sameAs is a DOI, else ``id-``, ``url-`` or ``name-`` and a SHA-1 digest of
  the ``@id``, first ``url`` or ``name``; each ``distribution`` item gets a ``_key`` too (a
  digest of its ``contentUrl``, ``url``, ``@id`` or ``name``).

A document without any Dataset node, one that is not JSON, or not JSON-LD, is rejected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from lod.namespaces import SCHEMA, SCHEMA_HTTP
from lod.readers import html_scripts
from lod.readers.contexts import bundled_context
from lod.readers.limits import oversized, reject, too_big
from lod.records import Origin, Record, Rejected
from lod.transforms.identifiers import normalise_doi

FORMAT = "schemaorg"

LIST_PROPERTIES = frozenset({
    "keywords", "identifier", "url", "sameAs", "creator", "author", "contributor", "funder",
    "sponsor", "publisher", "producer", "provider", "maintainer", "copyrightHolder",
    "includedInDataCatalog", "distribution", "spatialCoverage", "license", "inLanguage",
    "citation", "hasPart", "isPartOf", "variableMeasured", "measurementTechnique",
    "affiliation", "memberOf",
})
AGENT_PROPERTIES = frozenset({
    "creator", "author", "contributor", "funder", "sponsor", "publisher", "producer", "provider",
    "maintainer", "copyrightHolder", "includedInDataCatalog", "affiliation", "memberOf",
})
PLACE_PROPERTIES = frozenset({"spatialCoverage", "contentLocation", "locationCreated"})



@cache
def _frame() -> dict[str, Any]:
    """Frame on Dataset with every reference embedded. Its context is the bundled one cut down
    to ``@vocab`` and the IRI-valued terms: compacting against all 2,900 terms is five times
    slower and gives the same short names."""
    full = bundled_context(SCHEMA) or {"@context": {"@vocab": SCHEMA}}
    small = {k: v for k, v in full["@context"].items()
             if k.startswith("@") or k == "schema" or isinstance(v, dict)}
    return {"@context": small, "@type": "Dataset", "@embed": "@always"}


def sniff(head: bytes) -> bool:
    """True when the document mentions schema.org in a JSON-LD way."""
    return b"@context" in head and b"schema.org" in head


def read(data: bytes, name: str) -> Iterator[Record | Rejected]:
    """Yield one record per Dataset in a JSON-LD file or in an HTML page's JSON-LD scripts."""
    if (problem := too_big(data, name)) is not None:
        yield problem
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield reject(name, f"not UTF-8 text (byte {exc.start})")
        return
    if not html_scripts.looks_like_html(data[:2048]):
        yield from read_text(text, name)
        return
    blocks = [s for s in html_scripts.scripts(text) if s.type in html_scripts.JSONLD_TYPES]
    if not blocks:
        yield reject(name, 'HTML page has no <script type="application/ld+json"> element')
    found = [item for script in blocks for item in read_text(script.text, name, line=script.line)]
    if any(isinstance(item, Record) for item in found):
        # Pages describe themselves too (WebSite, Organization): only Datasets are records.
        found = [i for i in found if isinstance(i, Record) or i.problem.field != "@type"]
    yield from found


def read_text(text: str, name: str, *, line: int | None = None) -> Iterator[Record | Rejected]:
    """Parse one JSON-LD text (a file, or a script starting at ``line`` of a page)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line + exc.lineno - 1
        yield reject(name, f"not JSON: {exc.msg} (column {exc.colno})", line=at)
        return
    except RecursionError:
        yield reject(name, "JSON nested too deeply", line=line)
        return
    yield from read_document(document, name, line=line)


def read_document(document: Any, name: str, *, line: int | None = None
                  ) -> Iterator[Record | Rejected]:
    """Frame a parsed JSON-LD document on schema:Dataset and yield one record per Dataset."""
    if (found := oversized(document)) is not None:
        yield reject(name, found[1], line=line, pointer=found[0])
        return
    from pyld import jsonld  # here, not at the top: `lod convert` of JSON Lines never needs it

    options = {"documentLoader": _load_document, "base": None}
    try:
        expanded = _https(jsonld.expand(document, options))
        framed = jsonld.frame(expanded, _frame(), {**options, "omitGraph": False})
    except (jsonld.JsonLdError, RecursionError, TypeError, ValueError) as exc:
        yield reject(name, f"not valid JSON-LD: {_jsonld_reason(exc)}", line=line)
        return
    nodes = [n for n in framed.get("@graph", []) if isinstance(n, dict)]
    if not nodes:
        types = sorted({_short(t) for n in expanded for t in n.get("@type", [])})
        found_types = ", ".join(types) if types else "none"
        yield reject(name, f"JSON-LD has no schema.org Dataset (types found: {found_types})",
                     field="@type", line=line, pointer="/")
        return
    for index, node in enumerate(nodes):
        data = dataset(node)
        origin = Origin(name, line=line, index=index)
        if not data.get("name"):
            yield reject(name, "Dataset has no name", field="name", line=line, index=index,
                         raw=data)
        else:
            yield Record(data, origin, source="schemaorg")


def dataset(node: dict[str, Any]) -> dict[str, Any]:
    """The compact record shape of one framed Dataset node (see the module docstring)."""
    out = _clean(node)
    assert isinstance(out, dict)
    out = _shape(out)
    if key := _key(out):
        out["_key"] = key
    for item in out.get("distribution", []):
        if isinstance(item, dict):
            item["_key"] = _digest(next((str(item[k]) for k in ("contentUrl", "url", "@id", "name")
                                         if item.get(k)), json.dumps(item, sort_keys=True)))
    return out


def _digest(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:16]


def _key(data: dict[str, Any]) -> str | None:
    """A stable id for the study: its DOI, else a digest of its @id, url or name."""
    for value in data.get("identifier", []) + data.get("sameAs", []):
        if isinstance(value, str) and (doi := normalise_doi(value)):
            return f"doi/{doi}"
    for field, prefix in (("@id", "id"), ("url", "url"), ("name", "name")):
        value = data.get(field)
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, dict):
            value = value.get("@value")
        if isinstance(value, str) and value.strip():
            return f"{prefix}-{_digest(value)}"
    return None


def _shape(node: dict[str, Any]) -> dict[str, Any]:
    """Apply the shape rules to a node and, depth first, to the nodes inside it."""
    for key in list(node):
        if key.startswith("@"):
            continue
        value = node[key]
        values = value if isinstance(value, list) else [value]
        if key == "keywords":
            values = _keywords(values)
        elif key in AGENT_PROPERTIES:
            values = [_agent(v) for v in values]
        elif key in PLACE_PROPERTIES:
            values = [v if isinstance(v, dict) else {"name": v} for v in values]
        elif key in ("identifier", "license"):
            values = [_reference(v) for v in values]
        values = [_shape(v) if isinstance(v, dict) and "@value" not in v else v
                  for v in values if v not in ("", None, {})]
        if not values:
            del node[key]
        else:
            node[key] = values if key in LIST_PROPERTIES or len(values) > 1 else values[0]
    return node


def _load_document(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader: bundled contexts (schema.org's) only, never the network."""
    from pyld import jsonld

    context = bundled_context(url) if isinstance(url, str) else None
    if context is not None:
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": context}
    raise jsonld.JsonLdError(
        f"remote context {url} is not bundled (lod never fetches contexts)",
        "jsonld.LoadDocumentError", code="loading remote context failed")


def _jsonld_reason(exc: BaseException) -> str:
    """The innermost pyld message: pyld wraps causes several levels deep."""
    from pyld import jsonld

    while isinstance(exc.__cause__, jsonld.JsonLdError):
        exc = exc.__cause__
    if isinstance(exc, jsonld.JsonLdError):
        message = str(exc.args[0]) if exc.args else exc.type
        return f"{exc.code}: {message}" if exc.code else message
    return str(exc).split("\n")[0]


def _https(value: Any) -> Any:
    """Fold http://schema.org/ IRIs (keys, @type, @id) into https://schema.org/."""
    if isinstance(value, list):
        return [_https(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = _fold(key)
            if key in ("@type", "@id"):
                item = [_fold(t) for t in item] if isinstance(item, list) else _fold(item)
            elif key != "@value":
                item = _https(item)
            out[key] = item
        return out
    return value


def _fold(iri: Any) -> Any:
    if isinstance(iri, str) and iri.startswith(SCHEMA_HTTP):
        return SCHEMA + iri[len(SCHEMA_HTTP):]
    return iri


def _short(iri: str) -> str:
    for prefix in (SCHEMA, "schema:"):
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return iri


def _clean(value: Any) -> Any:
    """Compacted JSON-LD to plain values: value objects unwrapped, keys and types shortened."""
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        if "@language" in value:
            return {"@value": value["@value"], "@language": value["@language"]}
        return value["@value"]
    if "@list" in value or "@set" in value:
        return _clean(value.get("@list", value.get("@set")))
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@context":
            continue
        if key == "@id":
            if isinstance(item, str) and ":" in item and not item.startswith("_:"):
                out["@id"] = item
            continue
        if key == "@type":
            types = [_short(t) for t in (item if isinstance(item, list) else [item])]
            out["@type"] = types[0] if len(types) == 1 else types
            continue
        short = _short(key)
        cleaned = _clean(item)
        if short in out:  # the same property under two spellings
            before = out[short] if isinstance(out[short], list) else [out[short]]
            cleaned = before + (cleaned if isinstance(cleaned, list) else [cleaned])
        out[short] = cleaned
    return out


def _keywords(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, dict) and "@value" not in value:
            value = value.get("name") or value.get("@id") or ""
        if isinstance(value, dict):  # language-tagged: split, keep the language
            out.extend({"@value": part, "@language": value["@language"]}
                       for part in _split(value["@value"]))
        elif isinstance(value, str):
            out.extend(_split(value))
    return out


def _split(text: Any) -> list[str]:
    return [part.strip() for part in str(text).split(",") if part.strip()]


def _agent(value: Any) -> Any:
    if not isinstance(value, dict) or "@value" in value:
        return {"name": value}
    if not value.get("name"):
        parts = [value.get(k) for k in ("givenName", "familyName")]
        joined = " ".join(p for p in parts if isinstance(p, str) and p.strip())
        if joined:
            value = {**value, "name": joined}
    return value


def _reference(value: Any) -> Any:
    if isinstance(value, dict) and "@value" not in value:
        for key in ("url", "@id", "value", "name"):
            if isinstance(value.get(key), str | int) and str(value[key]).strip():
                return str(value[key]).strip()
        return None
    return value
