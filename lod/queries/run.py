"""Running a prepared query: the solution modifiers lod adds to named queries (the declared
ORDER BY, a LIMIT one row over the limit to tell whether there is more), and paging through
remote servers, which may cut results at a row cap without saying so (Virtuoso: 10,000).

Named list queries run without ORDER BY in the embedded store: Oxigraph then streams the first
rows straight from its indexes, while sorting thousands of studies takes it about a second.
On a remote server they are sorted (``#+ page-order``) so that pages are stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lod.queries import Prepared, rows
from lod.store import Store
from lod.store.base import OxRow
from lod.store.bindings import inject_values
from lod.store.terms import from_ox

if TYPE_CHECKING:
    from rdflib.term import Identifier

PAGE_SIZE = 10_000
#: A variable a named query may use to drop rows past the ones wanted early (sponsors.rq):
#: lod writes the limit plus one in its place, as it writes LIMIT, and leaves it unbound when
#: there is no limit. Written as a constant, not bound by VALUES: a binding from the outer
#: group does not reach a FILTER inside GRAPH, and Oxigraph only prunes on a constant.
ROW_LIMIT = re.compile(r"\?row_limit\b")
ROWS_PER_STUDY = 2  # rows asked for per study wanted, at first (titles in a few languages)
ROWS_GROWTH = 4  # then this many times as many, until the limit's worth of studies came
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_TOKENS = re.compile(r'<[^<>\s]*>|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_PROLOGUE_LINE = re.compile(r"^\s*(?:$|#|PREFIX\s|BASE\s)", re.IGNORECASE)


@dataclass
class Answer:
    """A query's answer: a table (``select``), a boolean (``ask``) or N-Triples (``graph``).

    The table's rows are kept as pyoxigraph gave them (``ox_rows``); ``rows`` converts them to
    rdflib terms, importing rdflib, each time it is read."""

    form: str
    variables: list[str] = field(default_factory=list)
    ox_rows: list[OxRow] = field(default_factory=list)
    boolean: bool | None = None
    graph: bytes = b""
    more: bool = False  # the limit cut the answer: there are more rows

    @property
    def rows(self) -> list[dict[str, Identifier]]:
        """The rows as rdflib terms."""
        return [{name: from_ox(term) for name, term in row.items()} for row in self.ox_rows]


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: the first query keyword outside
    comments, strings and IRIs (``select`` when there is none: the store says what is wrong)."""
    for line in text.splitlines():
        code = _TOKENS.sub(" ", line).split("#", 1)[0]
        m = _FORM.search(code)
        if m:
            return m.group(1).lower()
    return "select"


def execute(store: Store, prepared: Prepared, *, page_size: int = PAGE_SIZE) -> Answer:
    form = query_form(prepared.text)
    if form == "ask":
        return Answer(form, boolean=store.ask(prepared.text, prepared.bindings))
    if form in ("construct", "describe"):
        return Answer(form, graph=store.construct(prepared.text, prepared.bindings))
    limit = prepared.limit
    if not prepared.managed:  # an ad-hoc query runs as written; --limit cuts what comes back
        result = store.select(prepared.text, prepared.bindings)
        return _cut(Answer(form, result.variables, result.ox_rows), limit)
    if prepared.one_row_per is None:
        return _cut(_rows(store, prepared, limit, page_size), limit)
    # Rows of one study may be many (a title per language): ask for more rows than studies,
    # and for more again until the answer has the limit's worth of studies or ran out.
    per = prepared.one_row_per
    if limit is None:
        return _collapsed(_rows(store, prepared, None, page_size), per)
    wanted = first_rows_wanted(limit)
    while True:
        answer = _rows(store, prepared, wanted, page_size)
        fetched = len(answer.ox_rows)
        answer = _collapsed(answer, per)
        if has_enough_studies(fetched, wanted, len(answer.ox_rows), limit):
            return _cut(answer, limit)
        wanted *= ROWS_GROWTH


def first_rows_wanted(limit: int) -> int:
    """Rows to ask for first when a query is answered one row per study and ``limit``
    studies (and one more) are wanted; ask for :data:`ROWS_GROWTH` times as many next."""
    return (limit + 1) * ROWS_PER_STUDY


def has_enough_studies(fetched: int, wanted: int, studies: int, limit: int) -> bool:
    """Whether rows asked for as ``wanted`` (and one more) make the answer: every row came
    (``fetched`` no more than ``wanted``), or they hold more ``studies`` than the limit."""
    return fetched <= wanted or studies > limit


def _collapsed(answer: Answer, per: str) -> Answer:
    answer.ox_rows = rows.collapse(answer.ox_rows, per)
    answer.variables = rows.variables(answer.variables)
    return answer


def _rows(store: Store, prepared: Prepared, limit: int | None, page_size: int) -> Answer:
    """The managed query's rows: the limit's worth and one more (None: all of them)."""
    remote = store.remote
    order = prepared.order or (prepared.page_order if remote else None)
    text = prepared.text.rstrip() + (f"\nORDER BY {order}" if order else "")
    if not remote or (limit is not None and limit < page_size):
        if limit is not None:
            text = limited(text, limit + 1)
        result = store.select(text, prepared.bindings)
        return Answer("select", result.variables, result.ox_rows)
    return _paged(store, text, prepared, limit, page_size)


def limited(text: str, rows: int) -> str:
    """``text`` with ``LIMIT rows``, and ``rows`` written in place of ``?row_limit``."""
    return ROW_LIMIT.sub(str(int(rows)), text) + f"\nLIMIT {int(rows)}"


def _paged(store: Store, text: str, prepared: Prepared, limit: int | None, page_size: int) -> Answer:
    """Every row (or the limit's worth, plus one) a page at a time: the ordered query runs as a
    sub-select so that the server's cap applies per page, not to the whole answer."""
    bound = inject_values(text, prepared.bindings)
    lines = bound.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(lines) if not _PROLOGUE_LINE.match(line)), len(lines))
    prologue, body = "".join(lines[:cut]), "".join(lines[cut:])
    wanted = None if limit is None else limit + 1
    answer = Answer("select")
    offset = 0
    while wanted is None or len(answer.ox_rows) < wanted:
        size = page_size if wanted is None else min(page_size, wanted - len(answer.ox_rows))
        page = store.select(f"{prologue}SELECT * WHERE {{\n{{\n{body}\n}}\n}}\n"
                            f"LIMIT {size} OFFSET {offset}")
        if not answer.variables:
            answer.variables = page.variables
        answer.ox_rows.extend(page.ox_rows)
        offset += len(page.ox_rows)
        if len(page.ox_rows) < size:
            break
    return answer


def _cut(answer: Answer, limit: int | None) -> Answer:
    if limit is not None and len(answer.ox_rows) > limit:
        answer.ox_rows = answer.ox_rows[:limit]
        answer.more = True
    return answer


__all__ = ["PAGE_SIZE", "ROWS_GROWTH", "Answer", "execute", "first_rows_wanted", "has_enough_studies",
           "limited", "query_form"]
