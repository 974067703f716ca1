"""A small HTTP client for SPARQL servers, on httpx.

One instance per remote store holds its own connection pool (no process-wide state):
credentials for HTTP basic or digest auth, a timeout on every request, a bounded retry with
backoff for transient failures (connection reset, 502/503/504), and one-line StoreError
messages that name the URL and what happened.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from lod.errors import StoreError, UsageError

AUTH_SCHEMES = ("auto", "digest", "basic")
RETRY_STATUS = frozenset({502, 503, 504})
USER_AGENT = "lod (+https://pypi.org/project/lod/)"


@dataclass(frozen=True)
class Response:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def first_line(self) -> str:
        return first_line(self.body, self.content_type)


class _ChallengeAuth(httpx.Auth):
    """``auto``: send no credentials until the server's 401 names a scheme, then use that
    scheme (digest or basic) for this and every later request."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if scheme not in ("digest", "basic"):
            return
        self._chosen = self._digest if scheme == "digest" else self._basic
        flow = self._chosen.auth_flow(request)
        retry = next(flow)
        if scheme == "digest":  # the digest flow first sends the bare request: answer it
            retry = flow.send(response)
        yield retry


class HttpClient:
    """Sends requests; returns any response below 500 except 401/403, raises StoreError else."""

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: str = "auto",
        timeout: float = 60.0,
        tries: int = 3,
        backoff: float = 0.5,
        urls: tuple[str, ...] = (),
    ) -> None:
        if auth not in AUTH_SCHEMES:
            raise UsageError(f"unknown auth scheme {auth!r}; choose one of {', '.join(AUTH_SCHEMES)}")
        if password is not None and user is None:
            raise UsageError("a password was given without a user")
        self.user = user
        self.timeout = timeout
        self.tries = max(1, tries)
        self.backoff = backoff
        self._secret = password or ""
        self._scheme = auth
        self._roots = {url_root(url) for url in urls}
        self._client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                    trust_env=False)
        # Digest auth counts nonces per conversation: one auth object per thread.
        self._local = threading.local()

    def close(self) -> None:
        self._client.close()

    def _auth(self, url: str) -> httpx.Auth | None:
        if self.user is None or (self._roots and url_root(url) not in self._roots):
            return None
        auth: httpx.Auth | None = getattr(self._local, "auth", None)
        if auth is None:
            if self._scheme == "basic":
                auth = httpx.BasicAuth(self.user, self._secret)
            elif self._scheme == "digest":
                auth = httpx.DigestAuth(self.user, self._secret)
            else:
                auth = _ChallengeAuth(self.user, self._secret)
            self._local.auth = auth
        return auth

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        auth = self._auth(url)
        for attempt in range(1, self.tries + 1):
            try:
                resp = self._client.request(method, url, content=body, headers=dict(headers or {}),
                                            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT)
            except httpx.TimeoutException:
                raise self._timeout_error(url) from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as err:
                # The server closed the connection mid-answer: transient more often than not.
                if attempt < self.tries:
                    self._sleep(attempt)
                    continue
                raise StoreError(f"connection to {url} failed: {_reason_text(err)}") from None
            except httpx.TransportError as err:
                raise StoreError(f"cannot reach {url}: {_reason_text(err)}") from None
            response = Response(resp.status_code, resp.headers, resp.content, url)
            if resp.status_code in (401, 403):
                raise self._auth_error(url, resp.status_code)
            if resp.status_code in RETRY_STATUS and attempt < self.tries:
                self._sleep(attempt)
                continue
            if resp.status_code >= 500:
                raise StoreError(f"{url} failed (HTTP {resp.status_code}): {response.first_line()}")
            return response
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _sleep(self, attempt: int) -> None:
        time.sleep(self.backoff * (2 ** (attempt - 1)))

    def _auth_error(self, url: str, status: int) -> StoreError:
        if self.user is None:
            return StoreError(f"{url} requires credentials (HTTP {status}); give a user and password")
        return StoreError(f"credentials refused by {url} (HTTP {status}, user {self.user!r})")

    def _timeout_error(self, url: str) -> StoreError:
        return StoreError(f"{url} did not answer within {self.timeout:g} s (timeout)")


def first_line(body: bytes, content_type: str = "") -> str:
    """The first non-blank line of a server's error message, shortened."""
    if "html" in content_type:
        return "(the server sent an HTML error page)"
    text = body.decode("utf-8", errors="replace")
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= 300 else line[:297] + "..."
    return "(no message)"


def url_root(url: str) -> str:
    """``scheme://host:port/`` of a URL: credentials apply to everything under it."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _reason_text(err: httpx.TransportError) -> str:
    cause: BaseException | None = err
    while cause is not None and cause.__context__ is not None and not str(cause):
        cause = cause.__context__
    text = str(err)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "Errno" in text and "]" in text:
        return text.split("]", 1)[1].strip()
    return text or type(err).__name__
