"""schema.org Dataset JSON-LD (files and HTML pages) → one compact record shape."""

from __future__ import annotations

import json

import pytest

from lod.readers import schemaorg
from lod.readers.contexts import bundled_context
from lod.records import Record, Rejected

# One dataset, written the ways publishers write it. Each variant must give CANONICAL.
CANONICAL = {
    "@id": "https://example.org/dataset/1",
    "@type": "Dataset",
    "name": "Health survey",
    "description": "A survey.",
    "keywords": ["health", "survey"],
    "creator": [{"@type": "Person", "name": "Ann Lee",
                 "affiliation": [{"@type": "Organization", "name": "Uni"}]}],
    "funder": [{"@type": "Organization", "name": "ESRC"}],
    "identifier": ["https://doi.org/10.1234/abc"],
    "temporalCoverage": "2001-01/2003-12",
    "spatialCoverage": [{"@type": "Place", "name": "Finland"}],
    "distribution": [{"@type": "DataDownload", "contentUrl": "https://example.org/d.csv",
                      "encodingFormat": "text/csv", "_key": "5fa9c17469491d9f"}],
    "url": ["https://example.org/page"],
    "_key": "doi/10.1234/abc",
}
PLAIN = {
    "@context": "https://schema.org/",
    "@id": "https://example.org/dataset/1",
    "@type": "Dataset",
    "name": "Health survey",
    "description": "A survey.",
    "keywords": ["health", "survey"],
    "creator": {"@type": "Person", "name": "Ann Lee",
                "affiliation": {"@type": "Organization", "name": "Uni"}},
    "funder": [{"@type": "Organization", "name": "ESRC"}],
    "identifier": "https://doi.org/10.1234/abc",
    "temporalCoverage": "2001-01/2003-12",
    "spatialCoverage": {"@type": "Place", "name": "Finland"},
    "distribution": {"@type": "DataDownload", "contentUrl": "https://example.org/d.csv",
                     "encodingFormat": "text/csv"},
    "url": "https://example.org/page",
}


def _variant(**changes: object) -> dict:
    doc = json.loads(json.dumps(PLAIN))
    doc.update(changes)
    return doc


VARIANTS = {
    "https-context": PLAIN,
    "http-context": _variant(**{"@context": "http://schema.org"}),
    "object-context": _variant(**{"@context": {"@vocab": "http://schema.org/"}}),
    "list-context": _variant(**{"@context": ["https://schema.org/", {"ex": "https://ex.org/"}]}),
    "keywords-string": _variant(keywords="health, survey"),
    "propertyvalue-id": _variant(identifier={"@type": "PropertyValue", "propertyID": "DOI",
                                             "value": "10.1234/abc",
                                             "url": "https://doi.org/10.1234/abc"}),
    "graph": {"@context": "https://schema.org/", "@graph": [
        {**{k: v for k, v in PLAIN.items() if k != "@context"},
         "creator": {"@id": "https://example.org/person/ann"}},
        {"@id": "https://example.org/person/ann", "@type": "Person",
         "givenName": "Ann", "familyName": "Lee",
         "affiliation": {"@type": "Organization", "name": "Uni"}},
    ]},
}


def _read(doc: object, name: str = "d.jsonld") -> list[Record | Rejected]:
    return list(schemaorg.read(json.dumps(doc).encode(), name))


@pytest.mark.parametrize("name", VARIANTS)
def test_every_variant_gives_the_same_record(name: str) -> None:
    (record,) = _read(VARIANTS[name])
    assert isinstance(record, Record), record
    assert record.source == "schemaorg"
    data = dict(record.data)
    if name == "graph":  # the Person was written with given/family names
        creator = data["creator"][0]
        assert (creator["givenName"], creator["familyName"]) == ("Ann", "Lee")
        data["creator"] = [{k: v for k, v in creator.items()
                            if k not in ("givenName", "familyName", "@id")}]
    assert data == CANONICAL


