"""Reading a SPARQL 1.1 Protocol request (https://www.w3.org/TR/sparql11-protocol/): which
operation it carries, by which of the protocol's three ways, and with which dataset.

Anything the protocol does not allow is a :class:`ProtocolError` with the HTTP status to
answer (400 for a malformed request, 415 for a body of the wrong media type).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.requests import Request

from lod.store.guard import tokens

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
MAX_FIELDS = 1000


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Operation:
    """A query or an update (``kind``), its text and the protocol's dataset parameters."""

    kind: str
    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def media_type(request: Request) -> tuple[str, str | None]:
    """The request body's media type (lower case, no parameters) and its charset, if given."""
    header = request.headers.get("content-type", "")
    bare, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return bare.lower(), charset


def parse_pairs(text: str) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                                      max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(400, f"malformed form or query string: {err}") from None


def decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"the body must be UTF-8, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the body is not valid UTF-8") from None


def operation(method: str, url_pairs: list[tuple[str, str]], kind_type: str, charset: str | None,
              body: bytes) -> Operation | None:
    """The operation a request carries, or None for a GET with no query (the service
    description or the query page)."""
    pairs = list(url_pairs)
    direct: tuple[str, str] | None = None
    if method == "POST":
        if kind_type == FORM:
            pairs += parse_pairs(decode(body, charset))
        elif kind_type == QUERY_TYPE:
            direct = ("query", decode(body, charset))
        elif kind_type == UPDATE_TYPE:
            direct = ("update", decode(body, charset))
        else:
            raise ProtocolError(
                415, f"a POST to /sparql must be {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}, "
                     f"not {kind_type or 'without a Content-Type'}")
    queries = [v for k, v in pairs if k == "query"]
    updates = [v for k, v in pairs if k == "update"]
    if direct is not None:
        (queries if direct[0] == "query" else updates).append(direct[1])
    if len(queries) + len(updates) > 1:
        raise ProtocolError(400, "give exactly one query or update per request")
    if method == "GET" and updates:
        raise ProtocolError(400, "updates must be sent by POST, not GET")
    if not queries and not updates:
        if method == "GET":
            return None
        raise ProtocolError(400, "the request has no query and no update")
    if queries:
        return Operation("query", queries[0],
                         tuple(v for k, v in pairs if k == "default-graph-uri"),
                         tuple(v for k, v in pairs if k == "named-graph-uri"))
    return Operation("update", updates[0],
                     tuple(v for k, v in pairs if k == "using-graph-uri"),
                     tuple(v for k, v in pairs if k == "using-named-graph-uri"))


def with_base(text: str, base: str) -> str:
    """The operation with a BASE in front, so relative IRIs resolve against the endpoint
    (its own BASE, later in the prologue, still wins)."""
    return f"BASE {graph_iri(base)} {text}"  # same line: error messages keep their line numbers


def with_using(update: str, default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> str:
    """An update with ``using-graph-uri``/``using-named-graph-uri`` written in as ``USING``
    clauses before each operation's top-level ``WHERE`` (the protocol says they mean the
    same). An update that has its own ``USING`` or ``WITH`` is an error (400)."""
    if not default_graphs and not named_graphs:
        return update
    clause = "".join(f" USING {graph_iri(g)}" for g in default_graphs) + "".join(
        f" USING NAMED {graph_iri(g)}" for g in named_graphs)
    out: list[str] = []
    depth = 0
    previous = ""
    for kind, text, _ in tokens(update):
        word = text.upper() if kind == "word" else ""
        if word in ("USING", "WITH"):
            raise ProtocolError(400, f"the update has its own {word} clause and the request "
                                     "using-graph-uri/using-named-graph-uri: give one or the other")
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        if word == "WHERE" and depth == 0 and previous not in ("DELETE", "INSERT"):
            out.append(clause + " ")
        out.append(text)
        if kind not in ("space", "comment"):
            previous = word or text
    return "".join(out)


def graph_iri(value: str) -> str:
    """``<value>`` once pyoxigraph accepts it as an absolute IRI (so it is safe to write into
    SPARQL), else 400."""
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise ProtocolError(400, f"not a valid absolute IRI: {value!r}") from None


def check_graph_iris(iris: tuple[str, ...]) -> None:
    for value in iris:
        graph_iri(value)
