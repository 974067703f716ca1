"""DDI Codebook 2.5 XML study descriptions (bare ``codeBook`` or wrapped in OAI-PMH).

Parsed with defusedxml: a DOCTYPE (and so any entity declaration, external or not) is
refused, nothing is fetched. Elements are matched by local name, so DDI 2.x without the
``ddi:codebook:2_5`` namespace reads too. Every ``codeBook`` in the document is one record
(``source="ddi"``), its origin an XPath. ``xml:lang`` is inherited as XML says; a text with
a language is ``{"@value": ..., "@language": ...}``, one without is a plain string. Markup in
text (UKDS writes escaped HTML) becomes plain text; link targets found in access conditions
are kept in ``license``. Repeated values (FSD writes each thing once per language, sometimes
twice) are kept once.

The record (keys absent when the DDI has nothing for them; lists keep document order; "text"
is a string or a ``{"@value", "@language"}`` value object)::

    key                  str   "<agency>/<IDNo>" lower-cased: the stable id (agency: the first
                               IDNo's, else the distributor's or producer's abbr, else "idno")
    idno, agency         str   the first IDNo and that agency
    identifiers          [{"value", "agency"}]        every IDNo
    doi                  str   first IDNo that is a DOI (agency DOI/datacite, or a 10.x value)
    title                [text]   titl;  alternative_title: altTitl;  parallel_title: parTitl
                                  (a parTitl repeating a titl is left out)
    creators             [{"name": text, "affiliation"}]              rspStmt/AuthEnty
    producers, funders   [{"name": text, "abbr", "role"}]             prodStmt/producer, fundAg
    grants               [text]   grantNo
    distributors         [{"name": text, "abbr", "uri"}]              distStmt/distrbtr
    distribution_date    str   first distDate/@date;  version_date: verStmt/version/@date
    copyright            [text]
    series               [{"key", "name": [text], "uri": [str], "info": [text]}]   serStmt,
                         one item per series (FSD writes one serStmt per language)
    keywords, topics     [{"value": text, "vocab", "vocab_uri", "id"}] keyword, topcClas
    abstract             [text]   paragraphs kept
    time_periods, collection_dates  [{"event", "date", "cycle", "text"}]  timePrd, collDate
    temporal             str   ISO 8601 interval the timePrd dates span ("start/end", ".." when
                               open); from collDate when there is no timePrd
    collection           str   the interval the collDate dates span
    nations              [{"name": text, "code"}]  nation (code from @abbr)
    geographic_coverage, geographic_units, data_kind, data_collectors, weighting  [text]
    analysis_units, time_methods, sampling, collection_modes
                         [{"key", "label": [text], "concept", "vocab", "vocab_uri"}]  one item
                         per concept: the labels of every language (key: the concept code, else
                         the label)
    universe, universe_excluded  [text]   universe (clusion I or none), and clusion="E"
    access_places, special_permissions, restrictions, conditions, citation_requirements,
    deposit_requirements  [text]                                     dataAccs
    contacts             [{"key", "name": text, "url", "email": "mailto:…", "affiliation"}]
    license              [str]  link targets in conditions/restrictions (e.g. CC BY)
    citation_uris        [str]  holdings/@URI and citation/@URI of the study
    related_publications, related_studies, related_materials
                         [{"key", "label": text}]  othrStdyMat, one per paragraph
    languages            [str]  the xml:lang values used in stdyDscr (of the description)
    num_variables        int    count of dataDscr/var (absent when there is no dataDscr)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lod.readers import text
from lod.readers.ddi_elements import (
    XML_LANG,
    Book,
    concept_item,
    contact_item,
    event_item,
    idno_item,
    is_doi,
    local,
    merge_concepts,
    merge_series,
    named,
    own_text,
    references,
    series_item,
    span,
    term_item,
    unique,
    universe_item,
)
from lod.readers.limits import oversized, reject, too_big
from lod.records import Origin, Record, Rejected

FORMAT = "ddi"


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
    books = list(_codebooks(root, f"/{local(root.tag)}"))
    if not books:
        yield reject(name, "no DDI codeBook element in the document",
                     pointer=f"/{local(root.tag)}")
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


def _codebooks(element: Element, xpath: str) -> Iterator[tuple[Element, str]]:
    if local(element.tag) == "codeBook":
        yield element, xpath
        return
    counts: dict[str, int] = {}
    for child in element:
        tag = local(child.tag)
        counts[tag] = counts.get(tag, 0) + 1
        yield from _codebooks(child, f"{xpath}/{tag}[{counts[tag]}]")


def _record(book: Element, name: str, index: int, xpath: str) -> Record | Rejected:
    study = [e for e in book if local(e.tag) == "stdyDscr"]
    if not study:
        return reject(name, "codeBook has no stdyDscr (study description)", index=index,
                      pointer=xpath, field="stdyDscr")
    s = Book(study[0], study[0].get(XML_LANG, book.get(XML_LANG)))
    cit, info, summary = "citation", "stdyInfo", "stdyInfo/sumDscr"
    coll, access = "method/dataColl", "dataAccs/useStmt"
    data: dict[str, Any] = {}
    ids = s.items(f"{cit}/titlStmt/IDNo", lambda e, _: idno_item(e))
    if ids:
        agency = ids[0].get("agency") or next(
            (abbr for path in ("distStmt/distrbtr", "prodStmt/producer")
             for e, _ in s.find(f"{cit}/{path}") if (abbr := (e.get("abbr") or "").strip())),
            "idno")
        data.update(key=f"{agency}/{ids[0]['value']}".lower(), idno=ids[0]["value"],
                    agency=agency, identifiers=ids)
        doi = next((i["value"] for i in ids if is_doi(i)), None)
        if doi:
            data["doi"] = doi
    time_periods = s.items(f"{summary}/timePrd", event_item)
    universe = s.items(f"{summary}/universe", universe_item)
    collection_dates = s.items(f"{summary}/collDate", event_item)
    data.update({
        "title": s.texts(f"{cit}/titlStmt/titl"),
        "alternative_title": s.texts(f"{cit}/titlStmt/altTitl"),
        "parallel_title": s.texts(f"{cit}/titlStmt/parTitl"),
        "creators": s.items(f"{cit}/rspStmt/AuthEnty", named(affiliation="affiliation")),
        "producers": s.items(f"{cit}/prodStmt/producer", named(abbr="abbr", role="role")),
        "funders": s.items(f"{cit}/prodStmt/fundAg", named(abbr="abbr", role="role")),
        "grants": s.texts(f"{cit}/prodStmt/grantNo"),
        "copyright": s.texts(f"{cit}/prodStmt/copyright"),
        "distributors": s.items(f"{cit}/distStmt/distrbtr", named(abbr="abbr", uri="URI")),
        "series": merge_series(s.items(f"{cit}/serStmt", series_item)),
        "keywords": s.items(f"{info}/subject/keyword", term_item),
        "topics": s.items(f"{info}/subject/topcClas", term_item),
        "abstract": s.texts(f"{info}/abstract", prose=True),
        "time_periods": time_periods,
        "collection_dates": collection_dates,
        "temporal": span(time_periods) or span(collection_dates),
        "collection": span(collection_dates),
        "nations": s.items(f"{summary}/nation", named(code="abbr")),
        "geographic_coverage": s.texts(f"{summary}/geogCover"),
        "geographic_units": s.texts(f"{summary}/geogUnit"),
        "analysis_units": merge_concepts(s.items(f"{summary}/anlyUnit", concept_item)),
        "universe": [u["value"] for u in universe if u.get("clusion") != "E"],
        "universe_excluded": [u["value"] for u in universe if u.get("clusion") == "E"],
        "data_kind": s.texts(f"{summary}/dataKind"),
        "time_methods": merge_concepts(s.items(f"{coll}/timeMeth", concept_item)),
        "sampling": merge_concepts(s.items(f"{coll}/sampProc", concept_item)),
        "collection_modes": merge_concepts(s.items(f"{coll}/collMode", concept_item)),
        "data_collectors": s.texts(f"{coll}/dataCollector"),
        "weighting": s.texts(f"{coll}/weight", prose=True),
        "access_places": s.texts("dataAccs/setAvail/accsPlac"),
        "special_permissions": s.texts(f"{access}/specPerm", prose=True),
        "restrictions": s.texts(f"{access}/restrctn", prose=True),
        "conditions": s.texts(f"{access}/conditions", prose=True),
        "contacts": s.items(f"{access}/contact", contact_item),
        "citation_requirements": s.texts(f"{access}/citReq", prose=True),
        "deposit_requirements": s.texts(f"{access}/deposReq", prose=True),
        "license": unique(link for path in ("conditions", "restrctn")
                           for e, _ in s.find(f"{access}/{path}")
                           for link in text.prose(own_text(e))[1]),
        "citation_uris": unique(u for path in (f"{cit}/holdings", cit)
                                 for e, _ in s.find(path) if (u := (e.get("URI") or "").strip())),
        "related_publications": references(s.texts("othrStdyMat/relPubl", prose=True)),
        "related_studies": references(s.texts("othrStdyMat/relStdy", prose=True)),
        "related_materials": references(s.texts("othrStdyMat/relMat", prose=True)),
    })
    data["parallel_title"] = [t for t in data["parallel_title"] if t not in data["title"]]
    for path, key in ((f"{cit}/distStmt/distDate", "distribution_date"),
                      (f"{cit}/verStmt/version", "version_date")):
        date = next((d for e, _ in s.find(path) if (d := (e.get("date") or "").strip())), None)
        if date:
            data[key] = date
    if s.languages:
        data["languages"] = s.languages
    described = [e for e in book if local(e.tag) == "dataDscr"]
    if described:
        data["num_variables"] = sum(1 for d in described for v in d if local(v.tag) == "var")
    data = {k: v for k, v in data.items() if v not in ([], {}, None, "")}
    if not data.get("title"):
        return reject(name, "study has no title", field="stdyDscr/citation/titlStmt/titl",
                      index=index, pointer=xpath, raw=data)
    if (found := oversized(data)) is not None:
        return reject(name, found[1], index=index, pointer=f"{xpath} {found[0]}", raw=data)
    return Record(data, Origin(name, index=index, pointer=xpath), source="ddi")

