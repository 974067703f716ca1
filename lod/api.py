"""The library API in a few calls: convert records, load them, ask a named query.

Each call does what the matching command does, with the same checks and errors; the CLI's
worker pools, batching and facet summaries stay behind them. ``lod/__init__.py`` re-exports
these names, so ``import lod`` is the one import a library user needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lod.converter.core import StudyGraph
from lod.converter.parallel import ConverterSpec
from lod.converter.pipeline import RunSummary, convert_inputs
from lod.errors import LodError
from lod.namespaces import DEFAULT_BASE_URI
from lod.queries import find_query, prepare
from lod.queries.run import Answer, execute
from lod.records import Problem
from lod.store import Store
from lod.store.loading import LoadReport

ProblemHandler = Callable[[Problem, bool], None]


@dataclass
class Converted:
    """What :func:`convert` made: the named graphs, each warning and rejection, the totals."""

    graphs: list[StudyGraph]
    problems: list[Problem]
    summary: RunSummary
    rejected: list[Problem] = field(default_factory=list)

    def nquads(self) -> bytes:
        """Every graph as UTF-8 N-Quads, in the order converted."""
        return "".join(graph.text(f" <{graph.iri}> .\n") for graph in self.graphs).encode()


def convert(inputs: Sequence[str], *, base_uri: str = DEFAULT_BASE_URI, source: str | None = None,
            mapping: str | None = None) -> Converted:
    """Convert study records (files or folders, as ``lod convert`` takes them) in memory.

    ``source`` forces the input form (``harmony``, ``ddi``, ``schemaorg`` …) as ``--from``
    does; ``mapping`` is a mapping file of your own. Bad records are in ``rejected``, never
    raised; a file that cannot be read at all raises :class:`LodError`."""
    graphs: list[StudyGraph] = []
    problems: list[Problem] = []
    rejected: list[Problem] = []

    def note(problem: Problem, is_rejection: bool) -> None:
        (rejected if is_rejection else problems).append(problem)

    summary = convert_inputs(list(inputs), ConverterSpec(base_uri, mapping=mapping), graphs.append,
                             note, source=source)
    return Converted(graphs, problems, summary, rejected)


def load(store: Store, inputs: Sequence[str], *, base_uri: str = DEFAULT_BASE_URI,
         source: str | None = None, on_problem: ProblemHandler | None = None) -> LoadReport:
    """Convert and load ``inputs`` into ``store`` (one named graph per study; RDF files as
    they are), then refresh the facet summary, as ``lod load`` does."""
    from lod.store.loading import load as load_inputs

    return load_inputs(store, list(inputs), ConverterSpec(base_uri),
                       on_problem=on_problem or (lambda problem, is_rejection: None), source=source)


def query(store: Store, name: str, /, limit: int | None = -1, **params: object) -> Answer:
    """Run a named query (``sponsors``, ``studies-by-sponsor`` …) or a ``.rq`` file's query.

    Parameters are checked as on the command line (``query(store, "studies-in-period",
    **{"from": 1990, "to": 2000})``); a bad one raises :class:`LodError` naming it."""
    prepared = prepare(find_query(name), {key: str(value) for key, value in params.items()},
                       limit=limit)
    return execute(store, prepared)


__all__ = ["Converted", "LodError", "convert", "load", "query"]
