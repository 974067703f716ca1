"""Bound query values as a SPARQL ``VALUES`` block: the same mechanism for every backend.

``inject_values(query, {"org": URIRef(...)})`` puts ``VALUES ?org { <...> }`` right after
the ``{`` that opens the query's outermost WHERE group, so the values join that group (its
triple patterns and FILTERs see them). Each value is checked by pyoxigraph and written by
rdflib (:func:`lod.store.terms.sparql_term`); no value is ever formatted into the query by
hand. Finding that ``{`` takes a small scan that skips strings, IRIs, comments and
parenthesised expressions; the query itself is parsed by the store.
"""

from __future__ import annotations

import re

from lod.errors import QueryError
from lod.store.base import Bindings
from lod.store.terms import sparql_term

_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"\w+")
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def inject_values(query: str, bindings: Bindings | None) -> str:
    """``query`` with ``bindings`` joined into its outermost WHERE group (unchanged if none)."""
    if not bindings:
        return query
    # One single-variable block per value: the same solutions as one multi-variable row, and
    # Virtuoso 7.2 mis-compares language-tagged literals from multi-variable VALUES rows.
    block = "".join(
        f"VALUES ?{_variable_name(name)} {{ {sparql_term(_variable_name(name), term)} }}\n"
        for name, term in bindings.items()
    )
    open_at, close_at, starts_with_select = _where_group(query)
    if starts_with_select:
        # `WHERE { SELECT ... }`: a sub-select must be a group of its own to sit beside VALUES.
        return (
            query[: open_at + 1]
            + " "
            + block
            + "{"
            + query[open_at + 1 : close_at]
            + "}\n"
            + query[close_at:]
        )
    return query[: open_at + 1] + " " + block + query[open_at + 1 :]


def _variable_name(name: str) -> str:
    bare = name[1:] if name[:1] in ("?", "$") else name
    if not _VARNAME.match(bare):
        raise QueryError(f"not a usable variable name for a bound value: {name!r}")
    return bare


def _where_group(query: str) -> tuple[int, int, bool]:
    """Offsets of the ``{`` and ``}`` of the outermost WHERE group, and whether the group
    starts with a sub-SELECT. QueryError if the query has no WHERE group."""
    form = ""
    last_word = ""
    parens = 0
    braces = 0
    open_at = -1
    template_done = False
    starts_with_select: bool | None = None
    i = 0
    n = len(query)
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = _skip_string(query, i)
            continue
        if c == "<":
            m = _IRIREF.match(query, i)
            if m:
                i = m.end()
                last_word = "<iri>"
                continue
        if c in "?$":  # a variable: its name is not a keyword
            m = _WORD.match(query, i + 1)
            i = m.end() if m else i + 1
            last_word = "?var"
            continue
        if c.isalpha() or c == "_":
            m = _WORD.match(query, i)
            assert m is not None
            word = m.group().upper()
            end = m.end()
            if end < n and query[end] == ":":  # a prefixed name such as ex:where
                word = "<pname>"
                while end < n and not query[end].isspace() and query[end] not in "{}()<;,":
                    end += 1
            if braces == 0 and parens == 0 and not form and word in _FORMS:
                form = word
            if open_at >= 0 and braces == 1 and starts_with_select is None:
                starts_with_select = word == "SELECT"
            last_word = word
            i = end
            continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if open_at >= 0 and braces == 1 and starts_with_select is None:
                starts_with_select = False
            if braces == 0 and parens == 0:
                if form == "CONSTRUCT" and not template_done:
                    if last_word == "WHERE":
                        raise QueryError(
                            "cannot bind values in the short form CONSTRUCT WHERE { ... }; "
                            "write CONSTRUCT { template } WHERE { pattern }"
                        )
                else:
                    open_at = i
            braces += 1
        elif c == "}":
            braces -= 1
            if braces == 0 and parens == 0:
                if open_at >= 0:
                    return open_at, i, bool(starts_with_select)
                template_done = True
        elif not c.isspace() and open_at >= 0 and braces == 1 and starts_with_select is None:
            starts_with_select = False
        if not c.isspace():
            last_word = c
        i += 1
    raise QueryError("cannot bind values: the query has no complete WHERE { ... } group")


def _skip_string(query: str, i: int) -> int:
    """Offset just past the string literal that starts at ``i`` (escapes honoured)."""
    quote = query[i]
    long_quote = query.startswith(quote * 3, i)
    j = i + (3 if long_quote else 1)
    n = len(query)
    while j < n:
        c = query[j]
        if c == "\\":
            j += 2
            continue
        if long_quote and query.startswith(quote * 3, j):
            # a run of more than three quotes closes on its last three
            while j + 3 < n and query[j + 3] == quote:
                j += 1
            return j + 3
        if not long_quote and c == quote:
            return j + 1
        j += 1
    raise QueryError("cannot bind values: the query has an unterminated string")
