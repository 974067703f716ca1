"""The contract every store backend keeps: the :class:`Store` protocol and :class:`SelectResult`.

Two backends implement it: :mod:`lod.store.embedded` (Oxigraph on disk) and
:mod:`lod.store.remote` (any SPARQL 1.1 server). Code that uses a store depends on this
module only, and gets a store from :func:`lod.store.open_store`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO, Protocol, Self

import pyoxigraph as ox
from rdflib.term import Identifier

from lod.errors import UsageError
from lod.namespaces import PREFIXES
from lod.output.syntaxes import SYNTAXES
from lod.store.terms import from_ox

#: Bound values for a query: variable name (without ``?``) -> RDF term.
Bindings = Mapping[str, Identifier]

#: ``dump`` format names and the pyoxigraph formats behind them.
DUMP_FORMATS: dict[str, ox.RdfFormat] = {name: s.rdf_format for name, s in SYNTAXES.items()}

#: Prefixes written into Turtle and TriG dumps (output only; parsing never needs them).
DUMP_PREFIXES: dict[str, str] = PREFIXES


@dataclass(frozen=True)
class SelectResult:
    """The answer to a SELECT query.

    ``variables`` are the projected variable names (without ``?``), in query order.
    Each row maps a variable name to its rdflib term; unbound variables are absent.
    """

    variables: list[str]
    rows: list[dict[str, Identifier]]

    @classmethod
    def of(cls, solutions: ox.QuerySolutions) -> SelectResult:
        """pyoxigraph's solutions as rdflib terms (unbound variables left out of each row)."""
        names = [v.value for v in solutions.variables]
        rows = [{name: from_ox(term) for name in names if (term := solution[name]) is not None}
                for solution in solutions]
        return cls(variables=names, rows=rows)


class Store(Protocol):
    """A quad store lod loads into and queries. Graph names are IRIs without ``<>``.

    The default graph a query sees is the union of all named graphs (embedded store;
    Virtuoso behaves the same; other servers depend on their configuration).
    """

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
