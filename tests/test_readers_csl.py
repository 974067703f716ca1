"""CSL-JSON publications → publication records (the seed abstract and bad items)."""

from __future__ import annotations

import json
from pathlib import Path

from lod.readers import csl
from lod.records import Record, Rejected

SAMPLE = (Path(__file__).resolve().parent.parent
          / "samples" / "publications" / "bmj-open-2017-016492.7.csl.json")


def _read(doc: object, name: str = "refs.json") -> list[Record | Rejected]:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return list(csl.read(data, name))


def test_seed_abstract_sample() -> None:
    (record,) = list(csl.read(SAMPLE.read_bytes(), SAMPLE.name))
    assert isinstance(record, Record)
    assert record.source == "csl"
    data = record.data
    assert data["doi"] == "10.1136/bmjopen-2017-016492.7"
    assert data["title"].startswith("Developing and implementing a personal outcomes approach")
    assert [a["name"] for a in data["authors"]] == ["E Miller", "K Barrie"]
    assert data["authors"][0]["affiliations"] == [
        "Social Work and Social Policy, University of Strathclyde, UK"]
    issue = data["published_in"]
    assert (issue["type"], issue["issue_number"], issue["key"]) == \
        ("issue", "Suppl 2", "bmj-open/7/suppl-2")
    assert issue["part_of"]["volume_number"] == "7"
    assert issue["part_of"]["part_of"] == {"type": "periodical", "key": "bmj-open",
                                           "name": "BMJ Open"}
    assert data["citation"] == (
        "Miller E, Barrie K. Developing and implementing a personal outcomes approach through "
        "collaborative action research. BMJ Open 2017;7(Suppl 2):A1-A14. "
        "doi:10.1136/bmjopen-2017-016492.7")
    assert data["issued"] == "2017"
    assert data["abstract"].startswith("This paper reports on a ten year programme")
    assert data["about"] == [{"harmony_id": "ukds/851986", "doi": "10.5255/UKDA-SN-851986"}]


def test_item_variants() -> None:
    item = {"id": 3, "type": "article-journal", "title": " A  title ",
            "DOI": "https://doi.org/10.1/X", "issued": {"date-parts": [[2020, 5, 4]]},
            "author": [{"literal": "WHO"}, {"family": "Roe"}, "Jane Doe"],
            "supplement": 2, "keyword": "a; b, c",
            "custom": {"about": ["10.5255/UKDA-SN-1", "ukds/1"]}}
    (record,) = _read(item)
    assert isinstance(record, Record)
    assert record.data["id"] == "3"
    assert record.data["title"] == "A title"
    assert record.data["doi"] == "10.1/X"
    assert record.data["issued"] == "2020-05-04"
    assert [a["name"] for a in record.data["authors"]] == ["WHO", "Roe", "Jane Doe"]
    assert record.data["issue"] == "Suppl 2"  # no journal: the issue stays a plain field
    assert record.data["keywords"] == ["a", "b", "c"]
    assert record.data["about"] == [{"doi": "10.5255/UKDA-SN-1"}, {"harmony_id": "ukds/1"}]


def test_dates_in_other_forms() -> None:
    for issued, expected in (({"raw": "2017-03"}, "2017-03"), ("2019-12-01", "2019-12-01"),
                             ({"literal": "Spring 2018"}, None)):
        (record,) = _read({"id": "x", "title": "t", "issued": issued})
        assert isinstance(record, Record)
        assert record.data.get("issued") == expected


def test_item_without_title_is_rejected_with_location() -> None:
    out = _read([{"id": "a", "title": "Fine"}, {"id": "b", "type": "book"}], "refs.json")
    assert isinstance(out[0], Record)
    rejected = out[1]
    assert isinstance(rejected, Rejected)
    assert rejected.problem.origin.file == "refs.json"
    assert rejected.problem.origin.index == 1
    assert rejected.problem.origin.pointer == "/1/title"
    assert rejected.problem.field == "title"


def test_other_bad_items() -> None:
    (rejected,) = _read({"title": "No name"})
    assert isinstance(rejected, Rejected) and rejected.problem.field == "id"
    (rejected,) = _read(["not an item"])
    assert isinstance(rejected, Rejected) and "JSON object" in rejected.problem.message
    (rejected,) = _read(b'[{"id": 1,\n "title": }]')
    assert isinstance(rejected, Rejected) and rejected.problem.origin.line == 2


def test_json_lines() -> None:
    out = _read(b'{"id": "a", "title": "A"}\n\n{"id": "b"}\n')
    assert isinstance(out[0], Record) and out[0].origin.line == 1
    assert isinstance(out[1], Rejected) and out[1].problem.origin.line == 3
