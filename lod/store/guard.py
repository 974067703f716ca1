"""Refuse SPARQL that would make lod contact another host on a query's behalf.

pyoxigraph runs a ``SERVICE`` clause by sending an HTTP request to its IRI, and an update's
``LOAD`` by fetching one; neither can be switched off. A query text, a ``.rq`` file or a
request to ``lod serve`` could thus make lod reach any host. So every query and update lod
runs is checked first: ``SERVICE`` is refused in both, ``LOAD`` in updates.

The check reads SPARQL's tokens, not its text: the words inside strings, IRIs, comments,
language tags, prefixed names and variable names never count, so ``?service``,
``ex:load`` and ``"SERVICE"`` are all fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lod.errors import QueryError

QUERY_FORBIDDEN = frozenset({"SERVICE"})
UPDATE_FORBIDDEN = frozenset({"SERVICE", "LOAD"})

_TOKENS = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
    | (?P<number>\d[\w.]*)
    | (?P<word>[^\W\d]\w*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """Each token of ``text``: its kind (``word``, ``iri``, ``string``, ``other`` …), its
    text and its offset. Blank space and comments are tokens too."""
    for match in _TOKENS.finditer(text):
        yield match.lastgroup or "other", match.group(), match.start()


def keywords(text: str) -> Iterator[tuple[str, int]]:
    """Each bare word of ``text`` (upper-cased) with its 1-based line number."""
    line = 1
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            yield match.group().upper(), line
        line += match.group().count("\n")


def check_query(text: str) -> None:
    """Raise :class:`QueryError` if the query would contact another host."""
    _refuse(text, QUERY_FORBIDDEN, "query")


def check_update(text: str) -> None:
    """Raise :class:`QueryError` if the update would contact another host."""
    _refuse(text, UPDATE_FORBIDDEN, "update")


def _refuse(text: str, forbidden: frozenset[str], kind: str) -> None:
    for word, line in keywords(text):
        if word in forbidden:
            raise QueryError(
                f"{word} is not allowed in a SPARQL {kind} (line {line}): "
                "lod never contacts another server on a query's behalf"
            )
