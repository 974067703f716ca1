"""Mappings: errors named by file and key at load time; an edited copy changes the output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner, Result

from lod.cli import cli
from lod.errors import MappingError
from lod.mapping.plan import identifier, key_tree, resolve, unmapped
from lod.mapping.spec import Mapping, load_mapping
from lod.resources import load_yaml
from tests.paths import MAPPINGS, SEED_JSON, VOCAB, data_files, harmony_corpus

HARMONY = MAPPINGS / "harmony.yaml"
CORPUS = harmony_corpus()
SEED = SEED_JSON
BASE = "https://example.org/id/"
SEED_STUDY = BASE + "study/ukds/851986"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"


def harmony() -> dict[str, Any]:
    return yaml.safe_load(HARMONY.read_text(encoding="utf-8"))


def index_of(doc: dict[str, Any], predicate: str) -> int:
    """The position of the first field that maps to ``predicate`` (so tests survive reordering)."""
    return next(i for i, f in enumerate(doc["fields"]) if predicate in (f.get("to") or []))


def write(tmp_path: Path, doc: dict[str, Any], name: str = "edited.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def convert(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["convert", *args, "--base-uri", BASE, "-f", "nquads"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def objects(result: Result, subject: str, predicate: str) -> list[str]:
    return sorted(q.object.value for q in ox.parse(result.stdout_bytes, ox.RdfFormat.N_QUADS)
                  if q.subject.value == subject and q.predicate.value == predicate)


def test_the_shipped_mappings_load() -> None:
    mapping = load_mapping("harmony")
    assert mapping.name == "harmony"
    assert load_mapping(HARMONY).fields == mapping.fields
    for path in data_files(MAPPINGS, "*.yaml"):
        assert load_mapping(path).fields, path


# -- every error names the file and the key, before anything is converted ---------------------

def _title(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["fields"][index_of(doc, "dct:title")]


def _unknown_prefix(doc: dict[str, Any]) -> str:
    _title(doc)["to"] = ["dct:title", "nope:name"]
    return f"fields[{index_of(doc, 'dct:title')}].to: unknown prefix 'nope'"


def _unknown_prefix_in_node(doc: dict[str, Any]) -> str:
    doc["nodes"]["organisation"]["types"].append("zz:Thing")
    return "nodes.organisation.types: unknown prefix 'zz'"


def _unknown_prefix_in_subject(doc: dict[str, Any]) -> str:
    doc["subject"]["types"] = ["dcat:Dataset", "qq:Study"]
    return "subject.types: unknown prefix 'qq'"


def _unknown_transform(doc: dict[str, Any]) -> str:
    _title(doc)["transform"] = "titlecase"
    return f"fields[{index_of(doc, 'dct:title')}]: unknown transform 'titlecase'"


def _unknown_node(doc: dict[str, Any]) -> str:
    i = next(i for i, f in enumerate(doc["fields"]) if f.get("node") == "organisation")
    doc["fields"][i]["node"] = "organization"
    return f"fields[{i}]: unknown node template 'organization'"


def _unknown_node_in_node(doc: dict[str, Any]) -> str:
    doc["nodes"]["attribution"]["fields"][0]["node"] = "agent"
    return "nodes.attribution.fields[0]: unknown node template 'agent'"


def _unknown_field_key(doc: dict[str, Any]) -> str:
    _title(doc)["tranform"] = "text"
    return f"fields[{index_of(doc, 'dct:title')}]: unknown key(s) ['tranform']"


def _unknown_node_key(doc: dict[str, Any]) -> str:
    doc["nodes"]["period"]["type"] = ["dct:PeriodOfTime"]
    return "nodes.period: unknown key(s) ['type']"


def _unknown_top_key(doc: dict[str, Any]) -> str:
    doc["field"] = []
    return "top level: unknown key(s) ['field']"


def _unknown_subject_key(doc: dict[str, Any]) -> str:
    doc["subject"]["lang"] = doc["subject"].pop("language")
    return "subject: unknown key(s) ['lang']"


def _unknown_children_key(doc: dict[str, Any]) -> str:
    doc["children"]["form"] = doc["children"].pop("from")
    return "children: expected keys"


def _missing_to(doc: dict[str, Any]) -> str:
    i = index_of(doc, "dct:title")
    del doc["fields"][i]["to"]
    return f"fields[{i}]: missing 'to'"


def _limit_not_a_number(doc: dict[str, Any]) -> str:
    _title(doc)["limit"] = "one"
    return f"fields[{index_of(doc, 'dct:title')}].limit"


def _flag_not_a_boolean(doc: dict[str, Any]) -> str:
    _title(doc)["required"] = "no"
    return f"fields[{index_of(doc, 'dct:title')}].required: must be true or false"


def _bad_lang(doc: dict[str, Any]) -> str:
    _title(doc)["lang"] = "recrod!"
    return f"fields[{index_of(doc, 'dct:title')}].lang"


def _bad_max_literal_chars(doc: dict[str, Any]) -> str:
    doc["max_literal_chars"] = "lots"
    return "max_literal_chars: must be a whole number"


def _bad_subject_template(doc: dict[str, Any]) -> str:
    doc["subject"]["iri"] = "study/{harmony_id}"
    return "subject.iri"


def _nodes_not_a_mapping(doc: dict[str, Any]) -> str:
    doc["nodes"] = ["organisation"]
    return "nodes: must be a mapping"


def _empty_path_step(doc: dict[str, Any]) -> str:
    _title(doc)["from"] = ["dataset_schema..name"]
    return f"fields[{index_of(doc, 'dct:title')}].from: empty step"


def _two_object_kinds(doc: dict[str, Any]) -> str:
    _title(doc)["datatype"] = "xsd:string"
    _title(doc)["iri"] = True
    return "choose one of datatype/iri/node"


def _predicate_rdfxml_cannot_write(doc: dict[str, Any]) -> str:
    _title(doc)["to"] = ["dct:title", "<https://example.org/vocab/>"]
    return f"fields[{index_of(doc, 'dct:title')}].to: '<https://example.org/vocab/>' does not end"


def _predicate_ending_in_a_digit(doc: dict[str, Any]) -> str:
    doc["children"]["up"] = ["dct:isPartOf", "<https://example.org/v/1>"]
    return "children.up: '<https://example.org/v/1>' does not end in a name"


BREAKAGES = [_unknown_prefix, _unknown_prefix_in_node, _unknown_prefix_in_subject,
             _unknown_transform, _unknown_node, _unknown_node_in_node, _unknown_field_key,
             _unknown_node_key, _unknown_top_key, _unknown_subject_key, _unknown_children_key,
             _missing_to, _limit_not_a_number, _flag_not_a_boolean, _bad_lang,
             _bad_max_literal_chars, _bad_subject_template, _nodes_not_a_mapping,
             _empty_path_step, _two_object_kinds, _predicate_rdfxml_cannot_write,
             _predicate_ending_in_a_digit]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.__name__.strip("_") for b in BREAKAGES])
def test_mapping_errors_name_the_file_and_the_key(tmp_path: Path, breakage: Any) -> None:
    doc = harmony()
    expected = breakage(doc)
    path = write(tmp_path, doc)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_mapping_error_on_the_command_line_exits_2_before_reading(tmp_path: Path) -> None:
    doc = harmony()
    expected = _unknown_transform(doc)
    path = write(tmp_path, doc)
    result = convert(str(tmp_path / "does-not-exist.json"), "--mapping", str(path))
    assert result.exit_code == 2
    assert f"{path}: {expected}" in result.stderr
    assert "does-not-exist" not in result.stderr  # failed at load, before any input was opened


@pytest.mark.parametrize("text, expected", [
    ("fields: [1, 2", "not valid YAML"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("name: x\n", "subject: needs 'id'"),
])
def test_files_that_are_not_mappings(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(MappingError, match=expected):
        load_mapping(path)


# -- an edited copy changes the output accordingly ------------------------------------------

def test_an_unchanged_copy_gives_the_same_output(tmp_path: Path) -> None:
    copy_path = write(tmp_path, harmony())
    assert convert(str(SEED), "--mapping", str(copy_path)).stdout_bytes == \
        convert(str(SEED)).stdout_bytes


@pytest.mark.parametrize("path", [*data_files(MAPPINGS, "*.yaml"), *data_files(VOCAB, "**/*.yaml")],
                         ids=lambda p: p.name)
def test_yaml_files_load_the_same_by_libyaml_as_by_pure_python(path: Path) -> None:
    """lod loads YAML with libyaml's parser where PyYAML has it; what that gives must be what
    PyYAML's own parser gives, for every YAML file lod ships."""
    text = path.read_text(encoding="utf-8")
    assert yaml.__with_libyaml__
    assert load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_mapping_by_name() -> None:
    assert convert(str(SEED), "--mapping", "harmony").stdout_bytes == convert(str(SEED)).stdout_bytes


