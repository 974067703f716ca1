"""An httpx transport whose connections go through :class:`CheckedBackend`.

httpx offers no hook for the network backend, so this is the small bridge between an
``httpx.Request`` and an ``httpcore.ConnectionPool`` built with one. Proxies from the
environment are never used: a proxy would make the address check meaningless.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpcore
import httpx

from lod.harvest.addresses import CheckedBackend


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: httpcore.Response) -> None:
        self._response = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class CheckedTransport(httpx.BaseTransport):
    def __init__(self, *, allow_private: bool) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=CheckedBackend(allow_private=allow_private),
                                             max_connections=4)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        response = self._pool.handle_request(core_request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_Body(response), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()
