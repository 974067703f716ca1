"""Saved Harmony discovery API responses → Harmony records."""

from __future__ import annotations

import json

from lod.readers import harmony_api, harmony_json
from lod.records import Record, Rejected
from tests.readers_util import seed_record


def test_search_response() -> None:
    study = seed_record()
    response = {"results": [study, {**study, "extra_data": {"harmony_id": "x/2"}}],
                "aggregations": {"sex": {"all": 2}}, "num_hits": 2}
    out = list(harmony_json.read(json.dumps(response).encode(), "search.json"))
    assert [type(r) for r in out] == [Record, Record]
    assert out[0].data == study
    assert out[0].source == "harmony"
    assert out[1].origin.pointer == "/results/1" and out[1].origin.index == 1


def test_lookup_response_and_json_lines() -> None:
    study = seed_record()
    lines = "\n".join(json.dumps({"results": [study]}) for _ in range(2)).encode()
    out = list(harmony_json.read(lines, "lookups.jsonl"))
    assert [r.origin.line for r in out] == [1, 2]
    assert all(isinstance(r, Record) and r.data == study for r in out)


def test_bad_responses() -> None:
    (rejected,) = harmony_api.records(json.loads('{"num_hits": 0}'), "x.json")
    assert isinstance(rejected, Rejected) and rejected.problem.field == "results"
    (rejected,) = harmony_json.read(b'{"results": [42]}', "x.json")
    assert isinstance(rejected, Rejected) and rejected.problem.origin.pointer == "/results/0"
    (rejected,) = harmony_json.read(b'{"results": [', "x.json")
    assert isinstance(rejected, Rejected) and rejected.problem.origin.line == 1
    assert harmony_api.is_response({"results": []})
    assert not harmony_api.is_response({"dataset_schema": {}})