def test_edited_copy_changes_predicates_iris_and_fields(tmp_path: Path) -> None:
    doc = harmony()
    _title(doc)["to"] = ["dct:title", "schema:alternateName"]  # schema:name → alternateName
    doc["subject"]["iri"] = "dataset/{id}"
    doc["fields"] = [f for f in doc["fields"] if "dcat:keyword" not in (f.get("to") or [])]
    edited = convert(str(SEED), "--mapping", str(write(tmp_path, doc)))
    assert edited.exit_code == 0
    study = BASE + "dataset/ukds/851986"
    title = "Meaningful and measurable: understanding the capture, analysis and use of personal " \
            "outcomes information"
    assert objects(edited, study, SCHEMA + "alternateName") == [title]
    assert objects(edited, study, SCHEMA + "name") == []
    assert objects(edited, study, "http://www.w3.org/ns/dcat#keyword") == []
    assert objects(edited, SEED_STUDY, DCT + "title") == []  # the old IRI is gone
    original = convert(str(SEED))
    assert objects(original, SEED_STUDY, SCHEMA + "name") == [title]
    assert len(objects(original, SEED_STUDY, "http://www.w3.org/ns/dcat#keyword")) == 4


def test_edited_limits_and_absent_values(tmp_path: Path) -> None:
    doc = harmony()
    doc["max_literal_chars"] = 40
    doc["absent"] = ["", "$undefined", "all"]
    edited = write(tmp_path, doc)
    rec = {"dataset_schema": {"name": "Short", "description": "d" * 41},
           "extra_data": {"harmony_id": "t/1", "sex": "all"}}
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(rec))
    result = convert(str(path), "--mapping", str(edited))
    assert result.exit_code == 1
    assert "field dataset_schema.description" in result.stderr
    assert "exceeds the limit of 40" in result.stderr
    assert convert(str(path)).exit_code == 0  # the shipped limit is 1,048,576
    rec["dataset_schema"]["description"] = "d" * 40
    path.write_text(json.dumps(rec))
    result = convert(str(path), "--mapping", str(edited))
    assert result.exit_code == 0, result.stderr
    sex = "https://w3id.org/lod-studies/vocab#sex"
    assert objects(result, BASE + "study/t/1", sex) == []  # "all" is absent in the edited copy
    assert objects(convert(str(path)), BASE + "study/t/1", sex) == ["all"]


