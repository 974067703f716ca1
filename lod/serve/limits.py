"""Request size limits: the body (413), the URL (414), the header block (431). uvicorn's
parser bounds what it buffers before the app sees a request; these bound what the app takes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from lod.serve.protocol import ProtocolError

MAX_BODY = 10 * 1024 * 1024
MAX_URL = 16 * 1024
MAX_HEADERS = 32 * 1024


async def read_body(request: Request, limit: int) -> bytes:
    """The whole request body, or 413 once it passes ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than the server's limit ({limit:,} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than the server's limit ({limit:,} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


class RequestLimits:
    """Answers 414 to a request whose path and query string are longer than ``url``, 431 to
    one whose headers together are larger than ``headers`` bytes."""

    def __init__(self, app: ASGIApp, url: int = MAX_URL, headers: int = MAX_HEADERS) -> None:
        self.app = app
        self.url = url
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = self._refusal(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> PlainTextResponse | None:
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if size > self.url:
            return PlainTextResponse(f"the URL is longer than the server's limit ({self.url:,} "
                                     "bytes); send the query by POST\n", status_code=414)
        if sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or []) > self.headers:
            return PlainTextResponse(f"the request's headers are larger than the server's limit "
                                     f"({self.headers:,} bytes)\n", status_code=431)
        return None
