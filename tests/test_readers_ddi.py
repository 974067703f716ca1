"""DDI Codebook 2.5 XML → DDI records (safe parsing, bilingual values, bad input)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lod.readers import ddi
from lod.records import Record, Rejected
from tests.paths import DDI, ddi_corpus

CORPUS = ddi_corpus()
NS = 'xmlns="ddi:codebook:2_5"'


def _read(data: bytes, name: str = "study.xml") -> list[Record | Rejected]:
    return list(ddi.read(data, name))


def _one(data: bytes) -> dict:
    (record,) = _read(data)
    assert isinstance(record, Record), record
    return record.data


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_corpus_file_reads(path: Path) -> None:
    out = _read(path.read_bytes(), path.name)
    assert out and all(isinstance(r, Record) for r in out)
    for record in out:
        assert record.source == "ddi"
        assert record.data["title"]
        assert record.data["key"]
        assert record.origin.pointer.endswith("codeBook[1]") or record.origin.pointer == "/codeBook"


def test_fsd_bilingual_study() -> None:
    data = _one((DDI / "oai-fsd_uta_fi-FSD3187.xml").read_bytes())
    assert data["key"] == "fsd/fsd3187"
    assert data["doi"] == "10.60686/t-fsd3187"
    assert data["title"] == [
        {"@value": "Kehitysyhteistyötutkimus 2017", "@language": "fi"},
        {"@value": "Development Cooperation Survey 2017", "@language": "en"},
    ]
    assert "parallel_title" not in data  # parTitl repeats the titles
    assert len(data["identifiers"]) == 3  # written once per language, kept once
    assert {"name": {"@value": "Ministry for Foreign Affairs of Finland", "@language": "en"}} \
        in data["creators"]
    assert data["nations"][1] == {"name": {"@value": "Finland", "@language": "en"}, "code": "FI"}
    assert data["temporal"] == "2017-05-12/2017-05-31"
    assert data["analysis_units"] == [{  # one concept, labelled in both languages
        "label": [{"@value": "Henkilö", "@language": "fi"},
                  {"@value": "Individual", "@language": "en"}],
        "concept": "Individual", "key": "individual", "vocab": "DDI Analysis Unit",
        "vocab_uri": "https://vocabularies.cessda.eu/urn/urn:ddi:int.ddi.cv:AnalysisUnit:2.1"}]
    assert data["universe_excluded"] == [{"@value": "Ahvenanmaa", "@language": "fi"},
                                         {"@value": "the Åland Islands", "@language": "en"}]
    assert data["universe"][1] == {"@value": "Finnish people aged 15 - 74", "@language": "en"}
    (series,) = data["series"]  # described once per language, one series
    assert series["key"] == "https-services-fsd-tuni-fi-catalogue-series-22"
    assert [n["@language"] for n in series["name"]] == ["fi", "en"]
    assert data["distributors"][0]["uri"] == "https://www.fsd.tuni.fi/"
    assert data["citation_uris"] == ["https://urn.fi/urn:nbn:fi:fsd:T-FSD3187"]
    assert data["languages"] == ["fi", "en"]
    assert data["keywords"][0]["vocab"] == "YSO"


def test_ukds_study_markup_and_funders() -> None:
    data = _one((DDI / "ddi_record_ukds_example.xml").read_bytes())
    assert data["key"] == "ukda/6684"
    assert data["doi"] == "10.5255/UKDA-SN-6684-1"
    assert data["funders"] == [{"name": "Department for Children, Schools and Families"}]
    assert data["distributors"] == [{"name": "UK Data Service", "abbr": "UKDS"}]
    assert all("<" not in a and "&lt;" not in a for a in data["abstract"])
    assert data["abstract"][0].startswith("Abstract copyright UK Data Service")
    assert data["contacts"] == [{
        "name": "Get in touch", "url": "http://www.ukdataservice.ac.uk/help/get-in-touch.aspx",
        "key": "http-www-ukdataservice-ac-uk-help-get-in-touch-aspx"}]
    assert data["data_kind"] == ["Numeric data", "Image", "Individual (micro) level"]
    assert "num_variables" not in data


def test_inherited_language_and_variables() -> None:
    xml = f"""<codeBook {NS} xml:lang="fi"><stdyDscr><citation><titlStmt>
        <titl>Otsikko</titl><titl xml:lang="en">Title</titl><IDNo>7</IDNo></titlStmt>
        </citation><stdyInfo><sumDscr><timePrd event="single" date="1999"/></sumDscr>
        </stdyInfo></stdyDscr>
        <dataDscr><var name="a"/><var name="b"/><varGrp/><var name="c"/></dataDscr></codeBook>"""
    data = _one(xml.encode())
    assert data["title"] == [{"@value": "Otsikko", "@language": "fi"},
                             {"@value": "Title", "@language": "en"}]
    assert data["key"] == "idno/7"
    assert data["num_variables"] == 3
    assert data["temporal"] == "1999/1999"


def test_several_codebooks_in_one_document() -> None:
    book = f"<codeBook {NS}><stdyDscr><citation><titlStmt><titl>T{{}}</titl></titlStmt>" \
           "</citation></stdyDscr></codeBook>"
    xml = "<ListRecords>" + "".join(f"<record>{book.format(i)}</record>" for i in range(3)) \
        + "</ListRecords>"
    out = _read(xml.encode())
    assert [r.data["title"] for r in out] == [["T0"], ["T1"], ["T2"]]
    assert [r.origin.index for r in out] == [0, 1, 2]
    assert out[2].origin.pointer == "/ListRecords/record[3]/codeBook[1]"


def test_truncated_xml_is_rejected_with_line() -> None:
    data = (DDI / "ddi_record_1683.xml").read_bytes()
    (rejected,) = _read(data[: len(data) // 2], "cut.xml")
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.file == "cut.xml"
    assert rejected.problem.origin.line and rejected.problem.origin.line > 1
    assert "not well-formed" in rejected.problem.message


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE codeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE codeBook [<!ENTITY x SYSTEM "http://example.org/x">]>',
    '<!DOCTYPE codeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE codeBook SYSTEM "http://example.org/codebook.dtd">',
], ids=["external-file", "external-http", "exponential", "external-dtd"])
def test_doctype_and_entities_are_refused(doctype: str) -> None:
    xml = f"""<?xml version="1.0"?>\n{doctype}\n<codeBook {NS}><stdyDscr><citation>
        <titlStmt><titl>&x;</titl></titlStmt></citation></stdyDscr></codeBook>"""
    if "codebook.dtd" in doctype:
        xml = xml.replace("&x;", "T")
    (rejected,) = _read(xml.encode(), "evil.xml")
    assert isinstance(rejected, Rejected)
    assert "unsafe XML refused" in rejected.problem.message
    assert rejected.problem.origin.file == "evil.xml"
    assert rejected.problem.origin.line == 2


def test_no_codebook_and_no_title_are_rejected() -> None:
    (rejected,) = _read(b"<OAI-PMH><error>idDoesNotExist</error></OAI-PMH>")
    assert isinstance(rejected, Rejected) and "no DDI codeBook" in rejected.problem.message
    (rejected,) = _read(f"<codeBook {NS}><stdyDscr><citation/></stdyDscr></codeBook>".encode())
    assert isinstance(rejected, Rejected)
    assert rejected.problem.field == "stdyDscr/citation/titlStmt/titl"
    assert rejected.problem.origin.pointer == "/codeBook"


def test_sniff() -> None:
    assert ddi.sniff(CORPUS[0].read_bytes()[:4096])
    assert not ddi.sniff(b'{"codeBook": 1}')
