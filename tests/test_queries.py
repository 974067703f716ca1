"""Named queries on the sample Harmony corpus, on the embedded store and on Virtuoso: answers,
parameter typing, hostile values, result formats, CLI errors."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.query import Result

from lod.cli import cli
from lod.converter.parallel import ConverterSpec
from lod.errors import QueryError
from lod.queries import find_query, named_queries, parse_query, prepare
from lod.queries.run import Answer, execute
from lod.store import Store, facets, loading, open_store
from tests.fixtures_store import free_port
from tests.paths import harmony_corpus

BASE = "https://w3id.org/lod-studies/id/"
STUDY = BASE + "study/"
SEED = STUDY + "ukds/851986"
APMS = STUDY + "mhc/apms"
EDGI = STUDY + "mhc/edgi"
AUDIT = STUDY + "ukds/audit-of-political-engagement-5-2007"
C6 = STUDY + "c6ca05657ad335ca18cc423283d8d0e8"
ESRC = BASE + "organisation/esrc"
GBR = "http://publications.europa.eu/resource/authority/country/GBR"
HOSTILE = ['"', "'", '"""', "'''", "{", "}", "} ;", "#", "a\nb", "\\", '") } ; DROP ALL ; #',
           "\"} } ; INSERT DATA { <x:a> <x:b> <x:c> } #", "?x", "<http://x>", "\u00e9\u200b\U0001f600"]


def corpus_files() -> list[str]:
    return [str(p) for p in harmony_corpus()]


def load_corpus(store: Store, paths: list[str] | None = None) -> loading.LoadReport:
    problems: list[str] = []
    report = loading.load(store, paths or corpus_files(), ConverterSpec(BASE),
                          on_problem=lambda p, rejected: problems.append(str(p)) if rejected else None)
    assert not problems
    return report


def ask(store: Store, name: str, **params: str) -> Answer:
    return execute(store, prepare(named_queries()[name], params, limit=0))


def column(answer: Answer, var: str) -> list[str]:
    return [str(row[var]) for row in answer.rows if var in row]


@pytest.fixture
def corpus(store: Store) -> Store:
    load_corpus(store)
    return store


# -- declarations ---------------------------------------------------------------------------

def test_the_named_queries_are_there_with_descriptions_and_parameters() -> None:
    queries = named_queries()
    assert {"sponsors", "studies-by-sponsor", "keywords", "studies-by-keyword", "studies-in-period",
            "studies-by-place", "coverage"} <= set(queries)
    for query in queries.values():
        assert query.description and query.managed and query.path is not None
    assert [p.name for p in queries["studies-by-sponsor"].params] == ["sponsor"]
    assert [p.name for p in queries["studies-in-period"].params] == ["from", "to"]
    assert [(p.name, p.kind) for p in queries["studies-by-place"].params] == [
        ("country", "country"), ("place", "matchkey")]


def test_every_shipped_query_is_valid_sparql_as_it_is(tmp_path: Path) -> None:
    with open_store(store_dir=tmp_path / "s") as store:
        for query in named_queries().values():
            store.select(query.body)  # the #+ markers are comments: the file parses whole


def test_parameters_are_typed_and_checked() -> None:
    period = named_queries()["studies-in-period"]
    bound = prepare(period, {"from": "2015-03-01"}).bindings
    # parameters are bound as pyoxigraph terms: `lod query` does not need rdflib
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert bound["from"] == ox.Literal("2015-03-01")
    assert bound["from_year"] == ox.Literal("2015", datatype=integer)
    assert bound["to"] == ox.Literal("9999") and "to_precise" not in bound
    assert "from_precise" in bound
    place = named_queries()["studies-by-place"]
    for code in ("GB", "gbr", "United Kingdom", "UK"):
        assert prepare(place, {"country": code}).bindings["country"] == ox.NamedNode(GBR)
    sponsor = named_queries()["studies-by-sponsor"]
    assert prepare(sponsor, {"sponsor": " Economic & Social  Research Council "}).bindings[
        "sponsor"] == ox.Literal("economic and social research council")
    for bad, message in [({}, "needs sponsor"), ({"sponsor": "x", "other": "y"}, "unknown parameter")]:
        with pytest.raises(QueryError, match=message):
            prepare(sponsor, bad)
    with pytest.raises(QueryError, match="at least one of"):
        prepare(place, {})
    with pytest.raises(QueryError, match="unknown country"):
        prepare(place, {"country": "Narnia"})
    for bad_date in ("1990-13", "1990-02-30", "soon", "19900"):
        with pytest.raises(QueryError, match="expected a year"):
            prepare(period, {"from": bad_date})


