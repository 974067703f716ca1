"""Harvested DCAT mapped onto the shape lod's named queries, facets and pages read, reusing
lod's own transforms (keyword concepts, countries, places, the organisation alias table):

- ``dcat:keyword`` → ``dcat:theme`` keyword concepts (``skos:Concept`` with ``lod:matchKey``);
- ``dct:spatial``: EU authority country IRIs, country names or codes, and free-text places,
  with the gazetteer places named in them and the countries those lie in;
- ``dct:temporal`` periods → ``lod:startYear``/``lod:endYear`` and the study's ``lod:coverageYears``;
- ``prov:qualifiedAttribution`` with a funder or sponsor role → ``schema:funder``/``schema:sponsor``;
- named funders and sponsors (and funders written as plain text) → lod's organisation nodes,
  through the alias table, one node per organisation a name lists ("MRC Wellcome").

Only statements are added (and funder/sponsor links pointed at lod's organisation nodes), so
data lod itself published comes back unchanged. Shared nodes (concepts, countries, places,
organisations) go in graphs of their own, as ``lod load`` keeps them.

It works on the N-Triples statements the split made (``subject predicate object``, no final
dot), not on term objects: this runs once per harvested dataset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from lod.harvest.datasets import Line, is_iri, literal_value
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
)
from lod.transforms import agents, codes
from lod.transforms import text as text_transforms
from lod.transforms.registry import TransformContext
from lod.transforms.tables import Tables, normalise_name

_FUNDER, _SPONSOR = f"<{SCHEMA}funder>", f"<{SCHEMA}sponsor>"
_ROLES = {f"<{RELATORS}fnd>": _FUNDER, f"<{RELATORS}spn>": _SPONSOR,
          "<http://purl.org/spar/datacite/Funder>": _FUNDER,
          "<http://purl.org/spar/datacite/Sponsor>": _SPONSOR}
_NAMES = tuple(f"<{p}>" for p in (SCHEMA + "name", FOAF + "name", SKOS + "prefLabel",
                                   RDFS + "label", "http://www.w3.org/ns/locn#geographicName"))
_START = (f"<{DCAT}startDate>", f"<{SCHEMA}startDate>")
_END = (f"<{DCAT}endDate>", f"<{SCHEMA}endDate>")
_TYPE = f"<{RDF_TYPE}>"
_KEYWORD, _THEME = f"<{DCAT}keyword>", f"<{DCAT}theme>"
_SPATIAL, _TEMPORAL = f"<{DCT}spatial>", f"<{DCT}temporal>"
_LOCATION = f"<{DCT}Location>"
_MATCH = f"<{LOD}matchKey>"
_PREF, _NAME = f"<{SKOS}prefLabel>", f"<{SCHEMA}name>"
_ATTRIBUTION, _ROLE, _AGENT = f"<{PROV}qualifiedAttribution>", f"<{DCAT}hadRole>", f"<{PROV}agent>"
_COVERAGE = f"<{LOD}coverageYears>"
_EU_COUNTRY = f"<{codes.EU_COUNTRY}"
_INTEGER = ox.NamedNode(XSD + "integer")
_NODES_KEPT = 50_000  # shared nodes' statements kept for reuse; dropped and made again past that


def _literal(text: str, language: str | None = None) -> str:
    return str(ox.Literal(text, language=language) if language else ox.Literal(text))


def _language(term: str) -> str | None:
    """An N-Triples literal's language tag."""
    tail = term[term.rindex('"') + 1:] if term[0] == '"' else ""
    return tail[1:] if tail.startswith("@") else None


