"""Rendered pages kept per store generation.

A page (a study's HTML, a feed page, an ``/id/`` document) depends only on the store's content
and the request (path, query string, ``Accept``), so it is rendered once
per generation of the store and served again from memory until the store changes. Bounded by
entries and by bytes (each page, and all together); streamed responses and errors are never
kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from lod.serve.generational import Generational

MAX_PAGES = 1024
MAX_PAGE_BYTES = 32 * 1024**2  # a feed page of 100 realistic datasets is a few MB
MAX_TOTAL_BYTES = 256 * 1024**2
_VARY = ("accept",)
_CONDITIONS = (b"if-none-match", b"if-modified-since")


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
        self._pages: Generational[tuple[str, ...], _Kept] = Generational(
            entries, weigh=lambda kept: len(kept.body), total=total_bytes)

    @staticmethod
    def key(request: Request) -> tuple[str, ...]:
        return (request.method, request.url.path, request.url.query,
                *(request.headers.get(h, "") for h in _VARY))

    def get(self, generation: str, key: tuple[str, ...]) -> Response | None:
        _, kept = self._pages.lookup(generation, key)
        if kept is None:
            return None
        response = Response(kept.body, status_code=kept.status)
        response.raw_headers = list(kept.headers)
        return response

    def put(self, generation: str, key: tuple[str, ...], response: Response) -> None:
        if isinstance(response, StreamingResponse) or response.status_code >= 400:
            return
        body = bytes(response.body)
        if len(body) > self.page_bytes:
            return
        self._pages.put(generation, key, _Kept(response.status_code, body, tuple(response.raw_headers)))


def unconditional(request: Request) -> Request:
    """The request without its conditional headers: what the kept page is rendered for."""
    headers = [(k, v) for k, v in request.scope["headers"] if k not in _CONDITIONS]
    if len(headers) == len(request.scope["headers"]):
        return request
    return Request({**request.scope, "headers": headers}, request.receive)


def conditional(request: Request, page: Response) -> Response:
    """``304 Not Modified`` when the request's ``If-None-Match`` names the page's ETag (or,
    without one, its ``If-Modified-Since`` is no earlier than the page's ``Last-Modified``);
    else the page."""
    etag = page.headers.get("etag")
    if page.status_code != 200 or etag is None and page.headers.get("last-modified") is None:
        return page
    asked = request.headers.get("if-none-match")
    if asked is not None:
        tags = {t.strip() for t in asked.split(",")}
        fresh = etag is not None and (etag in tags or "*" in tags)
    else:
        fresh = _not_modified_since(page.headers.get("last-modified"),
                                    request.headers.get("if-modified-since"))
    if not fresh:
        return page
    keep = {k: v for k, v in page.headers.items()
            if k in ("etag", "last-modified", "vary", "cache-control", "content-location")}
    return Response(status_code=304, headers=keep)


def _not_modified_since(modified: str | None, since: str | None) -> bool:
    if modified is None or since is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # a malformed date: answer in full
