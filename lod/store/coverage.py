"""The per-study span-of-years index: ``<study> lod:coverageYears "1990/2005"``.

lod adds one such triple to each study with a temporal coverage when it loads it, so that the
period query and the facet summary compare two years instead of parsing dates. Converted
graphs arrive as N-Quads text and RDF files as pyoxigraph quads; both are indexed here, by
the same rule: the span runs from the period's ``lod:startYear`` to its ``lod:endYear``, and an
open end is written ``..``.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from lod.namespaces import DCT, LOD

#: Predicate of the per-study index triple.
COVERAGE_YEARS = LOD + "coverageYears"
_START, _END = LOD + "startYear", LOD + "endYear"
_TEMPORAL = DCT + "temporal"
_START_TEXT, _END_TEXT = f'<{_START}> "', f'<{_END}> "'
_COVERAGE_TEXT = f"<{COVERAGE_YEARS}>"


def span(start: str | None, end: str | None) -> str | None:
    """``1990/2005``, ``1990/..`` or ``../2005``; None with neither year."""
    if start is None and end is None:
        return None
    return f"{start or '..'}/{end or '..'}"


def span_of(text: str) -> str | None:
    """A study's span of years from its N-Triples/N-Quads text."""
    return span(_year_after(text, _START_TEXT), _year_after(text, _END_TEXT))


def index_text(iri: str, text: str, graph_suffix: str) -> tuple[str, int]:
    """A converted study's N-Quads text with its index triple added (when it has a span and
    no index yet), and the number of triples added."""
    found = span_of(text)
    if found is None or _COVERAGE_TEXT in text:
        return text, 0
    return text + f'<{iri}> {_COVERAGE_TEXT} "{found}"{graph_suffix}', 1


def index_quads(quads: list[ox.Quad], graph: ox.NamedNode) -> list[ox.Quad]:
    """The index quads that the studies among ``quads`` (a graph from an RDF file) lack."""
    years: dict[Any, dict[str, str]] = {}
    temporal: list[tuple[Any, Any]] = []
    indexed = set()
    for q in quads:
        p = q.predicate.value
        if p == _TEMPORAL:
            temporal.append((q.subject, q.object))
        elif p in (_START, _END) and isinstance(q.object, ox.Literal):
            years.setdefault(q.subject, {})[p] = q.object.value
        elif p == COVERAGE_YEARS:
            indexed.add(q.subject)
    out = []
    predicate = ox.NamedNode(COVERAGE_YEARS)
    for study, period in temporal:
        found = years.get(period)
        if found and study not in indexed:
            value = span(found.get(_START), found.get(_END))
            if value is not None:
                out.append(ox.Quad(study, predicate, ox.Literal(value), graph))
                indexed.add(study)
    return out


def _year_after(text: str, marker: str) -> str | None:
    at = text.find(marker)
    if at < 0:
        return None
    at += len(marker)
    close = text.find('"', at)
    value = text[at:close]
    return value if value.lstrip("-").isdigit() else None
