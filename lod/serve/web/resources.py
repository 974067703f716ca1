"""Dereferenceable IRIs: ``{base-uri}REST`` is served at ``/id/REST``.

The convention (documented in docs/web.md): the generic IRI answers 200 with the form the
``Accept`` header prefers and names that form's own document in ``Content-Location``
(``/id/REST.ttl``, ``.jsonld``, ``.rdf``, ``.nt``, ``.html``), with ``Vary: Accept``; the
suffixed documents answer 200 in their form whatever the ``Accept``. Unknown IRIs get 404.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from lod.serve.context import ServeContext
from lod.serve.web import describe, negotiate, pages, rdf
from lod.serve.web.http import cached, last_change
from lod.transforms.codes import EU_COUNTRY

MAX_REST = 2000
_COUNTRY = re.compile(r"[A-Z]{3}\Z")


async def resource(request: Request, ctx: ServeContext) -> Response:
    """``/id/{rest}``: one IRI lod minted, in the form asked for."""
    raw = request.path_params["rest"]
    if len(raw) > MAX_REST:
        return PlainTextResponse("IRI too long", status_code=414)
    rest, suffix_form = negotiate.split_suffix(raw)
    if not rest:
        return PlainTextResponse("no IRI given", status_code=404)
    iri = ctx.config.base_uri + rest
    form = suffix_form or negotiate.choose(request.headers.get("accept"), negotiate.ALL_FORMS,
                                           negotiate.HTML)
    if form is None:
        return PlainTextResponse("offered: text/html, text/turtle, application/ld+json, "
                                 "application/rdf+xml, application/n-triples", status_code=406)
    study, found = await describe.describe(ctx, iri)
    if not found:
        return PlainTextResponse(f"nothing is known about <{iri}>", status_code=404)
    headers = {"Vary": "Accept"}
    if suffix_form is None:
        headers["Content-Location"] = ctx.config.link("id/" + rest + form.suffix)
    modified = await last_change(ctx)
    path = "id/" + rest
    if form is negotiate.HTML:
        if study:
            page = await pages.study_page(ctx, iri, path, found)
        else:
            page = await pages.node_page(request, ctx, iri, path, found)
        return cached(request, bytes(page.body), "text/html; charset=utf-8", modified, headers)
    return cached(request, rdf.write(found, form), form.media_type, modified, headers)


async def country(request: Request, ctx: ServeContext) -> Response:
    """``/country/XXX``: an EU country (lod links studies to these authority IRIs) and the
    studies it covers."""
    code = request.path_params["code"]
    if not _COUNTRY.match(code):
        return PlainTextResponse(f"not a three-letter country code: {code[:20]!r}", status_code=404)
    iri = EU_COUNTRY + code
    found = await describe.node(ctx, iri)
    if not found:
        return PlainTextResponse(f"no study covers <{iri}>", status_code=404)
    return await pages.node_page(request, ctx, iri, None, found)
