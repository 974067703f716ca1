"""Content negotiation for the browsable parts: which RDF syntax (or HTML) a request wants.

A request names its form either by a suffix on the path (``.ttl``, ``.jsonld``, ``.rdf``,
``.nt``, ``.html``) or by ``Accept`` with q-values; the suffix wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Form:
    """One way a document can be written: its suffix, media type and pyoxigraph format
    (None for HTML)."""

    suffix: str
    media_type: str
    rdf_format: ox.RdfFormat | None


TURTLE = Form(".ttl", "text/turtle", ox.RdfFormat.TURTLE)
JSONLD = Form(".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD)
RDFXML = Form(".rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML)
NTRIPLES = Form(".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES)
HTML = Form(".html", "text/html", None)

RDF_FORMS: tuple[Form, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
ALL_FORMS: tuple[Form, ...] = (*RDF_FORMS, HTML)
BY_SUFFIX = {form.suffix: form for form in ALL_FORMS}
# Media types some clients send for the same syntaxes.
_ALIASES = {"application/x-turtle": TURTLE, "text/n3": TURTLE, "text/plain": NTRIPLES,
            "application/xhtml+xml": HTML, "application/json": JSONLD}


def split_suffix(path: str, offered: tuple[Form, ...] = ALL_FORMS) -> tuple[str, Form | None]:
    """``study/x.ttl`` → (``study/x``, Turtle); a path without a known suffix comes back whole."""
    for form in offered:
        if path.endswith(form.suffix) and len(path) > len(form.suffix):
            return path[: -len(form.suffix)], form
    return path, None


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """(q, -position, media range) for each entry of an Accept header; q=0 entries dropped."""
    out = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            out.append((q, -position, media))
    return out


def choose(accept: str | None, offered: tuple[Form, ...], default: Form) -> Form | None:
    """The offered form the Accept header prefers (highest q, then earliest; exact types
    before ``type/*`` before ``*/*``), ``default`` when there is no header, None when nothing
    offered is acceptable (406)."""
    if not accept:
        return default
    best: tuple[float, int, int] | None = None
    chosen: Form | None = None
    for q, position, media in _accepted(accept):
        for specificity, form in _matches(media, offered, default):
            rank = (q, specificity, position)
            if best is None or rank > best:
                best, chosen = rank, form
    return chosen


def _matches(media: str, offered: tuple[Form, ...], default: Form) -> list[tuple[int, Form]]:
    if media == "*/*":
        return [(0, default)]
    if media.endswith("/*"):
        major = media[:-1]
        return [(1, form) for form in offered if form.media_type.startswith(major)][:1]
    alias = _ALIASES.get(media)
    return [(2, form) for form in offered if form.media_type == media or form is alias][:1]