def test_edited_value_table(tmp_path: Path) -> None:
    doc = harmony()
    i = next(i for i, f in enumerate(doc["fields"]) if f.get("values"))
    doc["fields"][i]["values"] = {"dataset": "schema:CreativeWork"}
    result = convert(str(SEED), "--mapping", str(write(tmp_path, doc)))
    types = objects(result, SEED_STUDY, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert SCHEMA + "CreativeWork" in types
    assert "http://rdf-vocabulary.ddialliance.org/discovery#LogicalDataSet" not in types


# -- what the mapping does not read is reported ------------------------------------------------

def test_unmapped_fields_are_named_in_warnings(tmp_path: Path) -> None:
    rec = json.loads(SEED.read_text())
    rec["extra_data"]["new_field"] = "x"
    rec["dataset_schema"]["spatialCoverage"] = {"name": "Here"}
    rec["top_level_extra"] = [1]
    rec["extra_data"]["empty_new_field"] = ""  # absent values are not worth a warning
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(rec))
    result = convert(str(path))
    assert result.exit_code == 0
    unmapped = sorted(line.split(" field ")[1].split(":")[0] for line in result.stderr.splitlines()
                      if "not in the mapping" in line)
    assert unmapped == ["dataset_schema.spatialCoverage", "extra_data.new_field", "top_level_extra"]


