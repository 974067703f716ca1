"""Loading and deleting: idempotent reloads, replaced records, deletes by id and IRI with shared
nodes kept for the studies that remain, RDF files as they are, SIGKILL midway, a busy store."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.store import Store, coverage, facets, loading, open_store
from lod.store.deleting import delete
from tests.paths import APMS_JSON, ROOT, SEED_JSON
from tests.test_queries import APMS, BASE, ESRC, SEED, ask, column, corpus_files, load_corpus

LOD = str(ROOT / ".venv" / "bin" / "lod")
SEED_FILE = SEED_JSON
SCOTLAND = "http://sws.geonames.org/2638360/"
GB = "http://publications.europa.eu/resource/authority/country/GBR"
SCOTLAND_AND_WALES = BASE + "place/scotland-and-wales"
HOUSING = BASE + "keyword/housing"


def user_graphs(store: Store) -> set[str]:
    """The store's graphs, without a server's own (Virtuoso's system graphs)."""
    return {g for g in store.graphs() if "openlinksw.com" not in g and "/ldp#" not in g
            and "localuriqaserver" not in g}


def content(store: Store) -> tuple[set[str], dict[str, int]]:
    graphs = user_graphs(store)
    return graphs, {g: store.triple_count(g) for g in graphs}


def test_span_of_reads_the_period_years() -> None:
    year = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    lod = "https://w3id.org/lod-studies/vocab#"
    text = f'<s#period> <{lod}startYear> "1990"{year} <g> .\n<s#period> <{lod}endYear> "2005"{year} <g> .\n'
    assert coverage.span_of(text) == "1990/2005"
    assert coverage.span_of(text.split("\n")[0]) == "1990/.."
    assert coverage.span_of(text.split("\n")[1]) == "../2005"
    assert coverage.span_of('<s> <p> "startYear> \\"1990" <g> .') is None


def test_loading_twice_changes_nothing(store: Store) -> None:
    first = load_corpus(store)
    assert first.conversion is not None and first.conversion.studies == 14
    before = content(store)
    assert SEED in before[0] and ESRC in before[0] and facets.FACETS in before[0]
    load_corpus(store)
    assert content(store) == before


def test_a_changed_record_replaces_its_study(store: Store, tmp_path: Path) -> None:
    load_corpus(store)
    record = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    changed = copy.deepcopy(record)
    changed["dataset_schema"]["name"] = "Meaningful and measurable, second edition"
    changed["dataset_schema"]["keywords"] = ["HEALTH", "Housing"]
    changed["dataset_schema"]["sponsor"] = [{"@type": "Organization", "name": "Wellcome Trust"}]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    load_corpus(store, [str(path)])
    titles = store.select("SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }",
                          {"s": __import__("rdflib").URIRef(SEED)}).rows
    assert [str(r["t"]) for r in titles] == ["Meaningful and measurable, second edition"]
    assert column(ask(store, "studies-by-sponsor", sponsor="esrc"), "study") == []
    assert SEED in column(ask(store, "studies-by-sponsor", sponsor="wellcome"), "study")
    assert column(ask(store, "studies-by-keyword", keyword="outcome"), "study") == []
    assert SEED in column(ask(store, "studies-by-keyword", keyword="housing"), "study")
    keywords = {str(r["keyword"]): int(r["studies"]) for r in ask(store, "keywords").rows}
    assert keywords["Housing"] == 11 and "OUTCOME" not in keywords
    # and back: the original record gives the original store, shared nodes included
    path.write_text(json.dumps(record), encoding="utf-8")
    load_corpus(store, [str(path)])
    assert column(ask(store, "studies-by-sponsor", sponsor="esrc"), "study") == [SEED]


def test_delete_by_id_and_by_iri_keeps_what_other_studies_share(store: Store) -> None:
    load_corpus(store)
    graphs = user_graphs(store)
    assert {SCOTLAND, GB, SCOTLAND_AND_WALES, HOUSING, ESRC} <= graphs
    report = delete(store, ["ukds/851986"])
    assert report.deleted == [SEED] and not report.missing
    after = user_graphs(store)
    assert SEED not in after
    # only the seed linked to ESRC and to its free-text place; Scotland is APMS's too
    assert ESRC not in after and SCOTLAND_AND_WALES not in after
    assert {SCOTLAND, GB, HOUSING} <= after
    assert set(report.orphans) >= {ESRC, SCOTLAND_AND_WALES}
    assert ESRC not in column(ask(store, "sponsors"), "sponsor")
    coverage = {(str(r["dimension"]), str(r["value"])): int(r["studies"])
                for r in ask(store, "coverage").rows}
    assert coverage[("country", "GB")] == 12
    assert len(column(ask(store, "studies-by-keyword", keyword="housing"), "study")) == 10
    assert column(ask(store, "studies-by-place", place="Scotland"), "study") == [APMS]
    report = delete(store, [APMS])  # by IRI
    assert report.deleted == [APMS] and SCOTLAND in report.orphans
    assert ask(store, "studies-by-place", place="Scotland").rows == []
    assert delete(store, ["ukds/851986", "no/such"]).missing == ["ukds/851986", "no/such"]


def test_deleting_every_study_leaves_only_the_facet_summary(store: Store) -> None:
    load_corpus(store)
    studies = [str(r["study"]) for r in store.select(
        "SELECT ?study WHERE { ?study a <http://www.w3.org/ns/dcat#Dataset> }").rows]
    assert len(studies) == 14
    delete(store, studies)
    assert user_graphs(store) == set(facets.ALL_GRAPHS) - _empty_facets(store)
    assert facets.sizes(store)["studies"] == 0


def _empty_facets(store: Store) -> set[str]:
    return {g for g in facets.ALL_GRAPHS if store.triple_count(g) == 0}


def test_delete_cli(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    runner = CliRunner()
    assert runner.invoke(cli, ["load", *corpus_files(), "--store", path, "-q"]).exit_code == 0
    result = runner.invoke(cli, ["delete", "ukds/851986", "nope/1", "--store", path])
    assert result.exit_code == 1
    assert "not found: nope/1" in result.stderr and "deleted 1 study" in result.stderr
    result = runner.invoke(cli, ["delete", APMS, "--store", path])
    assert result.exit_code == 0 and "deleted 1 study" in result.stderr


def test_load_cli_summary_and_rejections(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    bad.write_text(json.dumps(good) + "\n" + json.dumps({"dataset_schema": {}}) + "\n")
    result = CliRunner().invoke(cli, ["load", str(bad), "--store", str(tmp_path / "s"), "-q"])
    assert result.exit_code == 1
    assert "rejected" in result.stderr
    assert "loaded 1 study" in result.stderr and "triples/s" in result.stderr


def test_rdf_files_load_as_they_are(tmp_path: Path) -> None:
    runner = CliRunner()
    ttl, nq = tmp_path / "seed.ttl", tmp_path / "apms.nq"
    for src, out in ((SEED_FILE, ttl), (APMS_JSON, nq)):
        assert runner.invoke(cli, ["convert", str(src), "-o", str(out), "-q"]).exit_code == 0
    assert loading.split_inputs([str(ttl), str(nq), str(SEED_FILE)]) == (
        [str(SEED_FILE)], [str(ttl), str(nq)])
    path = str(tmp_path / "s")
    result = runner.invoke(cli, ["load", str(ttl), str(nq), "--store", path])
    assert result.exit_code == 0, result.stderr
    assert "2 RDF files" in result.stderr
    with open_store(store_dir=path) as store:
        home = ttl.resolve().as_uri()
        graphs, counts = content(store)
        assert home in graphs and APMS in graphs and SEED not in graphs
        # the period index is derived for RDF input too: both are found by period
        found = set(column(ask(store, "studies-in-period", **{"from": "2014", "to": "2014"}),
                           "study"))
        assert found == {SEED, APMS}
    assert runner.invoke(cli, ["load", str(ttl), str(nq), "--store", path]).exit_code == 0
    with open_store(store_dir=path) as store:
        assert content(store) == (graphs, counts)


def test_an_rdf_file_with_errors_is_refused_whole(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    good = [f'<http://ex.org/a> <http://ex.org/b> "ok {i}" <http://ex.org/g{i}> .' for i in range(9)]
    bad.write_text("\n".join(good) + '\n<http://ex.org/a> <b> "x" <http://ex.org/g9> .\n')
    result = CliRunner().invoke(cli, ["load", str(bad), str(SEED_FILE), "--store",
                                      str(tmp_path / "s"), "-q"])
    assert result.exit_code == 1 and "rejected" in result.stderr
    assert "not valid nquads" in result.stderr and "Traceback" not in result.stderr
    with open_store(store_dir=tmp_path / "s") as store:
        graphs = store.graphs()
        assert not any(g.startswith("http://ex.org/") for g in graphs) and SEED in graphs


@pytest.mark.virtuoso
def test_load_and_delete_on_virtuoso_through_the_cli(virtuoso_server: object,
                                                     make_store: Callable[..., Store]) -> None:
    server = virtuoso_server
    remote = ["--endpoint", server.sparql, "--gsp-endpoint", server.gsp]  # type: ignore[attr-defined]
    runner = CliRunner()
    result = runner.invoke(cli, ["load", *corpus_files(), *remote, "-q"])
    assert result.exit_code == 0, result.stderr
    store = make_store("virtuoso")  # empties the server's test graphs afterwards
    assert column(ask(store, "studies-by-sponsor", sponsor="esrc"), "study") == [SEED]
    result = runner.invoke(cli, ["delete", "ukds/851986", *remote])
    assert result.exit_code == 0, result.stderr
    assert ask(store, "studies-by-sponsor", sponsor="esrc").rows == []
    result = runner.invoke(cli, ["stats", *remote, "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["studies"] == 13


# -- crashes and concurrency ---------------------------------------------------------------------

def synthetic_input(path: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import records  # type: ignore[import-not-found]

    with path.open("w", encoding="utf-8") as out:
        for rec in records(n, seed=7):
            out.write(json.dumps(rec) + "\n")
    return path


def dump_lines(path: Path) -> list[bytes]:
    """The store's N-Quads, sorted, without the summary's time stamp."""
    with open_store(store_dir=path) as store:
        out = __import__("io").BytesIO()
        store.dump(out, "nquads")
    return sorted(line for line in out.getvalue().splitlines()
                  if b"<http://purl.org/dc/terms/modified>" not in line)


def test_sigkill_midway_then_rerun_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    source = synthetic_input(tmp_path / "in.jsonl", 1500)
    args = [LOD, "load", str(source), "-q", "-j", "1", "--batch", "4000"]
    reference, victim = tmp_path / "reference", tmp_path / "victim"
    started = time.monotonic()
    subprocess.run([*args, "--store", str(reference)], check=True, capture_output=True)
    took = time.monotonic() - started
    proc = subprocess.Popen([*args, "--store", str(victim)], stderr=subprocess.PIPE)
    time.sleep(took * 0.5)
    assert proc.poll() is None, "the load finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(store_dir=reference) as store:
        expected = content(store)[1]
    with open_store(store_dir=victim) as store:  # replays a committed batch, if one was cut short
        graphs, counts = content(store)
        assert 0 < len(graphs) < len(expected)
        for graph, n in counts.items():  # no half-written study: each graph whole, or absent
            if graph not in facets.ALL_GRAPHS:
                assert n == expected[graph], graph
        assert facets.state(store) == "a load or delete did not finish"
    result = subprocess.run([*args, "--store", str(victim)], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert dump_lines(victim) == dump_lines(reference)


def test_a_query_during_a_load_works_or_says_busy(tmp_path: Path) -> None:
    source = synthetic_input(tmp_path / "in.jsonl", 1500)
    path = str(tmp_path / "s")
    load = subprocess.Popen([LOD, "load", str(source), "--store", path, "-q", "-j", "1",
                             "--batch", "4000"], stderr=subprocess.PIPE)
    outcomes = set()
    try:
        # (a query racing the very creation of the folder is the store layer's business)
        while load.poll() is None and not (Path(path) / "CURRENT").exists():
            time.sleep(0.01)
        while load.poll() is None:
            done = subprocess.run([LOD, "query", "sponsors", "--store", path, "-f", "csv"],
                                  capture_output=True, text=True)
            if done.returncode == 0:
                outcomes.add("answered")
            else:
                assert done.returncode == 1 and "is busy" in done.stderr, done.stderr
                assert "Traceback" not in done.stderr
                outcomes.add("busy")
    finally:
        load.wait()
    assert load.returncode == 0
    assert "busy" in outcomes
    done = subprocess.run([LOD, "query", "sponsors", "--store", path, "-f", "csv"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 49  # header + 48 sponsors


def test_store_busy_message_while_another_process_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with open_store(store_dir=path) as store:
        store.add_nquads(ox.serialize([ox.Quad(ox.NamedNode("http://ex.org/a"),
                                               ox.NamedNode("http://ex.org/b"),
                                               ox.Literal("c"), ox.NamedNode("http://ex.org/g"))],
                                      format=ox.RdfFormat.N_QUADS) or b"")
        for command in (["query", "sponsors"], ["stats"], ["export"], ["delete", "x/1"],
                        ["load", str(SEED_FILE)]):
            done = subprocess.run([LOD, *command, "--store", str(path)], capture_output=True,
                                  text=True)
            assert done.returncode == 1, command
            assert f"store {path} is busy" in done.stderr and "Traceback" not in done.stderr


def test_a_graph_that_comes_back_later_in_a_file_is_added_to(tmp_path: Path) -> None:
    trig = tmp_path / "split.trig"
    trig.write_text('<http://ex.org/g1> { <http://ex.org/a> <http://ex.org/p> "1" . }\n'
                    '<http://ex.org/g2> { <http://ex.org/a> <http://ex.org/p> "2" . }\n'
                    '<http://ex.org/g1> { <http://ex.org/a> <http://ex.org/p> "3" . }\n')
    path = str(tmp_path / "s")
    for _ in range(2):  # and loading it again changes nothing
        assert CliRunner().invoke(cli, ["load", str(trig), "--store", path]).exit_code == 0
        with open_store(store_dir=path) as store:
            assert store.triple_count("http://ex.org/g1") == 2
            assert store.triple_count("http://ex.org/g2") == 1
