"""A remote store: any SPARQL 1.1 server, through the protocols alone.

- Queries: SPARQL 1.1 Protocol, form-encoded POST with an explicit Accept header (Virtuoso
  answers HTML without one, and can hang on a POST whose body is ``application/sparql-query``).
  Results are read by rdflib's SPARQL results parsers, which also take Virtuoso's old
  ``typed-literal`` JSON; Virtuoso's ASK-as-a-table answer is understood too.
- Updates: SPARQL 1.1 Update, form-encoded POST.
- Bulk writes: with the Graph Store Protocol (``gsp_endpoint``), many small graphs are
  staged (:mod:`lod.store.staging`: one POST of ~5,000 triples into a staging graph, one
  SPARQL Update that moves them into their graphs); a graph with blank nodes, or a batch of
  a few graphs, goes as one PUT per graph with the whole graph in the body (a graph is never
  split: blank nodes are scoped to a request). Without GSP, ``DROP SILENT GRAPH`` +
  ``INSERT DATA`` in requests of at most 1,000 triples.

Writes are best effort per staged batch or graph: a failure midway leaves earlier graphs of
the batch in their new state and later ones in their old state.
Some servers cap result sizes (Virtuoso: ``ResultSetMaxRows``, 10,000 by default) without
saying so in the results; ``select`` warns (TruncatedResultWarning) when the server flags
it or exactly that many rows came back, and ``graphs``/``dump`` page through results.
"""

from __future__ import annotations

import io
import urllib.parse
import warnings
from collections.abc import Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from lod.errors import QueryError, StoreError, UsageError
from lod.store import staging
from lod.store.base import (
    DUMP_PREFIXES,
    Bindings,
    ClosingMixin,
    SelectResult,
    TruncatedResultWarning,
    dump_format,
)
from lod.store.bindings import inject_values
from lod.store.gsp import GraphStore
from lod.store.guard import check_query, check_update
from lod.store.http import HttpClient, Response, url_root
from lod.store.terms import iri, to_ox
from lod.store.writes import has_blank_nodes, ntriples, write_by_update

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
UPDATE_ACCEPT = "application/sparql-results+json, text/plain;q=0.9, */*;q=0.5"
FORM = "application/x-www-form-urlencoded"
_VIRTUOSO_ASK = "__ASK_RETVAL"


