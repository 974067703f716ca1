"""Input-form detection from file name and content, in one place."""

from __future__ import annotations

import re

from lod.readers import csl, ddi, harmony_page, schemaorg
from lod.readers.html_scripts import looks_like_html

_GZ = re.compile(r"\.gz$", re.IGNORECASE)


def detect(name: str, data: bytes) -> str | None:
    """The ``--from`` name for an input, or None when it cannot be told."""
    lower = _GZ.sub("", name.lower())
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    for rule in RULES:
        found = rule(lower, head, data)
        if found:
            return found
    return None


def _json_like(lower: str, head: bytes, data: bytes) -> str | None:
    if lower.endswith((".json", ".jsonl", ".ndjson")) or head[:1] in (b"{", b"["):
        return "harmony"
    return None


def _ddi(lower: str, head: bytes, data: bytes) -> str | None:
    if lower.endswith(".xml") or (head[:1] == b"<" and ddi.sniff(head)):
        return "ddi"
    return None


def _page(lower: str, head: bytes, data: bytes) -> str | None:
    """Saved Harmony pages: Next.js flight data (.txt) or the HTML page that carries it."""
    if looks_like_html(head):
        return "harmony-page" if b"self.__next_f.push" in data[:DETECT_PAGE_BYTES] else "schemaorg"
    flight = harmony_page.sniff(head) and head[:1] not in (b"{", b"[")
    return "harmony-page" if flight and not lower.endswith((".json", ".jsonl")) else None


def _schemaorg(lower: str, head: bytes, data: bytes) -> str | None:
    if lower.endswith(".jsonld"):
        return "schemaorg"
    if head[:1] in (b"{", b"[") and schemaorg.sniff(head) and b'"dataset_schema"' not in head:
        return "schemaorg"
    return None


def _csl(lower: str, head: bytes, data: bytes) -> str | None:
    if lower.endswith((".csl.json", ".csl.jsonl")):
        return "csl"
    if head[:1] in (b"{", b"[") and csl.sniff(head) and b'"dataset_schema"' not in head:
        return "csl"
    return None


DETECT_PAGE_BYTES = 1024 * 1024

# Ordered rules: readers for other forms insert theirs before the generic JSON rule.
RULES = [_ddi, _page, _csl, _schemaorg, _json_like]


RDF_EXTENSIONS = (".ttl", ".nt", ".nq", ".trig", ".rdf", ".owl", ".n3")


def record_form(name: str, head: bytes) -> str | None:
    """The reader form of a study-record file, or None for an RDF file to be read as it is.

    `.jsonld` and `.xml` are both: a `.jsonld` whose nodes are typed plain ``"Dataset"`` is a
    schema.org record (lod's own JSON-LD output compacts types to ``"schema:Dataset"``), and an
    `.xml` file is DDI only if it has a codeBook; otherwise they are JSON-LD and RDF/XML."""
    lower = _GZ.sub("", name.lower())
    if lower.endswith(RDF_EXTENSIONS):
        return None
    if lower.endswith(".jsonld"):
        return "schemaorg" if b'"Dataset"' in head else None
    if lower.endswith(".xml"):
        return "ddi" if ddi.sniff(head) else None
    if lower.endswith(".json") and _JSONLD_DOCUMENT.match(head) and b'"Dataset"' not in head:
        return None  # JSON-LD written with a .json name (as `lod convert -o x.json` does)
    return detect(name, head)


# A JSON-LD document opens with its context; Harmony records keep theirs inside dataset_schema.
_JSONLD_DOCUMENT = re.compile(rb'^\s*(\[\s*)?\{\s*"@(context|graph|id)"')
