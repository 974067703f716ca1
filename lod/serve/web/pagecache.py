"""Rendered pages kept per store generation.

A page (a study's HTML, a feed page, an ``/id/`` document) depends only on the store's content
and the request (path, query string, ``Accept``, conditional headers), so it is rendered once
per generation of the store and served again from memory until the store changes. Bounded by
entries and by bytes (each page, and all together); streamed responses and errors are never
kept.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

MAX_PAGES = 1024
MAX_PAGE_BYTES = 32 * 1024**2  # a feed page of 100 realistic datasets is a few MB
MAX_TOTAL_BYTES = 256 * 1024**2
_VARY = ("accept", "if-none-match", "if-modified-since")


@dataclass(frozen=True)
class _Kept:
    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


class PageCache:
    def __init__(self, entries: int = MAX_PAGES, page_bytes: int = MAX_PAGE_BYTES,
                 total_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.entries = entries
        self.page_bytes = page_bytes
        self.total_bytes = total_bytes
        self._bytes = 0
        self._generation: str | None = None
        self._pages: OrderedDict[tuple[str, ...], _Kept] = OrderedDict()

    @staticmethod
    def key(request: Request) -> tuple[str, ...]:
        return (request.method, request.url.path, request.url.query,
                *(request.headers.get(h, "") for h in _VARY))

    def get(self, generation: str, key: tuple[str, ...]) -> Response | None:
        if generation != self._generation:
            self._pages.clear()  # the store changed: every kept page may be stale
            self._bytes = 0
            self._generation = generation
            return None
        kept = self._pages.get(key)
        if kept is None:
            return None
        self._pages.move_to_end(key)
        response = Response(kept.body, status_code=kept.status)
        response.raw_headers = list(kept.headers)
        return response

    def put(self, generation: str, key: tuple[str, ...], response: Response) -> None:
        if (self.entries <= 0 or generation != self._generation
                or isinstance(response, StreamingResponse) or response.status_code >= 400):
            return
        body = bytes(response.body)
        if len(body) > self.page_bytes:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._pages[key] = _Kept(response.status_code, body, tuple(response.raw_headers))
        self._bytes += len(body)
        while len(self._pages) > self.entries or self._bytes > self.total_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.body)
