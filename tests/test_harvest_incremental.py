"""Incremental harvesting: unchanged datasets cost no store write, a changed one replaces its
graph, ``--delete-missing`` deletes only this source's vanished datasets and never after a
partial run; retries honour ``Retry-After``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from lod.harvest import FetchPolicy, HarvestOptions, harvest
from lod.store import Store, open_store
from tests.harvest_server import Request, Response, Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST

OPTIONS = HarvestOptions(policy=FetchPolicy(allow_private=True, timeout=10, backoff=0.05))


class WriteCounter:
    """A real store that counts the calls that could write to it."""

    WRITES = ("replace_graphs", "add_nquads", "delete_graphs", "update")

    def __init__(self, store: Store) -> None:
        self.store = store
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.store, name)
        if name in self.WRITES:
            def counted(*args: Any, **kwargs: Any) -> Any:
                self.writes.append(name)
                return attribute(*args, **kwargs)
            return counted
        return attribute


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def feed(server: Server) -> str:
    for n in (1, 2, 3):
        server.file(f"/ckan/catalog.xml?page={n}", HARVEST / f"ckan/page{n}.rdf", "application/rdf+xml")
    return server.base + "/ckan/catalog.xml?page=1"


def run(store: Store, urls: Sequence[str], **options: Any) -> Any:
    return harvest(store, urls, HarvestOptions(**{**OPTIONS.__dict__, **options}))


def test_second_run_of_unchanged_data_writes_nothing(server: Server, tmp_path: Path) -> None:
    url = feed(server)
    with open_store(store_dir=str(tmp_path / "s"), create=True) as store:
        first = run(store, [url])
        assert (first.added, first.changed) == (5, 0)
        counter = WriteCounter(store)
        second = run(counter, [url])
        assert (second.added, second.changed, second.unchanged) == (0, 0, 5)
        assert counter.writes == []


def test_cli_twice_then_one_change_then_one_removed(server: Server, tmp_path: Path) -> None:
    url = feed(server)
    store = tmp_path / "s"
    assert summary(run_harvest(store, url)).added == 5
    again = summary(run_harvest(store, url))
    assert (again.added, again.changed, again.unchanged) == (0, 0, 5)

    changed = (HARVEST / "ckan/page2.rdf").read_bytes().replace(b"Cohort 1970<", b"Cohort 1970, 2nd edition<")
    server.routes["/ckan/catalog.xml"] = lambda _: (200, {"Content-Type": "application/rdf+xml"},
                                                   changed.replace(b"__BASE__", server.base.encode()))
    del server.routes["/ckan/catalog.xml?page=2"]
    s = summary(run_harvest(store, url))
    assert (s.added, s.changed, s.unchanged, s.deleted) == (0, 1, 4, 0)

    # page 3's one dataset disappears: the feed ends at page 2
    ended = changed.replace(b"<hydra:nextPage>__BASE__/ckan/catalog.xml?page=3</hydra:nextPage>", b"")
    server.routes["/ckan/catalog.xml"] = lambda _: (200, {"Content-Type": "application/rdf+xml"},
                                                   ended.replace(b"__BASE__", server.base.encode()))
    kept = summary(run_harvest(store, url))
    assert (kept.datasets, kept.deleted) == (4, 0)  # without --delete-missing nothing goes
    gone = summary(run_harvest(store, url, "--delete-missing"))
    assert (gone.datasets, gone.unchanged, gone.deleted) == (4, 4, 1)
    with open_store(store_dir=str(store)) as s2:
        assert not s2.has_graph(server.base + "/dataset/crime-survey")
        assert s2.has_graph(server.base + "/dataset/travel-diary")


def test_a_failing_page_means_nothing_is_deleted(server: Server, tmp_path: Path) -> None:
    url = feed(server)
    store = tmp_path / "s"
    assert summary(run_harvest(store, url)).added == 5
    server.routes["/ckan/catalog.xml?page=3"] = lambda _: (500, {}, b"boom")
    result = run_harvest(store, url, "--delete-missing")
    assert result.exit_code == 1
    assert "page=3: HTTP 500" in result.stderr
    assert "deleted nothing" in result.stderr
    s = summary(result)
    assert (s.unchanged, s.deleted, s.rejected) == (4, 0, 1)
    with open_store(store_dir=str(store)) as s2:
        assert s2.has_graph(server.base + "/dataset/crime-survey")


def test_delete_missing_touches_only_this_sources_datasets(server: Server, tmp_path: Path) -> None:
    url = feed(server)
    server.file("/catalog", HARVEST / "view/page1.ttl", "text/turtle")
    server.file("/catalog?page=2", HARVEST / "view/page2.ttl", "text/turtle")
    store = tmp_path / "s"
    assert summary(run_harvest(store, url, server.base + "/catalog")).added == 8
    server.routes["/ckan/catalog.xml?page=1"] = lambda _: (200, {"Content-Type": "text/turtle"}, b"")
    s = summary(run_harvest(store, url, "--delete-missing"))
    assert s.deleted == 5
    with open_store(store_dir=str(store)) as s2:
        assert s2.has_graph(server.base + "/ds/alpha")


def test_retries_honour_retry_after_then_succeed(server: Server, tmp_path: Path) -> None:
    body = (HARVEST / "ckan/page3.rdf").read_bytes().replace(b"__BASE__", server.base.encode())
    answers = [(503, {"Retry-After": "0"}, b""), (429, {"Retry-After": "0"}, b""),
               (200, {"Content-Type": "application/rdf+xml"}, body)]

    def flaky(_: Request) -> Response:
        return answers.pop(0)

    server.routes["/flaky"] = flaky
    waits: list[float] = []
    from lod.harvest.fetch import Fetcher
    fetcher = Fetcher(OPTIONS.policy, sleep=waits.append)
    with open_store(store_dir=str(tmp_path / "s"), create=True) as store:
        report = harvest(store, [server.base + "/flaky"], OPTIONS, fetcher=fetcher)
    fetcher.close()
    assert (report.added, report.exit_code) == (1, 0)
    assert waits == [0.0, 0.0]  # Retry-After, not the backoff


def test_retries_give_up_with_a_clear_error(server: Server, tmp_path: Path) -> None:
    server.routes["/down"] = lambda _: (502, {}, b"")
    with open_store(store_dir=str(tmp_path / "s"), create=True) as store:
        problems: list[str] = []
        report = harvest(store, [server.base + "/down"], OPTIONS, on_problem=problems.append)
    assert report.exit_code == 2  # the source is unreachable
    assert problems == [f"error: {server.base}/down: HTTP 502 (after 4 attempts)"]
    assert len(server.requests) == 4


def with_etag(server: Server, route: str, body: bytes, etag: str) -> None:
    def serve_page(request: Request) -> Response:
        if request.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rdf+xml", "ETag": etag}, body
    server.routes[route] = serve_page


def test_etags_are_sent_back_and_304_pages_count_as_unchanged(server: Server, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        body = (HARVEST / f"ckan/page{n}.rdf").read_bytes().replace(b"__BASE__", server.base.encode())
        with_etag(server, f"/ckan/catalog.xml?page={n}", body, f'"v{n}"')
    url = server.base + "/ckan/catalog.xml?page=1"
    with open_store(store_dir=str(tmp_path / "s"), create=True) as store:
        assert run(store, [url]).added == 5
        server.requests.clear()
        counter = WriteCounter(store)
        again = run(counter, [url], delete_missing=True)
        assert (again.pages, again.unchanged, again.deleted, again.added) == (3, 5, 0, 0)
        assert counter.writes == []
        assert [r.headers.get("if-none-match") for r in server.requests] == ['"v1"', '"v2"', '"v3"']
        # page 2 changes (a new ETag): only it is read again
        changed = (HARVEST / "ckan/page2.rdf").read_bytes().replace(b"Cohort 1970<", b"Cohort 1970, revised<")
        changed = changed.replace(b"__BASE__", server.base.encode())
        with_etag(server, "/ckan/catalog.xml?page=2", changed, '"v2b"')
        third = run(store, [url])
        assert (third.changed, third.unchanged) == (1, 4)


ADVERTISED = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<__BASE__/feed> a dcat:Catalog ; dcat:dataset <__BASE__/ds/{n}> ;
  hydra:search [ a hydra:IriTemplate ; hydra:template "__BASE__/feed{{?modified_since}}" ;
                 hydra:mapping [ hydra:variable "modified_since" ; hydra:property dct:modified ] ] .
<__BASE__/ds/{n}> a dcat:Dataset ; dct:title "Dataset {n}" .
"""


def test_modified_since_is_sent_when_advertised_or_given(server: Server, tmp_path: Path) -> None:
    server.text("/feed", ADVERTISED.format(n=1))
    store = tmp_path / "s"
    assert summary(run_harvest(store, server.base + "/feed")).added == 1
    assert "modified_since" not in server.requests[-1].query
    again = run_harvest(store, server.base + "/feed", "--delete-missing")
    assert "modified_since=" in server.requests[-1].query  # advertised: asked for changes only
    assert summary(again).unchanged == 1 and "deleted nothing" in again.stderr
    server.text("/plain", ADVERTISED.format(n=2).replace("modified_since", "other"))
    run_harvest(store, server.base + "/plain", "--since", "2024-01-01")
    assert server.requests[-1].query == "modified_since=2024-01-01"
