"""A small HTTP client for SPARQL servers, on the standard library's ``urllib.request``.

One instance per remote store holds its own openers (no process-wide state; one per thread,
since urllib's digest handler is stateful): credentials for
HTTP basic or digest auth, a timeout on every request, a bounded retry with backoff for
transient failures (connection reset, 502/503/504), and one-line StoreError messages that
name the URL and what happened.
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from lod.errors import StoreError, UsageError

AUTH_SCHEMES = ("auto", "digest", "basic")
RETRY_STATUS = frozenset({502, 503, 504})
USER_AGENT = "lod (+https://pypi.org/project/lod/)"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type() if self.headers else ""

    def first_line(self) -> str:
        return first_line(self.body, self.content_type)


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
        self._basic_header: str | None = None
        self._passwords: urllib.request.HTTPPasswordMgrWithDefaultRealm | None = None
        self._auth = auth
        if user is not None:
            secret = password or ""
            if auth == "basic":
                token = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
                self._basic_header = f"Basic {token}"
            else:
                self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                for url in urls:
                    self._passwords.add_password(None, url, user, secret)
        # urllib's digest handler keeps per-conversation state: one opener per thread.
        self._local = threading.local()

    def _opener(self) -> urllib.request.OpenerDirector:
        opener: urllib.request.OpenerDirector | None = getattr(self._local, "opener", None)
        if opener is None:
            handlers: list[urllib.request.BaseHandler] = []
            if self._passwords is not None:
                handlers.append(urllib.request.HTTPDigestAuthHandler(self._passwords))
                if self._auth == "auto":
                    handlers.append(urllib.request.HTTPBasicAuthHandler(self._passwords))
            opener = urllib.request.build_opener(*handlers)
            self._local.opener = opener
        return opener

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if self._basic_header:
            all_headers["Authorization"] = self._basic_header
        for attempt in range(1, self.tries + 1):
            req = urllib.request.Request(url, data=body, headers=all_headers, method=method)
            try:
                with self._opener().open(req, timeout=self.timeout) as resp:
                    return Response(resp.status, resp.headers, resp.read(), url)
            except urllib.error.HTTPError as err:
                response = Response(err.code, err.headers, _read_error_body(err), url)
                if err.code in (401, 403):
                    raise self._auth_error(url, err.code) from None
                if err.code in RETRY_STATUS and attempt < self.tries:
                    self._sleep(attempt)
                    continue
                if err.code >= 500:
                    raise StoreError(f"{url} failed (HTTP {err.code}): {response.first_line()}") from None
                return response
            except urllib.error.URLError as err:
                reason = err.reason
                if isinstance(reason, TimeoutError | socket.timeout):
                    raise self._timeout_error(url) from None
                transient = isinstance(reason, ConnectionResetError | ConnectionAbortedError)
                if transient and attempt < self.tries:
                    self._sleep(attempt)
                    continue
                raise StoreError(f"cannot reach {url}: {_reason_text(reason)}") from None
            except TimeoutError:
                raise self._timeout_error(url) from None
            except (ConnectionResetError, ConnectionAbortedError, http.client.HTTPException) as err:
                # The server closed the connection mid-answer (RemoteDisconnected and
                # IncompleteRead land here): transient more often than not.
                if attempt < self.tries:
                    self._sleep(attempt)
                    continue
                raise StoreError(f"connection to {url} failed: {_reason_text(err)}") from None
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


def _read_error_body(err: urllib.error.HTTPError) -> bytes:
    try:
        return err.read()
    except (OSError, http.client.HTTPException):
        return b""


def _reason_text(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