def test_if_blocks_keep_only_the_given_parameters() -> None:
    place = named_queries()["studies-by-place"]
    only_country = prepare(place, {"country": "GB"}).text
    assert "?study dct:spatial ?country" in only_country
    assert "?study dct:spatial ?where" not in only_country
    only_place = prepare(place, {"place": "Scotland"}).text
    assert "?study dct:spatial ?where" in only_place
    assert "?study dct:spatial ?country" not in only_place
    year_only = prepare(named_queries()["studies-in-period"], {"from": "1990"}).text
    assert "dcat:startDate" not in year_only


def test_bad_declarations_fail_when_the_file_is_read() -> None:
    for text, message in [("#+ param: x (nosuchtype) y\nSELECT * {}", "unknown type"),
                          ("#+ colour: red\nSELECT * {}", "unknown declaration"),
                          ("#+ order: ?a; DROP\nSELECT * {}", "must list variables"),
                          ("#+ if x\nSELECT * {}", "has no #\\+ end"),
                          ("#+ require: nope\nSELECT * {}", "unknown parameters")]:
        with pytest.raises(QueryError, match=message):
            parse_query(text)


# -- answers on the corpus (embedded and Virtuoso) ---------------------------------------------

def test_sponsors_and_studies_by_sponsor_by_name_or_alias_in_any_case(corpus: Store) -> None:
    sponsors = ask(corpus, "sponsors")
    assert sponsors.variables == ["sponsor", "name", "studies"]
    esrc = [row for row in sponsors.rows if str(row["sponsor"]) == ESRC]
    assert esrc and str(esrc[0]["name"]) == "Economic and Social Research Council"
    assert int(esrc[0]["studies"]) == 1
    for key in ("esrc", "ESRC", "Economic and Social Research Council",
                "economic & social research council", "UKRI Economic and Social Research Council"):
        assert column(ask(corpus, "studies-by-sponsor", sponsor=key), "study") == [SEED], key
    assert ask(corpus, "studies-by-sponsor", sponsor="no such funder").rows == []
    assert ask(corpus, "studies-by-sponsor", sponsor="UK Data Service").rows == []  # a publisher


def test_keywords_and_studies_by_keyword_in_any_case(corpus: Store) -> None:
    keywords = ask(corpus, "keywords")
    counts = {str(row["keyword"]): int(row["studies"]) for row in keywords.rows}
    assert counts["Housing"] == 10 and counts["THIRD SECTOR"] == 1
    assert [int(r["studies"]) for r in keywords.rows] == sorted(
        (int(r["studies"]) for r in keywords.rows), reverse=True)
    housing = sorted(column(ask(corpus, "studies-by-keyword", keyword="housing"), "study"))
    assert len(housing) == 10
    for spelling in ("HOUSING", "Housing", " housing "):
        assert sorted(column(ask(corpus, "studies-by-keyword", keyword=spelling), "study")) == housing
    assert column(ask(corpus, "studies-by-keyword", keyword="Third-Sector"), "study") == [SEED]


