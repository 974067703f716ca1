"""``lod export`` and ``lod stats`` on the corpus."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from lod.cli import cli
from lod.store import facets, open_store
from tests.test_queries import SEED, corpus_files

COVERAGE = f'<{SEED}> <{facets.COVERAGE_YEARS}> "2013/2015" .\n'


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("export") / "store")
    result = CliRunner().invoke(cli, ["load", *corpus_files(), "--store", path, "-q"])
    assert result.exit_code == 0, result.stderr
    return path


def invoke(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout_bytes, result.stderr


def quads(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    return set(ox.parse(data, format=fmt))


def test_export_everything_as_nquads_by_default(corpus_dir: str) -> None:
    code, out, _ = invoke("export", "--store", corpus_dir)
    assert code == 0
    found = quads(out, ox.RdfFormat.N_QUADS)
    with open_store(store_dir=corpus_dir) as store:
        assert {q.graph_name.value for q in found} == set(store.graphs())  # type: ignore[union-attr]
        assert len(found) == store.triple_count()


def test_export_format_from_the_file_name(corpus_dir: str, tmp_path: Path) -> None:
    _, nq, _ = invoke("export", "--store", corpus_dir)
    target = tmp_path / "all.trig"
    assert invoke("export", "-o", str(target), "--store", corpus_dir)[0] == 0
    assert quads(target.read_bytes(), ox.RdfFormat.TRIG) == quads(nq, ox.RdfFormat.N_QUADS)


def test_export_one_study_graph_is_the_converted_study(corpus_dir: str, tmp_path: Path) -> None:
    code, out, _ = invoke("export", "--graph", SEED, "--store", corpus_dir)
    assert code == 0 and out.startswith(b"@prefix")
    converted = tmp_path / "seed.nq"
    seed = [f for f in corpus_files() if f.endswith("seed_ukds_851986.json")]
    assert invoke("convert", *seed, "-o", str(converted), "-q")[0] == 0
    expected = Graph()
    lines = [line for line in converted.read_text(encoding="utf-8").splitlines()
             if line.endswith(f"<{SEED}> .")]
    expected.parse(data="\n".join(line[: -len(f" <{SEED}> .")] + " ." for line in lines) + "\n"
                   + COVERAGE, format="nt")
    exported = Graph().parse(data=out.decode("utf-8"), format="turtle")
    assert isomorphic(exported, expected)


@pytest.mark.parametrize("fmt", ["ntriples", "rdfxml", "jsonld", "turtle"])
def test_export_in_every_syntax_parses(corpus_dir: str, fmt: str) -> None:
    code, out, err = invoke("export", "-f", fmt, "--graph", SEED, "--store", corpus_dir)
    assert code == 0, err
    syntax = {"ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
              "jsonld": ox.RdfFormat.JSON_LD, "turtle": ox.RdfFormat.TURTLE}[fmt]
    with open_store(store_dir=corpus_dir) as store:
        expected = store.triple_count(SEED)
    assert len(quads(out, syntax)) == expected > 70  # JSON-LD keeps the graph's name


def test_export_of_an_unknown_graph_is_a_usage_error(corpus_dir: str) -> None:
    code, out, err = invoke("export", "--graph", "https://example.org/nope", "--store", corpus_dir)
    assert code == 2 and "no graph <https://example.org/nope>" in err and out == b""


def test_stats(corpus_dir: str) -> None:
    code, out, _ = invoke("stats", "--format", "json", "--store", corpus_dir)
    assert code == 0
    stats = json.loads(out)
    with open_store(store_dir=corpus_dir) as store:
        graphs = [g for g in store.graphs() if g not in facets.ALL_GRAPHS]
        triples = store.triple_count() - sum(store.triple_count(g) for g in facets.ALL_GRAPHS)
    assert stats == {"studies": 14, "graphs": len(graphs), "triples": triples, "sponsors": 9,
                     "keywords": 88, "catalogues": 5, "countries": 1, "places": 8,
                     "spans of years": 6}
    code, out, _ = invoke("stats", "--store", corpus_dir)
    table = dict(line.rsplit(None, 1) for line in out.decode().splitlines())
    assert table["studies"] == "14" and table["sponsors"] == "9" and table["catalogues"] == "5"
    assert table["triples"] == f"{triples:,}"


def test_stats_on_an_empty_store(tmp_path: Path) -> None:
    open_store(store_dir=tmp_path / "new").close()  # only lod load creates one from the CLI
    code, out, _ = invoke("stats", "--format", "json", "--store", str(tmp_path / "new"))
    assert code == 0 and json.loads(out)["studies"] == 0 and json.loads(out)["graphs"] == 0


def test_export_stream_is_not_buffered_into_text(corpus_dir: str) -> None:
    code, out, _ = invoke("export", "-f", "ntriples", "--store", corpus_dir)
    assert code == 0 and len(Graph().parse(io.BytesIO(out), format="nt")) > 2000
