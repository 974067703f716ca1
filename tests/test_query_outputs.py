"""`lod query` writes the same bytes for every query and format as the saved outputs in
``tests/data/query-outputs/``: every named query (with typical parameters), ad-hoc SELECT,
ASK and CONSTRUCT, in every ``-f`` format, on a real embedded store.

The store holds the Harmony sample corpus and a few studies and terms written here: studies
with titles in several languages (the one-row-per-study title rule), and values of every kind
of term (blank nodes, typed and language-tagged literals, text that CSV, TSV and the table
must escape or shorten). Blank node labels are made up by the store, so they are numbered in
order of appearance before comparing.

Literals come out in the lexical form the store holds, as pyoxigraph writes them.

``LOD_WRITE_QUERY_OUTPUTS=1 pytest tests/test_query_outputs.py`` saves the current outputs.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.converter.parallel import ConverterSpec
from lod.queries.results import FORMATS
from lod.store import facets, loading, open_store
from tests.paths import DATA, harmony_corpus

OUTPUTS = DATA / "query-outputs"
BASE = "https://w3id.org/lod-studies/id/"
ESRC = BASE + "organisation/esrc"
XSD = "http://www.w3.org/2001/XMLSchema#"
_EXTRA_STUDIES = [
    # record language de: the de and de-AT titles rank first, the smallest of them wins
    ("test/multi-de", "de", ['"Zweite Studie"@de-AT', '"Mehrsprachige Studie"@de',
                             '"A multilingual study"@en', '"Une étude"@fr']),
    # record language it, no Italian title: English comes next
    ("test/multi-it", "it", ['"Estudio"@es', '"A study, in English"@en-GB', '"Une étude"@fr']),
    # no record language: an untagged title ranks with the record's own
    ("test/multi-none", None, ['"Studie"@de', '"Untagged title"', '"A title"@en']),
]
_TERMS = [
    "_:b1", "_:b2", "<urn:test:o>", '"42"^^<{xsd}integer>', '"3.50"^^<{xsd}decimal>',
    '"true"^^<{xsd}boolean>', '"2020-01-01"^^<{xsd}date>', '"x"@fr-CA', '"plain"',
    '"with, comma \\"quotes\\"\\ttab\\nnewline\\r\\nand more"', '"custom"^^<urn:test:dt>',
    '"' + "a long value that the table shortens " * 3 + '"', '""', '"é ✓ \U0001f600"',
    '"-7"^^<{xsd}integer>',
]

CASES: dict[str, list[str]] = {
    "coverage": ["coverage"],
    "keywords": ["keywords"],
    "keywords-limit": ["keywords", "--limit", "3"],
    "sponsors": ["sponsors"],
    "studies-by-keyword": ["studies-by-keyword", "-p", "keyword=housing"],
    "studies-by-keyword-limit": ["studies-by-keyword", "-p", "keyword=housing", "--limit", "4"],
    "studies-by-place-country": ["studies-by-place", "-p", "country=GB"],
    "studies-by-place-place": ["studies-by-place", "-p", "place=Scotland"],
    "studies-by-sponsor": ["studies-by-sponsor", "-p", "sponsor=esrc"],
    "studies-by-sponsor-none": ["studies-by-sponsor", "-p", "sponsor=nobody at all"],
    "studies-in-period": ["studies-in-period", "-p", "from=1990", "-p", "to=2005-06"],
    "studies-in-period-default": ["studies-in-period"],
    "select-terms": ["--sparql", "SELECT ?o ?missing WHERE { <urn:test:s> <urn:test:p> ?o "
                     "OPTIONAL { ?o <urn:test:none> ?missing } } ORDER BY ?o"],
    "select-bound": ["--sparql", "PREFIX dct: <http://purl.org/dc/terms/>\n"
                     "SELECT ?study ?title WHERE { ?study dct:identifier ?id ; dct:title ?title }"
                     " ORDER BY ?title", "-p", "id=test/multi-de"],
    "select-limit": ["--sparql", "SELECT ?o WHERE { <urn:test:s> <urn:test:p> ?o } ORDER BY ?o",
                     "--limit", "2"],
    "select-empty": ["--sparql", "SELECT ?x ?y WHERE { ?x <urn:test:nothing> ?y }"],
    "ask-true": ["--sparql", "ASK { <urn:test:s> ?p ?o }"],
    "ask-false": ["--sparql", "ASK { <urn:test:nothing> ?p ?o }"],
}
CONSTRUCT = ["--sparql", "CONSTRUCT { <urn:test:s> <urn:test:q> ?o } WHERE "
             "{ <urn:test:s> <urn:test:p> ?o FILTER(isLiteral(?o)) }"]


def _extra_nquads() -> str:
    lines = []
    for ident, lang, titles in _EXTRA_STUDIES:
        study = f"<{BASE}study/{ident}>"
        graph = f"<{BASE}study/{ident}>"
        lines.append(f"{study} <https://schema.org/sponsor> <{ESRC}> {graph} .")
        lines.append(f'{study} <http://purl.org/dc/terms/identifier> "{ident}" {graph} .')
        lines.extend(f"{study} <http://purl.org/dc/terms/title> {t} {graph} ." for t in titles)
        if lang:
            lines.append(f"{study} <http://purl.org/dc/terms/language> _:l{ident[-2:]} {graph} .")
            lines.append(f'_:l{ident[-2:]} <http://www.w3.org/2004/02/skos/core#notation> "{lang}" '
                         f"{graph} .")
    lines.extend(f"<urn:test:s> <urn:test:p> {t.format(xsd=XSD)} <urn:test:terms> ." for t in _TERMS)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("outputs") / "store"
    with open_store(store_dir=path) as store:
        problems: list[str] = []
        loading.load(store, [str(p) for p in harmony_corpus()], ConverterSpec(BASE),
                     on_problem=lambda p, rejected: problems.append(str(p)) if rejected else None)
        assert not problems
        store.add_nquads(_extra_nquads().encode())
        facets.refresh(store)
    return str(path)


def _numbered_blank_nodes(text: str) -> str:
    labels: dict[str, str] = {}
    return re.sub(r"_:[A-Za-z0-9]+|(?<=\"bnode\",\"value\":\")[^\"]+|(?<=<bnode>)[^<]+",
                  lambda m: labels.setdefault(m.group(), f"_:n{len(labels) + 1}"
                                              if m.group().startswith("_:")
                                              else f"n{len(labels) + 1}"), text)


def _output(store_dir: str, args: list[str]) -> str:
    result = CliRunner().invoke(cli, ["query", *args, "--store", store_dir])
    assert result.exit_code == 0, result.output
    out = result.stdout_bytes.decode("utf-8")
    return _numbered_blank_nodes(out) + "\n--- stderr ---\n" + result.stderr


def _check(name: str, text: str) -> None:
    path = OUTPUTS / name
    if os.environ.get("LOD_WRITE_QUERY_OUTPUTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"no saved output {path}; LOD_WRITE_QUERY_OUTPUTS=1 writes it"
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_query_output_is_unchanged(store_dir: str, case: str, fmt: str) -> None:
    _check(f"{case}.{fmt}", _output(store_dir, [*CASES[case], "-f", fmt]))


def test_construct_output_is_unchanged(store_dir: str) -> None:
    _check("construct.nt", _output(store_dir, CONSTRUCT))


_STORED_FORMS = ['"1.0E3"^^<{xsd}double>', '"2020-01-01T00:00:00Z"^^<{xsd}dateTime>',
                 '"10:00:00Z"^^<{xsd}time>', '"2020-01-01Z"^^<{xsd}date>', '"NaN"^^<{xsd}float>',
                 '" 5 "^^<{xsd}int>', '"abc"^^<{xsd}integer>', '"x"^^<{xsd}string>']


def test_values_come_out_as_the_store_holds_them(tmp_path: Path) -> None:
    # pyoxigraph's own SPARQL JSON of the same query is the reference (lod serve's /sparql
    # writes it): rdflib, which wrote these before, rewrote some lexical forms (1000.0, +00:00)
    nquads = "".join(f"<urn:test:s> <urn:test:p> {t.format(xsd=XSD)} <urn:test:g> .\n"
                     for t in _STORED_FORMS)
    query = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)"
    with open_store(store_dir=tmp_path / "s") as store:
        store.add_nquads(nquads.encode())
    result = CliRunner().invoke(cli, ["query", "--sparql", query, "-f", "json",
                                      "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    reference = ox.Store(str(tmp_path / "s"))
    expected = reference.query(query, use_default_graph_as_union=True)
    assert isinstance(expected, ox.QuerySolutions)
    wanted = json.loads(expected.serialize(format=ox.QueryResultsFormat.JSON) or b"")
    got = json.loads(result.stdout_bytes)
    assert got["head"] == wanted["head"]
    assert got["results"]["bindings"] == wanted["results"]["bindings"]
    assert len(got["results"]["bindings"]) == len(_STORED_FORMS)
