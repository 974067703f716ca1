"""The library API (``import lod``) does what the commands do."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

import lod
from lod.cli import cli

SAMPLES = "samples/studies"


def test_convert_matches_the_command(tmp_path: Path) -> None:
    converted = lod.convert([SAMPLES])
    out = tmp_path / "out.nq"
    result = CliRunner().invoke(cli, ["convert", SAMPLES, "-o", str(out), "-f", "nquads"])
    assert result.exit_code == 0, result.output
    ours, theirs = Dataset(), Dataset()
    ours.parse(data=converted.nquads(), format="nquads")
    theirs.parse(out, format="nquads")
    names = {g.identifier for g in theirs.graphs()}
    assert names == {g.identifier for g in ours.graphs()} and len(names) > 1
    for name in names:
        assert isomorphic(ours.graph(name), theirs.graph(name)), name
    assert converted.summary.read == converted.summary.converted + len(converted.rejected)


def test_convert_twice_is_still_a_function() -> None:
    # lod.convert is the function, whatever submodules were imported before.
    import lod.converter.core  # noqa: F401
    assert callable(lod.convert)
    lod.convert([SAMPLES + "/harmony"])
    assert callable(lod.convert)


def test_load_and_query(tmp_path: Path) -> None:
    with lod.open_store(store_dir=tmp_path / "s") as store:
        report = lod.load(store, [SAMPLES])
        assert report.triples > 0 and report.graphs > 0
        sponsors = lod.query(store, "sponsors")
        assert sponsors.variables[:2] == ["sponsor", "name"] and sponsors.rows
        esrc = lod.query(store, "studies-by-sponsor", sponsor="esrc")
        assert esrc.rows
        with pytest.raises(lod.LodError, match="unknown parameter"):
            lod.query(store, "sponsors", x=1)


def test_unknown_name() -> None:
    with pytest.raises(AttributeError):
        _ = lod.no_such_thing  # type: ignore[attr-defined]
