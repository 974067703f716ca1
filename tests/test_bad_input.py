"""Bad input: each kind is repaired with a warning or rejected with file, line/index and field.

No traceback, nothing lost silently: ``read = converted + rejected`` in every run.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.dom.minidom
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.readers.harmony_json import read_block
from lod.readers.limits import MAX_STRING_CHARS
from lod.records import Record, Rejected
from tests.paths import SEED_JSON

BASE = "https://example.org/id/"
SEED = SEED_JSON
SUMMARY = re.compile(r"read (\d+) records?: (\d+) converted, (\d+) rejected")
NAME_FIELD = "dataset_schema.name|extra_data.name"


def record(ident: str, name: Any = "A study", **extra: Any) -> dict[str, Any]:
    """A small valid Harmony record; ``extra`` keys like ``extra_data__urls`` go into that part."""
    rec: dict[str, Any] = {"dataset_schema": {"name": name},
                           "extra_data": {"harmony_id": ident, "language_codes": ["en"]}}
    if name is None:
        del rec["dataset_schema"]["name"]
    for key, value in extra.items():
        part, _, field = key.partition("__")
        rec[part][field] = value
    return rec


@dataclass
class Run:
    exit_code: int
    quads: list[ox.Quad]
    stderr: str
    rejects: list[dict[str, Any]]
    read: int
    converted: int
    rejected: int

    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("lod: warning: ")]

    def objects(self, subject: str, predicate: str) -> list[ox.Term]:
        return [q.object for q in self.quads
                if q.subject.value == subject and q.predicate.value == predicate]

    def studies(self) -> set[str]:
        return {q.subject.value for q in self.quads
                if q.object.value == "http://www.w3.org/ns/dcat#Dataset"}


def convert(tmp_path: Path, *inputs: Path | str, args: tuple[str, ...] = ()) -> Run:
    out = tmp_path / "out.nq"
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(cli, ["convert", *map(str, inputs), "-o", str(out),
                                      "--rejects", str(rejects), "--base-uri", BASE, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"lod crashed: {result.exception!r}"
    assert "Traceback" not in result.stderr
    found = SUMMARY.search(result.stderr)
    assert found, f"no summary line in:\n{result.stderr}"
    read, converted, rejected = map(int, found.groups())
    assert read == converted + rejected
    quads = list(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)) if out.is_file() else []
    lines = rejects.read_text(encoding="utf-8").splitlines() if rejects.is_file() else []
    run = Run(result.exit_code, quads, result.stderr, [json.loads(x) for x in lines],
              read, converted, rejected)
    assert run.exit_code == (1 if rejected else 0)
    assert len(run.rejects) == rejected
    return run


def jsonl(tmp_path: Path, *lines: Any, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
                    encoding="utf-8")
    return path


def one_record(tmp_path: Path, rec: dict[str, Any]) -> tuple[Run, str]:
    run = convert(tmp_path, jsonl(tmp_path, rec))
    return run, BASE + "study/" + rec["extra_data"]["harmony_id"]


# -- rejected, with file, line or index, and field ---------------------------------------------

def test_malformed_json_line_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1"), '{"dataset_schema": {"name": "cut', "", record("t/4"))
    run = convert(tmp_path, path)
    assert (run.read, run.converted, run.rejected) == (3, 2, 1)
    [reject] = run.rejects
    assert reject["file"] == str(path) and reject["line"] == 2
    assert "malformed JSON" in reject["reason"]
    assert run.studies() == {BASE + "study/t/1", BASE + "study/t/4"}  # good records still written


def test_malformed_pretty_printed_document_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    text = json.dumps([record("t/1"), record("t/2")], indent=2)
    path.write_text(text.replace('"t/2"', '"t/2" oops'), encoding="utf-8")
    run = convert(tmp_path, path)
    [reject] = run.rejects
    assert reject["file"] == str(path)
    assert reject["line"] == text.splitlines().index('      "harmony_id": "t/2",') + 1


@pytest.mark.parametrize("value", [42, '"text"', None, [1, 2], True])
def test_a_line_that_is_not_an_object_is_rejected(tmp_path: Path, value: Any) -> None:
    run = convert(tmp_path, jsonl(tmp_path, record("t/1"), value, record("t/3")))  # str: raw line
    assert run.converted == 2
    assert run.rejected >= 1
    assert all(r["line"] == 2 and "not a JSON object" in r["reason"] for r in run.rejects)


def test_array_elements_that_are_not_objects_are_rejected_by_index(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([record("t/0"), "x", 7, record("t/3")], indent=2), encoding="utf-8")
    run = convert(tmp_path, path)
    assert [(r["file"], r["index"], r.get("line")) for r in run.rejects] == \
        [(str(path), 1, None), (str(path), 2, None)]
    assert run.studies() == {BASE + "study/t/0", BASE + "study/t/3"}
    assert f"{path}[1]: record is not a JSON object" in run.stderr


def test_an_array_on_one_line_is_a_json_line_and_names_line_and_index(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/0"), [record("t/1"), "x"])
    run = convert(tmp_path, path)
    assert [(r["line"], r["index"]) for r in run.rejects] == [(2, 1)]
    assert run.studies() == {BASE + "study/t/0", BASE + "study/t/1"}


def test_single_object_document_names_only_the_file(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record("t/1", name=""), indent=2), encoding="utf-8")
    run = convert(tmp_path, path)
    assert run.rejects == [{"file": str(path), "field": NAME_FIELD,
                            "reason": "missing or empty required field"}]


@pytest.mark.parametrize("name", [None, "", "   ", [], {"x": 1}, ["", " "]],
                         ids=["missing", "empty", "blank", "empty-list", "object", "blank-list"])
def test_missing_or_empty_name_is_rejected_naming_the_field(tmp_path: Path, name: Any) -> None:
    run = convert(tmp_path, jsonl(tmp_path, record("t/1"), record("t/2", name=name)))
    [reject] = run.rejects
    assert reject["line"] == 2
    assert reject["field"] == NAME_FIELD
    assert run.studies() == {BASE + "study/t/1"}


def test_the_name_may_come_from_extra_data(tmp_path: Path) -> None:
    rec = record("t/1", name=None, extra_data__name="Named in extra_data")
    run, study = one_record(tmp_path, rec)
    assert run.objects(study, "http://purl.org/dc/terms/title") == \
        [ox.Literal("Named in extra_data", language="en")]


def test_record_without_identifier_is_rejected_naming_the_id_fields(tmp_path: Path) -> None:
    rec = record("t/1")
    del rec["extra_data"]["harmony_id"]
    run = convert(tmp_path, jsonl(tmp_path, rec))
    [reject] = run.rejects
    assert "extra_data.harmony_id" in reject["field"] and "extra_data.uuid" in reject["field"]


def test_very_large_string_is_rejected_naming_the_field(tmp_path: Path) -> None:
    huge = "x" * (MAX_STRING_CHARS + 1)
    run = convert(tmp_path, jsonl(tmp_path, record("t/1", dataset_schema__description=huge),
                                  record("t/2")))
    [reject] = run.rejects
    assert reject["line"] == 1
    assert reject["field"].startswith("dataset_schema.description")
    assert f"{MAX_STRING_CHARS + 1:,}" in reject["reason"]
    assert f"limit of {MAX_STRING_CHARS:,}" in reject["reason"]  # the figure docs/inputs.md gives
    assert run.studies() == {BASE + "study/t/2"}


def test_very_large_keyword_is_rejected_too(tmp_path: Path) -> None:
    keyword = "y" * (MAX_STRING_CHARS + 1)
    run = convert(tmp_path, jsonl(tmp_path, record("t/1", dataset_schema__keywords=[keyword])))
    [reject] = run.rejects
    assert "keywords" in reject["field"]


def test_a_value_object_whose_type_is_not_an_iri_is_rejected_not_written(tmp_path: Path) -> None:
    """A JSON-LD value object's @type becomes the literal's datatype IRI: one that is not an IRI
    (here it would close the term and add a statement of its own) rejects the record."""
    hostile = {"@value": "x", "@type": "http://a> . <http://evil.example/s> <http://evil.example/p> <http://b"}
    typed = {"@value": "2001", "@type": "http://www.w3.org/2001/XMLSchema#gYear"}
    run = convert(tmp_path, jsonl(tmp_path, record("t/1", dataset_schema__variableMeasured=hostile),
                                  record("t/2", dataset_schema__variableMeasured=typed)))
    [reject] = run.rejects
    assert reject["line"] == 1 and reject["field"] == "dataset_schema.variableMeasured"
    assert "@type" in reject["reason"] and "not an absolute IRI" in reject["reason"]
    assert not [q for q in run.quads if "evil" in str(q)]
    assert run.objects(BASE + "study/t/2", "https://schema.org/variableMeasured") == \
        [ox.Literal("2001", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))]


def test_a_string_at_the_limit_is_kept(tmp_path: Path) -> None:
    text = "z" * 1_000_000
    run, study = one_record(tmp_path, record("t/1", dataset_schema__description=text))
    assert run.objects(study, "http://purl.org/dc/terms/description") == \
        [ox.Literal(text, language="en")]


def test_text_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(record("t/1", name="café"), ensure_ascii=False).encode("latin-1"))
    run = convert(tmp_path, path)
    [reject] = run.rejects
    assert reject["file"] == str(path) and "UTF-8" in reject["reason"]


def test_rejects_file_lines_carry_file_location_field_and_reason(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1"), "[", record("t/3", name=""))
    run = convert(tmp_path, path)
    assert run.rejects == [
        {"file": str(path), "line": 2, "reason": run.rejects[0]["reason"]},
        {"file": str(path), "line": 3, "field": NAME_FIELD,
         "reason": "missing or empty required field"},
    ]
    assert "rejected: " + str(path) + ":2" in run.stderr


# -- repaired (or dropped) with a warning naming file, line and field ------------------------

def warned(run: Run, where: str, field: str, text: str) -> bool:
    return any(line.startswith(f"lod: warning: {where} field {field}: ") and text in line
               for line in run.warnings())


def test_unparseable_dates_are_dropped_with_a_warning(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", dataset_schema__temporalCoverage="the nineties"),
                 record("t/2", extra_data__start_year="soon", extra_data__end_year=2004))
    run = convert(tmp_path, path)
    assert run.converted == 2
    assert warned(run, f"{path}:1", "dataset_schema.temporalCoverage|extra_data",
                  "'the nineties'")
    assert warned(run, f"{path}:2", "dataset_schema.temporalCoverage|extra_data", "'soon'")
    assert not run.objects(BASE + "study/t/1", "http://purl.org/dc/terms/temporal")
    # the good half of a broken pair is kept
    assert run.objects(BASE + "study/t/2#period", "http://www.w3.org/ns/dcat#endDate") == \
        [ox.Literal("2004", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))]


def test_a_string_where_a_list_belongs_is_read_as_a_list(tmp_path: Path) -> None:
    rec = record("t/1", dataset_schema__keywords="Health; Wealth, happiness",
                 extra_data__country_codes="GB", extra_data__dois="10.5255/UKDA-SN-1",
                 extra_data__language_codes="en")
    run, study = one_record(tmp_path, rec)
    assert not run.warnings()
    assert sorted(o.value for o in run.objects(study, "http://www.w3.org/ns/dcat#keyword")) == \
        ["Health", "Wealth", "happiness"]
    assert [o.value for o in run.objects(study, "http://purl.org/dc/terms/spatial")] == \
        ["http://publications.europa.eu/resource/authority/country/GBR"]
    assert [o.value for o in run.objects(study, "https://schema.org/sameAs")] == \
        ["https://doi.org/10.5255/UKDA-SN-1"]


def test_a_list_where_one_value_belongs_keeps_the_first_with_a_warning(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", name=["First", "Second"]))
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", NAME_FIELD, "2 values where one belongs")
    assert run.objects(BASE + "study/t/1", "http://purl.org/dc/terms/title") == \
        [ox.Literal("First", language="en")]


def test_unknown_country_and_language_codes_are_dropped_with_a_warning(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", extra_data__country_codes=["XX", "GB"],
                                  extra_data__language_codes=["zz"]))
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", "extra_data.country_codes", "'XX'")
    assert warned(run, f"{path}:1", "extra_data.language_codes", "'zz'")
    study = BASE + "study/t/1"
    assert [o.value for o in run.objects(study, "http://purl.org/dc/terms/spatial")] == \
        ["http://publications.europa.eu/resource/authority/country/GBR"]
    assert run.objects(study, "http://purl.org/dc/terms/language") == []
    # with no known language the texts carry no language tag rather than a wrong one
    assert run.objects(study, "http://purl.org/dc/terms/title") == [ox.Literal("A study")]


@pytest.mark.parametrize("number", [123456789012345678901234567890, 18446744073709551616,
                                    -9223372036854775809, 12345])
def test_whole_numbers_of_any_size_are_read_exactly(tmp_path: Path, number: int) -> None:
    """JSON lines are read by orjson where it gives what json gives; numbers beyond 64 bits,
    which it would make floats, are left to json (the test fails without that guard)."""
    lines = [json.dumps(record("t/1", extra_data__sample_size=number)),
             json.dumps(record("t/2", extra_data__num_sweeps=[1, number]), separators=(",", ":"))]
    run = convert(tmp_path, jsonl(tmp_path, *lines, "   " + str(number)))
    lod = "https://w3id.org/lod-studies/vocab#"
    exact = ox.Literal(str(number), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert run.objects(BASE + "study/t/1", lod + "sampleSize") == [exact]
    assert exact in run.objects(BASE + "study/t/2", lod + "numberOfSweeps")
    assert run.rejects[0]["line"] == 3 and "(got a number)" in run.rejects[0]["reason"]


@pytest.mark.parametrize("long", [True, False], ids=["with long numbers", "without"])
def test_a_block_of_lines_is_read_as_json_reads_each_line(long: bool) -> None:
    """Worker processes read JSON Lines a block at a time, and look for long numbers in the
    whole block at once: each line must still be read as json.loads reads it."""
    big = 10**25 if long else 12345
    lines = [json.dumps(record("t/1", extra_data__sample_size=big)), json.dumps(record("t/2")), "",
             json.dumps(record("t/3", extra_data__num_sweeps=[1, -big]), separators=(",", ":")),
             str(big), "{not json}", json.dumps([record("t/4"), record("t/5", extra_data__size=big)])]
    items = list(read_block(("\n".join(lines) + "\n").encode(), "b.jsonl", 7))
    read = [(item.origin.line, item.origin.index, item.data) for item in items if isinstance(item, Record)]
    assert read == [(7, None, json.loads(lines[0])), (8, None, json.loads(lines[1])),
                    (10, None, json.loads(lines[3])), (11, None, big),  # the converter rejects it
                    (13, 0, json.loads(lines[6])[0]), (13, 1, json.loads(lines[6])[1])]
    assert all(type(data) is int for _, _, data in read[3:4])  # exact, not a float
    rejected = [item.problem for item in items if isinstance(item, Rejected)]
    assert [(p.origin.line, "malformed JSON" in p.message) for p in rejected] == [(12, True)]


def test_invalid_urls_are_dropped_and_repairable_ones_repaired(tmp_path: Path) -> None:
    urls = ["http://www.example.org/a)", "not a url", "javascript:alert(1)", "ftp://example.org/f",
            "https://example.org/with space"]
    path = jsonl(tmp_path, record("t/1", dataset_schema__url=urls))
    run = convert(tmp_path, path)
    field = "dataset_schema.url|extra_data.urls|dataset_schema.includedInDataCatalog.url"
    for bad in ("'not a url'", "'javascript:alert(1)'", "'ftp://example.org/f'"):
        assert warned(run, f"{path}:1", field, "invalid URL " + bad)
    assert warned(run, f"{path}:1", field, "repaired URL 'http://www.example.org/a)'")
    pages = sorted(o.value for o in run.objects(BASE + "study/t/1",
                                                "http://www.w3.org/ns/dcat#landingPage"))
    assert pages == ["http://www.example.org/a", "https://example.org/with%20space"]


def test_numbers_and_flags_of_the_wrong_kind_are_dropped_with_a_warning(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", extra_data__sample_size="many",
                                  extra_data__genetic_data_collected="perhaps",
                                  extra_data__num_sweeps=2.5))
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", "extra_data.sample_size|dataset_schema.size", "'many'")
    assert warned(run, f"{path}:1", "extra_data.genetic_data_collected", "'perhaps'")
    assert warned(run, f"{path}:1", "extra_data.num_sweeps", "2.5")
    assert run.converted == 1


def test_unknown_resource_type_is_warned_about(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", extra_data__resource_type="banana"))
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", "extra_data.resource_type", "'banana'")
    types = {o.value for o in run.objects(BASE + "study/t/1",
                                          "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")}
    assert types == {"http://www.w3.org/ns/dcat#Dataset", "https://schema.org/Dataset"}


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    dirty = "Bell\x07 and null\x00 and escape\x1b"
    rec = record("t/1", name=dirty, dataset_schema__keywords=[dirty],
                 dataset_schema__sponsor=[{"name": "ESRC\x0b"}],
                 extra_data__geographic_coverage="Wales\x0c", extra_data__data_access=dirty)
    rec["extra_data"]["harmony_id"] = "t/1\x01"
    path = jsonl(tmp_path, rec)
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", NAME_FIELD, "removed control characters")
    study = [s for s in run.studies()][0]
    assert run.objects(study, "http://purl.org/dc/terms/title") == \
        [ox.Literal("Bell and null and escape", language="en")]
    out = tmp_path / "out.rdf"
    result = CliRunner().invoke(cli, ["convert", str(path), "-f", "rdfxml", "-o", str(out)])
    assert result.exit_code == 0
    xml.dom.minidom.parse(str(out))  # well-formed XML: no character XML 1.0 forbids


def test_lone_surrogate_in_text_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "surrogate.jsonl"
    path.write_text('{"dataset_schema": {"name": "half \\ud800 a pair"}, '
                    '"extra_data": {"harmony_id": "t/1"}}\n', encoding="utf-8")
    run = convert(tmp_path, path)
    assert run.converted == 1
    assert warned(run, f"{path}:1", NAME_FIELD, "surrogates")
    assert run.objects(BASE + "study/t/1", "http://purl.org/dc/terms/title") == \
        [ox.Literal("half \ufffd a pair")]


def test_lone_surrogate_in_the_identifier_rejects_the_record(tmp_path: Path) -> None:
    path = tmp_path / "surrogate-id.jsonl"
    path.write_text('{"dataset_schema": {"name": "x"}, "extra_data": {"harmony_id": "a\\udc00"}}\n'
                    + json.dumps(record("t/2")) + "\n", encoding="utf-8")
    run = convert(tmp_path, path)
    assert run.rejected == 1 and run.converted == 1


def test_deeply_nested_json_is_rejected_without_a_traceback(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1"), "[" * 100_000 + "]" * 100_000, record("t/3"))
    run = convert(tmp_path, path)
    assert run.converted == 2 and run.rejects[0]["line"] == 2


def test_unmapped_fields_are_warned_about_by_name(tmp_path: Path) -> None:
    path = jsonl(tmp_path, record("t/1", extra_data__brand_new=1, dataset_schema__alsoNew={"a": 1}))
    run = convert(tmp_path, path)
    assert warned(run, f"{path}:1", "extra_data.brand_new", "not in the mapping")
    assert warned(run, f"{path}:1", "dataset_schema.alsoNew", "not in the mapping")


def test_child_dataset_that_cannot_convert_is_warned_about(tmp_path: Path) -> None:
    rec = record("t/1", )
    rec["child_datasets"] = [{"extra_data": {"name": "no id"}}, "not an object",
                             {"extra_data": {"harmony_id": "t/1/c", "name": "ok"}},
                             # fails half-way, after its graph was begun: none of it is written
                             {"extra_data": {"harmony_id": "t/1/half", "name": "half"},
                              "dataset_schema": {"variableMeasured": "x" * (MAX_STRING_CHARS + 1)}}]
    path = jsonl(tmp_path, rec)
    run = convert(tmp_path, path)
    assert run.converted == 1
    child_warnings = [w for w in run.warnings() if "child dataset not converted" in w]
    assert len(child_warnings) == 3
    assert any("child_datasets[0]" in w for w in child_warnings)
    assert any("child_datasets[1]" in w for w in child_warnings)
    assert any("child_datasets[3].dataset_schema.variableMeasured" in w for w in child_warnings)
    assert run.studies() == {BASE + "study/t/1", BASE + "study/t/1/c"}
    assert not [q for q in run.quads if "t/1/half" in str(q)]


# -- whole files ----------------------------------------------------------------------------

def test_empty_and_blank_json_files_are_reported_not_passed_silently(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    blank = tmp_path / "blank.json"
    blank.write_text("\n  \n\n")
    run = convert(tmp_path, empty, blank)
    assert (run.read, run.rejected, run.exit_code) == (2, 2, 1)
    assert [(r["file"], r["reason"]) for r in run.rejects] == [
        (str(empty), "empty input: no study records in it"),
        (str(blank), "empty input: no study records in it")]


def test_an_empty_json_lines_stream_is_zero_records(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n\n")
    run = convert(tmp_path, blank)
    assert (run.read, run.rejected, run.exit_code) == (0, 0, 0)


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    path = jsonl(tmp_path, "", record("t/2"), "", "{bad", "")
    run = convert(tmp_path, path)
    assert [r["line"] for r in run.rejects] == [4]


def test_missing_input_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "nope.json" in result.stderr and "Traceback" not in result.stderr


def test_truncated_gzip_is_reported_and_other_files_go_on(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(gzip.compress(SEED.read_bytes())[:1500])
    good = jsonl(tmp_path, record("t/1"))
    run = convert(tmp_path, truncated, good)
    assert run.converted == 1 and run.rejected == 1
    assert run.rejects[0]["file"] == str(truncated)


def test_one_mixed_file_accounts_for_every_record(tmp_path: Path) -> None:
    lines = [record("t/1"), "{", 5, record("t/4", name=""), record("t/5", extra_data__urls=["x"]),
             [record("t/6a"), "nope"], record("t/7", dataset_schema__keywords="a;b")]
    run = convert(tmp_path, jsonl(tmp_path, *lines))
    assert (run.read, run.converted, run.rejected) == (8, 4, 4)
    assert run.studies() == {BASE + f"study/t/{i}" for i in ("1", "5", "6a", "7")}
    assert [(r.get("line"), r.get("index")) for r in run.rejects] == \
        [(2, None), (3, None), (4, None), (6, 1)]