class RemoteStore(ClosingMixin):
    """A SPARQL 1.1 server at ``endpoint`` (queries), ``update_endpoint`` (defaults to
    ``endpoint``) and optionally ``gsp_endpoint`` (Graph Store Protocol)."""

    remote = True
    page_size = 10_000  # rows per page when reading everything (at most Virtuoso's cap)
    update_chunk_triples = 1_000  # INSERT DATA size; Virtuoso gives up at a few thousand
    gsp_chunk_triples = 50_000  # POST size when adding a large graph without blank nodes
    staging_chunk_triples = 5_000  # per staged request; Virtuoso inserts bigger ones slower per triple
    staging_min_graphs = 8  # fewer graphs than this in a batch: one PUT each instead
    names_per_request = 200  # graphs per existence check or DROP request
    suspicious_row_counts = frozenset({10_000})  # common silent caps

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "auto",
        timeout: float = 60.0,
        read_only: bool = False,
    ) -> None:
        for url in (endpoint, update_endpoint, gsp_endpoint):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"not an http(s) URL: {url!r}")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.gsp_endpoint = gsp_endpoint
        self.read_only = read_only
        roots = tuple({url_root(u) for u in (endpoint, self.update_endpoint, gsp_endpoint) if u})
        self._http = HttpClient(user=user, password=password, auth=auth, timeout=timeout, urls=roots)
        self._gsp = GraphStore(gsp_endpoint, self._http) if gsp_endpoint else None
        self._closed = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # -- writes -------------------------------------------------------------------------

    def replace_graphs(self, nquads: bytes, graphs: Sequence[str]) -> None:
        names = list(dict.fromkeys(graphs))
        for name in names:
            iri(name)
        groups = self._group(nquads, allowed=set(names))
        if self._gsp is not None:
            staging.replace_graphs(
                self._gsp,
                self.update,
                groups,
                names,
                chunk_triples=self.staging_chunk_triples,
                min_graphs=self.staging_min_graphs,
            )
        else:
            write_by_update(self.update, groups, names, self.update_chunk_triples)

    def add_nquads(self, nquads: bytes) -> None:
        groups = self._group(nquads, allowed=None)
        if self._gsp is not None:
            for name, triples in groups.items():
                size = len(triples) if has_blank_nodes(triples) else self.gsp_chunk_triples
                for start in range(0, len(triples), size):
                    self._gsp.post(name, ntriples(triples[start : start + size]))
        else:
            write_by_update(self.update, groups, [], self.update_chunk_triples)

    def delete_graphs(self, graphs: Sequence[str]) -> int:
        self._check_writable()
        names = list(dict.fromkeys(graphs))
        if self._gsp is not None:
            return sum(self._gsp.delete(iri(name).value) for name in names)
        existing: list[str] = []
        for start in range(0, len(names), self.names_per_request):
            chunk = names[start : start + self.names_per_request]
            values = " ".join(str(iri(g)) for g in chunk)
            query = f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            found = {str(row["g"]) for row in self._select(query).rows if "g" in row}
            existing.extend(g for g in chunk if g in found)
        for start in range(0, len(existing), self.names_per_request):
            chunk = existing[start : start + self.names_per_request]
            self.update(" ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in chunk))
        return len(existing)

    def update(self, sparql: str) -> None:
        self._check_writable()
        check_update(sparql)
        body = urllib.parse.urlencode({"update": sparql}).encode("ascii")
        response = self._post(self.update_endpoint, body, UPDATE_ACCEPT)
        if response.status >= 300:
            raise StoreError(
                f"{self.update_endpoint} rejected the update (HTTP {response.status}): "
                f"{response.first_line()}"
            )

    # -- reads --------------------------------------------------------------------------

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        return self._select(inject_values(query, bindings), warn=True)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result, _ = self._results(inject_values(query, bindings))
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type == "SELECT" and [str(v) for v in result.vars or []] == [_VIRTUOSO_ASK]:
            # Virtuoso answers ASK as a one-column table: one row "1" for true, none for false.
            return any(_truthy(row.get(_VIRTUOSO_ASK)) for row in _rows(result))
        raise QueryError(f"{self.endpoint} did not answer with a boolean: not an ASK query?")

    def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        response = self._query_request(inject_values(query, bindings), GRAPH_ACCEPT)
        rdf_format = _graph_format(response)
        try:
            quads = ox.parse(response.body, format=rdf_format)
            data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
        except SyntaxError as err:
            raise StoreError(f"{self.endpoint} sent an unreadable graph: {err}") from None
        return data if data is not None else b""

    def has_graph(self, graph: str) -> bool:
        return self.ask("ASK WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(iri(graph).value)})

    def graphs(self) -> list[str]:
        query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
        return [str(row["g"]) for row in self._select_all(query) if isinstance(row.get("g"), URIRef)]

    def triple_count(self, graph: str | None = None) -> int:
        query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        bindings = None if graph is None else {"g": URIRef(iri(graph).value)}
        rows = self.select(query, bindings).rows
        value = rows[0].get("n") if rows else None
        if not isinstance(value, Literal):
            raise StoreError(f"{self.endpoint} did not return a count")
        return int(value)

    def dump(self, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
        rdf_format = dump_format(fmt)
        names = [graph] if graph is not None else self.graphs()
        prefixes = DUMP_PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None

        def quads() -> Iterator[ox.Quad]:
            for name in names:
                node = iri(name)
                for t in self._graph_triples(name):
                    yield ox.Quad(t.subject, t.predicate, t.object, node)

        if rdf_format.supports_datasets:
            ox.serialize(quads(), out, rdf_format, prefixes=prefixes)
        else:
            ox.serialize((q.triple for q in quads()), out, rdf_format, prefixes=prefixes)

    def close(self) -> None:
        self._closed = True
        self._http.close()

    # -- internals ----------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"store {self.endpoint} is closed")
        if self.read_only:
            raise StoreError(f"store {self.endpoint} was opened read-only")

    def _post(self, url: str, body: bytes, accept: str) -> Response:
        if self._closed:
            raise StoreError(f"store {self.endpoint} is closed")
        headers = {"Content-Type": FORM, "Accept": accept}
        return self._http.request("POST", url, body=body, headers=headers)

    def _query_request(self, query: str, accept: str) -> Response:
        check_query(query)
        body = urllib.parse.urlencode({"query": query}).encode("ascii")
        response = self._post(self.endpoint, body, accept)
        if response.status == 400:
            raise QueryError(f"{self.endpoint} rejected the query: {response.first_line()}")
        if response.status >= 300:
            raise StoreError(
                f"{self.endpoint} answered HTTP {response.status} "
                f"(is it a SPARQL endpoint?): {response.first_line()}"
            )
        if "html" in response.content_type:
            raise StoreError(
                f"{self.endpoint} answered with an HTML page, not SPARQL results; is it a SPARQL endpoint?"
            )
        return response

    def _results(self, query: str) -> tuple[Result, Response]:
        response = self._query_request(query, RESULTS_ACCEPT)
        fmt = "xml" if "xml" in response.content_type else "json"
        try:
            result = Result.parse(io.BytesIO(response.body), format=fmt)
        except (ValueError, KeyError, TypeError, SyntaxError) as err:
            raise StoreError(f"{self.endpoint} sent results lod cannot read: {err}") from None
        return result, response

    def _select(self, query: str, *, warn: bool = False) -> SelectResult:
        result, response = self._results(query)
        if result.type != "SELECT":
            raise QueryError(f"{self.endpoint} did not answer with a table: not a SELECT query?")
        rows = _rows(result)
        if warn:
            cap = response.headers.get("X-SPARQL-MaxRows") if response.headers else None
            if cap:
                warnings.warn(
                    f"{self.endpoint} cut the result at {cap} rows (its ResultSetMaxRows); "
                    "page with ORDER BY + LIMIT/OFFSET to get all of it",
                    TruncatedResultWarning,
                    stacklevel=3,
                )
            elif len(rows) in self.suspicious_row_counts:
                warnings.warn(
                    f"{self.endpoint} returned exactly {len(rows)} rows: the server may have "
                    "cut the result at its row limit",
                    TruncatedResultWarning,
                    stacklevel=3,
                )
        return SelectResult(variables=[str(v) for v in result.vars or []], rows=rows)

    def _select_all(self, query: str, bindings: Bindings | None = None) -> Iterator[dict[str, Identifier]]:
        """Every row of an ORDER BY query (no prologue), page by page, whatever the server's
        row cap. The query runs as a sub-select so that Virtuoso, which refuses to sort more
        than ResultSetMaxRows for OFFSET + LIMIT, pages past its cap."""
        inner = inject_values(query, bindings)
        offset = 0
        while True:
            page = self._select(f"SELECT * WHERE {{ {{ {inner} }} }}\nLIMIT {self.page_size} OFFSET {offset}")
            if not page.rows:
                return
            yield from page.rows
            offset += len(page.rows)

    def _graph_triples(self, graph: str) -> Iterator[ox.Triple]:
        if self._gsp is not None:
            body = self._gsp.get(graph)
            if body:
                try:
                    for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                        yield quad.triple
                except SyntaxError as err:
                    raise StoreError(f"{self._gsp.url} sent unreadable N-Triples: {err}") from None
            return
        blank: dict[str, ox.BlankNode] = {}
        query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o"
        for row in self._select_all(query, {"g": URIRef(graph)}):
            s, p, o = (_ox_term(row[k], blank) for k in ("s", "p", "o"))
            yield ox.Triple(s, p, o)  # type: ignore[arg-type]

    def _group(self, nquads: bytes, allowed: set[str] | None) -> dict[str | None, list[ox.Triple]]:
        """The payload's triples by graph (None: the default graph), checked strictly."""
        self._check_writable()
        groups: dict[str | None, list[ox.Triple]] = {}
        try:
            for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
                g = quad.graph_name
                name = g.value if isinstance(g, ox.NamedNode) else None
                if isinstance(g, ox.BlankNode) or (allowed is not None and name not in allowed):
                    raise StoreError(f"quad in graph {g} is outside the graphs being replaced")
                groups.setdefault(name, []).append(quad.triple)
        except SyntaxError as err:
            raise StoreError(f"invalid N-Quads for {self.endpoint}: {err}") from None
        return groups


def _rows(result: Result) -> list[dict[str, Identifier]]:
    rows = []
    for binding in result.bindings:
        rows.append({str(var): term for var, term in binding.items() if term is not None})
    return rows


def _truthy(term: Identifier | None) -> bool:
    if isinstance(term, Literal):
        return str(term).strip().lower() not in ("0", "false", "")
    return term is not None


def _graph_format(response: Response) -> ox.RdfFormat:
    media = response.content_type
    if media == "text/plain":
        return ox.RdfFormat.N_TRIPLES
    rdf_format = ox.RdfFormat.from_media_type(media) if media else None
    if rdf_format is None:
        raise StoreError(f"{response.url} answered {media or 'no content type'}, not an RDF graph")
    return rdf_format


def _ox_term(term: Identifier, blank: dict[str, ox.BlankNode]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, BNode):
        return blank.setdefault(str(term), ox.BlankNode())
    return to_ox(term)