def test_text_agents_places_and_languages() -> None:
    (record,) = _read({"@context": "https://schema.org", "@type": "Dataset",
                       "name": [{"@value": "Nimi", "@language": "fi"},
                                {"@value": "Name", "@language": "en"}],
                       "creator": "Jane Roe", "spatialCoverage": "UK",
                       "keywords": {"@type": "DefinedTerm", "name": "ageing"}})
    assert isinstance(record, Record)
    assert record.data["name"] == [{"@value": "Nimi", "@language": "fi"},
                                   {"@value": "Name", "@language": "en"}]
    assert record.data["creator"] == [{"name": "Jane Roe"}]
    assert record.data["spatialCoverage"] == [{"name": "UK"}]
    assert record.data["keywords"] == ["ageing"]
    assert record.data["_key"].startswith("name-")


def test_html_page_with_json_ld_scripts() -> None:
    script = json.dumps(PLAIN)
    html = (f'<!DOCTYPE html>\n<html><head>\n<script type="application/ld+json">{script}</script>'
            '<script>var x = 1;</script></head><body></body></html>').encode()
    (record,) = list(schemaorg.read(html, "page.html"))
    assert isinstance(record, Record)
    assert record.data == CANONICAL
    assert record.origin.line == 3


def test_several_datasets_in_a_graph() -> None:
    out = _read({"@context": "https://schema.org/", "@graph": [
        {"@type": "Dataset", "name": "A"}, {"@type": "Dataset", "name": "B"},
        {"@type": "Organization", "name": "O"}]})
    assert sorted(r.data["name"] for r in out if isinstance(r, Record)) == ["A", "B"]


def test_not_a_dataset_is_rejected() -> None:
    (rejected,) = _read({"@context": "https://schema.org/", "@type": "ScholarlyArticle",
                         "name": "Paper"}, "paper.jsonld")
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.file == "paper.jsonld"
    assert rejected.problem.field == "@type"
    assert "ScholarlyArticle" in rejected.problem.message


@pytest.mark.parametrize("doc", [
    {"@context": "https://example.org/context.jsonld", "@type": "Dataset", "name": "x"},
    {"@context": {"@import": "https://example.org/c.jsonld"}, "@type": "Dataset", "name": "x"},
    "https://example.org/dataset.jsonld",
], ids=["remote-context", "import", "url-document"])
def test_nothing_is_fetched(doc: object) -> None:
    (rejected,) = _read(doc)
    assert isinstance(rejected, Rejected)
    assert "example.org" in rejected.problem.message or "object" in rejected.problem.message


def test_bad_json_and_missing_name_are_rejected() -> None:
    (rejected,) = list(schemaorg.read(b'{"@context": "https://schema.org/",\n "name": }', "b.json"))
    assert isinstance(rejected, Rejected) and rejected.problem.origin.line == 2
    (rejected,) = _read({"@context": "https://schema.org/", "@type": "Dataset"})
    assert isinstance(rejected, Rejected) and rejected.problem.field == "name"
    (rejected,) = list(schemaorg.read(b"<html><body>no data</body></html>", "p.html"))
    assert isinstance(rejected, Rejected) and "ld+json" in rejected.problem.message


def test_bundled_context_covers_schema_org() -> None:
    context = bundled_context("https://schema.org/")["@context"]
    assert context["@vocab"] == "https://schema.org/"
    assert context["url"] == {"@id": "schema:url", "@type": "@id"}
    assert "Dataset" in context and "temporalCoverage" in context


def test_html_page_other_json_ld_blocks_are_not_errors() -> None:
    site = json.dumps({"@context": "https://schema.org", "@type": "WebSite", "name": "Archive"})
    html = (f'<html><head><script type="application/ld+json">{site}</script>\n'
            f'<script type="application/ld+json">{json.dumps(PLAIN)}</script></head></html>')
    out = list(schemaorg.read(html.encode(), "page.html"))
    assert [type(r) for r in out] == [Record]
    (rejected,) = schemaorg.read(
        f'<html><script type="application/ld+json">{site}</script></html>'.encode(), "p.html")
    assert isinstance(rejected, Rejected) and "WebSite" in rejected.problem.message
