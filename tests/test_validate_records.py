"""`lod validate` takes study-record files as well as RDF: it converts them first."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lod.cli import cli
from tests.paths import STUDIES as SAMPLES


def test_records_of_every_form_validate_against_dcat_ap() -> None:
    files = [str(p) for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
    assert any(f.endswith(".xml") for f in files) and any(f.endswith(".json") for f in files)
    result = CliRunner().invoke(cli, ["validate", "--shapes", "all", *files])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output and "0 violations" in result.output


def test_own_jsonld_output_is_read_as_rdf_not_as_a_record(tmp_path: Path) -> None:
    out = tmp_path / "cosmo.jsonld"
    converted = CliRunner().invoke(cli, ["convert", "-q", str(SAMPLES / "harmony" / "cls_cosmo.json"),
                                         "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert "cosmo.jsonld: conforms" in result.output


def test_a_record_that_cannot_convert_is_an_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"dataset_schema": {}, "extra_data": {"harmony_id": "x/1"}}')
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.json" in result.output and "could not be converted" in result.output
