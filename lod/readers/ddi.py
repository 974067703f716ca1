"""DDI Codebook 2.5 XML study descriptions (bare ``codeBook`` or wrapped in OAI-PMH).

Parsed with defusedxml: a DOCTYPE (and so any entity declaration, external or not) is
refused, nothing is fetched. Elements are matched by local name, so DDI 2.x without the
``ddi:codebook:2_5`` namespace reads too. Every ``codeBook`` in the document is one record
(``source="ddi"``), its origin an XPath. ``xml:lang`` is inherited as XML says; a text with
a language is ``{"@value": ..., "@language": ...}``, one without is a plain string. Markup in
text (UKDS writes escaped HTML) becomes plain text; link targets found in access conditions
are kept in ``license``. Repeated values (FSD writes each thing once per language, sometimes
twice) are kept once.

The record (keys absent when the DDI has nothing for them; lists keep document order)::

    key                  str   "<agency>/<IDNo>" lower-cased, agency "ddi" when none: stable id
    idno, agency         str   the first IDNo and its agency
    identifiers          [{"value", "agency"}]        every IDNo
    doi                  str   first IDNo that is a DOI (agency DOI/datacite, or 10.x value)
    title                [text]   titl;  alternative_title: altTitl;  parallel_title: parTitl
    creators             [{"name": text, "affiliation": text}]        rspStmt/AuthEnty
    producers, funders   [{"name": text, "abbr", "role"}]             prodStmt/producer, fundAg
    grants               [text]   grantNo
    distributors         [{"name": text, "abbr", "uri"}]              distStmt/distrbtr
    distribution_date    str   first distDate/@date;  version_date: verStmt/version/@date
    copyright            [text]
    series               [{"name": text, "uri", "info": [text]}]      serStmt
    keywords, topics     [{"value": text, "vocab", "vocab_uri", "id"}] keyword, topcClas
    abstract             [text]
    time_periods, collection_dates  [{"event", "date", "cycle", "text"}]  timePrd, collDate
    temporal, collection {"start", "end"}   dates from timePrd (temporal; collDate when none)
                                            and from collDate (collection)
    nations              [{"name": text, "code"}]  nation (code from @abbr)
    geographic_coverage, geographic_units, data_kind, data_collectors, weighting  [text]
    analysis_units, time_methods, sampling, collection_modes
                         [{"label": text, "concept", "vocab", "vocab_uri"}]
    universe             [{"value": text, "clusion": "I"|"E"}]
    access_places, special_permissions, restrictions, conditions, contacts,
    citation_requirements, deposit_requirements  [text]              dataAccs
    license              [str]  link targets in conditions/restrictions (e.g. CC BY)
    citation_uris        [str]  holdings/@URI and citation/@URI of the study
    related_publications, related_studies, related_materials  [text] othrStdyMat
    languages            [str]  the xml:lang values used in stdyDscr
    num_variables        int    count of dataDscr/var (absent when there is no dataDscr)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lod.readers import text
from lod.readers.limits import oversized, reject, too_big
from lod.records import Origin, Record, Rejected
from lod.tables import slug

FORMAT = "ddi"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOI_AGENCIES = frozenset({"doi", "datacite"})

Value = str | dict[str, str]


def sniff(head: bytes) -> bool:
    """True for XML that mentions a DDI codeBook."""
    return head.lstrip().startswith(b"<") and (b"codeBook" in head or b"ddi:codebook" in head)


def read(data: bytes, name: str) -> Iterator[Record | Rejected]:
    """Yield one record per ``codeBook`` element in the document."""
    if (problem := too_big(data, name)) is not None:
        yield problem
        return
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        yield reject(name, f"unsafe XML refused: {type(exc).__name__} "
                           "(DOCTYPE, entity declarations and external references "
                           "are not accepted)", line=_line(data, exc))
        return
    except ParseError as exc:
        yield reject(name, f"not well-formed XML: {exc}", line=exc.position[0])
        return
    books = list(_codebooks(root, f"/{_local(root.tag)}"))
    if not books:
        yield reject(name, "no DDI codeBook element in the document",
                     pointer=f"/{_local(root.tag)}")
    for index, (book, xpath) in enumerate(books):
        yield _record(book, name, index, xpath)


def _line(data: bytes, exc: Exception) -> int | None:
    """The line of the refused declaration (defusedxml does not say where it was)."""
    for marker in (b"<!DOCTYPE", b"<!ENTITY") if "DTD" in type(exc).__name__ else (
            b"<!ENTITY", b"<!DOCTYPE"):
        at = data.find(marker)
        if at >= 0:
            return data.count(b"\n", 0, at) + 1
    return None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _codebooks(element: Element, xpath: str) -> Iterator[tuple[Element, str]]:
    if _local(element.tag) == "codeBook":
        yield element, xpath
        return
    counts: dict[str, int] = {}
    for child in element:
        tag = _local(child.tag)
        counts[tag] = counts.get(tag, 0) + 1
        yield from _codebooks(child, f"{xpath}/{tag}[{counts[tag]}]")


class _Book:
    """Finds elements by local-name paths below one element, with inherited xml:lang."""

    def __init__(self, root: Element, lang: str | None) -> None:
        self.root = root
        self.lang = lang
        self.languages: list[str] = []

    def find(self, path: str) -> Iterator[tuple[Element, str | None]]:
        steps = path.split("/")
        frontier = [(self.root, self.lang)]
        for step in steps:
            frontier = [(child, child.get(XML_LANG, lang)) for element, lang in frontier
                        for child in element if _local(child.tag) == step]
        for element, lang in frontier:
            if lang and lang not in self.languages:
                self.languages.append(lang)
            yield element, lang

    def texts(self, path: str, *, prose: bool = False) -> list[Value]:
        return _unique(v for e, lang in self.find(path) if (v := _value(e, lang, prose)))

    def items(self, path: str, build: Callable[[Element, str | None], dict[str, Any] | None]
              ) -> list[dict[str, Any]]:
        return _unique(item for e, lang in self.find(path) if (item := build(e, lang)))


def _own_text(element: Element) -> str:
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return "".join(parts)


def _value(element: Element, lang: str | None, prose: bool = False) -> Value | None:
    raw = _own_text(element)
    value = text.prose(raw)[0] if prose else text.line(text.prose(raw)[0])
    if not value:
        return None
    return {"@value": value, "@language": lang} if lang else value


def _unique(values: Iterator[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _attrs(element: Element, **names: str) -> dict[str, str]:
    return {key: text.line(element.get(attr) or "") for key, attr in names.items()
            if (element.get(attr) or "").strip()}


def _named(**names: str) -> Callable[[Element, str | None], dict[str, Any] | None]:
    def build(element: Element, lang: str | None) -> dict[str, Any] | None:
        value = _value(element, lang)
        return {"name": value, **_attrs(element, **names)} if value else None
    return build


def _term(element: Element, lang: str | None) -> dict[str, Any] | None:
    value = _value(element, lang)
    found = _attrs(element, vocab="vocab", vocab_uri="vocabURI", id="ID")
    if not value and "id" in found:  # FSD writes some keywords as an ID only
        value = found["id"].replace("_", " ")
        value = {"@value": value, "@language": lang} if lang else value
    return {"value": value, **found} if value else None


def _concept(element: Element, lang: str | None) -> dict[str, Any] | None:
    label = _value(element, lang)
    if not label:
        return None
    item: dict[str, Any] = {"label": [label]}
    for child in element:
        if _local(child.tag) == "concept" and (child.text or "").strip():
            item["concept"] = text.line(child.text or "")
            item.update(_attrs(child, vocab="vocab", vocab_uri="vocabURI"))
            break
    item["key"] = slug(item.get("concept") or _plain(label))
    return item


def _merge_concepts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per concept: the same term in several languages gets all its labels."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        if item["key"] in merged:
            labels = merged[item["key"]]["label"]
            labels.extend(v for v in item["label"] if v not in labels)
        else:
            merged[item["key"]] = {**item, "label": list(item["label"])}
    return list(merged.values())


def _plain(value: Value) -> str:
    return value["@value"] if isinstance(value, dict) else value


def _event(element: Element, lang: str | None) -> dict[str, Any] | None:
    item = _attrs(element, event="event", date="date", cycle="cycle")
    label = text.line(_own_text(element))
    if label:
        item["text"] = label
    return item or None


def _span(events: list[dict[str, Any]]) -> str | None:
    """The ISO 8601 interval the dated events cover (``..`` for an open end), or None."""
    starts = [e["date"] for e in events if "date" in e and e.get("event", "single") != "end"]
    ends = [e["date"] for e in events if "date" in e and e.get("event", "single") != "start"]
    if not starts and not ends:
        return None
    return f"{min(starts) if starts else '..'}/{max(ends) if ends else '..'}"


def _record(book: Element, name: str, index: int, xpath: str) -> Record | Rejected:
    study = [e for e in book if _local(e.tag) == "stdyDscr"]
    if not study:
        return reject(name, "codeBook has no stdyDscr (study description)", index=index,
                      pointer=xpath, field="stdyDscr")
    s = _Book(study[0], study[0].get(XML_LANG, book.get(XML_LANG)))
    cit, info, summary = "citation", "stdyInfo", "stdyInfo/sumDscr"
    coll, access = "method/dataColl", "dataAccs/useStmt"
    data: dict[str, Any] = {}
    ids = s.items(f"{cit}/titlStmt/IDNo", lambda e, _: _id(e))
    if ids:
        agency = ids[0].get("agency") or next(
            (abbr for path in ("distStmt/distrbtr", "prodStmt/producer")
             for e, _ in s.find(f"{cit}/{path}") if (abbr := (e.get("abbr") or "").strip())),
            "idno")
        data.update(key=f"{agency}/{ids[0]['value']}".lower(), idno=ids[0]["value"],
                    agency=agency, identifiers=ids)
        doi = next((i["value"] for i in ids if _is_doi(i)), None)
        if doi:
            data["doi"] = doi
    time_periods = s.items(f"{summary}/timePrd", _event)
    universe = s.items(f"{summary}/universe", _universe)
    collection_dates = s.items(f"{summary}/collDate", _event)
    data.update({
        "title": s.texts(f"{cit}/titlStmt/titl"),
        "alternative_title": s.texts(f"{cit}/titlStmt/altTitl"),
        "parallel_title": s.texts(f"{cit}/titlStmt/parTitl"),
        "creators": s.items(f"{cit}/rspStmt/AuthEnty", _named(affiliation="affiliation")),
        "producers": s.items(f"{cit}/prodStmt/producer", _named(abbr="abbr", role="role")),
        "funders": s.items(f"{cit}/prodStmt/fundAg", _named(abbr="abbr", role="role")),
        "grants": s.texts(f"{cit}/prodStmt/grantNo"),
        "copyright": s.texts(f"{cit}/prodStmt/copyright"),
        "distributors": s.items(f"{cit}/distStmt/distrbtr", _named(abbr="abbr", uri="URI")),
        "series": _merge_series(s.items(f"{cit}/serStmt", _series)),
        "keywords": s.items(f"{info}/subject/keyword", _term),
        "topics": s.items(f"{info}/subject/topcClas", _term),
        "abstract": s.texts(f"{info}/abstract", prose=True),
        "time_periods": time_periods,
        "collection_dates": collection_dates,
        "temporal": _span(time_periods) or _span(collection_dates),
        "collection": _span(collection_dates),
        "nations": s.items(f"{summary}/nation", _named(code="abbr")),
        "geographic_coverage": s.texts(f"{summary}/geogCover"),
        "geographic_units": s.texts(f"{summary}/geogUnit"),
        "analysis_units": _merge_concepts(s.items(f"{summary}/anlyUnit", _concept)),
        "universe": [u["value"] for u in universe if u.get("clusion") != "E"],
        "universe_excluded": [u["value"] for u in universe if u.get("clusion") == "E"],
        "data_kind": s.texts(f"{summary}/dataKind"),
        "time_methods": _merge_concepts(s.items(f"{coll}/timeMeth", _concept)),
        "sampling": _merge_concepts(s.items(f"{coll}/sampProc", _concept)),
        "collection_modes": _merge_concepts(s.items(f"{coll}/collMode", _concept)),
        "data_collectors": s.texts(f"{coll}/dataCollector"),
        "weighting": s.texts(f"{coll}/weight", prose=True),
        "access_places": s.texts("dataAccs/setAvail/accsPlac"),
        "special_permissions": s.texts(f"{access}/specPerm", prose=True),
        "restrictions": s.texts(f"{access}/restrctn", prose=True),
        "conditions": s.texts(f"{access}/conditions", prose=True),
        "contacts": s.items(f"{access}/contact", _contact),
        "citation_requirements": s.texts(f"{access}/citReq", prose=True),
        "deposit_requirements": s.texts(f"{access}/deposReq", prose=True),
        "license": _unique(link for path in ("conditions", "restrctn")
                           for e, _ in s.find(f"{access}/{path}")
                           for link in text.prose(_own_text(e))[1]),
        "citation_uris": _unique(u for path in (f"{cit}/holdings", cit)
                                 for e, _ in s.find(path) if (u := (e.get("URI") or "").strip())),
        "related_publications": _references(s.texts("othrStdyMat/relPubl", prose=True)),
        "related_studies": _references(s.texts("othrStdyMat/relStdy", prose=True)),
        "related_materials": _references(s.texts("othrStdyMat/relMat", prose=True)),
    })
    data["parallel_title"] = [t for t in data["parallel_title"] if t not in data["title"]]
    for path, key in ((f"{cit}/distStmt/distDate", "distribution_date"),
                      (f"{cit}/verStmt/version", "version_date")):
        date = next((d for e, _ in s.find(path) if (d := (e.get("date") or "").strip())), None)
        if date:
            data[key] = date
    if s.languages:
        data["languages"] = s.languages
    described = [e for e in book if _local(e.tag) == "dataDscr"]
    if described:
        data["num_variables"] = sum(1 for d in described for v in d if _local(v.tag) == "var")
    data = {k: v for k, v in data.items() if v not in ([], {}, None, "")}
    if not data.get("title"):
        return reject(name, "study has no title", field="stdyDscr/citation/titlStmt/titl",
                      index=index, pointer=xpath, raw=data)
    if (found := oversized(data)) is not None:
        return reject(name, found[1], index=index, pointer=f"{xpath} {found[0]}", raw=data)
    return Record(data, Origin(name, index=index, pointer=xpath), source="ddi")


def _id(element: Element) -> dict[str, str] | None:
    value = text.line(element.text or "")
    return {"value": value, **_attrs(element, agency="agency")} if value else None


def _is_doi(identifier: dict[str, str]) -> bool:
    value = identifier["value"].lower()
    return (identifier.get("agency", "").lower() in DOI_AGENCIES or value.startswith("10.")
            or "doi.org/10." in value or value.startswith("doi:"))


def _series(element: Element, lang: str | None) -> dict[str, Any] | None:
    book = _Book(element, lang)
    names = book.texts("serName")
    if not names:
        return None
    item: dict[str, Any] = {"name": names}
    uri = (element.get("URI") or "").strip()
    if uri:
        item["uri"] = [uri]
    ids = [e.get("ID") for e in (element, *element) if e.get("ID")]
    item["key"] = slug(uri.split("?")[0] if uri else ids[0] if ids else _plain(names[0]))
    if infos := book.texts("serInfo", prose=True):
        item["info"] = infos
    return item


def _merge_series(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per series: FSD describes a series once per language."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        into = merged.setdefault(item["key"], {"key": item["key"]})
        for field in ("name", "uri", "info"):
            values = into.setdefault(field, [])
            values.extend(v for v in item.get(field, []) if v not in values)
    return [{k: v for k, v in item.items() if v} for item in merged.values()]


def _contact(element: Element, lang: str | None) -> dict[str, Any] | None:
    found, links = text.prose(_own_text(element))
    name = found or (links[0] if links else "")
    if not name:
        return None
    item: dict[str, Any] = {"name": {"@value": name, "@language": lang} if lang else name}
    if links:
        item["url"] = links[0]
    item.update(_attrs(element, email="email", affiliation="affiliation"))
    item["key"] = slug(item.get("email") or item.get("url") or name)
    if "email" in item and not item["email"].lower().startswith("mailto:"):
        item["email"] = "mailto:" + item["email"]
    return item


def _references(texts: list[Value]) -> list[dict[str, Any]]:
    """Free-text references, one per paragraph (UKDS lists several in one element), keyed."""
    out: list[dict[str, Any]] = []
    for value in texts:
        lang = value.get("@language") if isinstance(value, dict) else None
        for part in _plain(value).split("\n\n"):
            part = " ".join(part.split())
            if part:
                digest = hashlib.sha1(part.encode("utf-8")).hexdigest()[:10]
                out.append({"label": {"@value": part, "@language": lang} if lang else part,
                            "key": f"{slug(part, 40)}-{digest}"})
    return _unique(iter(out))


def _universe(element: Element, lang: str | None) -> dict[str, Any] | None:
    value = _value(element, lang)
    return {"value": value, **_attrs(element, clusion="clusion")} if value else None