@dataclass
class Normalised:
    """What normalising a dataset changes: statements to add to it, statements of it to drop
    (links re-pointed at lod's own nodes), the shared nodes it uses (node IRI → statements),
    and warnings for the publisher (an organisation list with words the table lacks)."""

    added: list[str] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    shared: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Normaliser:
    def __init__(self, base_uri: str, tables: Tables | None = None) -> None:
        self.ctx = TransformContext(tables=tables or Tables.load(), base=base_uri)
        # a shared node's statements, by what they are made from: the same few organisations,
        # concepts and places recur across a whole feed
        self._nodes: dict[tuple[Any, ...], list[str]] = {}

    def run(self, iri: str, lines: list[Line]) -> Normalised:
        by_subject: dict[str, list[tuple[str, str]]] = {}
        for s, p, o in lines:
            by_subject.setdefault(s, []).append((p, o))
        node = f"<{iri}>"
        own = by_subject.get(node, [])
        out = Normalised()
        self.ctx.warnings.clear()
        self._keywords(node, own, out)
        self._places(node, own, by_subject, out)
        self._periods(node, own, by_subject, out)
        self._sponsors(node, own, by_subject, out)
        out.added = list(dict.fromkeys(out.added))  # no duplicates, order kept
        out.warnings = list(dict.fromkeys(self.ctx.warnings))
        return out

    def _share(self, out: Normalised, node: str, key: tuple[Any, ...],
               make: Callable[..., list[str]], *args: Any) -> None:
        """``out`` uses shared ``node``, described by ``make(*args)`` (made once per ``key``)."""
        if node in out.shared:
            return
        if key not in self._nodes:
            if len(self._nodes) >= _NODES_KEPT:  # a feed of endless distinct keywords
                self._nodes.clear()
            self._nodes[key] = make(*args)
        out.shared[node] = self._nodes[key]

    def _keywords(self, node: str, own: list[tuple[str, str]], out: Normalised) -> None:
        for p, o in own:
            if p != _KEYWORD or o[0] != '"':
                continue
            language = _language(o)
            text = literal_value(o)
            written = {"@value": text, "@language": language} if language else text
            for keyword in text_transforms.keywords(written, self.ctx) or []:
                found = text_transforms.concept(keyword, self.ctx)
                if not found:
                    continue
                concept = f"{self.ctx.base}keyword/{found['key']}"
                out.added.append(f"{node} {_THEME} <{concept}>")
                label = found["label"]  # a tagged keyword keeps its tag, as the converter's do
                label, tag = ((label["@value"], label["@language"]) if isinstance(label, dict)
                              else (label, None))
                self._share(out, concept, ("concept", concept, label, tag, found["match"]),
                            _concept, concept, _literal(label, tag), found["match"])

    def _places(self, node: str, own: list[tuple[str, str]],
                by_subject: dict[str, list[tuple[str, str]]], out: Normalised) -> None:
        for p, o in own:
            if p != _SPATIAL:
                continue
            if o.startswith(_EU_COUNTRY):
                self._country(o[1:-1].rsplit("/", 1)[-1], out)
            elif is_iri(o) and o in by_subject:
                name = _name(by_subject[o])
                if name:
                    out.added.append(f"{o} {_TYPE} {_LOCATION}")
                    out.added.append(f"{o} {_MATCH} {_literal(normalise_name(name))}")
                    self._covered(node, codes.place(name, self.ctx), out)
            elif o[0] == '"':
                text = literal_value(o)
                country = self._country(text, out)
                if country is None:
                    country = self._place(node, text, out)
                if country is not None:
                    out.added.append(f"{node} {_SPATIAL} <{country}>")

    def _country(self, code: str, out: Normalised) -> str | None:
        found = codes.country(code, self.ctx)
        if found is None:
            return None
        country: str = found["iri"]

        def make() -> list[str]:
            c, name = f"<{country}>", found["name"]
            return [f"{c} {_TYPE} {_LOCATION}", f"{c} {_TYPE} <{SCHEMA}Country>",
                    f"{c} {_PREF} {_literal(name, 'en')}", f"{c} {_NAME} {_literal(name, 'en')}",
                    f"{c} <{SKOS}notation> {_literal(found['code'])}",
                    *(f"{c} {_MATCH} {_literal(m)}" for m in found["match"])]

        self._share(out, country, ("country", country), make)
        return country

    def _place(self, node: str, label: str, out: Normalised) -> str | None:
        found = codes.place(label, self.ctx)
        if not found:
            return None
        place = f"{self.ctx.base}place/{found['key']}"

        def make() -> list[str]:
            n = f"<{place}>"
            return [f"{n} {_TYPE} {_LOCATION}", f"{n} {_TYPE} <{SCHEMA}Place>",
                    f"{n} {_PREF} {_literal(found['label'])}", f"{n} {_NAME} {_literal(found['label'])}",
                    f"{n} {_MATCH} {_literal(found['match'])}",
                    *(f"{n} <{SKOS}related> <{g['iri']}>" for g in found["places"])]

        self._share(out, place, ("place", place, found["label"], found["match"]), make)
        self._covered(node, found, out)
        return place

    def _covered(self, node: str, found: dict[str, Any] | None, out: Normalised) -> None:
        """The gazetteer places a place text names, and the countries they lie in, as the
        converter links them: a study of "England" also covers GB."""
        if not found:
            return
        for gazetteer in found["places"]:
            place = gazetteer["iri"]
            out.added.append(f"{node} {_SPATIAL} <{place}>")

            def make(g: dict[str, Any] = gazetteer) -> list[str]:
                n = f"<{g['iri']}>"
                return [f"{n} {_TYPE} {_LOCATION}", f"{n} {_TYPE} <{SCHEMA}Place>",
                        f"{n} {_PREF} {_literal(g['name'], 'en')}",
                        f"{n} {_NAME} {_literal(g['name'], 'en')}",
                        *(f"{n} <{OWL}sameAs> <{s}>" for s in g["same_as"]),
                        *(f"{n} {_MATCH} {_literal(m)}" for m in g["match"])]

            self._share(out, place, ("gazetteer", place), make)
        for country in found["countries"]:
            iri = self._country(country["code"], out)
            if iri is not None:
                out.added.append(f"{node} {_SPATIAL} <{iri}>")

    def _periods(self, node: str, own: list[tuple[str, str]],
                 by_subject: dict[str, list[tuple[str, str]]], out: Normalised) -> None:
        span: tuple[int | None, int | None] | None = None
        for p, o in own:
            if p != _TEMPORAL or not is_iri(o):
                continue
            period = by_subject.get(o, [])
            start = _year(period, _START)
            end = _year(period, _END)
            if start is None and end is None:
                continue
            if start is not None:
                out.added.append(f"{o} <{LOD}startYear> {_integer(start)}")
            if end is not None:
                out.added.append(f"{o} <{LOD}endYear> {_integer(end)}")
            if span is None:
                span = (start, end)
        already = any(p == _COVERAGE for p, _ in own)
        if span is not None and not already:
            years = f"{span[0] if span[0] is not None else '..'}/{span[1] if span[1] is not None else '..'}"
            out.added.append(f"{node} {_COVERAGE} {_literal(years)}")

    def _sponsors(self, node: str, own: list[tuple[str, str]],
                  by_subject: dict[str, list[tuple[str, str]]], out: Normalised) -> None:
        links: list[tuple[str, str, str | None]] = []  # predicate, agent term, name
        for p, o in own:
            if p in (_FUNDER, _SPONSOR):
                if is_iri(o):
                    links.append((p, o, _name(by_subject.get(o, []))))
                elif o[0] == '"':  # a funder written as text: the organisations it names
                    links.append((p, o, literal_value(o).strip() or None))
            elif p == _ATTRIBUTION and is_iri(o):
                attribution = by_subject.get(o, [])
                role = next((_ROLES[a] for q, a in attribution if q == _ROLE and a in _ROLES), None)
                agent = next((a for q, a in attribution if q == _AGENT and is_iri(a)), None)
                if role and agent is not None:
                    links.append((role, agent, _name(by_subject.get(agent, []))))
        pointed: list[str] = []
        for predicate, agent, name in links:
            found = agents.organisation(name, self.ctx) if name else None
            organisations = found if isinstance(found, list) else [found] if found else []
            if not organisations:
                if is_iri(agent):
                    pointed.append(f"{node} {predicate} {agent}")
                continue
            out.dropped.add(f"{node} {predicate} {agent}")
            # owl:sameAs only for a name that is one organisation: a listed "MRC Wellcome"
            # agent is none of them
            original = agent[1:-1] if is_iri(agent) and len(organisations) == 1 else None
            for organisation in organisations:
                target = f"{self.ctx.base}organisation/{organisation['key']}"
                self._share(out, target, ("organisation", target, organisation["name"], original),
                            _organisation, target, organisation, original)
                pointed.append(f"{node} {predicate} <{target}>")
        out.added.extend(pointed)  # after the drops: a link may be dropped and made again


