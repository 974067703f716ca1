"""Dereferenceable IRIs: ``{base-uri}REST`` is served at ``/id/REST``.

The convention (documented in docs/web.md): the generic IRI answers 200 with the form the
``Accept`` header prefers and names that form's own document in ``Content-Location``
(``/id/REST.ttl``, ``.jsonld``, ``.rdf``, ``.nt``, ``.html``), with ``Vary: Accept``; the
suffixed documents answer 200 in their form whatever the ``Accept``. Unknown IRIs get 404.

lod mints IRIs percent-encoded (``study/mhc/h%C3%A4lsa%20%282%29``), and the web framework
hands routes the decoded path (``hälsa (2)``). So the path is encoded again the way lod mints
(:func:`lod.mapping.plan.iri_piece`), which finds the study however a client
spelled the escapes; a stored IRI that is not in that form is still found as decoded.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from lod.mapping.plan import iri_piece
from lod.serve.context import ServeContext
from lod.serve.jobs import StudyPage
from lod.serve.rdfwrite import NAMES
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
    form = suffix_form or negotiate.choose(request.headers.get("accept"), negotiate.ALL_FORMS,
                                           negotiate.HTML)
    if form is None:
        return PlainTextResponse("offered: text/html, text/turtle, application/ld+json, "
                                 "application/rdf+xml, application/n-triples", status_code=406)
    for spelled in dict.fromkeys((iri_piece(rest), rest)):
        iri = ctx.config.base_uri + spelled
        if not _is_iri(iri):  # e.g. a decoded space: no stored IRI can be spelled so
            continue
        # A study, written (an RDF form) or rendered (HTML) by the store's reader itself.
        if form.rdf_format is None:
            written = await ctx.reader.content(
                [iri], datasets_only=True, page=StudyPage("id/" + spelled, ctx.config.links))
        else:
            written = await ctx.reader.content([iri], datasets_only=True,
                                               graph_format=NAMES[form.rdf_format])
        if written:
            return cached(request, written, _media_type(form), await last_change(ctx),
                          _headers(ctx, spelled, form, suffix_form))
        study, found = await describe.describe(ctx, iri, not_a_study=written == b"")
        if found:
            rest = spelled
            break
    else:
        return PlainTextResponse(f"nothing is known about <{ctx.config.base_uri + rest}>",
                                 status_code=404)
    headers = _headers(ctx, rest, form, suffix_form)
    modified = await last_change(ctx)
    path = "id/" + rest
    if form is negotiate.HTML:
        if study:
            page = await pages.study_page(ctx, iri, path, found)
        else:
            page = await pages.node_page(request, ctx, iri, path, found)
        return cached(request, bytes(page.body), _media_type(form), modified, headers)
    return cached(request, rdf.write(found, form), form.media_type, modified, headers)


def _media_type(form: negotiate.Form) -> str:
    return "text/html; charset=utf-8" if form is negotiate.HTML else form.media_type


def _headers(ctx: ServeContext, rest: str, form: negotiate.Form,
             suffix_form: negotiate.Form | None) -> dict[str, str]:
    headers = {"Vary": "Accept"}
    if suffix_form is None:
        headers["Content-Location"] = ctx.config.link("id/" + rest + form.suffix)
    return headers


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


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
