"""Saved Harmony pages (Next.js flight data, .txt and .html) → Harmony records."""

from __future__ import annotations

import json

from lod.readers import harmony_page
from lod.records import Record, Rejected
from tests.paths import SEED_PAGE
from tests.readers_util import flight_to_html, seed_record


def _read(data: bytes, name: str = "page.txt") -> list[Record | Rejected]:
    return list(harmony_page.read(data, name))


def test_seed_page_gives_exactly_the_seed_record() -> None:
    out = _read(SEED_PAGE.read_bytes(), "seed.rsc.txt")
    assert len(out) == 1
    record = out[0]
    assert isinstance(record, Record)
    assert record.source == "harmony"
    assert record.data == seed_record()
    assert record.origin.file == "seed.rsc.txt"
    assert record.origin.line is not None


def test_seed_page_as_html_gives_the_same_record() -> None:
    html = flight_to_html(SEED_PAGE.read_bytes(), pieces=7)
    out = _read(html, "seed.html")
    assert [type(r) for r in out] == [Record]
    assert out[0].data == seed_record()


def test_references_undefined_and_escapes() -> None:
    flight = (
        b'0:["$","div",null,{"children":"$1"}]\n'
        b'2:T6,h\xc3\xa9llo'  # 6 bytes, 5 characters: lengths are in bytes
        b'1:{"study":{"dataset_schema":{"name":"N","description":"$2","x":"$undefined"},'
        b'"extra_data":{"harmony_id":"a/1","price":"$$5","list":["$undefined","k"]},'
        b'"child_datasets":[{"dataset_schema":{},"extra_data":{"name":"c"}}],'
        b'"distance":0,"score":0,"parent":{},"ancestors":[]}}\n'
    )
    (record,) = _read(flight)
    assert isinstance(record, Record)
    assert record.data == {
        "dataset_schema": {"name": "N", "description": "héllo"},
        "extra_data": {"harmony_id": "a/1", "price": "$5", "list": ["k"]},
        "child_datasets": [{"dataset_schema": {}, "extra_data": {"name": "c"}}],
    }


def test_several_studies_in_one_payload_are_each_a_record() -> None:
    study = {"dataset_schema": {"name": "A"}, "extra_data": {"harmony_id": "x/1"}}
    other = {"dataset_schema": {"name": "B"}, "extra_data": {"harmony_id": "x/2"}}
    flight = f"0:{json.dumps({'results': [study, other]})}\n".encode()
    out = _read(flight)
    assert [r.data["dataset_schema"]["name"] for r in out if isinstance(r, Record)] == ["A", "B"]
    assert [r.origin.index for r in out] == [0, 1]


def test_page_with_only_json_ld_reads_it_as_schemaorg() -> None:
    jsonld = json.dumps({"@context": "https://schema.org/", "@type": "Dataset",
                         "name": "Only JSON-LD", "keywords": "a, b"})
    flight = (f'1:T{len(jsonld.encode()):x},{jsonld}'
              '0:["$","script",null,{"type":"application/ld+json",'
              '"dangerouslySetInnerHTML":{"__html":"$1"}}]\n').encode()
    (record,) = _read(flight)
    assert isinstance(record, Record)
    assert record.source == "schemaorg"
    assert record.data["name"] == "Only JSON-LD"
    assert record.data["keywords"] == ["a", "b"]


def test_html_page_with_only_json_ld_script() -> None:
    html = (b'<!doctype html><html><head><script type="application/ld+json">'
            b'{"@context": "https://schema.org", "@type": "Dataset", "name": "H"}'
            b"</script></head><body></body></html>")
    (record,) = _read(html, "page.html")
    assert isinstance(record, Record) and record.source == "schemaorg"


def test_page_with_no_record_is_rejected() -> None:
    flight = b'0:["$","div",null,{"children":"hello"}]\n:HL["/x.css","style"]\n'
    (rejected,) = _read(flight, "empty.txt")
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.file == "empty.txt"
    assert "no study record" in rejected.problem.message


def test_truncated_page_is_rejected_with_line() -> None:
    data = SEED_PAGE.read_bytes()
    cut = data[: data.index(b"17:T") + 200]
    out = _read(cut, "cut.txt")
    assert all(isinstance(r, Rejected) for r in out)
    assert out[0].problem.origin.line is not None
    assert "cut short" in out[0].problem.message


def test_dangling_reference_is_rejected_with_pointer() -> None:
    flight = (b'0:{"dataset_schema":{"name":"N","description":"$9"},'
              b'"extra_data":{"harmony_id":"a/1"}}\n')
    (rejected,) = _read(flight)
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.pointer == "/dataset_schema/description"
    assert "$9" in rejected.problem.message


def test_not_flight_data_is_rejected() -> None:
    (rejected,) = _read(b"just some words\n", "words.txt")
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.line == 1


def test_oversized_string_is_rejected() -> None:
    big = "x" * (1024 * 1024 + 1)
    flight = (f'1:T{len(big):x},{big}'
              '0:{"dataset_schema":{"name":"N","description":"$1"},"extra_data":{}}\n').encode()
    (rejected,) = _read(flight)
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.pointer == "/dataset_schema/description"


def test_sniff() -> None:
    assert harmony_page.sniff(SEED_PAGE.read_bytes()[:4096])
    assert harmony_page.sniff(flight_to_html(b'0:{"a":1}\n')[:4096])
    assert not harmony_page.sniff(b'{"dataset_schema": {}}')