def _unmapped_reference(data: dict[str, Any], known: dict[str, Any], prefix: str = "") -> list[str]:
    """What unmapped() must give, written the plain way: every key in order."""
    found = []
    for key, value in data.items():
        if key not in known:
            if value not in (None, [], {}, "", "$undefined"):
                found.append(prefix + key)
        elif known[key] and isinstance(value, dict):
            found += _unmapped_reference(value, known[key], f"{prefix}{key}.")
    return found


@pytest.mark.parametrize("rec", [
    {"a": 1, "b": {"c": 1, "d": {"e": 1, "x": 2}}, "y": 3},            # unknown keys at every level
    {"b": {"d": {"x": 1}, "c": 1}},                                       # only deep down
    {"b": {"c": 1, "d": {"e": 1}}, "a": 2},                               # none at all
    {"b": {"d": "not an object", "z": ""}, "a": None, "q": []},          # absent values, no object
    {"y": 1, "b": {"w": 1}, "f": {"g": {"x": 1}, "h": 1}, "x": 1},       # two levels read in part
])
def test_unmapped_fields_are_found_in_record_order_at_every_level(rec: dict[str, Any]) -> None:
    known = {"a": {}, "b": {"c": {}, "d": {"e": {}}}, "f": {"g": {"i": {}}, "h": {}}}
    assert unmapped(rec, key_tree(known), frozenset({"", "$undefined"})) == \
        _unmapped_reference(rec, known)


def test_ignored_fields_are_not_reported(tmp_path: Path) -> None:
    doc = harmony()
    doc["ignore"] = [p for p in doc["ignore"] if p != "score"]
    rec = json.loads(SEED.read_text())
    rec["score"] = 0.5
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(rec))
    assert "not in the mapping" not in convert(str(path)).stderr
    assert "field score: field not in the mapping" in \
        convert(str(path), "--mapping", str(write(tmp_path, doc))).stderr


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_the_corpus_has_no_unmapped_field(path: Path) -> None:
    result = convert(str(path))
    assert result.exit_code == 0
    assert "not in the mapping" not in result.stderr


def test_absent_markers_give_no_triples(tmp_path: Path) -> None:
    rec = {"dataset_schema": {"name": "x", "variableMeasured": "$undefined", "license": ""},
           "extra_data": {"harmony_id": "t/1", "ai_summary": "$undefined"}}
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(rec))
    result = convert(str(path))
    study = BASE + "study/t/1"
    for predicate in (SCHEMA + "variableMeasured", DCT + "license",
                      "https://w3id.org/lod-studies/vocab#aiSummary"):
        assert objects(result, study, predicate) == []
    assert result.stderr.count("lod: warning") == 0


def _identifier_reference(data: dict[str, Any], mapping: Mapping) -> str | None:
    """What the record's identifier is, the plain way: the first text or whole number any id
    path gives (lists flattened, absent values and blank text skipped)."""
    for path in mapping.id_paths:
        for value in resolve(data, path, mapping.absent):
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    return None


@pytest.mark.parametrize("extra", [
    {"harmony_id": "ukds/851986"}, {"harmony_id": "  padded/1 "}, {"harmony_id": "   ", "uuid": "u-1"},
    {"harmony_id": "N/A", "uuid": "u-2"}, {"harmony_id": "$undefined", "uuid": "u-7"},
    {"harmony_id": "", "slug": "s-3"}, {"harmony_id": 42},
    {"harmony_id": True, "uuid": "u-4"}, {"harmony_id": ["a/1", "b/2"]}, {"harmony_id": [None, "c/3"]},
    {"harmony_id": None, "uuid": 7}, {"harmony_id": {"id": "x"}, "slug": "s-5"}, {"uuid": "u-6"}, {},
], ids=repr)
@pytest.mark.parametrize("wrap", [lambda e: {"extra_data": e}, lambda e: {"extra_data": [e]},
                                  lambda e: {"extra_data": "not an object"}, lambda e: {}],
                         ids=["object", "list", "text", "missing"])
def test_the_record_identifier_is_what_the_plain_way_gives(extra: dict[str, Any], wrap: Any) -> None:
    mapping = load_mapping("harmony")
    data = wrap(extra)
    assert identifier(data, mapping) == _identifier_reference(data, mapping)
