"""Request size limits: the body (413), the URL (414); uvicorn bounds the headers (its h11
parser refuses a header block over ``h11_max_incomplete_event_size``, set by the command)."""

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


class UrlLimit:
    """Answers 414 to a request whose path and query string are longer than ``limit``."""

    def __init__(self, app: ASGIApp, limit: int = MAX_URL) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
            if size > self.limit:
                response = PlainTextResponse(
                    f"the URL is longer than the server's limit ({self.limit:,} bytes); "
                    "send the query by POST\n", status_code=414)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