def _concept(node: str, label: str, match: str) -> list[str]:
    return [f"<{node}> {_TYPE} <{SKOS}Concept>", f"<{node}> {_PREF} {label}",
            f"<{node}> {_MATCH} {_literal(match)}"]


def _organisation(node: str, found: dict[str, Any], original: str | None) -> list[str]:
    n, name = f"<{node}>", _literal(str(found["name"]))
    out = [f"{n} {_TYPE} <{FOAF}Agent>", f"{n} {_TYPE} <{FOAF}Organization>",
           f"{n} {_TYPE} <{SCHEMA}Organization>", f"{n} <{FOAF}name> {name}", f"{n} {_NAME} {name}"]
    out += [f"{n} <{SKOS}altLabel> {_literal(str(a))}" for a in found.get("aliases") or []]
    out += [f"{n} {_MATCH} {_literal(str(m))}" for m in found.get("match") or []]
    same = {str(s) for s in found.get("same_as") or []}
    if original is not None and original != node:
        same.add(original)
    out += [f"{n} <{OWL}sameAs> <{s}>" for s in sorted(same)]
    return out


def _name(entries: list[tuple[str, str]]) -> str | None:
    for predicate in _NAMES:
        for p, o in entries:
            if p == predicate and o[0] == '"' and (text := literal_value(o).strip()):
                return text
    return None


def _year(entries: list[tuple[str, str]], predicates: tuple[str, ...]) -> int | None:
    for p, o in entries:
        if p in predicates and o[0] == '"':
            head = literal_value(o).strip()[:5].rstrip("-")
            digits = head.lstrip("-")
            if digits.isdigit() and len(digits) == 4:
                return int(head)
    return None


def _integer(n: int) -> str:
    return str(ox.Literal(str(n), datatype=_INTEGER))


__all__ = ["Normalised", "Normaliser"]
