"""A SPARQL 1.1 Graph Store Protocol client (indirect graph identification, ``?graph=IRI``).

Bodies are N-Triples. Status codes follow the protocol (and the W3C test manifest):
PUT 201 (new graph) or 200/204 (replaced), POST 200/201/204, DELETE 200/204 or 404 when
the graph does not exist, GET 200 or 404.
"""

from __future__ import annotations

import urllib.parse

from lod.errors import StoreError
from lod.store.http import HttpClient, Response

NTRIPLES = "application/n-triples"
_OK = frozenset({200, 201, 204})


class GraphStore:
    """The Graph Store Protocol service at ``url`` (e.g. Virtuoso's ``/sparql-graph-crud``)."""

    def __init__(self, url: str, http: HttpClient) -> None:
        self.url = url
        self.http = http

    def graph_url(self, graph: str | None) -> str:
        """The request URL for a named graph, or for the default graph when ``graph`` is None."""
        query = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        return self.url + ("&" if "?" in self.url else "?") + query

    def send(
        self, method: str, graph: str | None, body: bytes | None = None, accept: str | None = None
    ) -> Response:
        """One protocol request; the response whatever its status (below 500)."""
        headers = {}
        if body is not None:
            headers["Content-Type"] = NTRIPLES
        if accept is not None:
            headers["Accept"] = accept
        return self.http.request(method, self.graph_url(graph), body=body, headers=headers)

    def put(self, graph: str | None, ntriples: bytes) -> int:
        """Replace the graph's content; returns the status (201 created, 200/204 replaced)."""
        return self._expect(self.send("PUT", graph, ntriples), "replace", graph)

    def post(self, graph: str | None, ntriples: bytes) -> int:
        """Add triples to the graph; returns the status."""
        return self._expect(self.send("POST", graph, ntriples), "add to", graph)

    def delete(self, graph: str) -> bool:
        """Drop the graph; True if it existed."""
        response = self.send("DELETE", graph)
        if response.status == 404:
            return False
        self._expect(response, "delete", graph)
        return True

    def get(self, graph: str | None) -> bytes | None:
        """The graph as N-Triples, or None if it does not exist."""
        response = self.send("GET", graph, accept=NTRIPLES)
        if response.status == 404:
            return None
        self._expect(response, "read", graph)
        if response.content_type not in (NTRIPLES, "text/plain"):
            raise StoreError(
                f"{response.url} answered {response.content_type or 'no content type'}, not {NTRIPLES}"
            )
        return response.body

    @staticmethod
    def _expect(response: Response, verb: str, graph: str | None) -> int:
        if response.status not in _OK:
            name = "the default graph" if graph is None else f"graph <{graph}>"
            raise StoreError(
                f"{response.url}: could not {verb} {name} (HTTP {response.status}): {response.first_line()}"
            )
        return response.status
