"""Fetching one page safely: http(s) only, checked addresses, each redirect hop checked,
bounded bytes (decompressed size counted, so a gzip bomb stops early), bounded time, and
retries with backoff on 429/502/503/504 and connection errors, honouring ``Retry-After``."""

from __future__ import annotations

import email.utils
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpcore
import httpx

from lod.errors import LodError
from lod.harvest.addresses import BlockedAddress
from lod.harvest.transport import CheckedTransport

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_REDIRECTS = 5
_GZIP_MAGIC = b"\x1f\x8b"


class FetchError(LodError):
    """A page could not be fetched (after retries); the message names the URL."""


class Refused(FetchError):
    """A URL lod will not fetch at all: wrong scheme, forbidden address, oversized page."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 60.0  # per page, whole body included
    max_bytes: int = 50_000_000  # per page, after decompression
    retries: int = 3
    backoff: float = 1.0  # first wait, doubled each retry
    max_wait: float = 60.0  # cap on any wait, Retry-After included
    allow_private: bool = False


@dataclass
class Page:
    url: str  # after redirects
    status: int  # 200, or 304 when the ETag still matched
    body: bytes
    content_type: str | None
    etag: str | None
    headers: Mapping[str, str] = field(default_factory=dict)


class Fetcher:
    """One HTTP client for a run (connections are reused between pages)."""

    def __init__(self, policy: FetchPolicy, *, sleep: Callable[[float], None] = time.sleep,
                 user_agent: str = "lod-harvest") -> None:
        self.policy = policy
        self._sleep = sleep
        self._client = httpx.Client(transport=CheckedTransport(allow_private=policy.allow_private),
                                    trust_env=False, follow_redirects=False,
                                    timeout=httpx.Timeout(policy.timeout),
                                    headers={"User-Agent": user_agent,
                                             "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, accept: str, etag: str | None = None) -> Page:
        attempt = 0
        while True:
            try:
                return self._follow(url, accept, etag)
            except _Retryable as err:
                if attempt >= self.policy.retries:
                    raise FetchError(f"{url}: {err.reason} (after {attempt + 1} attempts)") from None
                wait = err.retry_after if err.retry_after is not None \
                    else self.policy.backoff * (2 ** attempt)
                self._sleep(min(max(wait, 0.0), self.policy.max_wait))
                attempt += 1

    def _follow(self, url: str, accept: str, etag: str | None) -> Page:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                check_scheme(current)
            except Refused as err:
                if current == url:
                    raise
                raise Refused(f"{url}: redirected to {err}") from None
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            page = self._once(current, headers)
            if isinstance(page, Page):
                return page
            current = page  # a redirect's target, checked on the next turn
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, headers: dict[str, str]) -> Page | str:
        deadline = time.monotonic() + self.policy.timeout
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308) and "location" in response.headers:
                    return str(response.url.join(response.headers["location"]))
                if status in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {status}", _retry_after(response.headers.get("retry-after")))
                if status == 304:
                    return Page(str(response.url), 304, b"", None, response.headers.get("etag"),
                                dict(response.headers))
                if status != 200:
                    raise FetchError(f"{url}: HTTP {status}")
                body = self._read(url, response, deadline)
                return Page(str(response.url), 200, body, response.headers.get("content-type"),
                            response.headers.get("etag"), dict(response.headers))
        except BlockedAddress as err:
            raise Refused(f"{url}: refused: {err}") from None
        except httpx.UnsupportedProtocol as err:
            raise Refused(f"{url}: refused: {err}") from None
        except httpx.TimeoutException:
            raise FetchError(f"{url}: no answer within {self.policy.timeout:g} s") from None
        except (httpx.TransportError, httpcore.NetworkError, httpcore.RemoteProtocolError) as err:
            raise _Retryable(f"connection failed: {err or type(err).__name__}", None) from None
        except httpcore.TimeoutException:
            raise FetchError(f"{url}: no answer within {self.policy.timeout:g} s") from None

    def _read(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}")
        declared = response.headers.get("content-length")
        if encoding == "identity" and declared and declared.isdigit() and int(declared) > limit:
            raise Refused(f"{url}: page is {int(declared):,} bytes, over the limit of "
                          f"{limit:,} (--max-bytes)")
        inflater: _Inflater | None = _Inflater(encoding) if encoding != "identity" else None
        out = bytearray()
        raw_seen = 0
        for chunk in response.iter_raw():
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: page not received within {self.policy.timeout:g} s")
            raw_seen += len(chunk)
            if inflater is None and not out and chunk[:2] == _GZIP_MAGIC:
                inflater = _Inflater("gzip")  # a gzip file served without Content-Encoding
            pieces = inflater.feed(chunk, limit - len(out) + 1) if inflater else [chunk]
            for piece in pieces:
                out += piece
                if len(out) > limit or raw_seen > limit:
                    raise Refused(f"{url}: page is over the limit of {limit:,} bytes (--max-bytes)")
        if inflater is not None:
            inflater.finish(url)
        return bytes(out)


class _Inflater:
    """gzip/deflate decompression that never produces more than asked for at once."""

    def __init__(self, encoding: str) -> None:
        self._z = zlib.decompressobj(wbits=47 if encoding != "deflate" else 15)

    def feed(self, data: bytes, room: int) -> list[bytes]:
        pieces = []
        while data:
            try:
                piece = self._z.decompress(data, max(room, 1))
            except zlib.error as err:
                raise FetchError(f"bad compressed body: {err}") from None
            pieces.append(piece)
            room -= len(piece)
            if room <= 0:
                break  # over the limit: the caller stops
            data = self._z.unconsumed_tail
            if self._z.eof:
                break
        return pieces

    def finish(self, url: str) -> None:
        if not self._z.eof:
            raise FetchError(f"{url}: compressed body ends early")


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def check_scheme(url: str) -> None:
    try:
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL as err:
        raise Refused(f"{url}: not a valid URL ({err})") from None
    if scheme not in ("http", "https"):
        raise Refused(f"{url}: refused: only http and https URLs are harvested, "
                      f"not {scheme + ':' if scheme else 'a bare path'}")


__all__ = ["FetchError", "FetchPolicy", "Fetcher", "Page", "Refused", "check_scheme"]
