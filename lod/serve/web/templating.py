"""The page templates (package data), autoescaped, and rendering one with the server's
links. Free of the web framework, so that a query worker renders study pages too."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from lod.serve.links import Links


@cache
def templates() -> jinja2.Environment:
    """Built once. The templates are package data and never change under a running server,
    so they are not checked for changes on every page (a file stat each)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("lod.serve.web", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              auto_reload=False)


def render_text(links: Links, name: str, **values: Any) -> str:
    return templates().get_template(name).render(link=links.link, **values)
