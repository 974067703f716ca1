"""``/queries`` (the named queries, as JSON) and ``/queries/NAME?param=…`` (one of them run):
the same ``.rq`` files, parameter checks and results formats as ``lod query``.

Each query runs with its declared row limit (``limit=N`` asks for another; 0: all, within the
server's ``--max-rows``). One row more than the limit is fetched, so that a cut answer says
so: the header ``X-Lod-More: true`` (the results formats have no place for it). Written
answers are kept until the store changes.
"""

from __future__ import annotations

import io

import orjson
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lod.errors import QueryError
from lod.queries import NamedQuery, Prepared, named_queries, prepare
from lod.queries.results import write
from lod.queries.rows import collapse
from lod.queries.rows import variables as visible
from lod.queries.run import ROWS_GROWTH, Answer, first_rows_wanted, has_enough_studies, limited, query_form
from lod.serve.backend import EmbeddedBackend
from lod.serve.cache import AnswerCache
from lod.serve.jobs import Answer as Answer_
from lod.serve.jobs import QueryJob
from lod.serve.negotiate import choose, content_type, parse_accept
from lod.serve.protocol import ProtocolError, parse_pairs
from lod.serve.sparql import CORS, Endpoint, text_response
from lod.store.base import OxRow, SelectResult
from lod.store.bindings import inject_values

#: what ``lod query --format`` writes, by Accept.
FORMATS: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}


def describe(query: NamedQuery, endpoint: Endpoint) -> dict[str, object]:
    return {
        "name": query.name,
        "description": query.description,
        "url": endpoint.ctx.config.link(f"queries/{query.name}"),
        "usage": query.usage(),
        "params": [
            {"name": p.name, "type": p.kind, "optional": p.optional, "default": p.default,
             "description": p.description}
            for p in query.params
        ],
    }


def routes(endpoint: Endpoint) -> list[BaseRoute]:
    # Written answers, kept per store generation: writing a table out costs more than the
    # query it came from when the query reads the facet summary.
    written = AnswerCache(endpoint.cache_entries)

    async def listing(request: Request) -> Response:
        body = orjson.dumps([describe(q, endpoint) for q in named_queries().values()],
                            option=orjson.OPT_INDENT_2)
        return Response(body, media_type="application/json", headers=CORS)

    async def run(request: Request) -> Response:
        try:
            response = await _run(endpoint, request, written)
        except ProtocolError as err:
            response = text_response(err.status, err.message)
        except QueryError as err:
            response = text_response(400, str(err))
        response.headers.update(CORS)
        return response

    return [Route("/queries", listing, methods=["GET"]),
            Route("/queries/{name}", run, methods=["GET"])]


async def _run(endpoint: Endpoint, request: Request, written: AnswerCache) -> Response:
    name = request.path_params["name"]
    query = named_queries().get(name)
    if query is None:
        return text_response(404, f"no query named {name!r}; /queries lists them")
    raw: dict[str, str] = {}
    limit = -1
    for key, value in parse_pairs(request.url.query):
        if key == "limit":
            if not value.isdigit():
                raise ProtocolError(400, f"parameter limit: expected a whole number, got {value!r}")
            limit = int(value)
            continue
        if key in raw:
            raise ProtocolError(400, f"parameter {key} given twice; give it once")
        raw[key] = value
    fmt = choose(parse_accept(request.headers.get("accept")), FORMATS)
    if fmt is None:
        return text_response(406, "named queries answer as SPARQL JSON, CSV or TSV")
    generation = endpoint.backend.generation()
    cache_key = (name, tuple(sorted(raw.items())), limit, fmt)
    kept = written.get(generation, cache_key)
    if kept is not None:
        return _response(kept)
    prepared = prepare(query, raw, limit=limit)
    base = prepared.text.rstrip()
    if prepared.managed and prepared.order:
        base += f"\nORDER BY {prepared.order}"
    limit_rows = prepared.limit if prepared.managed else None
    text = base if limit_rows is None else limited(base, limit_rows + 1)
    form = query_form(text)
    if isinstance(endpoint.backend, EmbeddedBackend) and form == "select" and prepared.one_row_per is None:
        # The worker cuts at the limit and writes the format itself (pyoxigraph): no row
        # passes through Python here.
        fast = QueryJob(inject_values(text, prepared.bindings), results_format=fmt, graph_format=None,
                        max_rows=endpoint.ctx.config.max_rows, cut_at=prepared.limit)
        answer = await endpoint.backend.query(fast)
        if answer.kind == "error":
            return text_response(answer.status, answer.message)
        done = Answer_("results", answer.body, form="true" if answer.more else "false", fmt=fmt)
        written.put(generation, cache_key, done)
        return _response(done)
    out = io.StringIO()
    more = False
    if form == "ask":
        boolean = await _results(endpoint, text, prepared)
        if isinstance(boolean, Response):
            return boolean
        write(Answer("ask", boolean=bool(boolean)), fmt, out)
    else:
        found = await _select(endpoint, base, prepared)
        if isinstance(found, Response):
            return found
        names, rows = found
        if prepared.limit is not None and len(rows) > prepared.limit:
            rows, more = rows[: prepared.limit], True
        write(Answer(form, names, rows), fmt, out)
    done = Answer_("results", out.getvalue().encode("utf-8"), form="true" if more else "false", fmt=fmt)
    written.put(generation, cache_key, done)
    return _response(done)


async def _results(endpoint: Endpoint, text: str, prepared: Prepared
                   ) -> ox.QuerySolutions | ox.QueryBoolean | Response:
    job = QueryJob(inject_values(text, prepared.bindings), results_format="json",
                   graph_format=None, max_rows=endpoint.ctx.config.max_rows)
    answer = await endpoint.backend.query(job)
    if answer.kind == "error":
        return text_response(answer.status, answer.message)
    result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    return result if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)) else \
        text_response(500, "the store answered with neither rows nor a boolean")


async def _select(endpoint: Endpoint, base: str, prepared: Prepared
                  ) -> tuple[list[str], list[OxRow]] | Response:
    """The answer's variables and rows, the limit's worth and one more. A query answered one
    row per study asks for a few rows per study wanted, then for four times as many, until
    it has more studies than the limit or every row (as lod.queries.run.execute does)."""
    limit = prepared.limit if prepared.managed else None
    per = prepared.one_row_per
    wanted = None if limit is None else first_rows_wanted(limit) if per else limit
    while True:
        text = base if wanted is None else limited(base, wanted + 1)
        result = await _results(endpoint, text, prepared)
        if isinstance(result, Response):
            return result
        if not isinstance(result, ox.QuerySolutions):
            return text_response(500, "a SELECT query answered with a boolean")
        selected = SelectResult.of(result)
        names, rows = selected.variables, selected.ox_rows
        if per is None:
            return names, rows
        fetched = len(rows)
        rows, names = collapse(rows, per), visible(names)
        if wanted is None or limit is None or has_enough_studies(fetched, wanted, len(rows), limit):
            return names, rows
        wanted *= ROWS_GROWTH


def _response(done: Answer_) -> Response:
    headers = {"Vary": "Accept", "X-Lod-More": done.form}
    return Response(done.body, media_type=content_type(done.fmt), headers=headers)
