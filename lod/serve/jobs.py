"""What a query worker is asked to do and what it answers: plain picklable values, so that
requests and answers cross a pipe between the server and its worker processes.

A job carries the query text as the client sent it (checked by :mod:`lod.store.guard` before
it is sent), the protocol's dataset (``default-graph-uri``/``named-graph-uri``) and the result
format wanted; the answer is the serialized bytes, or an error with the HTTP status it maps to.
"""

from __future__ import annotations

from dataclasses import dataclass

from lod.serve.links import Links

#: Result formats by short name; the worker maps them to pyoxigraph's formats.
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
#: a graph answer (CONSTRUCT, DESCRIBE, a stored graph) larger than this is refused (413):
#: it is built in memory and sent whole.
MAX_GRAPH_BYTES = 256 * 1024 * 1024
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld", "nquads")


@dataclass(frozen=True)
class QueryJob:
    """A SPARQL query. ``results_format`` serves SELECT and ASK, ``graph_format`` CONSTRUCT
    and DESCRIBE: the client's Accept header may allow both, and only the query says which
    one is needed. ``max_rows``: more rows than this are refused, never cut."""

    query: str
    results_format: str | None = "json"
    graph_format: str | None = "ntriples"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int | None = None
    base_iri: str | None = None  # relative IRIs in the query resolve against it
    max_bytes: int = MAX_GRAPH_BYTES
    cut_at: int | None = None  # SELECT: keep this many rows and say there are more (``more``)


@dataclass(frozen=True)
class GraphJob:
    """One graph of the store (``graph`` None: the default graph), for the Graph Store
    Protocol's GET; ``exists_only`` for HEAD."""

    graph: str | None
    graph_format: str = "ntriples"
    exists_only: bool = False
    max_bytes: int = MAX_GRAPH_BYTES


@dataclass(frozen=True)
class StudyPage:
    """A study's content written as its HTML page (:mod:`lod.serve.web.study`) at the server
    path ``path``, linking under ``links``, instead of as RDF."""

    path: str
    links: Links


@dataclass(frozen=True)
class ContentJob:
    """What the feed carries for each of ``iris`` (:mod:`lod.serve.content`).
    ``datasets_only``: answer 404 unless every IRI is a stored dataset."""

    iris: tuple[str, ...]
    datasets_only: bool = False
    graph_format: str = "ntriples"  # written with lod's prefixes where the syntax has them
    max_bytes: int = MAX_GRAPH_BYTES
    head: bytes = b""  # N-Triples written first (a feed page's catalogue and paging)
    page: StudyPage | None = None  # one study's page in place of ``graph_format``


Job = QueryJob | GraphJob | ContentJob


@dataclass(frozen=True)
class Answer:
    """A worker's answer. ``kind``: ``results`` (SELECT, ASK), ``graph`` (CONSTRUCT, DESCRIBE,
    a stored graph) or ``error``; ``form`` is the query form (``select``, ``ask``, ``graph``)."""

    kind: str
    body: bytes = b""
    form: str = ""
    fmt: str = ""
    status: int = 200
    message: str = ""
    more: bool = False  # ``cut_at`` cut the rows


def error(status: int, message: str) -> Answer:
    return Answer("error", status=status, message=message)
