"""The query page: YASGUI against ``/sparql`` when its assets are installed
(``tools/fetch-yasgui``), else a plain form that runs the query here and shows a table."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from lod.errors import LodError
from lod.queries import named_queries
from lod.serve.context import ServeContext
from lod.serve.web import pages

YASGUI_DIR = Path(__file__).parent / "static" / "yasgui"
MAX_QUERY = 20_000
MAX_SHOWN = 1_000
DEFAULT_QUERY = """PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?study ?title WHERE { ?study a dcat:Dataset ; dct:title ?title } ORDER BY ?title LIMIT 20"""


def yasgui_installed(folder: Path = YASGUI_DIR) -> bool:
    return (folder / "yasgui.min.js").is_file() and (folder / "yasgui.min.css").is_file()


def examples() -> list[dict[str, str]]:
    return [{"name": q.name, "description": q.description, "text": q.body.strip()}
            for q in sorted(named_queries().values(), key=lambda q: q.name)]


async def run(ctx: ServeContext, text: str) -> dict[str, object]:
    """Run ``text`` through the reader: a table of rows (or a yes/no, or triples)."""
    form = text.lstrip()
    try:
        upper = _form_word(form)
        if upper == "ASK":
            return {"boolean": await ctx.reader.ask(text)}
        if upper in ("CONSTRUCT", "DESCRIBE"):
            body = await ctx.reader.construct(text)
            rows = [{"subject": str(t.subject), "predicate": str(t.predicate), "object": str(t.object)}
                    for t in (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))]
            return {"variables": ["subject", "predicate", "object"], "rows": rows[:MAX_SHOWN],
                    "total": len(rows)}
        result = await ctx.reader.select(text)
    except (LodError, SyntaxError, ValueError, OSError) as err:
        return {"error": str(err).splitlines()[0] if str(err) else type(err).__name__}
    rows = [{v: str(row[v]) for v in result.variables if v in row} for row in result.rows]
    return {"variables": result.variables, "rows": rows[:MAX_SHOWN], "total": len(rows)}


def _form_word(text: str) -> str:
    """The query form (SELECT, ASK, …): the first keyword after the prologue."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for word in stripped.replace("{", " ").split():
            if word.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return word.upper()
    return "SELECT"


async def page(request: Request, ctx: ServeContext, *, plain: bool = False) -> Response:
    """YASGUI, or (``plain``, or its assets absent) the form, with a result when a query came."""
    text = request.query_params.get("query")
    if text is None and not plain and yasgui_installed():
        return pages.render(ctx, "query.html", yasgui=True, examples=examples(),
                            query=DEFAULT_QUERY, result=None)
    result: dict[str, object] | None = None
    status = 200
    if text is not None:
        if len(text) > MAX_QUERY:
            result, status = {"error": f"query longer than {MAX_QUERY} characters"}, 413
        elif text.strip():
            result = await run(ctx, text)
            status = 400 if "error" in result else 200
    return pages.render(ctx, "query.html", status=status, yasgui=False, examples=examples(),
                        query=text or DEFAULT_QUERY, result=result)
