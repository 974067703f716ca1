"""IRIs lod minted with percent-escapes (a record id with letters outside ASCII, spaces or
brackets) dereference at ``/id/``, however the client spells the escapes, and the links the
pages write to them work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.html
import pyoxigraph as ox
import pytest

from lod.store import Store, open_store
from tests.web_server import BASE, load, serving

RECORD = {"dataset_schema": {"name": "Hälsa och arbete", "keywords": ["Hälsa"],
                             "description": "Hälsa, arbete och livsvillkor bland vuxna i Sverige."},
          "extra_data": {"harmony_id": "mhc/hälsa (2)"}}
MINTED = "study/mhc/h%C3%A4lsa%20%282%29"
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("escaped")
    records = folder / "records.jsonl"
    records.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    with open_store(store_dir=folder / "store") as store:
        load(store, [Path(records)])
        assert _studies(store) == [BASE + MINTED]
        with serving(store) as (bind, _), httpx.Client(base_url=bind) as http:
            yield http


def _studies(store: Store) -> list[str]:
    rows = store.select("SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }").rows
    return [str(r["s"]) for r in rows]


@pytest.mark.parametrize("path", [MINTED, "study/mhc/h%C3%A4lsa%20(2)", "study/mhc/hälsa (2)",
                                  "study/mhc/h%c3%a4lsa%20%282%29"])
def test_an_escaped_iri_is_found_however_the_escapes_are_spelled(client: httpx.Client,
                                                                  path: str) -> None:
    turtle = client.get("/id/" + path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, turtle.text
    titles = {str(q.object.value) for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)
              if q.subject == ox.NamedNode(BASE + MINTED) and q.predicate == TITLE}
    assert titles == {"Hälsa och arbete"}
    assert turtle.headers["content-location"].endswith("/id/" + MINTED + ".ttl")
    assert client.get("/id/" + path + ".nt").status_code == 200


def test_the_keyword_page_links_to_the_study_page(client: httpx.Client) -> None:
    keyword = client.get("/id/keyword/halsa", headers={"Accept": "text/html"})
    assert keyword.status_code == 200, keyword.text
    links = [a.get("href") for a in lxml.html.fromstring(keyword.text).iter("a")]
    study = [h for h in links if h and MINTED in h]
    assert study, links
    page = client.get(study[0])
    assert page.status_code == 200
    assert "Hälsa och arbete" in page.text


@pytest.mark.parametrize("path", ["study/mhc/no such study", "study/<x>", 'study/"x"'])
def test_a_path_that_names_nothing_gets_404(client: httpx.Client, path: str) -> None:
    assert client.get("/id/" + path).status_code == 404
