"""The feed through the whole ``lod serve`` app, whose embedded backend keeps the sorted list
of dataset IRIs per store generation (lod.serve.feedids): studies loaded and deleted by
``lod load`` and ``lod delete`` while a harvester pages through must still never make it skip
or repeat a study, and the pages after a change must list what the store now holds."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import rdflib
from click.testing import CliRunner

from lod.cli import cli
from lod.serve.app import embedded_backend
from lod.store.embedded import EmbeddedStore
from tests.fixtures_serve import config_for, free_port, serve_app
from tests.paths import ddi_corpus, harmony_corpus
from tests.test_web_feed import HYDRA, harvest, strict_graph, studies_in

DATASETS = "SELECT ?d WHERE { GRAPH ?d { ?d a <http://www.w3.org/ns/dcat#Dataset> } }"


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def _total(client: httpx.Client, bind: str) -> int:
    graph = strict_graph(client.get(bind + "catalog.ttl").content)
    value = graph.value(rdflib.URIRef(bind + "catalog"), HYDRA.totalItems)
    assert value is not None
    return int(value)


def _wait_for_total(client: httpx.Client, bind: str, total: int) -> None:
    # the server follows the store's committed snapshots within seconds
    deadline = time.monotonic() + 30
    while _total(client, bind) != total:
        assert time.monotonic() < deadline, f"the feed never showed {total} datasets"
        time.sleep(0.2)


@pytest.mark.parametrize("page_size", [3, 5])
def test_paging_the_kept_list_while_lod_load_and_delete_run(tmp_path: Path, page_size: int) -> None:
    store = tmp_path / "store"
    _run("load", "--store", str(store), "-q", *map(str, harmony_corpus()))
    port = free_port()
    config = config_for(port, page_size=page_size)
    with serve_app(config, embedded_backend(store, config), port) as bind, httpx.Client(timeout=60) as client:
        every = [row["d"]["value"] for row in httpx.get(
            bind + "sparql", params={"query": DATASETS},
            headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]]
        before = sorted(every)
        assert len(before) == 14 and _total(client, bind) == 14
        assert _total(client, bind) == 14  # a second read: from the kept list
        added: list[str] = []
        deleted = before[-2]  # ahead of the harvester when it goes

        def load_more() -> None:
            _run("load", "--store", str(store), "-q", *map(str, ddi_corpus()))
            # read from the store itself: the server may not have followed the load yet
            with EmbeddedStore(store, read_only=True) as opened:
                now = [str(row["d"]) for row in opened.select(DATASETS).rows]
            added.extend(sorted(set(now) - set(before)))
            _wait_for_total(client, bind, len(before) + len(added))

        def delete_one() -> None:
            _run("delete", "--store", str(store), deleted)
            _wait_for_total(client, bind, len(before) + len(added) - 1)

        pages = harvest(client, bind, bind, between=[load_more, delete_one])
        visited = [d for page in pages for d in page]
        assert len(set(visited)) == len(visited), "a study was repeated"
        kept = [iri for iri in before if iri != deleted]
        assert all(visited.count(iri) == 1 for iri in kept), "a study was skipped"
        assert deleted not in visited
        assert added, "the DDI samples add studies"
        # added studies that sort after the cursor of the page read before they came are listed
        cursor = pages[0][-1]
        assert [a for a in added if a > cursor] == [a for a in visited if a in added]
        last = strict_graph(client.get(bind + "catalog.ttl").content)
        assert len(studies_in(last, bind + "catalog")) == page_size