@pytest.mark.parametrize(("params", "expected"), [
    ({"from": "2016", "to": "2019"}, {APMS}),                       # open-ended runs on
    ({"from": "2030", "to": "2040"}, {APMS, EDGI}),
    ({"to": "1989"}, set()),
    ({"from": "1994", "to": "1995"}, {APMS}),
    ({"from": "2015-03-01", "to": "2016"}, {APMS}),                 # the seed ends 2015-02-28
    ({"from": "2015-02", "to": "2015-02"}, {SEED, APMS}),           # compared by month
    ({"from": "2015", "to": "2015"}, {SEED, APMS}),
    ({"from": "2007-12-02", "to": "2007-12-31"}, {C6, APMS}),       # C6 is all of 2007 (gYear)
    ({"from": "2007-12-01", "to": "2007-12-01"}, {AUDIT, C6, APMS}),  # ends are inclusive
    ({"from": "2013-12", "to": "2013-12"}, {SEED, APMS}),
])
def test_studies_in_period_overlap(corpus: Store, params: dict[str, str], expected: set[str]) -> None:
    assert set(column(ask(corpus, "studies-in-period", **params), "study")) == expected


def test_studies_in_period_start_boundary_by_day(corpus: Store) -> None:
    before = set(column(ask(corpus, "studies-in-period", to="2013-11-30"), "study"))
    upto = set(column(ask(corpus, "studies-in-period", to="2013-12"), "study"))
    assert SEED not in before and upto - before == {SEED} and len(before) == 10
    everything = set(column(ask(corpus, "studies-in-period"), "study"))
    assert len(everything) == 12  # all studies with a temporal coverage


def test_studies_by_place_country_code_name_and_gazetteer(corpus: Store) -> None:
    by_code = sorted(column(ask(corpus, "studies-by-place", country="GB"), "study"))
    assert len(by_code) == 13
    for country in ("GBR", "United Kingdom", "uk"):
        assert sorted(column(ask(corpus, "studies-by-place", country=country), "study")) == by_code
    # the seed covers "Scotland and wales", APMS "England (All Surveys); Scotland (1993, 2000)":
    # both name the gazetteer place Scotland
    scotland = {SEED, APMS}
    assert set(column(ask(corpus, "studies-by-place", place="Scotland"), "study")) == scotland
    assert column(ask(corpus, "studies-by-place", place="scotland AND wales"), "study") == [SEED]
    both = ask(corpus, "studies-by-place", place="Scotland", country="GB")
    assert set(column(both, "study")) == scotland
    assert ask(corpus, "studies-by-place", place="Atlantis").rows == []
    assert ask(corpus, "studies-by-place", country="FR").rows == []


def test_coverage_per_country_and_decade(corpus: Store) -> None:
    rows = [(str(r["dimension"]), str(r["value"]), int(r["studies"]))
            for r in ask(corpus, "coverage").rows]
    assert rows[0] == ("country", "GB", 13)
    decades = {value: n for dim, value, n in rows if dim == "decade"}
    assert list(decades) == sorted(decades)
    # 1990s: four 1990/1993, apms 1993/.., three 1996/2005
    assert decades["1990"] == 8 and decades["2010"] == 2  # the seed and open-ended APMS
    assert decades["2020"] == 2  # APMS and EDGI, both open-ended


@pytest.mark.parametrize("name", ["studies-by-sponsor", "studies-by-keyword", "studies-by-place"])
def test_hostile_values_are_bound_not_pasted(corpus: Store, name: str) -> None:
    before = corpus.triple_count()
    key = {"studies-by-sponsor": "sponsor", "studies-by-keyword": "keyword",
           "studies-by-place": "place"}[name]
    for value in HOSTILE:
        assert ask(corpus, name, **{key: value}).rows == [], repr(value)
    assert corpus.triple_count() == before


def test_hostile_values_come_back_unchanged_from_an_ad_hoc_query(corpus: Store) -> None:
    query = parse_query("SELECT ?v WHERE { }")
    for value in HOSTILE:
        answer = execute(corpus, prepare(query, {"v": value}))
        assert [str(row["v"]) for row in answer.rows] == [value]


# -- limits and the facet summary -----------------------------------------------------------------

def test_limit_and_the_more_flag(tmp_path: Path) -> None:
    with open_store(store_dir=tmp_path / "s") as store:
        load_corpus(store)
        query = named_queries()["studies-by-keyword"]
        three = execute(store, prepare(query, {"keyword": "housing"}, limit=3))
        assert len(three.rows) == 3 and three.more
        every = execute(store, prepare(query, {"keyword": "housing"}, limit=0))
        assert len(every.rows) == 10 and not every.more


