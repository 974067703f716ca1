"""Every standard results format lod writes parses strictly and carries the same answer."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import lod
from lod.cli import cli

FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("results") / "store"
    with lod.open_store(store_dir=path) as store:
        lod.load(store, ["samples/studies"])
    return path


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_in_every_format(store_dir: Path, fmt: str) -> None:
    with lod.open_store(store_dir=store_dir, read_only=True) as store:
        expected = lod.query(store, "sponsors")
    result = CliRunner().invoke(cli, ["query", "--store", str(store_dir), "sponsors", "-f", fmt])
    assert result.exit_code == 0, result.output
    parsed = ox.parse_query_results(result.output.encode(), format=FORMATS[fmt])
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == expected.variables
    rows = [{v: s[v].value for v in expected.variables if s[v] is not None} for s in parsed]
    assert rows == [{v: str(t) for v, t in row.items()} for row in expected.rows]
    assert len(rows) > 3


def test_csv_is_rfc4180_with_plain_values(store_dir: Path) -> None:
    import csv
    import io

    with lod.open_store(store_dir=store_dir, read_only=True) as store:
        expected = lod.query(store, "sponsors")
    result = CliRunner().invoke(cli, ["query", "--store", str(store_dir), "sponsors", "-f", "csv"])
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode()
    assert text.count("\r\n") == len(expected.rows) + 1
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == expected.variables
    assert rows[1:] == [[str(row.get(v, "")) for v in expected.variables] for row in expected.rows]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask(store_dir: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["query", "--store", str(store_dir), "--sparql",
                                      "ASK { ?s a <http://www.w3.org/ns/dcat#Dataset> }", "-f", fmt])
    assert result.exit_code == 0, result.output
    assert bool(ox.parse_query_results(result.output.encode(), format=FORMATS[fmt])) is True
