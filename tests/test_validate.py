"""``lod validate``: SHACL reports naming focus node, path and message; exit codes; own shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lod.cli import cli
from tests.paths import SEED_JSON

SEED = SEED_JSON
STUDY = "https://example.org/study/broken"
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://example.org/vocab#> .
"""
# A dataset with a description but no title: DCAT-AP's one mandatory property it lacks.
NO_TITLE = PREFIXES + f'<{STUDY}> a dcat:Dataset ; dct:description "A study with no title"@en .\n'
OWN_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <https://example.org/vocab#> .
ex:NeedsColour a sh:NodeShape ;
  sh:targetClass dcat:Dataset ;
  sh:property [ sh:path ex:colour ; sh:minCount 1 ; sh:message "every dataset needs a colour" ] .
"""


def lod(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"lod crashed: {result.exception!r}"
    assert "Traceback" not in result.output
    return result


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("seed")
    found = {}
    for syntax, ext in (("turtle", "ttl"), ("nquads", "nq"), ("jsonld", "jsonld"),
                        ("rdfxml", "rdf"), ("trig", "trig"), ("ntriples", "nt")):
        out = folder / f"seed.{ext}"
        assert lod("convert", str(SEED), "-f", syntax, "-o", str(out)).exit_code == 0
        found[syntax] = out
    return found


@pytest.mark.parametrize("syntax", ["turtle", "nquads", "jsonld", "rdfxml", "trig", "ntriples"])
def test_converted_seed_conforms_in_every_syntax(seed_outputs: dict[str, Path], syntax: str) -> None:
    result = lod("validate", str(seed_outputs[syntax]), "--shapes", "all")
    assert result.exit_code == 0, result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{seed_outputs[syntax]}: conforms (")
    assert " 0 violations" in last
    assert "Violation:" not in result.stdout


def test_missing_title_is_a_violation_naming_focus_path_and_message(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.ttl", NO_TITLE)
    result = lod("validate", str(broken))
    assert result.exit_code == 1
    violations = [line for line in result.stdout.splitlines() if line.startswith("Violation:")]
    assert len(violations) == 1
    assert violations[0].startswith(f"Violation: <{STUDY}> dct:title: ")
    assert len(violations[0].split("dct:title: ", 1)[1]) > 5  # a message, not just the path
    assert "does not conform" in result.stdout


def test_json_report(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.ttl", NO_TITLE)
    result = lod("validate", str(broken), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["files"] == [str(broken)]
    assert report["triples"] == 2
    [violation] = report["violations"]
    assert (violation["severity"], violation["focus"], violation["path"]) == \
        ("Violation", STUDY, "dct:title")
    assert violation["message"]
    # recommended DCAT-AP properties come as warnings and do not fail the file
    assert {w["path"] for w in report["warnings"]} >= {"dcat:contactPoint", "dcat:keyword"}
    assert all(w["severity"] == "Warning" for w in report["warnings"])


def test_json_report_of_a_conforming_file(seed_outputs: dict[str, Path]) -> None:
    result = lod("validate", str(seed_outputs["turtle"]), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["conforms"] is True and report["violations"] == []
    assert report["triples"] > 100


def test_warnings_alone_do_not_fail(tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.ttl", NO_TITLE.replace(" ;", ' ; dct:title "Titled"@en ;', 1))
    result = lod("validate", str(ok))
    assert result.exit_code == 0
    assert "Warning: " in result.stdout and "Violation: " not in result.stdout


def test_range_shapes_are_applied(tmp_path: Path) -> None:
    """dct:publisher must be a foaf:Agent (DCAT-AP range.ttl), so an untyped publisher fails."""
    text = NO_TITLE.replace(" ;", ' ; dct:title "T"@en ; dct:publisher <https://example.org/org> ;', 1)
    result = lod("validate", str(write(tmp_path, "range.ttl", text)), "--format", "json")
    assert result.exit_code == 1
    assert [(v["focus"], v["path"]) for v in json.loads(result.stdout)["violations"]] == \
        [(STUDY, "dct:publisher")]
    typed = text + "<https://example.org/org> a foaf:Agent ; foaf:name \"Org\" .\n"
    assert lod("validate", str(write(tmp_path, "typed.ttl", typed))).exit_code == 0


def test_study_shapes(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.ttl", NO_TITLE)
    result = lod("validate", str(broken), "--shapes", "study")
    assert result.exit_code == 1
    assert f"Violation: <{STUDY}> prov:wasDerivedFrom: a study says which source record it came " \
           "from" in result.stdout
    assert "Warning:" not in result.stdout  # recommended DCAT-AP shapes only run with dcat-ap/all


def test_own_shapes_file(tmp_path: Path, seed_outputs: dict[str, Path]) -> None:
    shapes = write(tmp_path, "colour.ttl", OWN_SHAPES)
    result = lod("validate", str(seed_outputs["turtle"]), "--shapes", str(shapes))
    assert result.exit_code == 1
    study = "https://w3id.org/lod-studies/id/study/ukds/851986"
    assert f"Violation: <{study}> ex:colour: every dataset needs a colour" in result.stdout
    coloured = write(tmp_path, "coloured.ttl",
                     NO_TITLE + f'<{STUDY}> <https://example.org/vocab#colour> "blue" .\n')
    assert lod("validate", str(coloured), "--shapes", str(shapes)).exit_code == 0


def test_several_files_are_validated_together(tmp_path: Path) -> None:
    """A study in one file, the agent it points to in another: together they conform."""
    text = NO_TITLE.replace(" ;", ' ; dct:title "T"@en ; dct:publisher <https://example.org/org> ;', 1)
    study = write(tmp_path, "study.ttl", text)
    agent = write(tmp_path, "agent.ttl",
                  PREFIXES + '<https://example.org/org> a foaf:Agent ; foaf:name "Org" .\n')
    assert lod("validate", str(study)).exit_code == 1
    result = lod("validate", str(study), str(agent))
    assert result.exit_code == 0
    assert f"{study}, {agent}: conforms" in result.stdout


@pytest.mark.parametrize("args, code, named", [
    (["--shapes", "nope"], 2, "nope"),
    (["--shapes", "/no/such/shapes.ttl"], 2, "/no/such/shapes.ttl"),
    (["--format", "xml"], 2, "xml"),
])
def test_usage_errors(tmp_path: Path, args: list[str], code: int, named: str) -> None:
    broken = write(tmp_path, "broken.ttl", NO_TITLE)
    result = lod("validate", str(broken), *args)
    assert result.exit_code == code
    assert named in result.stderr


def test_a_file_that_does_not_parse_is_named(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.ttl", "<https://example.org/s> <https://example.org/p> .\n")
    result = lod("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: not valid turtle" in result.stderr


def test_unknown_file_extension_is_named(tmp_path: Path) -> None:
    odd = write(tmp_path, "data.foo", NO_TITLE)
    result = lod("validate", str(odd))
    assert result.exit_code == 1
    assert "data.foo" in result.stderr and "extension" in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = lod("validate", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2
    assert "missing.ttl" in result.stderr


def test_validate_reads_the_json_ld_that_convert_wrote_to_a_json_file(tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    assert lod("convert", str(SEED), "-o", str(out)).exit_code == 0
    reference = tmp_path / "seed.nt"
    assert lod("convert", str(SEED), "-o", str(reference)).exit_code == 0
    expected = json.loads(lod("validate", str(reference), "--format", "json").stdout)["triples"]
    result = lod("validate", str(out), "--format", "json")
    assert json.loads(result.stdout)["triples"] == expected


PATH_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/vocab#> .
ex:Paths a sh:NodeShape ; sh:targetClass dcat:Dataset ;
  sh:property [ sh:path [ sh:inversePath dcat:dataset ] ; sh:minCount 1 ; sh:message "in a catalogue" ] ;
  sh:property [ sh:path ( dct:temporal dcat:startDate ) ; sh:minCount 1 ; sh:message "a start" ] ;
  sh:property [ sh:path [ sh:alternativePath ( dct:title dct:alternative ) ] ; sh:minCount 1 ;
                sh:message "a name" ] ;
  sh:property [ sh:path [ sh:oneOrMorePath dct:isPartOf ] ; sh:minCount 1 ; sh:message "a parent" ] .
"""


