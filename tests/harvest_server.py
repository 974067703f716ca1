"""A real HTTP server on 127.0.0.1 for the harvest tests: routes are plain functions of the
request (path with query, headers) returning status, headers and body (bytes, or an iterator
of byte chunks for slow or endless bodies). Every request is logged for the tests to check."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

Body = bytes | Iterable[bytes]
Response = tuple[int, dict[str, str], Body]
Route = Callable[["Request"], Response]


@dataclass
class Request:
    path: str  # with the query
    headers: dict[str, str]

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> str:
        return urlsplit(self.path).query


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def file(self, route: str, path: Path, content_type: str, **extra: str) -> None:
        """Serve a file, with ``__BASE__`` replaced by this server's address."""
        def serve(_: Request) -> Response:
            body = path.read_bytes().replace(b"__BASE__", self.base.encode())
            return 200, {"Content-Type": content_type, **extra}, body
        self.routes[route] = serve

    def text(self, route: str, body: str, content_type: str = "text/turtle") -> None:
        self.routes[route] = lambda _: (200, {"Content-Type": content_type},
                                        body.replace("__BASE__", self.base).encode())


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
            server.requests.append(request)
            route = server.routes.get(request.path) or server.routes.get(request.route)
            answer: Response = (404, {"Content-Type": "text/plain"}, b"not found") if route is None \
                else route(request)
            status, headers, body = answer
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.end_headers()
            try:
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the harvester gave up on this body, as it should

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def serve() -> Iterator[Server]:
    """A running server (for a fixture: ``yield from serve()``)."""
    server = Server("")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
