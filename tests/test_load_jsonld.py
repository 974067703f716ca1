"""`lod load` loads lod's own JSON-LD export as RDF, and schema.org records through the reader."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lod.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "studies"


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_exported_jsonld_loads_back_as_the_same_graphs(tmp_path: Path) -> None:
    first, second = str(tmp_path / "a"), str(tmp_path / "b")
    export = tmp_path / "export.jsonld"
    _run("load", "--store", first, "-q", str(SAMPLES / "harmony" / "seed_ukds_851986.json"))
    _run("export", "--store", first, "-f", "nquads", "-o", str(tmp_path / "a.nq"))
    _run("convert", "-q", str(SAMPLES / "harmony" / "seed_ukds_851986.json"), "-o", str(export))
    _run("load", "--store", second, "-q", str(export))
    exported = _run("export", "--store", second, "-f", "nquads")
    assert "<https://w3id.org/lod-studies/id/study/ukds/851986>" in exported
    # loaded as RDF, as it is — not re-read as a schema.org record and converted again
    source_format = "<https://w3id.org/lod-studies/vocab#sourceFormat>"
    assert f'{source_format} "harmony"' in exported
    assert f'{source_format} "schemaorg"' not in exported
