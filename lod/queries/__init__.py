"""Named SPARQL queries: ``.rq`` files with a header of declarations, values bound safely.

A named query is a SPARQL file whose header comment lines (``#+ key: value``) declare it::

    #+ name: studies-by-sponsor
    #+ description: Studies that name a sponsor or funder, by name or alias, any case
    #+ param: sponsor (matchkey) name or alias of the sponsor or funder
    #+ limit: 100
    #+ page-order: ?study

- ``param: NAME (TYPE[, optional][, default=VALUE]) DESCRIPTION`` — the value of ``NAME=...``
  is checked and normalised by its type and bound to ``?NAME``
  (some types bind more variables, e.g. ``date`` also binds ``?NAME_year``; see
  :mod:`lod.queries.params`). Values are never
  written into the query text: the store binds them (:mod:`lod.store.bindings`).
- ``require: a|b`` — at least one of these optional parameters must be given.
- ``limit`` — default row limit (``--limit`` changes it, 0 = none); ``order`` — an ORDER BY
  always applied; ``page-order`` — the ORDER BY used only to page through a remote server;
  ``one-row-per: study`` — the answer has one row per ``?study`` (see :mod:`lod.queries.rows`).
- Lines between ``#+ if NAME`` and ``#+ end`` are kept only when parameter or bound variable
  ``NAME`` is given (``#+ if a|b``: either).
  The markers are comments, so every ``.rq`` file stays a valid SPARQL query as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lod.errors import QueryError
from lod.queries.params import PARAM_TYPES, Bindings
from lod.store.terms import literal

QUERY_DIR = Path(__file__).resolve().parent
_HEADER = re.compile(r"^#\+\s*([a-z-]+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*(.*)$")
_IF = re.compile(r"^\s*#\+\s*if\s+([A-Za-z_][A-Za-z0-9_|]*)\s*$")
_END = re.compile(r"^\s*#\+\s*end\s*$")
_ORDER_KEY = r"(?:(?:ASC|DESC)\(\?[A-Za-z_]\w*\)|\?[A-Za-z_]\w*)"
_ORDER = re.compile(rf"^{_ORDER_KEY}(?:\s+{_ORDER_KEY})*$")
MAX_VALUE_CHARS = 1000


# -- declarations ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    description: str = ""
    optional: bool = False
    default: str | None = None

    def usage(self) -> str:
        shown = f"{self.name}="
        if self.default is not None:
            return f"[{shown}{self.default}]"
        return f"[{shown}]" if self.optional else shown


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    body: str
    params: tuple[Param, ...] = ()
    require_any: tuple[tuple[str, ...], ...] = ()
    limit: int | None = None
    order: str | None = None
    page_order: str | None = None
    path: Path | None = None
    managed: bool = False  # declared with #+ name: lod adds ORDER BY / LIMIT to it
    one_row_per: str | None = None  # #+ one-row-per: study — rows are collapsed per ?study

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def usage(self) -> str:
        return " ".join([self.name, *(p.usage() for p in self.params)])


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: its text (parameters' blocks resolved, no values in it) and the
    values to bind."""

    text: str
    bindings: Bindings = field(default_factory=dict)
    limit: int | None = None
    order: str | None = None
    page_order: str | None = None
    managed: bool = False
    one_row_per: str | None = None


def parse_query(text: str, *, name: str | None = None, path: Path | None = None) -> NamedQuery:
    """A query from ``.rq`` text; the header is optional for ad-hoc queries."""
    where = str(path) if path else (name or "query")
    fields: dict[str, str] = {}
    params: list[Param] = []
    require: list[tuple[str, ...]] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "param":
            params.append(_parse_param(value, where))
        elif key == "require":
            require.append(tuple(v.strip() for v in value.split("|") if v.strip()))
        elif key in ("name", "description", "limit", "order", "page-order", "one-row-per"):
            fields[key] = value
        else:
            raise QueryError(f"{where}: unknown declaration #+ {key}")
    for key in ("order", "page-order"):
        if key in fields and not _ORDER.match(fields[key]):
            raise QueryError(f"{where}: #+ {key} must list variables, e.g. DESC(?n) ?name")
    per = fields.get("one-row-per")
    if per is not None and not re.fullmatch(r"[A-Za-z_]\w*", per):
        raise QueryError(f"{where}: #+ one-row-per names a variable, without '?'")
    limit = None
    if fields.get("limit"):
        if not fields["limit"].isdigit():
            raise QueryError(f"{where}: #+ limit must be a whole number")
        limit = int(fields["limit"]) or None
    names = {p.name for p in params}
    for group in require:
        unknown = [n for n in group if n not in names]
        if unknown:
            raise QueryError(f"{where}: #+ require names unknown parameters {unknown}")
    _blocks(text, {p.name for p in params}, where)  # check the if/end nesting now
    return NamedQuery(
        name=fields.get("name") or name or (path.stem if path else "query"),
        description=fields.get("description", ""), body=text, params=tuple(params),
        require_any=tuple(require), limit=limit, order=fields.get("order"),
        page_order=fields.get("page-order"), path=path, managed="name" in fields,
        one_row_per=per,
    )


