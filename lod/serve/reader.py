"""The server's :class:`~lod.serve.context.Reader`: the routes' read access, through the same
backend (worker processes with the time limit, or the remote server) as ``/sparql``."""

from __future__ import annotations

import pyoxigraph as ox

from lod.errors import LodError, QueryError
from lod.serve.backend import Backend
from lod.serve.jobs import Answer, ContentJob, QueryJob, StudyPage
from lod.store.base import Bindings, SelectResult
from lod.store.bindings import inject_values


class ReaderError(LodError):
    """A read the server could not answer; ``status`` is the HTTP status it maps to
    (503: past the time limit)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class BackendReader:
    """A Reader over a :class:`~lod.serve.backend.Backend`."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    async def _run(self, query: str, bindings: Bindings | None, *, graph: bool) -> Answer:
        job = QueryJob(
            inject_values(query, bindings),
            results_format=None if graph else "json",
            graph_format="ntriples" if graph else None,
        )
        answer = await self._backend.query(job)
        if answer.kind == "error":
            if answer.status == 400 or answer.status == 406:
                raise QueryError(answer.message)
            raise ReaderError(answer.message, answer.status)
        return answer

    async def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        answer = await self._run(query, bindings, graph=False)
        result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        return SelectResult.of(result)

    async def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        answer = await self._run(query, bindings, graph=False)
        result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    async def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        answer = await self._run(query, bindings, graph=True)
        return answer.body

    async def content(self, iris: list[str], *, datasets_only: bool = False,
                      graph_format: str = "ntriples", head: bytes = b"",
                      page: StudyPage | None = None) -> bytes | None:
        answer = await self._backend.content(ContentJob(tuple(iris), datasets_only, graph_format,
                                                        head=head, page=page))
        if answer is None:
            return None
        if answer.kind == "error":
            if answer.status == 404:
                return b""
            raise ReaderError(answer.message, answer.status)
        return answer.body

    def generation(self) -> str:
        return self._backend.generation()
