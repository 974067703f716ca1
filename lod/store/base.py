"""The contract every store backend keeps: the :class:`Store` protocol and :class:`SelectResult`.

Two backends implement it: :mod:`lod.store.embedded` (Oxigraph on disk) and
:mod:`lod.store.remote` (any SPARQL 1.1 server). Code that uses a store depends on this
module only, and gets a store from :func:`lod.store.open_store`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, Protocol, Self

import pyoxigraph as ox

from lod.errors import QueryError, UsageError
from lod.namespaces import PREFIXES
from lod.output.syntaxes import SYNTAXES
from lod.store.terms import OX_TERM_TYPES, OxTerm, checked, from_ox, to_ox

if TYPE_CHECKING:
    from rdflib.term import Identifier

#: Bound values for a query: variable name (without ``?``) -> RDF term (rdflib or pyoxigraph).
Bindings = Mapping[str, "Identifier | OxTerm"]
#: A row of a SELECT answer in pyoxigraph terms.
OxRow = dict[str, OxTerm]
_ROW_KINDS = frozenset({type(None), *OX_TERM_TYPES})

#: ``dump`` format names and the pyoxigraph formats behind them.
DUMP_FORMATS: dict[str, ox.RdfFormat] = {name: s.rdf_format for name, s in SYNTAXES.items()}

#: Prefixes written into Turtle and TriG dumps (output only; parsing never needs them).
DUMP_PREFIXES: dict[str, str] = PREFIXES


class SelectResult:
    """The answer to a SELECT query.

    ``variables`` are the projected variable names (without ``?``), in query order.
    Each row maps a variable name to its term; unbound variables are absent. ``rows`` gives
    rdflib terms, ``ox_rows`` pyoxigraph terms; a result keeps the rows in the terms it was
    made with and converts them (once) when the other kind is asked for, so that code that
    reads ``ox_rows`` from the embedded store never imports rdflib.
    """

    __slots__ = ("_ox_rows", "_rows", "variables")

    def __init__(self, variables: list[str], rows: list[dict[str, Identifier]] | None = None, *,
                 ox_rows: list[OxRow] | None = None) -> None:
        if (rows is None) == (ox_rows is None):
            raise TypeError("give the rows as rdflib terms or as pyoxigraph terms (one of them)")
        self.variables = variables
        self._rows = rows
        self._ox_rows = ox_rows

    @classmethod
    def of(cls, solutions: ox.QuerySolutions) -> SelectResult:
        """pyoxigraph's solutions, kept as they are (unbound variables left out of each row)."""
        names = [v.value for v in solutions.variables]
        rows: list[OxRow] = []
        kinds: set[type] = set()
        # A solution iterates its values in the order of the variables; checking the kinds
        # seen once at the end costs a third of checking each term (1,000-row facet answers).
        for solution in solutions:
            values = tuple(solution)
            kinds.update(map(type, values))
            rows.append({name: term for name, term in zip(names, values, strict=True)
                         if term is not None})
        for kind in kinds - _ROW_KINDS:
            checked(next(t for row in rows for t in row.values() if type(t) is kind))
        return cls(names, ox_rows=rows)

    @property
    def rows(self) -> list[dict[str, Identifier]]:
        """The rows as rdflib terms."""
        if self._rows is None:
            assert self._ox_rows is not None
            self._rows = [{name: from_ox(term) for name, term in row.items()}
                          for row in self._ox_rows]
        return self._rows

    @property
    def ox_rows(self) -> list[OxRow]:
        """The rows as pyoxigraph terms; QueryError if a server sent a malformed term."""
        if self._ox_rows is None:
            assert self._rows is not None
            self._ox_rows = [{name: _ox(name, term) for name, term in row.items()}
                             for row in self._rows]
        return self._ox_rows

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SelectResult):
            return NotImplemented
        return self.variables == other.variables and self.ox_rows == other.ox_rows

    __hash__ = None  # type: ignore[assignment]  # mutable rows, as the dataclass had

    def __repr__(self) -> str:
        return f"SelectResult(variables={self.variables!r}, rows={self.ox_rows!r})"


def _ox(name: str, term: Identifier) -> OxTerm:
    try:
        return to_ox(term)
    except ValueError as err:
        raise QueryError(f"the answer's ?{name} is not a valid RDF term: {err}") from None


class Store(Protocol):
    """A quad store lod loads into and queries. Graph names are IRIs without ``<>``.

    The default graph a query sees is the union of all named graphs (embedded store;
    Virtuoso behaves the same; other servers depend on their configuration).
    """

    #: True for a SPARQL server reached over HTTP, False for a store in this process.
    remote: bool

    def replace_graphs(self, nquads: bytes, graphs: Sequence[str]) -> None:
        """Drop each graph in ``graphs``, then add ``nquads`` (UTF-8 N-Quads whose quads all
        lie in those graphs). Embedded: all-or-nothing for the whole call. Remote: per graph."""
        ...

    def add_nquads(self, nquads: bytes) -> None:
        """Add UTF-8 N-Quads as they are (no graph is dropped first)."""
        ...

    def delete_graphs(self, graphs: Sequence[str]) -> int:
        """Drop the given graphs; return how many of them existed."""
        ...

    def has_graph(self, graph: str) -> bool: ...

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None) -> bytes:
        """Run a CONSTRUCT (or DESCRIBE) query; return the triples as N-Triples bytes."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update. Only for lod's own fixed updates: no user values."""
        ...

    def dump(self, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
        """Write the whole dataset, or one graph, to ``out`` in ``fmt`` (see DUMP_FORMATS).
        Formats without named graphs get the union of all graphs."""
        ...

    def graphs(self) -> list[str]: ...

    def triple_count(self, graph: str | None = None) -> int:
        """Triples in one graph, or quads in all named graphs together."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class TruncatedResultWarning(UserWarning):
    """A SELECT result probably stopped at the server's row limit, not at the data's end."""


class ClosingMixin:
    """``with store: ...`` closes the store at the end of the block."""

    def close(self) -> None:  # pragma: no cover - every backend overrides it
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def dump_format(fmt: str) -> ox.RdfFormat:
    """The pyoxigraph format for a dump format name, or UsageError naming the choices."""
    try:
        return DUMP_FORMATS[fmt]
    except KeyError:
        choices = ", ".join(DUMP_FORMATS)
        raise UsageError(f"unknown dump format {fmt!r}; choose one of {choices}") from None
