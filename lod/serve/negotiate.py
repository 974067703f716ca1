"""Content negotiation: the ``Accept`` header read with its q-values (RFC 9110 §12.5.1),
and the media types of the SPARQL results formats and RDF syntaxes the server writes."""

from __future__ import annotations

from dataclasses import dataclass

#: result format name (see :mod:`lod.serve.jobs`) -> media types, the first one written.
RESULTS_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_TYPES: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle", "application/x-turtle"),
    "ntriples": ("application/n-triples", "text/plain"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
    "jsonld": ("application/ld+json", "application/json"),
}
CHARSET = {"csv", "tsv", "turtle", "ntriples", "json", "jsonld"}
MAX_ACCEPT_ITEMS = 64  # a longer Accept header is read only this far


@dataclass(frozen=True)
class Range:
    """One media range of an Accept header: ``type/subtype`` (either may be ``*``) and q."""

    kind: str
    subtype: str
    q: float
    order: int

    def specificity(self) -> int:
        return (self.kind != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, subtype = media_type.partition("/")
        return self.kind in ("*", kind) and self.subtype in ("*", subtype)


def parse_accept(header: str | None) -> list[Range]:
    """The ranges of an Accept header; no header (or an empty one) accepts everything."""
    if not header or not header.strip():
        return [Range("*", "*", 1.0, 0)]
    ranges = []
    for order, item in enumerate(header.split(",")[:MAX_ACCEPT_ITEMS]):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(Range(kind, subtype, q, order))
    return ranges


def _best_range(ranges: list[Range], media_type: str) -> Range | None:
    """The most specific range that matches ``media_type`` (RFC 9110: it decides the q)."""
    best: Range | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity() > best.specificity()):
            best = r
    return best


def quality(ranges: list[Range], media_type: str) -> float:
    """The q the client gives ``media_type``."""
    best = _best_range(ranges, media_type)
    return 0.0 if best is None else best.q


def choose(ranges: list[Range], offers: dict[str, tuple[str, ...]]) -> str | None:
    """The offered format the client likes best, or None when it accepts none of them.
    Ties go to the more specific range, then to the client's order, then to ours."""
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for rank, (name, media_types) in enumerate(offers.items()):
        for media_type in media_types:
            r = _best_range(ranges, media_type)
            if r is None or r.q <= 0:
                continue
            key = (r.q, r.specificity(), -r.order, -rank)
            if best is None or key > best:
                best, chosen = key, name
    return chosen


def prefers_html(ranges: list[Range]) -> bool:
    """True when a browser asks: text/html explicitly, and liked at least as much as any
    SPARQL results format or RDF syntax."""
    if not any(r.kind == "text" and r.subtype == "html" for r in ranges):
        return False
    html = quality(ranges, "text/html")
    others = [quality(ranges, t[0]) for t in (*RESULTS_TYPES.values(), *GRAPH_TYPES.values())]
    return html > 0 and html >= max(others)


def content_type(fmt: str) -> str:
    """The Content-Type header for a result format or RDF syntax name."""
    media_type = (RESULTS_TYPES.get(fmt) or GRAPH_TYPES[fmt])[0]
    return media_type + ("; charset=utf-8" if fmt in CHARSET else "")


def format_of(media_type: str) -> str | None:
    """The format name for a Content-Type (parameters ignored), or None."""
    bare = media_type.split(";", 1)[0].strip().lower()
    for table in (RESULTS_TYPES, GRAPH_TYPES):
        for name, types in table.items():
            if bare == types[0]:
                return name
    for table in (RESULTS_TYPES, GRAPH_TYPES):
        for name, types in table.items():
            if bare in types:
                return name
    return None
