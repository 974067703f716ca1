"""The six output syntaxes: strict parsing, isomorphism, named graphs, determinism, JSON-LD."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.dom.minidom
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from pyld import jsonld
from rdflib.compare import isomorphic

from lod.cli import cli
from lod.output.syntaxes import SYNTAXES
from tests.paths import CASES, ROOT, VOCAB, harmony_corpus

CORPUS = harmony_corpus()
BASE = "https://example.org/id/"
FORMATS = {name: syntax.rdf_format for name, syntax in SYNTAXES.items()}
QUAD_FORMATS = ("nquads", "trig", "jsonld")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"
# Text that trips naive writers: quotes, escapes, markup, new lines, astral and combining characters.
AWKWARD = 'Quotes " and \' , back\\slash, <tag> & &amp; ]]> tab\there\nnew line, 😀, e\u0301, 日本語'


def awkward_record() -> dict:
    return {"dataset_schema": {"name": AWKWARD, "keywords": ["a \"quoted\" keyword"]},
            "extra_data": {"harmony_id": "edge/awkward text", "language_codes": ["en"]}}


def convert(inputs: list[str], syntax: str, out: Path) -> None:
    result = CliRunner().invoke(cli, ["convert", *inputs, "-f", syntax, "-o", str(out),
                                      "--base-uri", BASE])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    awkward = tmp_path_factory.mktemp("awkward") / "awkward.json"
    awkward.write_text(json.dumps(awkward_record(), ensure_ascii=False), encoding="utf-8")
    edges = [CASES / "edge_organisations" / "input.json", CASES / "edge_temporal" / "input.jsonl",
             CASES / "edge_children" / "input.json"]
    return [str(p) for p in [*CORPUS, *edges, awkward]]


@pytest.fixture(scope="module")
def outputs(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("syntaxes")
    found = {}
    for syntax in FORMATS:
        out = folder / f"out.{syntax}"
        convert(inputs, syntax, out)
        found[syntax] = out.read_bytes()
    return found


def quads(data: bytes, syntax: str) -> list[ox.Quad]:
    try:
        return list(ox.parse(data, FORMATS[syntax]))
    except SyntaxError as exc:  # pyoxigraph reports bad syntax as SyntaxError
        pytest.fail(f"{syntax} output is not valid {syntax}: {exc}")


def as_graph(found: list[ox.Quad]) -> rdflib.Graph:
    text = ox.serialize((q.triple for q in found), None, ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=text.decode(), format="nt")


def exact(found: list[ox.Quad]) -> set[ox.Quad]:
    """The quads as pyoxigraph read them: lexical forms kept (rdflib's isomorphism normalises
    literals, so "016"^^xsd:integer would pass for "16"). lod writes no blank nodes."""
    assert not any(isinstance(t, ox.BlankNode) for q in found for t in (q.subject, q.object))
    return set(found)


def by_graph(found: list[ox.Quad]) -> dict[str, rdflib.Graph]:
    grouped: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in found:
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        grouped[name].append(q)
    return {name: as_graph(group) for name, group in grouped.items()}


def test_corpus_is_there() -> None:
    assert len(CORPUS) >= 6


@pytest.mark.parametrize("syntax", FORMATS)
def test_output_parses_strictly_and_is_not_empty(outputs: dict[str, bytes], syntax: str) -> None:
    assert len(quads(outputs[syntax], syntax)) > 500


@pytest.mark.parametrize("syntax", [s for s in FORMATS if s != "ntriples"])
def test_every_syntax_is_isomorphic_to_ntriples(outputs: dict[str, bytes], syntax: str) -> None:
    reference = quads(outputs["ntriples"], "ntriples")
    found = quads(outputs[syntax], syntax)
    assert isomorphic(as_graph(found), as_graph(reference))
    assert {q.triple for q in exact(found)} == {q.triple for q in exact(reference)}


@pytest.mark.parametrize("syntax", QUAD_FORMATS)
def test_quad_syntaxes_have_the_same_named_graphs(outputs: dict[str, bytes], syntax: str) -> None:
    reference_quads, found_quads = quads(outputs["nquads"], "nquads"), quads(outputs[syntax], syntax)
    reference, found = by_graph(reference_quads), by_graph(found_quads)
    assert "" not in found, "triples in the default graph"
    assert set(found) == set(reference)
    for name, graph in reference.items():
        assert isomorphic(found[name], graph), f"graph {name} differs"
    assert exact(found_quads) == exact(reference_quads)


def test_each_study_lives_in_its_own_named_graph(outputs: dict[str, bytes]) -> None:
    found = quads(outputs["nquads"], "nquads")
    studies = {q.subject.value for q in found
               if q.predicate.value == RDF_TYPE and q.object.value == DCAT_DATASET}
    assert len(studies) >= 10
    for q in found:
        if q.subject.value in studies:
            assert q.graph_name.value == q.subject.value, f"{q} is outside its study's graph"
    graphs = {q.graph_name.value for q in found}
    assert studies <= graphs
    # the children of a study are studies in their own right, in their own graphs
    assert BASE + "study/edge/child-one" in studies


def test_shared_node_is_described_once_in_its_own_graph(outputs: dict[str, bytes]) -> None:
    esrc = BASE + "organisation/esrc"  # sponsor of the seed study and of edge_organisations
    names = [q for q in quads(outputs["nquads"], "nquads")
             if q.subject.value == esrc and q.predicate.value == "http://xmlns.com/foaf/0.1/name"]
    assert len(names) == 1
    assert names[0].graph_name.value == esrc


def test_turtle_declares_each_prefix_once(outputs: dict[str, bytes]) -> None:
    lines = [line for line in outputs["turtle"].decode().splitlines() if line.startswith("@prefix")]
    assert lines, "no prefixes: the Turtle is not compact"
    assert len(lines) == len(set(lines))
    assert all(not line.startswith("@prefix") for line in
               outputs["turtle"].decode().splitlines()[len(lines):])


def test_jsonld_is_compacted_with_the_shipped_context(outputs: dict[str, bytes]) -> None:
    doc = json.loads(outputs["jsonld"])
    shipped = json.loads((VOCAB / "contexts" / "lod.jsonld").read_text())
    assert doc["@context"] == shipped["@context"]
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            keys.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc["@graph"])
    assert "dct:title" in keys and "schema:name" in keys
    namespaces = [v for v in shipped["@context"].values() if isinstance(v, str)]
    assert not [k for k in keys if any(k.startswith(ns) for ns in namespaces)], \
        "a property IRI was left uncompacted"


def test_jsonld_round_trips_through_pyld(outputs: dict[str, bytes]) -> None:
    expanded = jsonld.expand(json.loads(outputs["jsonld"]))
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    reference_quads, found_quads = quads(outputs["nquads"], "nquads"), quads(nquads.encode(), "nquads")
    reference, found = by_graph(reference_quads), by_graph(found_quads)
    assert set(found) == set(reference)
    for name, graph in reference.items():
        assert isomorphic(found[name], graph), f"graph {name} differs after the pyld round trip"
    assert exact(found_quads) == exact(reference_quads)


@pytest.mark.parametrize("syntax", FORMATS)
def test_awkward_text_survives_every_syntax(outputs: dict[str, bytes], syntax: str) -> None:
    titles = [q.object for q in quads(outputs[syntax], syntax)
              if q.subject.value == BASE + "study/edge/awkward%20text"
              and q.predicate.value == "http://purl.org/dc/terms/title"]
    assert titles == [ox.Literal(AWKWARD, language="en")]


def test_rdfxml_is_well_formed_xml(outputs: dict[str, bytes]) -> None:
    xml.dom.minidom.parseString(outputs["rdfxml"])  # a standard XML parser, not an RDF one


@pytest.mark.parametrize("syntax", FORMATS)
def test_empty_input_gives_an_empty_valid_document(tmp_path: Path, syntax: str) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    out = tmp_path / "out"
    convert([str(empty)], syntax, out)
    assert quads(out.read_bytes(), syntax) == []


_DRIVER = """
import sys
from pathlib import Path
from click.testing import CliRunner
from lod.cli import cli
out, inputs = Path(sys.argv[1]), sys.argv[2:]
for syntax in {formats!r}:
    result = CliRunner().invoke(cli, ["convert", *inputs, "-f", syntax, "-o", str(out / syntax),
                                      "--base-uri", {base!r}])
    assert result.exit_code == 0, result.stderr
"""


def test_two_runs_are_byte_identical_in_every_syntax(inputs: list[str], tmp_path: Path) -> None:
    """Separate processes with different hash seeds, so set or dict ordering cannot leak out."""
    driver = _DRIVER.format(formats=list(FORMATS), base=BASE)
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", driver, str(out), *inputs], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        runs.append(out)
    for syntax in FORMATS:
        first, second = (run / syntax for run in runs)
        assert first.read_bytes() == second.read_bytes(), f"{syntax} differs between runs"
        assert first.stat().st_size > 1000
