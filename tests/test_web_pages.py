"""The HTML pages, dereferenceable IRIs, the study pages' schema.org JSON-LD, VoID, the
sitemap, robots.txt and the plain query form, over a real server and store."""

from __future__ import annotations

import json
from collections.abc import Iterator

import extruct
import httpx
import lxml.etree
import lxml.html
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from lod.serve.web import dataset_jsonld
from lod.store import Store, open_store
from tests.web_server import BASE, corpus, load, serving

PUBLIC = "https://data.example.org/lod/"
SEED = BASE + "study/ukds/851986"
ALSPAC = BASE + "study/closer/avon-longitudinal-study-of-parents-and-children"
ESRC = BASE + "organisation/esrc"
OX_FORMS = {".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD,
            ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
MEDIA = {".ttl": "text/turtle", ".jsonld": "application/ld+json",
         ".rdf": "application/rdf+xml", ".nt": "application/n-triples", ".html": "text/html"}
HOSTILE = ['"', "'", "\\", "} ; DROP ALL ; #", '") } UNION { ?s ?p ?o } #', "?x", "<x:y>",
           "\u00e9\u200b\U0001f600", "%", "a" * 500]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(store_dir=tmp_path_factory.mktemp("pages") / "store") as store:
        load(store, corpus())
        yield store


@pytest.fixture(scope="module")
def site(loaded: Store) -> Iterator[tuple[str, httpx.Client]]:
    """A server whose public URL differs from where it listens: every link must use it."""
    with serving(loaded, public_url=PUBLIC, page_size=3) as (bind, _), httpx.Client(
            base_url=bind) as client:
        yield bind, client


def html(response: httpx.Response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def public_path(url: str) -> str:
    assert url.startswith(PUBLIC), url
    return "/" + url[len(PUBLIC):]


def strict(body: bytes, suffix: str) -> rdflib.Graph:
    triples = [q.triple for q in ox.parse(body, format=OX_FORMS[suffix])]
    graph = rdflib.Graph()
    graph.parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(),
                format="nt")
    return graph


def test_home_shows_holdings_facets_search_and_a_decade_chart(site: tuple[str, httpx.Client]
                                                             ) -> None:
    _, client = site
    page = html(client.get("/"))
    assert "18" in page.get_element_by_id("holdings").text_content()
    sponsors = page.get_element_by_id("facet-sponsors")
    links = {a.text_content(): a.get("href") for a in sponsors.iter("a")}
    assert links["Economic and Social Research Council"] == PUBLIC + "id/organisation/esrc"
    for facet in ("keywords", "countries", "catalogues"):
        assert len(list(page.get_element_by_id("facet-" + facet).iter("a"))) > 0
    countries = {a.text_content(): a.get("href")
                 for a in page.get_element_by_id("facet-countries").iter("a")}
    assert countries["United Kingdom"] == PUBLIC + "country/GBR"
    svg = page.xpath("//*[local-name()='svg']")
    assert len(svg) == 1 and len(svg[0].xpath(".//*[local-name()='rect']")) >= 3
    form = page.xpath("//form[@role='search']")[0]
    assert form.get("action") == PUBLIC + "search" and form.xpath(".//input[@name='q']")
    hrefs = [a.get("href") for a in page.iter("a")]
    assert all(h.startswith(PUBLIC) for h in hrefs), "a link does not use the public URL"


def test_a_study_page_links_sponsors_keywords_identifiers_and_every_rdf_form(
        site: tuple[str, httpx.Client]) -> None:
    _, client = site
    page = html(client.get("/id/study/ukds/851986"))
    assert page.xpath("//h1")[0].text_content().startswith("Meaningful and measurable")
    sponsors = page.get_element_by_id("sponsors").xpath(".//a")
    assert [a.get("href") for a in sponsors] == [PUBLIC + "id/organisation/esrc"]
    keywords = {a.text_content(): a.get("href")
                for a in page.get_element_by_id("keywords").xpath(".//a")}
    assert keywords["HEALTH"] == PUBLIC + "id/keyword/health"
    hrefs = {a.get("href") for a in page.iter("a")}
    assert "https://doi.org/10.5255/UKDA-SN-851986" in hrefs
    assert PUBLIC + "id/catalogue/ukds" in hrefs
    assert "https://reshare.ukdataservice.ac.uk/851986" in hrefs
    for suffix in (".ttl", ".jsonld", ".rdf", ".nt"):
        assert PUBLIC + "id/study/ukds/851986" + suffix in hrefs
    alspac = html(client.get(public_path(ALSPAC.replace(BASE, PUBLIC + "id/"))))
    parts = alspac.xpath("//dt[text()='Parts']/following-sibling::dd[1]//a")
    assert len(parts) >= 5 and all(a.get("href").startswith(PUBLIC + "id/study/") for a in parts)
    child = html(client.get(public_path(parts[0].get("href"))))
    parent = child.xpath("//dt[text()='Part of']/following-sibling::dd[1]//a")
    assert [a.get("href") for a in parent] == [PUBLIC + ALSPAC[len(BASE):].join(["id/", ""])]


def jsonld_of(response: httpx.Response) -> dict:
    found = extruct.extract(response.text, syntaxes=["json-ld"], uniform=False)["json-ld"]
    assert len(found) == 1
    page = lxml.html.fromstring(response.text)
    scripts = page.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    strict_json = json.loads(scripts[0].text, parse_constant=lambda c: pytest.fail(c))
    assert strict_json == found[0]
    return strict_json


SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
# Google's recommended Dataset properties and the stored predicates they come from.
SOURCES = {
    "identifier": [DCT + "identifier", SCHEMA + "identifier"],
    "sameAs": [SCHEMA + "sameAs", "http://www.w3.org/2002/07/owl#sameAs"],
    "keywords": ["http://www.w3.org/ns/dcat#keyword", SCHEMA + "keywords"],
    "creator": [DCT + "creator", SCHEMA + "creator"],
    "funder": [SCHEMA + "funder"],
    "license": [DCT + "license", SCHEMA + "license"],
    "isAccessibleForFree": [SCHEMA + "isAccessibleForFree"],
    "temporalCoverage": [SCHEMA + "temporalCoverage"],
    "spatialCoverage": [DCT + "spatial", SCHEMA + "spatialCoverage"],
    "variableMeasured": [SCHEMA + "variableMeasured"],
    "includedInDataCatalog": [SCHEMA + "includedInDataCatalog"],
    "isPartOf": [DCT + "isPartOf", SCHEMA + "isPartOf"],
    "hasPart": [DCT + "hasPart", SCHEMA + "hasPart"],
    "citation": [SCHEMA + "citation", DCT + "bibliographicCitation", DCT + "isReferencedBy"],
}


def test_each_study_page_embeds_one_plain_schema_org_dataset_with_what_it_has(
        loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    studies = [str(r["d"]) for r in loaded.select(
        "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }").rows]
    assert len(studies) == 18
    present: set[str] = set()
    for study in studies:
        url = PUBLIC + "id/" + study[len(BASE):]
        data = jsonld_of(client.get(public_path(url)))
        assert data["@type"] == "Dataset" and "@graph" not in data
        assert data["@context"] == "https://schema.org/"
        assert isinstance(data["name"], str) and data["name"]
        assert 50 <= len(data["description"]) <= 5000
        assert data["url"] == url
        predicates = {str(r["p"]) for r in loaded.select(
            "SELECT DISTINCT ?p WHERE { GRAPH ?d { ?d ?p ?o } }", {"d": rdflib.URIRef(study)}).rows}
        for key, sources in SOURCES.items():
            if predicates & set(sources):
                assert key in data, (study, key)
                present.add(key)
        catalogues = data.get("includedInDataCatalog", [])
        for catalogue in catalogues if isinstance(catalogues, list) else [catalogues]:
            assert catalogue["@type"] == "DataCatalog" and catalogue["name"]
    # the corpus exercises most of them
    assert {"identifier", "sameAs", "keywords", "creator", "funder", "license",
            "temporalCoverage", "spatialCoverage", "includedInDataCatalog", "isPartOf",
            "hasPart", "citation"} <= present


def test_the_json_ld_carries_what_each_record_has(site: tuple[str, httpx.Client]) -> None:
    _, client = site
    seed = jsonld_of(client.get("/id/study/ukds/851986"))
    assert "https://doi.org/10.5255/UKDA-SN-851986" in seed["identifier"]
    assert seed["temporalCoverage"] == "2013-12-01/2015-02-28"
    assert "HEALTH" in seed["keywords"]
    assert {"@type": "Place", "name": "United Kingdom"} in seed["spatialCoverage"]
    ddi = jsonld_of(client.get("/id/study/ddi/ukda/1683"))
    assert ddi["funder"]["name"] == "Economic and Social Research Council"
    assert "http://creativecommons.org/licenses/by/4.0/" in ddi["license"]
    assert len(ddi["creator"]) == 3 and ddi["sameAs"] == "https://doi.org/10.5255/UKDA-SN-1683-1"
    alspac = jsonld_of(client.get("/id/study/closer/avon-longitudinal-study-of-parents-and-children"))
    assert len(alspac["hasPart"]) >= 5 and all(p["@type"] == "Dataset" for p in alspac["hasPart"])
    child = jsonld_of(client.get(public_path(alspac["hasPart"][0]["url"])))
    assert child["isPartOf"]["url"] == alspac["url"]


def test_descriptions_are_padded_and_trimmed_to_googles_bounds() -> None:
    short = dataset_jsonld.description_for("Cohort X", "Tiny.")
    assert short.startswith("Tiny. ") and "Cohort X" in short and 50 <= len(short) <= 5000
    assert 50 <= len(dataset_jsonld.description_for("X", None)) <= 5000
    long = dataset_jsonld.description_for("X", "word " * 3000)
    assert len(long) <= 5000 and long.endswith("…") and " " not in long[-2:]
    kept = "A description that is long enough to stand on its own, as it is."
    assert dataset_jsonld.description_for("X", kept) == kept
    script = dataset_jsonld.script_text({"name": "</script><b>&"})
    assert "</script>" not in script and json.loads(script) == {"name": "</script><b>&"}


def test_iris_dereference_by_conneg_and_suffix_with_content_location(
        loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    for rest in ("study/ukds/851986", "organisation/esrc", "keyword/health", "catalogue/ukds",
                 "place/scotland-and-wales"):
        graphs = {}
        for suffix, media in MEDIA.items():
            negotiated = client.get("/id/" + rest, headers={"Accept": media})
            assert negotiated.status_code == 200, (rest, media)
            assert negotiated.headers["content-type"].startswith(media)
            assert negotiated.headers["vary"] == "Accept"
            assert negotiated.headers["content-location"] == PUBLIC + "id/" + rest + suffix
            direct = client.get("/id/" + rest + suffix, headers={"Accept": "image/png"})
            assert direct.status_code == 200 and direct.content == negotiated.content
            assert direct.headers["content-type"].startswith(media)
            if suffix != ".html":
                graphs[suffix] = strict(direct.content, suffix)
        for suffix, graph in graphs.items():
            assert isomorphic(graph, graphs[".ttl"]), (rest, suffix)
        assert (rdflib.URIRef(BASE + rest), None, None) in graphs[".ttl"]
    assert client.get("/id/study/ukds/851986").headers["content-type"].startswith("text/html")
    stored = rdflib.Graph()
    stored.parse(data=loaded.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                       {"g": rdflib.URIRef(SEED)}).decode(), format="nt")
    served = strict(client.get("/id/study/ukds/851986.nt").content, ".nt")
    assert all(t in served for t in stored)
    assert client.get("/id/study/nothing-like-this").status_code == 404
    assert client.get("/id/study/nothing-like-this.ttl").status_code == 404
    assert client.get("/id/study/ukds/851986", headers={"Accept": "image/png"}).status_code == 406
    picked = client.get("/id/organisation/esrc", headers={
        "Accept": "text/html;q=0.4, application/rdf+xml;q=0.9"})
    assert picked.headers["content-type"].startswith("application/rdf+xml")


def test_organisation_keyword_place_and_catalogue_pages_list_their_studies_paged(
        loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    for path, node in (("/id/organisation/esrc", ESRC), ("/id/catalogue/closer",
                                                         BASE + "catalogue/closer"),
                       ("/country/GBR", "http://publications.europa.eu/resource/authority/country/GBR"),
                       ("/id/keyword/health", BASE + "keyword/health")):
        expected = sorted(str(r["s"]) for r in loaded.select(
            "SELECT DISTINCT ?s WHERE { GRAPH ?s { ?s a <http://www.w3.org/ns/dcat#Dataset> ; "
            "?p ?node } }", {"node": rdflib.URIRef(node)}).rows)
        assert expected, path
        seen: list[str] = []
        page_no = 1
        while True:
            page = html(client.get(path, params={"page": page_no}))
            found = [a.get("href") for a in page.get_element_by_id("studies").iter("a")]
            assert len(found) <= 3
            seen += found
            if not page.xpath("//a[@rel='next']"):
                break
            page_no += 1
        assert sorted(seen) == sorted(PUBLIC + "id/" + s[len(BASE):] for s in expected), path
    assert client.get("/country/XXX").status_code == 404
    assert client.get("/country/gbr").status_code == 404


def test_search_matches_titles_and_keywords_any_case_and_binds_the_value(
        loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    texts: dict[str, list[str]] = {}
    for row in loaded.select("SELECT ?d ?t WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#"
                             "Dataset> { ?d <http://purl.org/dc/terms/title> ?t } UNION "
                             "{ ?d <http://www.w3.org/ns/dcat#keyword> ?t } } }").rows:
        texts.setdefault(PUBLIC + "id/" + str(row["d"])[len(BASE):], []).append(str(row["t"]).lower())
    page = html(client.get("/search", params={"q": "meaningful quark"}))
    assert not page.get_element_by_id("results").xpath(".//a")
    page = html(client.get("/search", params={"q": "MEANINGFUL and measurable"}))
    hrefs = [a.get("href") for a in page.get_element_by_id("results").xpath(".//a")]
    assert hrefs == [PUBLIC + "id/study/ukds/851986"]
    by_keyword = html(client.get("/search", params={"q": "third sector"}))
    assert PUBLIC + "id/study/ukds/851986" in [
        a.get("href") for a in by_keyword.get_element_by_id("results").xpath(".//a")]
    for value in HOSTILE:
        response = client.get("/search", params={"q": value})
        assert response.status_code == 200, value
        found = [a.get("href") for a in html(response).get_element_by_id("results").xpath(".//a")]
        q = " ".join(value.split())[:200].lower()
        expected = sorted(study for study, values in texts.items() if any(q in t for t in values))
        assert found == expected[:3], value


def test_sitemap_lists_every_study_page_and_robots_points_at_it(
        loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = lxml.etree.fromstring(response.content, lxml.etree.XMLParser(resolve_entities=False))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = root.xpath("//s:url/s:loc/text()", namespaces=ns)
    studies = [str(r["d"]) for r in loaded.select(
        "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }").rows]
    assert sorted(locs) == sorted(PUBLIC + "id/" + s[len(BASE):] for s in studies)
    for loc in locs[:3]:
        assert client.get(public_path(loc)).status_code == 200
    robots = client.get("/robots.txt").text
    assert f"Sitemap: {PUBLIC}sitemap.xml" in robots.splitlines()


def test_void_describes_the_store(loaded: Store, site: tuple[str, httpx.Client]) -> None:
    _, client = site
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    graph = strict(client.get("/.well-known/void").content, ".ttl")
    dataset = graph.value(None, rdflib.RDF.type, void.Dataset, any=False)
    assert dataset is not None
    assert graph.value(dataset, void.sparqlEndpoint) == rdflib.URIRef(PUBLIC + "sparql")
    assert graph.value(dataset, void.uriSpace) == rdflib.Literal(BASE)
    assert graph.value(dataset, void.dataDump) == rdflib.URIRef(PUBLIC + "catalog.nq.gz")
    triples = graph.value(dataset, void.triples)
    assert isinstance(triples, rdflib.Literal) and int(triples) == loaded.triple_count()
    subjects = loaded.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graph.value(dataset, void.distinctSubjects) == subjects.rows[0]["n"]


def test_the_plain_query_form_runs_a_query_and_shows_rows(site: tuple[str, httpx.Client]) -> None:
    _, client = site
    page = html(client.get("/query"))
    assert page.get_element_by_id("query-form").get("action") == PUBLIC + "query"
    names = [a.text_content() for a in page.get_element_by_id("examples").iter("a")]
    assert {"sponsors", "keywords", "coverage"} <= set(names)
    query = ("SELECT ?study WHERE { GRAPH ?study { ?study a <http://www.w3.org/ns/dcat#Dataset> } }"
             " ORDER BY ?study")
    result = html(client.get("/query", params={"query": query}))
    cells = result.get_element_by_id("results").xpath(".//tbody/tr/td/text()")
    assert len(cells) == 18 and SEED in cells
    ask = html(client.get("/query", params={"query": "ASK { ?s ?p ?o }"}))
    assert ask.get_element_by_id("query-boolean").text_content() == "yes"
    bad = client.get("/query", params={"query": "SELEC ?x"})
    assert bad.status_code == 400
    assert lxml.html.fromstring(bad.text).get_element_by_id("query-error").text_content()
    service = client.get("/query", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400
