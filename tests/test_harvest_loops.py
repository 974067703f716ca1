"""The loop guard: a last page linking back to the first, a page linking to itself, and a
server minting a new ``next`` URL forever for the same content all end with a warning and no
duplicates; ``--max-pages`` bounds any run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lod.store import open_store
from tests.harvest_server import Request, Response, Server, serve
from tests.harvest_util import run_harvest, summary

PAGE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<__BASE__/catalog> a dcat:Catalog ; dcat:dataset <__BASE__/ds/{n}> ; hydra:view <__BASE__{here}> .
<__BASE__{here}> a hydra:PartialCollectionView {next} .
<__BASE__/ds/{n}> a dcat:Dataset ; dct:title "Dataset {n}" .
"""


def page(here: str, n: int, next_url: str | None) -> str:
    link = f"; hydra:next <__BASE__{next_url}>" if next_url else ""
    return PAGE.format(here=here, n=n, next=link)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def datasets_in(store_dir: Path) -> list[str]:
    with open_store(store_dir=str(store_dir)) as store:
        return sorted(g for g in store.graphs() if "/ds/" in g)


def test_last_page_linking_back_to_the_first(server: Server, tmp_path: Path) -> None:
    server.text("/p1", page("/p1", 1, "/p2"))
    server.text("/p2", page("/p2", 2, "/p3"))
    server.text("/p3", page("/p3", 3, "/p1"))
    result = run_harvest(tmp_path / "s", server.base + "/p1")
    assert result.exit_code == 0, result.stderr
    assert "page already visited" in result.stderr and "warning" in result.stderr
    s = summary(result)
    assert (s.datasets, s.pages, s.added) == (3, 3, 3)
    assert len(datasets_in(tmp_path / "s")) == 3
    assert [r.path for r in server.requests] == ["/p1", "/p2", "/p3"]


def test_page_linking_to_itself(server: Server, tmp_path: Path) -> None:
    server.text("/self", page("/self", 1, "/self"))
    result = run_harvest(tmp_path / "s", server.base + "/self")
    assert result.exit_code == 0 and "page already visited" in result.stderr
    assert (summary(result).pages, summary(result).datasets) == (1, 1)
    assert len(server.requests) == 1


def test_server_minting_new_next_urls_for_the_same_content(server: Server, tmp_path: Path) -> None:
    def endless(request: Request) -> Response:
        n = int(request.query.split("=")[1]) if request.query else 0
        # same dataset every time, a new next URL every time
        body = page(request.path, 1, f"/mint?n={n + 1}").replace("__BASE__", server.base)
        body = body.replace(f"<{server.base}{request.path}>", "<urn:view>")
        return 200, {"Content-Type": "text/turtle"}, body.encode()

    server.routes["/mint"] = endless
    result = run_harvest(tmp_path / "s", server.base + "/mint")
    assert result.exit_code == 0, result.stderr
    assert "same content as an earlier page" in result.stderr
    assert (summary(result).datasets, summary(result).pages) == (1, 2)
    assert datasets_in(tmp_path / "s") == [server.base + "/ds/1"]


def test_max_pages_bounds_a_run(server: Server, tmp_path: Path) -> None:
    def numbered(request: Request) -> Response:
        n = int(request.query.split("=")[1]) if request.query else 0
        return 200, {"Content-Type": "text/turtle"}, \
            page(request.path, n, f"/many?n={n + 1}").replace("__BASE__", server.base).encode()

    server.routes["/many"] = numbered
    result = run_harvest(tmp_path / "s", server.base + "/many", "--max-pages", "4")
    assert "--max-pages 4" in result.stderr
    assert (summary(result).pages, summary(result).datasets) == (4, 4)
    assert len(server.requests) == 4
