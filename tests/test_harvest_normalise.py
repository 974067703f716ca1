"""How ``lod harvest`` maps funders and places as other catalogues write them onto lod's
nodes, from a Turtle feed on 127.0.0.1: organisation lists split through the alias table (as
text, as an agent's name, on a qualified attribution), unknown words warned about, and places
that lie in a country answering ``country=GB``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib

from lod.store import open_store
from tests.harvest_server import Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST
from tests.test_harvest_feeds import run_named


@pytest.fixture
def harvested(tmp_path: Path) -> Iterator[tuple[Server, Path, str]]:
    for server in serve():
        server.file("/catalog", HARVEST / "normalise/feed.ttl", "text/turtle")
        result = run_harvest(tmp_path / "s", server.base + "/catalog")
        assert result.exit_code == 0, result.stderr
        assert summary(result).added == 8
        yield server, tmp_path / "s", result.stderr


def studies(store_dir: Path, query: str, params: dict[str, str]) -> set[str]:
    with open_store(store_dir=str(store_dir)) as store:
        rows = run_named(store, query, params).rows
    return {str(r["study"]).rsplit("/ds/", 1)[-1] for r in rows}


def test_organisation_lists_become_one_node_per_organisation(harvested: tuple[Server, Path, str]) -> None:
    _, store_dir, _ = harvested
    with open_store(store_dir=str(store_dir)) as store:
        sponsors = {str(r["name"]): int(r["studies"]) for r in run_named(store, "sponsors", {}).rows}
        orgs = {str(r["o"]) for r in store.select(
            "SELECT DISTINCT ?o WHERE { GRAPH ?g "
            "{ ?s <https://schema.org/funder>|<https://schema.org/sponsor> ?o } }").rows}
        literal_funders = store.ask(
            "ASK { GRAPH ?g { ?s <https://schema.org/funder>|<https://schema.org/sponsor> ?o "
            "FILTER(isLiteral(?o)) } }")
    assert sponsors == {
        "Medical Research Council": 1, "Wellcome Trust": 1, "University of Bristol": 1,
        "Department of Health and Social Care": 1, "NHS Digital": 1,
        "Economic and Social Research Council": 1, "National Institute for Health and Care Research": 1,
    }
    # every link goes to lod's organisation nodes; nothing is made from a fragment
    assert all("/organisation/" in o for o in orgs) and len(orgs) == 7
    assert not any("zorblax" in o.lower() for o in orgs)
    assert literal_funders is False
    assert studies(store_dir, "studies-by-sponsor", {"sponsor": "MRC"}) == {"listed-text"}
    assert studies(store_dir, "studies-by-sponsor", {"sponsor": "NHSdigital"}) == {"listed-agent"}
    assert studies(store_dir, "studies-by-sponsor", {"sponsor": "NIHR"}) == {"attributed"}


def test_an_agent_listing_several_organisations_is_not_the_same_as_any(
        harvested: tuple[Server, Path, str]) -> None:
    server, store_dir, _ = harvested
    with open_store(store_dir=str(store_dir)) as store:
        same = store.select("SELECT ?o WHERE { GRAPH ?g { ?o <http://www.w3.org/2002/07/owl#sameAs> ?x } "
                            "FILTER(?x = ?agent) }", {"agent": _iri(server.base + "/org/dhsc-nhsd")}).rows
        nihr = store.select("SELECT ?o WHERE { GRAPH ?g { ?o <http://www.w3.org/2002/07/owl#sameAs> ?x } "
                            "FILTER(?x = ?agent) }", {"agent": _iri(server.base + "/org/nihr")}).rows
    assert same == []  # "DoHSC NHSdigital" is two organisations, neither of them the agent
    assert [str(r["o"]).rsplit("/", 1)[-1] for r in nihr] == ["nihr"]


def test_unknown_words_in_a_list_are_named_in_a_warning(harvested: tuple[Server, Path, str]) -> None:
    server, _, stderr = harvested
    warnings = [line for line in stderr.splitlines() if "ZorblaxFund" in line]
    assert len(warnings) == 1
    where = f"lod: warning: {server.base}/catalog: dataset {server.base}/ds/unknown-token: "
    assert warnings[0].startswith(where)
    assert "organisations.yaml" in warnings[0]


def test_places_in_a_country_answer_for_that_country(harvested: tuple[Server, Path, str]) -> None:
    _, store_dir, _ = harvested
    in_gb = studies(store_dir, "studies-by-place", {"country": "GB"})
    assert in_gb == {"england", "wales-node", "great-britain"}
    assert studies(store_dir, "studies-by-place", {"place": "England"}) == {"england"}
    assert studies(store_dir, "studies-by-place", {"place": "Wales"}) == {"wales-node"}
    assert studies(store_dir, "studies-by-place", {"place": "Britain"}) == {"great-britain"}
    with open_store(store_dir=str(store_dir)) as store:
        coverage = {(str(r["dimension"]), str(r["value"])): int(r["studies"])
                    for r in run_named(store, "coverage", {}).rows}
    assert coverage[("country", "GB")] == 3


def _iri(value: str) -> rdflib.URIRef:
    return rdflib.URIRef(value)


def test_a_shared_node_the_page_describes_keeps_the_page_description(
        harvested: tuple[Server, Path, str]) -> None:
    _, store_dir, _ = harvested
    with open_store(store_dir=str(store_dir)) as store:
        labels = [str(r["label"]) for r in store.select(
            "SELECT ?label WHERE { GRAPH ?g { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } }",
            {"c": _iri("https://w3id.org/lod-studies/id/keyword/mental-health")}).rows]
    assert labels == ["Mental health"]
    assert studies(store_dir, "studies-by-keyword", {"keyword": "mental health"}) == {"described-concept"}


def test_the_shared_nodes_kept_for_reuse_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from lod.harvest import normalise
    from lod.harvest.datasets import lines_of

    monkeypatch.setattr(normalise, "_NODES_KEPT", 5)
    normaliser = normalise.Normaliser("https://w3id.org/lod-studies/id/")
    iri = "http://example.org/ds/1"
    text = "".join(f'<{iri}> <http://www.w3.org/ns/dcat#keyword> "topic {n}" .\n' for n in range(20))
    out = normaliser.run(iri, lines_of(text.encode()))
    assert len(out.shared) == 20 and sum("#theme>" in s for s in out.added) == 20
    assert len(normaliser._nodes) <= 5
