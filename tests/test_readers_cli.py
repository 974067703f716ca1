"""Every input form through ``lod convert``: the sample corpus and the seeds convert and conform
to DCAT-AP 3.0.1, the seed page gives the seed record's graph, a publication links to its
study, and bad input is reported with file and location, never a traceback."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from lod.cli import cli
from lod.validate import validate_graph
from tests.paths import APMS_JSON, CSL_SAMPLE, DDI, SEED_JSON, SEED_PAGE, ddi_corpus, harmony_corpus
from tests.readers_util import flight_to_html

CORPUS = [*ddi_corpus(), *harmony_corpus()]
SUMMARY = re.compile(r"read (\d+) records?: (\d+) converted, (\d+) rejected")


def convert(tmp_path: Path, *inputs: Path | str, extra: tuple[str, ...] = ()
            ) -> tuple[int, rdflib.Graph, str, list[dict]]:
    """Run ``lod convert`` to N-Quads; the merged graph, stderr and the --rejects lines."""
    out, rejects = tmp_path / "out.nq", tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(cli, ["convert", *map(str, inputs), "-o", str(out),
                                      "--rejects", str(rejects), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    graph = rdflib.Graph()
    if out.is_file() and out.stat().st_size:
        quads = ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)
        text = ox.serialize((q.triple for q in quads), None, ox.RdfFormat.N_TRIPLES) or b""
        graph.parse(data=text.decode(), format="nt")
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()] \
        if rejects.is_file() else []
    return result.exit_code, graph, result.stderr, rejected


def summary(stderr: str) -> tuple[int, int, int]:
    found = SUMMARY.search(stderr)
    assert found, stderr
    read, converted, rejected = map(int, found.groups())
    assert read == converted + rejected
    return read, converted, rejected


@pytest.mark.parametrize("path", [*CORPUS, SEED_PAGE, CSL_SAMPLE],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_and_seeds_convert_and_conform(tmp_path: Path, path: Path) -> None:
    """Form detected from content and name; no rejection; 0 DCAT-AP violations."""
    code, graph, stderr, rejected = convert(tmp_path, path)
    assert code == 0, stderr
    assert rejected == []
    read, converted, _ = summary(stderr)
    assert read == converted >= 1
    report = validate_graph(graph, "all", recommended=False)
    assert report.violations == [], report.text()


@pytest.mark.parametrize("form", ["txt", "html"])
def test_seed_page_gives_the_seed_records_graph(tmp_path: Path, form: str) -> None:
    page = tmp_path / f"seed-page.{form}"
    page.write_bytes(SEED_PAGE.read_bytes() if form == "txt"
                     else flight_to_html(SEED_PAGE.read_bytes()))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, from_page, _, _ = convert(tmp_path / "a", page)
    _, from_json, _, _ = convert(tmp_path / "b", SEED_JSON)
    assert len(from_page) > 50
    assert isomorphic(from_page, from_json)


def test_from_overrides_detection(tmp_path: Path) -> None:
    """A bare CSL item (no journal, no date) looks like any JSON: detection takes it for
    Harmony JSON, which rejects it; ``--from csl`` reads it right."""
    odd = tmp_path / "item.json"
    odd.write_text(json.dumps({"id": "b1", "type": "book", "title": "A book", "DOI": "10.1/b1"}))
    code, _, stderr, rejected = convert(tmp_path, odd)
    assert code == 1 and rejected and "no identifier" in rejected[0]["reason"]
    code, graph, stderr, _ = convert(tmp_path, odd, extra=("--from", "csl"))
    assert code == 0, stderr
    assert (None, rdflib.RDF.type, rdflib.URIRef("https://schema.org/Book")) in graph


LINK_QUERY = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX schema: <https://schema.org/>
SELECT ?study ?title ?publication ?citation WHERE {
  ?study a dcat:Dataset ; dct:title ?title ; dct:isReferencedBy ?publication .
  ?publication a schema:ScholarlyArticle, dct:BibliographicResource ;
               schema:about ?study ; dct:bibliographicCitation ?citation .
}"""

