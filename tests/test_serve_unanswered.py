"""A page the store cannot answer in time gets 503 with the reason and ``Retry-After``, never
a bare 500: here the store is a SPARQL server on loopback that never answers, so every read
a page makes runs into the server's time limit."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lod.serve.app import remote_backend
from lod.store.remote import RemoteStore
from tests.fixtures_serve import config_for, free_port, run_asgi, serve_app


def _stalling_endpoint() -> Starlette:
    async def stall(request: Request) -> Response:
        await asyncio.sleep(3)  # past the 1 s limit; short, so shutdown is quick
        return Response(b"", status_code=204)

    return Starlette(routes=[Route("/sparql", stall, methods=["GET", "POST"])])


@pytest.mark.parametrize("path", ["catalog.ttl", "", "id/study/x"])
def test_a_page_past_the_time_limit_answers_503(path: str) -> None:
    with run_asgi(_stalling_endpoint(), free_port()) as upstream:
        port = free_port()
        config = config_for(port, timeout=1.0)
        store = RemoteStore(upstream + "sparql", timeout=60)
        with serve_app(config, remote_backend(store, config), port) as url:
            response = httpx.get(url + path, headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 503, response.text
    assert "time limit (1 s)" in response.text
    assert response.headers["retry-after"] == "5"