def test_complex_paths_are_named_in_sparql_syntax(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.ttl", NO_TITLE)
    result = lod("validate", str(broken), "--shapes", str(write(tmp_path, "paths.ttl", PATH_SHAPES)))
    assert result.exit_code == 1
    lines = set(result.stdout.splitlines())
    for path, message in (("^dcat:dataset", "in a catalogue"),
                          ("dct:temporal/dcat:startDate", "a start"),
                          ("(dct:title|dct:alternative)", "a name"), ("dct:isPartOf+", "a parent")):
        assert f"Violation: <{STUDY}> {path}: {message}" in lines


def test_blank_node_and_literal_focus_nodes_do_not_pass_for_iris(tmp_path: Path) -> None:
    text = PREFIXES + '[] a dcat:Dataset ; dct:description "d"@en ; dcat:theme "not a concept" .\n'
    result = lod("validate", str(write(tmp_path, "bnode.ttl", text)), "--shapes", "all")
    assert result.exit_code == 1
    violations = [line for line in result.stdout.splitlines() if line.startswith("Violation:")]
    assert any(line.startswith("Violation: _:") and " dct:title: " in line for line in violations)
    assert any(line.startswith('Violation: "not a concept"') for line in violations)
    assert not [line for line in violations if line.startswith("Violation: <N")]
