"""``/queries/NAME`` answers one row per study, and a limit counts studies, however many
titles (rows) each study has: the server asks for more rows until it has the limit's worth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lod.queries import find_query, prepare
from lod.queries.run import execute
from lod.serve.app import embedded_backend
from lod.store.embedded import EmbeddedStore
from tests.fixtures_serve import config_for, free_port, sample_store, serve_app

ORG = "https://example.org/organisation/acme"
STUDIES = 12
TITLES = 5  # more than lod first asks for per study


def _nquads() -> bytes:
    lines = [f'<{ORG}> <https://w3id.org/lod-studies/vocab#matchKey> "acme" <{ORG}> .']
    for n in range(STUDIES):
        study = f"https://example.org/study/{n:02}"
        lines.append(f"<{study}> <https://schema.org/funder> <{ORG}> <{study}> .")
        lines.append(f'<{study}> <http://purl.org/dc/terms/identifier> "s{n}" <{study}> .')
        lines += [f'<{study}> <http://purl.org/dc/terms/title> "Study {n} ({t})"@x-l{t} <{study}> .'
                  for t in range(TITLES)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("named-rows") / "store", _nquads())


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[str]:
    port = free_port()
    config = config_for(port)
    with serve_app(config, embedded_backend(store_dir, config), port) as url:
        yield url


def _studies(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [row["study"]["value"] for row in answer.json()["results"]["bindings"]]


@pytest.mark.parametrize("limit", [1, 3, 11])
def test_a_limit_counts_studies(server: str, limit: int) -> None:
    answer = httpx.get(server + "queries/studies-by-sponsor", params={"sponsor": "ACME", "limit": str(limit)},
                       headers={"Accept": "application/sparql-results+json"})
    studies = _studies(answer)
    assert len(studies) == len(set(studies)) == limit
    assert answer.headers["x-lod-more"] == "true"


@pytest.mark.parametrize("limit", ["0", "12", "100"])
def test_every_study_once_when_the_limit_is_not_reached(server: str, store_dir: Path, limit: str) -> None:
    answer = httpx.get(server + "queries/studies-by-sponsor", params={"sponsor": "acme", "limit": limit},
                       headers={"Accept": "application/sparql-results+json"})
    studies = _studies(answer)
    assert sorted(studies) == [f"https://example.org/study/{n:02}" for n in range(STUDIES)]
    assert answer.headers["x-lod-more"] == "false"
    with EmbeddedStore(store_dir, read_only=True) as store:
        prepared = prepare(find_query("studies-by-sponsor"), {"sponsor": "acme"}, limit=int(limit))
        local = execute(store, prepared)
    assert sorted(str(r["study"]) for r in local.rows) == sorted(studies)
