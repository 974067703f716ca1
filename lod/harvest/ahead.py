"""Reading a feed's next page ahead: while the current page is normalised and written, the next
one is fetched on a thread of its own, so the source's time to render a page and lod's time to
digest one overlap. The fetch is the ordinary :class:`~lod.harvest.fetch.Fetcher` call, with
every limit it has (bytes, time, checked addresses, retries); at most one page is ahead, and
a page fetched ahead is only used when the run asks for that very URL next."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from lod.harvest.fetch import Fetcher, Page

_Key = tuple[str, str, str | None]  # url, Accept, ETag sent


class ReadAhead:
    def __init__(self, fetch: Fetcher) -> None:
        self._fetch = fetch
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lod-harvest-ahead")
        self._ahead: tuple[_Key, Future[Page]] | None = None

    def start(self, url: str, *, accept: str, etag: str | None = None) -> None:
        """Begin fetching ``url`` in the background (dropping any other page ahead)."""
        self._drop()
        self._ahead = ((url, accept, etag),
                       self._pool.submit(self._fetch.get, url, accept=accept, etag=etag))

    def get(self, url: str, *, accept: str, etag: str | None = None) -> Page:
        """The page, from the fetch ahead when it was for this URL (its error, if it failed,
        is raised here), else fetched now."""
        if self._ahead is not None and self._ahead[0] == (url, accept, etag):
            future = self._ahead[1]
            self._ahead = None
            return future.result()
        self._drop()
        return self._fetch.get(url, accept=accept, etag=etag)

    def close(self) -> None:
        self._drop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _drop(self) -> None:
        if self._ahead is not None:
            future = self._ahead[1]
            self._ahead = None
            if not future.cancel():
                future.exception()  # wait: the client is not used by two threads at once


__all__ = ["ReadAhead"]