def _parse_param(value: str, where: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise QueryError(f"{where}: bad #+ param line {value!r}; "
                         "expected NAME (TYPE[, optional][, default=VALUE]) DESCRIPTION")
    pname, options, description = m.groups()
    opts = [o.strip() for o in options.split(",") if o.strip()]
    if not opts or opts[0] not in PARAM_TYPES:
        raise QueryError(f"{where}: parameter {pname}: unknown type {opts[:1]}; "
                         f"choose from {', '.join(PARAM_TYPES)}")
    default = None
    optional = False
    for opt in opts[1:]:
        if opt == "optional":
            optional = True
        elif opt.startswith("default="):
            default = opt[len("default="):]
        else:
            raise QueryError(f"{where}: parameter {pname}: unknown option {opt!r}")
    return Param(pname, opts[0], description.lstrip("—-– ").strip(), optional or default is not None,
                 default)


def _blocks(text: str, given: set[str], where: str) -> str:
    """The text with ``#+ if NAME`` … ``#+ end`` blocks kept or dropped (no nesting)."""
    out: list[str] = []
    keep = True
    inside: str | None = None
    for line in text.splitlines(keepends=True):
        m = _IF.match(line)
        if m:
            if inside is not None:
                raise QueryError(f"{where}: #+ if blocks cannot nest")
            inside = m.group(1)
            keep = any(name in given for name in inside.split("|"))
            continue
        if _END.match(line):
            if inside is None:
                raise QueryError(f"{where}: #+ end without #+ if")
            inside, keep = None, True
            continue
        if keep:
            out.append(line)
    if inside is not None:
        raise QueryError(f"{where}: #+ if {inside} has no #+ end")
    return "".join(out)


# -- the shipped queries ------------------------------------------------------------------------------

@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every query shipped in ``lod/queries/``, by name."""
    found: dict[str, NamedQuery] = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        query = parse_query(path.read_text(encoding="utf-8"), path=path)
        found[query.name] = query
    return found


def find_query(spec: str) -> NamedQuery:
    """A named query, or a ``.rq`` file given by path."""
    queries = named_queries()
    if spec in queries:
        return queries[spec]
    path = Path(spec)
    if spec.endswith(".rq") or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"{spec}: cannot read ({err.strerror or err})") from None
        return parse_query(text, path=path)
    raise QueryError(f"no query named {spec!r}; `lod queries` lists them "
                     f"({', '.join(sorted(queries))})")


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``key=value`` strings → a dict (the value may contain anything, including ``=``)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r}: expected key=value")
        if key.strip() in out:
            raise QueryError(f"parameter {key.strip()} given twice; give it once")
        out[key.strip()] = value
    return out


def prepare(query: NamedQuery, raw: Mapping[str, str], *, limit: int | None = -1) -> Prepared:
    """Check and type the parameters, resolve the ``#+ if`` blocks; ``limit=-1`` keeps the
    query's own default, ``None`` or 0 means no limit."""
    declared = {p.name: p for p in query.params}
    bindings: Bindings = {}
    if declared or query.managed:  # a declared query takes only the parameters it declares
        unknown = sorted(set(raw) - set(declared))
        if unknown:
            raise QueryError(f"{query.name}: unknown parameter {unknown[0]!r}; it takes "
                             f"{', '.join(declared) or 'none'}")
    given: set[str] = set()
    for name, value in raw.items():
        if len(value) > MAX_VALUE_CHARS:
            raise QueryError(f"parameter {name}: longer than {MAX_VALUE_CHARS} characters")
        param = declared.get(name)
        if not declared and not query.managed:  # ad-hoc, no declarations: plain strings
            _variable(name)
            bindings[name] = literal(value, name)
        elif param is not None:
            bindings.update(PARAM_TYPES[param.kind](name, value))
        given.add(name)
    for param in query.params:
        if param.name in given:
            continue
        if param.default is not None:
            bindings.update(PARAM_TYPES[param.kind](param.name, param.default))
            given.add(param.name)
        elif not param.optional:
            raise QueryError(f"{query.name} needs {param.name}=… ({param.description or param.kind})")
    _check_period(query, bindings)
    for group in query.require_any:
        if not given.intersection(group):
            raise QueryError(f"{query.name} needs at least one of: "
                             f"{', '.join(n + '=' for n in group)}")
    text = _blocks(query.body, given | set(bindings), query.name)
    if limit == -1:
        limit = query.limit
    return Prepared(text, bindings, limit or None, query.order, query.page_order, query.managed,
                    query.one_row_per)


def _check_period(query: NamedQuery, bindings: Bindings) -> None:
    """``from`` (dates) must not be later than ``to``: compared from the first day ``from``
    can mean to the last day ``to`` can (``from=1990-05 to=1990`` is a period)."""
    start, end = query.param("from"), query.param("to")
    if start is None or end is None or start.kind != "date" or end.kind != "date":
        return
    if "from" not in bindings or "to" not in bindings:
        return
    start_text, end_text = bindings["from"].value, bindings["to"].value
    first = (start_text + "-01-01"[len(start_text) - 4:])[:10]
    last = (end_text + "-12-31"[len(end_text) - 4:])[:10]
    if first > last:
        raise QueryError(f"{query.name}: parameter from={start_text} is later than "
                         f"to={end_text}")


def _variable(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(f"--param {name!r}: not a usable variable name")


__all__ = ["PARAM_TYPES", "NamedQuery", "Param", "Prepared", "find_query", "named_queries",
           "parse_params", "parse_query", "prepare"]
