"""Conformance: the sample corpus converts cleanly; every output passes the official DCAT-AP 3.0.1
shapes and lod's study shapes; every schema.org, DCAT, disco and lod term lod emits exists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from pyshacl import validate as shacl
from rdflib.namespace import OWL, RDF, RDFS, SH

from lod.cli import cli
from lod.mapping.spec import Mapping, load_mapping
from lod.validate import load_data, validate_graph
from tests.paths import CASES, VOCAB, data_files, harmony_corpus
from tests.paths import MAPPINGS as MAPPING_FOLDER

CORPUS = harmony_corpus()
GOLDEN = data_files(CASES, "*/expected.ttl")
MAPPINGS = data_files(MAPPING_FOLDER, "*.yaml")
LOD_TTL = VOCAB / "lod.ttl"
CHECKED = {  # namespace → the vocabulary file its terms must exist in
    "https://schema.org/": "schemaorg-current-https.ttl",
    "http://www.w3.org/ns/dcat#": "dcat3.ttl",
    "http://rdf-vocabulary.ddialliance.org/discovery#": "disco-discovery.ttl",
}
LOD_NS = "https://w3id.org/lod-studies/vocab#"
PROPERTY_TYPES = {RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
CLASS_TYPES = {RDFS.Class, OWL.Class}


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, Path]]:
    """Each corpus record converted on its own: exit code, stderr, N-Triples file."""
    folder = tmp_path_factory.mktemp("corpus")
    found = {}
    for path in CORPUS:
        out = folder / f"{path.stem}.nt"
        result = CliRunner().invoke(cli, ["convert", str(path), "-o", str(out)])
        found[path.stem] = (result.exit_code, result.stderr, out)
    return found


@cache
def vocabulary(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(VOCAB / "ontologies" / name if name != "lod.ttl" else LOD_TTL)


def test_the_corpus_and_cases_are_there() -> None:
    assert "seed_ukds_851986" in {p.stem for p in CORPUS}
    assert len(CORPUS) >= 6 and len(GOLDEN) >= len(CORPUS)


# -- the corpus converts ------------------------------------------------------------------------

@pytest.mark.parametrize("name", [p.stem for p in CORPUS])
def test_corpus_record_converts_without_rejection(corpus_out: dict, name: str) -> None:
    exit_code, stderr, out = corpus_out[name]
    assert exit_code == 0, stderr
    assert "0 rejected" in stderr and "lod: rejected" not in stderr
    assert out.stat().st_size > 1000


# -- SHACL ---------------------------------------------------------------------------------------

def describe(findings: Iterable) -> str:
    return "\n".join(f.line() for f in findings)


@pytest.mark.parametrize("name", [p.stem for p in CORPUS])
def test_corpus_output_conforms_to_dcat_ap_and_study_shapes(
        corpus_out: dict, name: str, record_property: Callable[[str, object], None]) -> None:
    graph = load_data([str(corpus_out[name][2])])
    report = validate_graph(graph, "all")
    assert report.violations == [], describe(report.violations)
    assert report.conforms
    # the recommended DCAT-AP properties lod cannot fill are reported, as warnings only
    assert all(w.severity == "Warning" for w in report.warnings)
    record_property("dcat_ap_recommended_warnings", len(report.warnings))
    print(f"{name}: 0 violations, {len(report.warnings)} recommended-shape warnings")


@pytest.mark.parametrize("name", [p.stem for p in CORPUS])
def test_corpus_output_conforms_to_the_combined_official_shapes(corpus_out: dict, name: str) -> None:
    """The upstream combined file (dcat-ap-SHACL.ttl) too, straight through pyshacl."""
    graph = load_data([str(corpus_out[name][2])])
    shapes = combined_shapes()
    conforms, results, text = shacl(graph, shacl_graph=shapes, inference="none",
                                    allow_warnings=True)
    violations = [r for r in results.subjects(SH.resultSeverity, SH.Violation)]
    assert not violations, text
    assert conforms


@cache
def combined_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(VOCAB / "shapes" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl")


def test_recommended_shape_warnings_name_what_is_missing(corpus_out: dict) -> None:
    report = validate_graph(load_data([str(corpus_out["seed_ukds_851986"][2])]), "dcat-ap")
    study = "https://w3id.org/lod-studies/id/study/ukds/851986"
    missing = {w.path for w in report.warnings if w.focus == study}
    assert "dcat:contactPoint" in missing  # Harmony records carry no contact point
    assert "dct:title" not in missing


@pytest.mark.parametrize("expected", GOLDEN, ids=[p.parent.name for p in GOLDEN])
def test_every_golden_output_conforms(expected: Path) -> None:
    report = validate_graph(load_data([str(expected)]), "all", recommended=False)
    assert report.violations == [], describe(report.violations)


def test_shacl_does_catch_a_study_without_a_title(corpus_out: dict, tmp_path: Path) -> None:
    """Guard for the tests above: the same check fails once a mandatory property is removed."""
    source = corpus_out["seed_ukds_851986"][2]
    broken = tmp_path / "broken.nt"
    broken.write_text("".join(line + "\n" for line in source.read_text().splitlines()
                              if "<http://purl.org/dc/terms/title>" not in line))
    report = validate_graph(load_data([str(broken)]), "all", recommended=False)
    assert {v.path for v in report.violations} >= {"dct:title"}


# -- vocabulary terms ----------------------------------------------------------------------------

def terms_in(files: Iterable[Path], fmt: ox.RdfFormat) -> tuple[set[str], set[str]]:
    """(properties, classes) used in RDF files: predicates, and objects of rdf:type."""
    properties, classes = set(), set()
    for file in files:
        for q in ox.parse(path=str(file), format=fmt):
            properties.add(q.predicate.value)
            if q.predicate.value == str(RDF.type):
                classes.add(q.object.value)
    return properties, classes


def terms_of(mapping: Mapping) -> tuple[set[str], set[str]]:
    """(properties, classes) a mapping can emit, read from the compiled mapping."""
    properties: set[str] = set()
    classes = set(mapping.types)
    specs = list(mapping.fields) + [f for node in mapping.nodes.values() for f in node.fields]
    for node in mapping.nodes.values():
        classes.update(node.types)
    for spec in specs:
        properties.update(spec.to)
        properties.update(spec.inverse)
        classes.update(spec.object_types)
        if spec.iri is not None and str(RDF.type) in spec.to:
            classes.update(term for _, term in spec.values)
    if mapping.children:
        properties.update(mapping.children.down + mapping.children.up)
    return properties, classes


def problems(properties: set[str], classes: set[str]) -> list[str]:
    found = []
    for kind, terms, wanted in (("property", properties, PROPERTY_TYPES),
                                ("class", classes, CLASS_TYPES)):
        for term in sorted(terms):
            vocab = next((f for ns, f in CHECKED.items() if term.startswith(ns)), None)
            if vocab is None:
                continue
            types = set(vocabulary(vocab).objects(rdflib.URIRef(term), RDF.type))
            if not types:
                found.append(f"{term} is not in {vocab}")
            elif not types & wanted:
                said = sorted(str(t) for t in types)
                found.append(f"{term} is used as a {kind} but {vocab} says it is {said}")
            elif (rdflib.URIRef(term), rdflib.URIRef("https://schema.org/supersededBy"), None) \
                    in vocabulary(vocab):
                found.append(f"{term} is superseded in {vocab}")
    return found


def test_emitted_terms_exist_in_their_vocabularies(corpus_out: dict) -> None:
    properties, classes = terms_in([out for _, _, out in corpus_out.values()], ox.RdfFormat.N_TRIPLES)
    more_properties, more_classes = terms_in(GOLDEN, ox.RdfFormat.TURTLE)
    properties |= more_properties
    classes |= more_classes
    assert "https://schema.org/name" in properties and "http://www.w3.org/ns/dcat#Dataset" in classes
    assert problems(properties, classes) == []


@pytest.mark.parametrize("path", MAPPINGS, ids=[p.stem for p in MAPPINGS])
def test_mapping_terms_exist_in_their_vocabularies(path: Path) -> None:
    properties, classes = terms_of(load_mapping(path))
    assert properties and classes
    assert problems(properties, classes) == []


def test_the_term_check_can_fail() -> None:
    """Guard: a misspelt term and a class used as a property are caught."""
    found = problems({"https://schema.org/nmae", "https://schema.org/Dataset"},
                     {"http://www.w3.org/ns/dcat#keyword"})
    assert len(found) == 3
    assert found[0].startswith("https://schema.org/Dataset is used as a property")
    assert found[1] == "https://schema.org/nmae is not in schemaorg-current-https.ttl"
    assert found[2].startswith("http://www.w3.org/ns/dcat#keyword is used as a class")


def test_lod_terms_exist_in_lod_ttl(corpus_out: dict) -> None:
    if not LOD_TTL.is_file():
        pytest.skip("vocabularies/lod.ttl is not written yet (the lead writes it)")
    properties, classes = terms_in([out for _, _, out in corpus_out.values()], ox.RdfFormat.N_TRIPLES)
    golden_properties, golden_classes = terms_in(GOLDEN, ox.RdfFormat.TURTLE)
    used = properties | classes | golden_properties | golden_classes
    for path in MAPPINGS:
        mapping_properties, mapping_classes = terms_of(load_mapping(path))
        used |= mapping_properties | mapping_classes
    lod_terms = sorted(t for t in used if t.startswith(LOD_NS))
    assert lod_terms, "lod emits no lod: terms?"
    lod = vocabulary("lod.ttl")
    missing = [t for t in lod_terms if (rdflib.URIRef(t), RDF.type, None) not in lod]
    assert missing == []
    undocumented = [t for t in lod_terms
                    if lod.value(rdflib.URIRef(t), RDFS.label) is None
                    or lod.value(rdflib.URIRef(t), RDFS.comment) is None]
    assert undocumented == [], "lod.ttl terms need rdfs:label and rdfs:comment"
