"""Harvested DCAT mapped onto the shape lod's named queries, facets and pages read, reusing
lod's own transforms (keyword concepts, countries, places, the organisation alias table):

- ``dcat:keyword`` → ``dcat:theme`` keyword concepts (``skos:Concept`` with ``lod:matchKey``);
- ``dct:spatial``: EU authority country IRIs, country names or codes, and free-text places;
- ``dct:temporal`` periods → ``lod:startYear``/``lod:endYear`` and the study's ``lod:coverageYears``;
- ``prov:qualifiedAttribution`` with a funder or sponsor role → ``schema:funder``/``schema:sponsor``;
- named funders and sponsors → lod's organisation nodes, through the alias table.

Only triples are added (and funder/sponsor links pointed at lod's organisation node), so data
lod itself published comes back unchanged. Shared nodes (concepts, countries, places,
organisations) go in graphs of their own, as ``lod load`` keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lod.harvest.vocab import (
    DCAT,
    DCT,
    FOAF,
    LOD,
    OWL,
    PROV,
    RDF_TYPE,
    RDFS,
    RELATORS,
    SCHEMA,
    SKOS,
    XSD,
    value,
)
from lod.transforms import agents, codes
from lod.transforms import text as text_transforms
from lod.transforms.registry import TransformContext
from lod.transforms.tables import Tables, normalise_name

_ROLES = {RELATORS + "fnd": SCHEMA + "funder", RELATORS + "spn": SCHEMA + "sponsor",
          "http://purl.org/spar/datacite/Funder": SCHEMA + "funder",
          "http://purl.org/spar/datacite/Sponsor": SCHEMA + "sponsor"}
_NAMES = (SCHEMA + "name", FOAF + "name", SKOS + "prefLabel", RDFS + "label",
          "http://www.w3.org/ns/locn#geographicName")
_START = (DCAT + "startDate", SCHEMA + "startDate")
_END = (DCAT + "endDate", SCHEMA + "endDate")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(_n(s), _n(p), o)


@dataclass
class Normalised:
    """What normalising a dataset changes: triples to add to it, triples of it to drop (links
    re-pointed at lod's own nodes), and the shared nodes it uses."""

    added: list[ox.Triple] = field(default_factory=list)
    dropped: set[ox.Triple] = field(default_factory=set)
    shared: dict[str, list[ox.Triple]] = field(default_factory=dict)


class Normaliser:
    def __init__(self, base_uri: str, tables: Tables | None = None) -> None:
        self.ctx = TransformContext(tables=tables or Tables.load(), base=base_uri)

    def run(self, iri: str, triples: list[ox.Triple]) -> Normalised:
        by_subject: dict[str, list[ox.Triple]] = {}
        for t in triples:
            by_subject.setdefault(value(t.subject), []).append(t)
        own = by_subject.get(iri, [])
        out = Normalised()
        self.ctx.warnings.clear()
        self._keywords(iri, own, out)
        self._places(iri, own, by_subject, out)
        self._periods(iri, own, by_subject, out)
        self._sponsors(iri, own, by_subject, out)
        out.added = list(dict.fromkeys(out.added))  # no duplicates, order kept
        return out

    def _keywords(self, iri: str, own: list[ox.Triple], out: Normalised) -> None:
        for t in own:
            if t.predicate.value != DCAT + "keyword" or not isinstance(t.object, ox.Literal):
                continue
            for keyword in text_transforms.keywords(value(t.object), self.ctx) or []:
                found = text_transforms.concept(keyword, self.ctx)
                if not found:
                    continue
                node = f"{self.ctx.base}keyword/{found['key']}"
                out.added.append(_t(iri, DCAT + "theme", _n(node)))
                label = found["label"]
                label = label["@value"] if isinstance(label, dict) else label
                out.shared.setdefault(node, [
                    _t(node, RDF_TYPE, _n(SKOS + "Concept")),
                    _t(node, SKOS + "prefLabel", ox.Literal(label)),
                    _t(node, LOD + "matchKey", ox.Literal(found["match"]))])

    def _places(self, iri: str, own: list[ox.Triple], by_subject: dict[str, list[ox.Triple]],
                out: Normalised) -> None:
        for t in own:
            if t.predicate.value != DCT + "spatial":
                continue
            o = t.object
            if isinstance(o, ox.NamedNode) and o.value.startswith(codes.EU_COUNTRY):
                self._country(o.value.rsplit("/", 1)[-1], out)
            elif isinstance(o, ox.NamedNode) and o.value in by_subject:
                name = _name(by_subject[o.value])
                if name:
                    out.added.append(_t(o.value, RDF_TYPE, _n(DCT + "Location")))
                    out.added.append(_t(o.value, LOD + "matchKey",
                                          ox.Literal(normalise_name(name))))
            elif isinstance(o, ox.Literal):
                node = self._country(o.value, out)
                if node is None:
                    node = self._place(o.value, out)
                if node is not None:
                    out.added.append(_t(iri, DCT + "spatial", _n(node)))

    def _country(self, code: str, out: Normalised) -> str | None:
        found = codes.country(code, self.ctx)
        if found is None:
            return None
        node = found["iri"]
        triples = [_t(node, RDF_TYPE, _n(DCT + "Location")), _t(node, RDF_TYPE, _n(SCHEMA + "Country")),
                   _t(node, SKOS + "prefLabel", ox.Literal(found["name"], language="en")),
                   _t(node, SCHEMA + "name", ox.Literal(found["name"], language="en")),
                   _t(node, SKOS + "notation", ox.Literal(found["code"]))]
        triples += [_t(node, LOD + "matchKey", ox.Literal(m)) for m in found["match"]]
        out.shared.setdefault(node, triples)
        return str(node)

    def _place(self, label: str, out: Normalised) -> str | None:
        found = codes.place(label, self.ctx)
        if not found:
            return None
        node = f"{self.ctx.base}place/{found['key']}"
        out.shared.setdefault(node, [
            _t(node, RDF_TYPE, _n(DCT + "Location")), _t(node, RDF_TYPE, _n(SCHEMA + "Place")),
            _t(node, SKOS + "prefLabel", ox.Literal(found["label"])),
            _t(node, SCHEMA + "name", ox.Literal(found["label"])),
            _t(node, LOD + "matchKey", ox.Literal(found["match"]))])
        return node

    def _periods(self, iri: str, own: list[ox.Triple], by_subject: dict[str, list[ox.Triple]],
                 out: Normalised) -> None:
        span: tuple[int | None, int | None] | None = None
        for t in own:
            if t.predicate.value != DCT + "temporal" or not isinstance(t.object, ox.NamedNode):
                continue
            period = by_subject.get(value(t.object), [])
            start = _year(period, _START)
            end = _year(period, _END)
            if start is None and end is None:
                continue
            if start is not None:
                out.added.append(_t(value(t.object), LOD + "startYear", _int(start)))
            if end is not None:
                out.added.append(_t(value(t.object), LOD + "endYear", _int(end)))
            if span is None:
                span = (start, end)
        already = any(t.predicate.value == LOD + "coverageYears" for t in own)
        if span is not None and not already:
            years = f"{span[0] if span[0] is not None else '..'}/{span[1] if span[1] is not None else '..'}"
            out.added.append(_t(iri, LOD + "coverageYears", ox.Literal(years)))

    def _sponsors(self, iri: str, own: list[ox.Triple], by_subject: dict[str, list[ox.Triple]],
                  out: Normalised) -> None:
        links: list[tuple[str, ox.NamedNode]] = []
        for t in own:
            if t.predicate.value in (SCHEMA + "funder", SCHEMA + "sponsor") \
                    and isinstance(t.object, ox.NamedNode):
                links.append((t.predicate.value, t.object))
            elif t.predicate.value == PROV + "qualifiedAttribution" and isinstance(t.object, ox.NamedNode):
                attribution = by_subject.get(value(t.object), [])
                role = next((_ROLES[value(a.object)] for a in attribution
                             if a.predicate.value == DCAT + "hadRole" and value(a.object) in _ROLES), None)
                agent = next((a.object for a in attribution if a.predicate.value == PROV + "agent"
                              and isinstance(a.object, ox.NamedNode)), None)
                if role and agent is not None:
                    links.append((role, agent))
        pointed: list[ox.Triple] = []
        for predicate, agent in links:
            name = _name(by_subject.get(agent.value, []))
            target = agent.value
            if name:  # described on the page: through the alias table to lod's node
                found = agents.organisation(name, self.ctx)
                if found:
                    target = f"{self.ctx.base}organisation/{found['key']}"
                    out.shared.setdefault(target, _organisation(target, found, agent.value))
                    out.dropped.add(ox.Triple(_n(iri), _n(predicate), agent))
            pointed.append(_t(iri, predicate, _n(target)))
        out.added.extend(pointed)  # after the drops: a link may be dropped and made again


def _organisation(node: str, found: dict[str, object], original: str) -> list[ox.Triple]:
    name = str(found["name"])
    out = [_t(node, RDF_TYPE, _n(FOAF + "Agent")), _t(node, RDF_TYPE, _n(FOAF + "Organization")),
           _t(node, RDF_TYPE, _n(SCHEMA + "Organization")),
           _t(node, FOAF + "name", ox.Literal(name)), _t(node, SCHEMA + "name", ox.Literal(name))]
    out += [_t(node, SKOS + "altLabel", ox.Literal(str(a))) for a in found.get("aliases") or []]  # type: ignore[attr-defined]
    out += [_t(node, LOD + "matchKey", ox.Literal(str(m))) for m in found.get("match") or []]  # type: ignore[attr-defined]
    same = {str(s) for s in found.get("same_as") or []} | ({original} if original != node else set())  # type: ignore[attr-defined]
    out += [_t(node, OWL + "sameAs", _n(s)) for s in sorted(same)]
    return out


def _name(triples: list[ox.Triple]) -> str | None:
    for predicate in _NAMES:
        for t in triples:
            if t.predicate.value == predicate and isinstance(t.object, ox.Literal) \
                    and t.object.value.strip():
                return value(t.object).strip()
    return None


def _year(triples: list[ox.Triple], predicates: tuple[str, ...]) -> int | None:
    for t in triples:
        if t.predicate.value in predicates and isinstance(t.object, ox.Literal):
            head = value(t.object).strip()[:5].rstrip("-")
            digits = head.lstrip("-")
            if digits.isdigit() and len(digits) == 4:
                return int(head)
    return None


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD + "integer"))


__all__ = ["Normalised", "Normaliser"]
