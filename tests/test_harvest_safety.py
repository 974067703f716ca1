"""Safety: only http(s); loopback/private/link-local/multicast refused without
--allow-private, on the address actually connected to and on every redirect hop; pages bounded
in bytes (a 60 MB page, a gzip bomb) and in time (a stalling server); RDF/XML with a DOCTYPE
(billion laughs) refused before parsing; wrong or missing Content-Type sniffed."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest

from lod.harvest.addresses import BlockedAddress, CheckedBackend, refusal
from tests.harvest_server import Request, Response, Server, serve
from tests.harvest_util import run_harvest, summary
from tests.paths import HARVEST


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def one_error_line(stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("lod: error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


@pytest.mark.parametrize(("address", "why"), [
    ("127.0.0.1", "a loopback address"), ("::1", "a loopback address"),
    ("10.1.2.3", "a private address"), ("192.168.0.1", "a private address"),
    ("172.16.5.4", "a private address"), ("169.254.169.254", "a link-local address"),
    ("fe80::1", "a link-local address"), ("224.0.0.1", "a multicast address"),
    ("ff02::1", "a multicast address"), ("0.0.0.0", "an unspecified address"),
    ("::ffff:127.0.0.1", "a loopback address"), ("100.64.0.1", "a reserved address"),
    ("240.0.0.1", "a private address"),
])
def test_addresses_refused(address: str, why: str) -> None:
    assert refusal(address, allow_private=False) == why


def test_public_addresses_allowed_and_private_ones_only_with_the_flag() -> None:
    assert refusal("93.184.215.14", allow_private=False) is None
    assert refusal("2606:4700::1111", allow_private=False) is None
    assert refusal("10.0.0.1", allow_private=True) is None
    assert refusal("224.0.0.1", allow_private=True) == "a multicast address"


def test_the_backend_checks_the_resolved_address_it_connects_to(server: Server) -> None:
    with pytest.raises(BlockedAddress, match="localhost resolves to .*loopback"):
        CheckedBackend(allow_private=False).connect_tcp("localhost", 80)
    port = int(server.base.rsplit(":", 1)[1])
    stream = CheckedBackend(allow_private=True).connect_tcp("localhost", port)
    stream.close()
    with pytest.raises(httpcore.ConnectError, match="cannot resolve"):
        CheckedBackend(allow_private=True).connect_tcp("no-such-host.invalid", 80)


def test_private_address_without_the_flag(server: Server, tmp_path: Path) -> None:
    server.file("/catalog", HARVEST / "view/page1.ttl", "text/turtle")
    result = run_harvest(tmp_path / "s", server.base + "/catalog", private=False)
    assert result.exit_code == 2
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in one_error_line(result.stderr)
    assert server.requests == []
    assert summary(result).pages == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/catalog.ttl", "/etc/passwd",
                                 "gopher://example.org/"])
def test_other_schemes_refused(url: str, tmp_path: Path) -> None:
    result = run_harvest(tmp_path / "s", url)
    assert result.exit_code == 2
    assert "only http and https URLs are harvested" in one_error_line(result.stderr)


def test_every_redirect_hop_is_checked(server: Server, tmp_path: Path) -> None:
    server.routes["/to-file"] = lambda _: (302, {"Location": "file:///etc/passwd"}, b"")
    result = run_harvest(tmp_path / "s", server.base + "/to-file")
    assert result.exit_code == 2
    assert "/to-file: redirected to file:/etc/passwd: refused" in one_error_line(result.stderr)
    server.routes["/round"] = lambda r: (302, {"Location": "/round"}, b"")
    result = run_harvest(tmp_path / "t", server.base + "/round")
    assert result.exit_code == 2 and "more than 5 redirects" in one_error_line(result.stderr)
    server.file("/catalog", HARVEST / "view/page1.ttl", "text/turtle")
    server.routes["/moved"] = lambda _: (301, {"Location": "/catalog"}, b"")
    server.routes["/catalog?page=2"] = lambda _: (404, {}, b"")
    assert summary(run_harvest(tmp_path / "u", server.base + "/moved")).datasets == 2


def _endless(chunk: bytes, total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield chunk
        sent += len(chunk)


def test_a_60_mb_page_stops_at_the_limit(server: Server, tmp_path: Path) -> None:
    line = b"<http://example.org/s> <http://example.org/p> \"" + b"x" * 1000 + b"\" .\n"
    server.routes["/big"] = lambda _: (200, {"Content-Type": "application/n-triples"},
                                       _endless(line * 64, 60_000_000))
    server.routes["/declared"] = lambda _: (200, {"Content-Type": "text/turtle",
                                                  "Content-Length": "60000000"}, b"")
    result = run_harvest(tmp_path / "s", server.base + "/big")
    assert result.exit_code == 2
    assert "over the limit of 50,000,000 bytes (--max-bytes)" in one_error_line(result.stderr)
    result = run_harvest(tmp_path / "t", server.base + "/declared", "--max-bytes", "1000000")
    assert "page is 60,000,000 bytes, over the limit of 1,000,000" in one_error_line(result.stderr)


def test_a_gzip_bomb_stops_early(server: Server, tmp_path: Path) -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 1_000_000
    bomb = b"".join(z.compress(block) for _ in range(2000)) + z.flush()  # 2 GB inflated
    assert len(bomb) < 3_000_000
    server.routes["/bomb"] = lambda _: (200, {"Content-Type": "text/turtle", "Content-Encoding": "gzip"},
                                        bomb)
    started = time.monotonic()
    result = run_harvest(tmp_path / "s", server.base + "/bomb", "--max-bytes", "5000000")
    assert "over the limit of 5,000,000 bytes" in one_error_line(result.stderr)
    assert result.exit_code == 2
    assert time.monotonic() - started < 60  # bounded (not an assertion on speed: a hang guard)


def test_a_stalling_server_times_out(server: Server, tmp_path: Path) -> None:
    def stall(_: Request) -> Response:
        def trickle() -> Iterator[bytes]:
            yield b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
            for _ in range(30):
                time.sleep(0.4)  # each read is quick, the page never ends
                yield b"# still here\n"
        return 200, {"Content-Type": "text/turtle"}, trickle()

    server.routes["/stall"] = stall
    server.routes["/silent"] = lambda _: (time.sleep(5), (200, {}, b""))[1]  # type: ignore[func-returns-value]
    result = run_harvest(tmp_path / "s", server.base + "/stall", "--timeout", "1")
    assert "page not received within 1 s" in one_error_line(result.stderr) and result.exit_code == 2
    result = run_harvest(tmp_path / "t", server.base + "/silent", "--timeout", "1")
    assert "no answer within 1 s" in one_error_line(result.stderr) and result.exit_code == 2


def test_billion_laughs_is_refused_before_parsing(server: Server, tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'
                       for i in range(1, 12))
    body = (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY l0 "ha">{entities}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="http://e.org/d">'
            '<dct:title>&l11;</dct:title></rdf:Description></rdf:RDF>').encode()
    server.routes["/laughs"] = lambda _: (200, {"Content-Type": "application/rdf+xml"}, body)
    result = run_harvest(tmp_path / "s", server.base + "/laughs")
    assert "RDF/XML with a DOCTYPE is refused" in one_error_line(result.stderr)
    assert result.exit_code == 2


def test_wrong_content_type(server: Server, tmp_path: Path) -> None:
    turtle = (HARVEST / "view/page1.ttl").read_bytes().replace(b"hydra:next <catalog?page=2> ;", b"")
    server.routes["/as-html"] = lambda _: (200, {"Content-Type": "text/html"}, turtle)
    assert summary(run_harvest(tmp_path / "s", server.base + "/as-html")).datasets == 2
    server.routes["/html"] = lambda _: (200, {"Content-Type": "text/turtle"},
                                        b"<!DOCTYPE html><html><body>Sign in</body></html>")
    result = run_harvest(tmp_path / "t", server.base + "/html")
    assert result.exit_code == 2
    assert "/html: " in one_error_line(result.stderr)