def test_an_interrupted_change_is_repaired_before_answering(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with open_store(store_dir=path) as store:
        load_corpus(store)
        facets.mark_stale(store)
        assert facets.state(store) == "a load or delete did not finish"
    result = CliRunner().invoke(cli, ["query", "sponsors", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "rebuilding the facet summary" in result.stderr and ESRC in result.stdout
    with open_store(store_dir=path) as store:
        assert facets.state(store) is None


# -- the CLI: formats and errors -------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("corpus") / "store"
    with open_store(store_dir=path) as store:
        load_corpus(store)
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout (line ends as written) and stderr of a CLI run."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def test_json_output_is_sparql_results_json(corpus_dir: str) -> None:
    code, out, _ = run("query", "studies-by-sponsor", "-p", "sponsor=esrc", "-f", "json",
                       "--store", corpus_dir)
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["study", "identifier", "title", "organisation"]
    (binding,) = doc["results"]["bindings"]
    assert binding["study"] == {"type": "uri", "value": SEED}
    assert binding["title"]["type"] == "literal" and binding["title"]["xml:lang"] == "en"
    parsed = Result.parse(io.StringIO(out), format="json")
    assert [str(r["study"]) for r in parsed] == [SEED]  # type: ignore[index]


def test_csv_output_follows_the_sparql_csv_rules(corpus_dir: str) -> None:
    code, out, _ = run("query", "studies-by-keyword", "-p", "keyword=housing", "-f", "csv",
                       "--store", corpus_dir)
    assert code == 0
    assert out.startswith("study,identifier,title,concept\r\n")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 11 and all(len(r) == 4 for r in rows)
    assert any(r[2] == "Avon Longitudinal Study of Parents & Children (ALSPAC)" for r in rows)
    code, out, _ = run("query", "studies-by-sponsor", "-p", "sponsor=esrc", "-f", "csv",
                       "--store", corpus_dir)
    assert '"Meaningful and measurable: understanding the capture, analysis' in out  # quoted: comma
    assert len(list(Result.parse(io.BytesIO(out.encode()), format="csv"))) == 1


def test_tsv_output_is_sparql_tsv(corpus_dir: str) -> None:
    code, out, _ = run("query", "sponsors", "-f", "tsv", "--store", corpus_dir)
    assert code == 0
    lines = out.split("\n")
    assert lines[0] == "?sponsor\t?name\t?studies" and "\r" not in out
    assert f"<{ESRC}>\t\"Economic and Social Research Council\"\t1" in lines
    parsed = Result.parse(io.StringIO(out), format="tsv")
    assert URIRef(ESRC) in {row[0] for row in parsed}  # type: ignore[index]


def test_table_output_and_row_count(corpus_dir: str) -> None:
    code, out, err = run("query", "coverage", "--store", corpus_dir)
    assert code == 0 and out.splitlines()[0].split() == ["dimension", "value", "label", "studies"]
    assert "United Kingdom" in out and "(9 rows)" in err or "rows)" in err
    code, out, err = run("query", "keywords", "--limit", "2", "--store", corpus_dir)
    assert len(out.splitlines()) == 4 and "more not shown" in err


def test_ad_hoc_sparql_ask_construct_and_files(corpus_dir: str, tmp_path: Path) -> None:
    code, out, _ = run("query", "--sparql", f"ASK {{ <{SEED}> ?p ?o }}", "-f", "json",
                       "--store", corpus_dir)
    assert code == 0 and json.loads(out) == {"head": {}, "boolean": True}
    code, out, _ = run("query", "--sparql", f"CONSTRUCT WHERE {{ <{SEED}> a ?t }}",
                       "--store", corpus_dir)
    assert code == 0 and "<http://www.w3.org/ns/dcat#Dataset>" in out
    rq = tmp_path / "mine.rq"
    rq.write_text("#+ name: mine\n#+ description: d\n#+ param: id (text) an id\n"
                  "SELECT ?s WHERE { ?s <http://purl.org/dc/terms/identifier> ?id }\n")
    code, out, _ = run("query", str(rq), "-p", "id=ukds/851986", "-f", "csv", "--store", corpus_dir)
    assert code == 0 and out.split("\r\n")[1] == SEED
    assert find_query(str(rq)).name == "mine"


@pytest.mark.parametrize(("args", "message"), [
    (["query", "nope"], "no query named 'nope'"),
    (["query", "studies-by-sponsor"], "needs sponsor="),
    (["query", "studies-by-sponsor", "-p", "sponsor"], "expected key=value"),
    (["query", "studies-in-period", "-p", "from=yesterday"], "expected a year"),
    (["query", "studies-by-place", "-p", "country=Narnia"], "unknown country"),
    (["query", "--sparql", "SELEKT * WHERE {}"], "invalid SPARQL"),
    (["query"], "give a query NAME"),
])
def test_query_errors_are_one_line_and_exit_2(corpus_dir: str, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--store", corpus_dir)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_queries_lists_names_parameters_and_descriptions() -> None:
    code, out, _ = run("queries")
    assert code == 0
    assert "studies-by-sponsor sponsor=" in out and "studies-by-place [country=] [place=]" in out
    assert "studies-in-period [from=0001] [to=9999]" in out
    assert "Every sponsor or funder with its number of studies" in out


# -- remote failures ------------------------------------------------------------------------------

class _Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Virtuoso 42000 Error: the server is unwell\nmore detail")

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", [["query", "sponsors"], ["stats"],
                                     ["query", "--sparql", "SELECT * WHERE { ?s ?p ?o }"]])
def test_remote_errors_give_a_clear_message_and_fail(failing_server: str,
                                                     command: list[str]) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/sparql"
    for url, message in [(unreachable, "cannot reach"),
                         (failing_server, "(HTTP 500): Virtuoso 42000 Error: the server is unwell")]:
        code, _, err = run(*command, "--endpoint", url, "--timeout", "5")
        assert code == 1 and message in err and "Traceback" not in err, err


@pytest.mark.virtuoso
def test_query_on_virtuoso_through_the_cli(make_store: Callable[..., Store],
                                           virtuoso_server: object) -> None:
    load_corpus(make_store("virtuoso"))
    code, out, err = run("query", "studies-by-place", "-p", "place=Scotland", "-f", "csv",
                         "--endpoint", virtuoso_server.sparql)  # type: ignore[attr-defined]
    assert code == 0, err
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {SEED, APMS}


def test_paging_gives_every_row_once(corpus: Store) -> None:
    query = named_queries()["studies-by-keyword"]
    whole = execute(corpus, prepare(query, {"keyword": "housing"}, limit=0))
    paged = execute(corpus, prepare(query, {"keyword": "housing"}, limit=0), page_size=3)
    assert len(paged.rows) == 10 and not paged.more
    assert sorted(column(paged, "study")) == sorted(column(whole, "study"))
    cut = execute(corpus, prepare(query, {"keyword": "housing"}, limit=7), page_size=3)
    assert len(cut.rows) == 7 and cut.more


@pytest.mark.virtuoso
def test_a_stale_summary_on_a_server_is_reported_not_rebuilt(
        make_store: Callable[..., Store], virtuoso_server: object) -> None:
    store = make_store("virtuoso")
    load_corpus(store)
    facets.mark_stale(store)
    endpoint = ["--endpoint", virtuoso_server.sparql]  # type: ignore[attr-defined]
    code, out, err = run("query", "sponsors", "-f", "csv", *endpoint)
    assert code == 0 and ESRC in out and "facet summary is out of date" in err
    assert facets.state(store) is not None
    gsp = ["--gsp-endpoint", virtuoso_server.gsp]  # type: ignore[attr-defined]
    code, out, err = run("stats", "--refresh", "--format", "json", *endpoint, *gsp)
    assert code == 0 and json.loads(out)["studies"] == 14
    assert facets.state(store) is None


def test_a_server_that_does_not_answer_times_out_with_a_clear_message() -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections (the kernel does) and never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        code, _, err = run("query", "sponsors", "--endpoint", url, "--timeout", "0.5")
    finally:
        listener.close()
    assert code == 1 and "did not answer within 0.5 s (timeout)" in err and "Traceback" not in err