ALL_LINKS_QUERY = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?study ?publication WHERE {
  ?study a dcat:Dataset .
  ?publication a dct:BibliographicResource .
  { ?study dct:isReferencedBy ?publication }
  UNION { ?publication schema:about ?doi . ?study schema:sameAs ?doi }
  UNION { ?study schema:sameAs ?doi . ?publication schema:sameAs ?doi }
}"""

DOI_LINK_QUERY = """
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?study ?publication WHERE {
  ?publication schema:about ?doi .
  ?study schema:sameAs ?doi .
  FILTER(STRSTARTS(STR(?doi), "https://doi.org/"))
}"""


def test_study_publication_link(tmp_path: Path) -> None:
    """The seed study (from its saved page) and the seed abstract (CSL-JSON) are linked both
    ways: by the Harmony id the CSL item names, and by the study's DOI."""
    out = tmp_path / "both.nq"
    result = CliRunner().invoke(cli, ["convert", str(SEED_PAGE), str(CSL_SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    rows = list(store.query(LINK_QUERY, use_default_graph_as_union=True))
    assert len(rows) == 1
    row = rows[0]
    assert row["study"].value.endswith("/study/ukds/851986")
    assert row["title"].value.startswith("Meaningful and measurable")
    assert row["publication"].value.endswith("/publication/10.1136/bmjopen-2017-016492.7")
    assert "BMJ Open 2017;7(Suppl 2)" in row["citation"].value
    by_doi = list(store.query(DOI_LINK_QUERY, use_default_graph_as_union=True))
    assert [(r["study"].value, r["publication"].value) for r in by_doi] == [
        (row["study"].value, row["publication"].value)]


DDI_HEAD = '<?xml version="1.0"?>\n'
DDI_BODY = ('<codeBook xmlns="ddi:codebook:2_5"><stdyDscr><citation><titlStmt><titl>&x;</titl>'
            '<IDNo agency="T">1</IDNo></titlStmt></citation></stdyDscr></codeBook>\n')
# content (text, or bytes read when the test runs), what the rejection says, where it points
BAD_INPUTS: dict[str, tuple[str | Callable[[], bytes], str, str]] = {
    "truncated.xml": (lambda: (DDI / "ddi_record_1683.xml").read_bytes()[:3000],
                      "not well-formed XML", "line"),
    "external-entity.xml": (DDI_HEAD + '<!DOCTYPE codeBook [<!ENTITY x SYSTEM '
                            '"file:///etc/passwd">]>\n' + DDI_BODY, "unsafe XML refused", "line"),
    "exponential-entity.xml": (DDI_HEAD + '<!DOCTYPE codeBook [<!ENTITY a "aaaaaaaaaa">'
                               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                               '<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n' + DDI_BODY,
                               "unsafe XML refused", "line"),
    "no-record.txt": ('0:["$","div",null,{"children":"Not found"}]\n'
                      ':HL["/search/x.css","style"]\n', "page has no study record", "pointer"),
    "article.jsonld": (json.dumps({"@context": "https://schema.org/", "@type": "ScholarlyArticle",
                                   "name": "Not a dataset"}), "no schema.org Dataset", "pointer"),
    "untitled.csl.json": (json.dumps([{"id": "x", "type": "article-journal",
                                       "DOI": "10.1/x"}]), "CSL item has no title", "pointer"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_reported_with_file_and_location(tmp_path: Path, name: str) -> None:
    content, reason, location = BAD_INPUTS[name]
    bad = tmp_path / name
    bad.write_bytes(content() if callable(content) else content.encode())
    code, _, stderr, rejected = convert(tmp_path, bad, CSL_SAMPLE)
    assert code == 1
    assert summary(stderr) == (2, 1, 1)  # the good file still converts
    (problem,) = rejected
    assert problem["file"] == str(bad)
    assert problem.get(location) is not None, problem
    assert reason in problem["reason"]
    assert f"lod: rejected: {bad}" in stderr


def test_publication_named_in_a_harmony_records_doi_list(tmp_path: Path) -> None:
    """Harmony records list DOIs of papers about the study (APMS lists 10.1093/ije/dyz224):
    a CSL item for that paper, saying nothing about studies, joins the study on the DOI."""
    paper = tmp_path / "apms-paper.csl.json"
    paper.write_text(json.dumps({"id": "apms", "type": "article-journal",
                                 "title": "Cohort profile: the Adult Psychiatric Morbidity Survey",
                                 "container-title": "International Journal of Epidemiology",
                                 "DOI": "10.1093/ije/dyz224", "issued": {"date-parts": [[2020]]}}))
    out = tmp_path / "out.nq"
    result = CliRunner().invoke(cli, ["convert", str(APMS_JSON),
                                      str(SEED_PAGE), str(CSL_SAMPLE), str(paper), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    links = sorted((r["study"].value.rsplit("/study/", 1)[1],
                    r["publication"].value.rsplit("/publication/", 1)[1])
                   for r in store.query(ALL_LINKS_QUERY, use_default_graph_as_union=True))
    assert links == [("mhc/apms", "10.1093/ije/dyz224"),
                     ("ukds/851986", "10.1136/bmjopen-2017-016492.7")]
