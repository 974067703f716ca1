"""Feed pages started before a harvester asks for them (lod.serve.readahead): the next page is
rendered once, as soon as the page before it is served, and the request for it takes that
render; the bytes are the ones a server without read-ahead writes."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from lod.cli import cli
from lod.serve.backend import EmbeddedBackend
from lod.serve.jobs import Answer, ContentJob
from lod.serve.readahead import ReadAhead
from tests.fixtures_serve import config_for, free_port, serve_app
from tests.paths import harmony_corpus

NEXT = re.compile(r"hydra:next <([^>]+)>")
DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#dataset")


class CountingBackend(EmbeddedBackend):
    """The embedded backend, recording the datasets of every feed page it is asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, timeout=30, workers=1)
        self.asked: list[tuple[str, ...]] = []

    async def content(self, job: ContentJob) -> Answer | None:
        if job.head:  # a feed page (a study's /id/ document has no head)
            self.asked.append(job.iris)
        return await super().content(job)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readahead") / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(path), "-q", *map(str, harmony_corpus())])
    assert result.exit_code == 0, result.output
    return path


def _datasets(body: str) -> tuple[str, ...]:
    """The catalogue's datasets on a page, read by pyoxigraph's strict Turtle parser."""
    return tuple(sorted(q.object.value for q in ox.parse(body.encode(), format=ox.RdfFormat.TURTLE)
                        if q.predicate == DATASET and q.subject.value.endswith("/catalog")))


def _wait_for(backend: CountingBackend, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(backend.asked) < count:
        assert time.monotonic() < deadline, f"only {backend.asked} were rendered"
        time.sleep(0.05)


def test_the_next_page_is_rendered_once_before_it_is_asked_for(store: Path) -> None:
    port = free_port()
    config = config_for(port, page_size=4)
    backend = CountingBackend(store)
    with serve_app(config, backend, port) as bind, httpx.Client(timeout=60) as client:
        first = client.get(bind + "catalog.ttl", headers={"Accept": "text/turtle"}).text
        _wait_for(backend, 2)  # page 1, then page 2 unasked
        assert sorted(backend.asked[0]) == list(_datasets(first))
        second_url = NEXT.search(first)
        assert second_url is not None
        second = client.get(second_url.group(1)).text
        assert sorted(backend.asked[1]) == list(_datasets(second))
        _wait_for(backend, 3)  # page 3 started in turn
        time.sleep(0.3)
        assert len(backend.asked) == 3, "page 2 was rendered a second time"
        assert not set(backend.asked[2]) & set(_datasets(first) + _datasets(second))

    # the same pages from a server that keeps nothing (and so reads nothing ahead), under the
    # same public URL
    public = bind
    port = free_port()
    plain = config_for(port, page_size=4, page_cache_entries=0, public_url=public)
    quiet = CountingBackend(store)
    with serve_app(plain, quiet, port) as bind, httpx.Client(timeout=60) as client:
        assert client.get(bind + "catalog.ttl").text == first
        assert client.get(second_url.group(1).replace(public, bind)).text == second
        time.sleep(0.3)
        assert len(quiet.asked) == 2, "a server that keeps no pages read ahead"


def test_read_ahead_rules() -> None:
    async def main() -> None:
        ahead: ReadAhead[str, str] = ReadAhead(limit=2)
        rendered: list[str] = []

        def render(name: str):  # type: ignore[no-untyped-def]
            async def run() -> str:
                rendered.append(name)
                await asyncio.sleep(0.01)
                return name.upper()
            return run

        ahead.start("g1", "a", render("a"))
        ahead.start("g1", "a", render("a"))  # already started: not again
        assert await ahead.take("g1", "a") == "A"
        assert await ahead.take("g1", "a") is None  # taken once
        assert await ahead.take("g1", "never") is None

        ahead.start("g1", "b", render("b"))
        ahead.start("g1", "c", render("c"))
        ahead.start("g1", "d", render("d"))  # past the limit: b is dropped
        assert ahead.pending() == 2
        assert await ahead.take("g1", "b") is None
        assert await ahead.take("g1", "d") == "D"

        ahead.start("g1", "e", render("e"))
        assert await ahead.take("g2", "e") is None  # the store changed: nothing kept from g1
        assert ahead.pending() == 0

        async def fails() -> str:
            raise RuntimeError("past the time limit")

        ahead.start("g2", "f", fails)
        assert await ahead.take("g2", "f") is None  # the caller renders it and meets the error

        none: ReadAhead[str, str] = ReadAhead(limit=0)
        none.start("g", "x", render("x"))
        assert none.pending() == 0
        await asyncio.sleep(0.05)
        assert rendered == ["a", "b", "c", "d", "e"]

    asyncio.run(main())
