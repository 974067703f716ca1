"""``lod query`` and ``lod queries``: named SPARQL queries, .rq files and ad-hoc SPARQL."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import click

from lod.cli.options import store_options
from lod.cli.target import ensure_facets, open_target
from lod.errors import UsageError
from lod.queries import find_query, named_queries, parse_params, parse_query, prepare
from lod.queries.results import FORMATS, write
from lod.queries.run import execute


@click.command("query")
@click.argument("name", required=False, metavar="NAME|FILE.rq")
@click.option("--sparql", metavar="TEXT", help="Run this SPARQL query instead of a named one.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the query (repeat for more). Values are bound, never pasted "
                   "into the query.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="table for people; csv, tsv and json are the SPARQL 1.1 "
                                      "results formats.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="At most N rows (default: the query's own; 0 = all).")
@store_options
def query_command(name: str | None, sparql: str | None, params: tuple[str, ...], fmt: str,
                  limit: int | None, target: dict[str, Any]) -> None:
    """Run a named query (see `lod queries`), a .rq file, or --sparql TEXT.

    Example: lod query studies-by-sponsor --param sponsor=esrc --format csv"""
    if (name is None) == (sparql is None):
        raise UsageError("give a query NAME, a FILE.rq or --sparql TEXT (one of them)")
    query = find_query(name) if name is not None else parse_query(sparql or "", name="--sparql")
    prepared = prepare(query, parse_params(params), limit=-1 if limit is None else limit)
    with open_target(target) as store, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if query.managed:
            ensure_facets(store)
        answer = execute(store, prepared)
    for warning in caught:
        click.echo(f"lod: warning: {warning.message}", err=True)
    if answer.form in ("construct", "describe"):
        sys.stdout.buffer.write(answer.graph)
        sys.stdout.buffer.flush()
        return
    write(answer, fmt, sys.stdout)
    if fmt == "table" and answer.form == "select":
        rows = len(answer.ox_rows)
        more = "; more not shown (--limit N, or --limit 0 for all)" if answer.more else ""
        click.echo(f"({rows:,} row{'s' if rows != 1 else ''}{more})", err=True)


@click.command("queries")
def queries_command() -> None:
    """List the named queries with their parameters."""
    for query in named_queries().values():
        click.echo(query.usage())
        click.echo(f"    {query.description}")
        for param in query.params:
            extra = f", default {param.default}" if param.default is not None else (
                ", optional" if param.optional else "")
            click.echo(f"    {param.name}= ({param.kind}{extra}) {param.description}")
        click.echo("")
