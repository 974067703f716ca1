"""A harvest run: pages fetched one after another, each split into datasets, normalised and
handed to the :class:`~lod.harvest.sink.Sink`; the loop guard and ``max_pages`` bound it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial

import httpx
import pyoxigraph as ox

from lod.converter.core import Converter
from lod.errors import LodError
from lod.harvest import formats, harmony, paging, state
from lod.harvest.ahead import ReadAhead
from lod.harvest.datasets import Found, Line, is_iri, line_of, lines_of, split
from lod.harvest.fetch import Fetcher, FetchError, FetchPolicy, Page, check_scheme
from lod.harvest.normalise import Normaliser
from lod.harvest.provenance import NORMALISATION, catalogue_node, content_hash, last_change
from lod.harvest.sink import Built, Item, Sink
from lod.mapping.spec import load_mapping
from lod.namespaces import DEFAULT_BASE_URI, RDF
from lod.readers.limits import oversized
from lod.records import Origin, Record
from lod.store import Store, coverage, facets

RDF_TYPE = RDF + "type"
MAPPINGS = ("harmony", "ddi", "schemaorg", "csl")
@cache
def shared_types() -> frozenset[ox.NamedNode]:
    """The types of the nodes lod's own mappings share between studies (node templates whose
    IRI does not depend on the study: organisations, catalogues, concepts, places, series,
    languages). Harvested nodes of these types go in graphs of their own, as converted ones
    do; every other node a dataset reaches (distributions, contact points, periods) stays in
    the dataset's graph."""
    found: set[ox.NamedNode] = set()
    for name in MAPPINGS:
        for node in load_mapping(name).nodes.values():
            if "{subject}" not in node.iri:
                found.update(ox.NamedNode(t) for t in node.types)
    return frozenset(found)


@dataclass(frozen=True)
class HarvestOptions:
    kind: str = "dcat"  # or "harmony"
    max_pages: int = 10_000
    since: str | None = None  # sent as modified_since
    delete_missing: bool = False
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    base_uri: str = DEFAULT_BASE_URI


@dataclass
class HarvestReport:
    datasets: int = 0
    pages: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0  # datasets and pages
    failed_pages: int = 0
    unreachable: int = 0  # sources whose first page could not be had
    writes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # errors and warnings, one line each

    def line(self) -> str:
        return (f"harvested {self.datasets} datasets from {self.pages} pages: {self.added} added, "
                f"{self.changed} changed, {self.unchanged} unchanged, {self.deleted} deleted, "
                f"{self.rejected} rejected in {self.seconds:.1f} s")

    @property
    def exit_code(self) -> int:
        if self.unreachable:
            return 2
        return 1 if self.rejected or self.failed_pages else 0


Report = Callable[[str], None]


def harvest(store: Store, urls: Sequence[str], options: HarvestOptions, *,
            on_problem: Report | None = None, on_page: Callable[[HarvestReport], None] | None = None,
            fetcher: Fetcher | None = None) -> HarvestReport:
    """Harvest every URL into ``store``; problems are reported (``lod: …`` lines) and counted."""
    started = time.perf_counter()
    report = HarvestReport()

    def problem(message: str) -> None:
        report.problems.append(message)
        if on_problem is not None:
            on_problem(message)

    own = fetcher is None
    fetch = fetcher or Fetcher(options.policy)
    try:
        for url in urls:
            run = _Source(store, url, options, fetch, report, problem, on_page)
            run.go()
    finally:
        if own:
            fetch.close()
    report.seconds = time.perf_counter() - started
    return report


class _Source:
    def __init__(self, store: Store, url: str, options: HarvestOptions, fetch: Fetcher,
                 report: HarvestReport, problem: Report,
                 on_page: Callable[[HarvestReport], None] | None) -> None:
        self.store, self.url, self.options, self.fetch = store, url, options, fetch
        self.report, self.problem, self.on_page = report, problem, on_page
        self.complete = True  # every page read; deleting missing datasets is safe
        self.partial = False  # the source was asked for changes only

    def go(self) -> None:
        try:
            check_scheme(self.url)
        except LodError as err:
            self.problem(f"error: {err}")
            self.report.unreachable += 1
            return
        sink = Sink(self.store, self.url)
        try:
            if self.options.kind == "harmony":
                self._harmony(sink)
            else:
                self._dcat(sink)
            if self.options.delete_missing:
                if self.complete and not self.partial:
                    sink.delete_missing()
                else:
                    self.problem(f"warning: {self.url}: not every page was read (or only changes "
                                 "were asked for), so --delete-missing deleted nothing")
        finally:
            sink.finish()
            c = sink.counts
            r = self.report
            r.added += c.added
            r.changed += c.changed
            r.unchanged += c.unchanged
            r.deleted += c.deleted
            r.datasets += c.added + c.changed + c.unchanged
            r.writes += c.writes

    def _warn(self, page_url: str, dataset: str, message: str) -> None:
        self.problem(f"warning: {page_url}: dataset {dataset}: {message}")

    def _get(self, url: str, first: bool, accept: str, etag: str | None = None,
             ahead: ReadAhead | None = None) -> Page | None:
        try:
            if ahead is not None:
                return ahead.get(url, accept=accept, etag=etag)
            return self.fetch.get(url, accept=accept, etag=etag)
        except LodError as err:
            self.problem(f"error: {err}")
            self.complete = False
            if first:
                self.report.unreachable += 1
            else:
                self.report.failed_pages += 1
                self.report.rejected += 1
            return None

    def _dcat(self, sink: Sink) -> None:
        ahead = ReadAhead(self.fetch)
        try:
            self._dcat_pages(sink, ahead)
        finally:
            ahead.close()

    def _dcat_pages(self, sink: Sink, ahead: ReadAhead) -> None:
        guard = paging.LoopGuard()
        normaliser = Normaliser(self.options.base_uri)
        old = state.read(self.store, self.url)
        new = state.SourceState(self.url, modified_since=old.modified_since)
        since = self.options.since
        if since is None and old.modified_since and sink.known:
            since = last_change(self.store, self.url)
        self.partial = since is not None  # a modified-since run lists only what changed
        if self.partial:
            new.pages = dict(old.pages)  # the full listing's pages stay as they were
        url: str | None = self.url
        if since:
            url = str(httpx.URL(self.url).copy_merge_params({"modified_since": since}))
        first = True
        while url is not None:
            if self.report.pages >= self.options.max_pages:
                self.problem(f"warning: {self.url}: stopped after --max-pages "
                             f"{self.options.max_pages} pages")
                self.complete = False
                break
            if guard.seen_url(url):
                self.problem(f"warning: {url}: page already visited (a paging loop); stopped")
                break
            known = old.pages.get(url)
            page = self._get(url, first, formats.ACCEPT, known.etag if known else None, ahead)
            if page is None:
                return
            self.report.pages += 1
            if page.status == 304 and known is not None:  # not modified: as last time
                first = False
                for iri in known.datasets:
                    sink.unchanged(iri)
                new.pages[url] = known
                url = known.next_url
                self._read_ahead(ahead, guard, old, url)
                continue
            try:
                fmt = formats.choose(page.content_type, page.body)
                lines = lines_of(formats.parse(page.body, fmt, page.url))
            except LodError as err:
                self.problem(f"error: {url}: {err}")
                self.report.rejected += 1
                self.complete = False
                if first:
                    self.report.unreachable += 1
                return
            if first and paging.advertises_modified_since(lines):
                new.modified_since = True
            first = False
            items = self._page_items(normaliser, page.url, lines)
            if guard.seen_content([(item.iri, item.digest) for item in items]):
                self.problem(f"warning: {url}: same content as an earlier page (a paging loop); "
                             "stopped")
                break
            next_url = paging.next_page(lines, page.url)
            self._read_ahead(ahead, guard, old, next_url)
            for item in items:
                sink.add(item)
            if self.on_page is not None:
                self.on_page(self.report)
            if page.etag and not self.partial:
                new.pages[url] = state.PageState(page.etag, next_url, [item.iri for item in items])
            url = next_url
        if self.complete and state.write_if_changed(self.store, old, new):
            sink.counts.writes += 1

    def _read_ahead(self, ahead: ReadAhead, guard: paging.LoopGuard, old: state.SourceState,
                    url: str | None) -> None:
        """Start fetching the page the loop will ask for next, unless the loop would stop
        before fetching it (the last page, ``max_pages``, a URL already visited)."""
        if url is None or self.report.pages >= self.options.max_pages or guard.visited(url):
            return
        known = old.pages.get(url)
        ahead.start(url, accept=formats.ACCEPT, etag=known.etag if known else None)

    def _page_items(self, normaliser: Normaliser, page_url: str, lines: list[Line]) -> list[Item]:
        found = split(lines, source=self.url, base_uri=self.options.base_uri, page_url=page_url)
        for rejection in found.rejected:
            self.problem(f"error: {rejection.where}: rejected: {rejection.reason}")
            self.report.rejected += 1
        catalogues = {iri: catalogue_node(iri, own) for iri, own in found.catalogues.items()}
        items = []
        for dataset in found.datasets:
            digest = content_hash(dataset.statements, NORMALISATION)
            items.append(Item(dataset.iri, digest, page_url, "dcat",
                              partial(_normalised, normaliser, dataset, catalogues,
                                      partial(self._warn, page_url, dataset.iri)),
                              dataset.catalogues))
        return items

    def _harmony(self, sink: Sink) -> None:
        converter = Converter(self.options.base_uri)
        size = harmony.page_size(self.url)
        seen: set[str] = set()
        for offset in harmony.offsets(size):
            if self.report.pages >= self.options.max_pages:
                self.problem(f"warning: {self.url}: stopped after --max-pages "
                             f"{self.options.max_pages} pages")
                self.complete = False
                return
            url = harmony.page_url(self.url, offset, size)
            page = self._get(url, offset == 0, "application/json")
            if page is None:
                return
            self.report.pages += 1
            try:
                found = harmony.read_page(url, page.body, seen, size)
            except LodError as err:
                self.problem(f"error: {url}: {err}")
                self.report.rejected += 1
                self.complete = False
                if offset == 0:
                    self.report.unreachable += 1
                return
            for index, result in found.results:
                self._convert(sink, converter, url, index, result)
            if self.on_page is not None:
                self.on_page(self.report)
            if found.last or (found.num_hits is not None and offset + size >= found.num_hits):
                return

    def _convert(self, sink: Sink, converter: Converter, url: str, index: int, result: object) -> None:
        origin = Origin(url, index=index, pointer=f"/results/{index}")
        if not isinstance(result, dict) or ("dataset_schema" not in result and "extra_data" not in result):
            self.problem(f"error: {url} result {index}: rejected: not a study record "
                         "(no dataset_schema or extra_data)")
            self.report.rejected += 1
            return
        if (too_big := oversized(result)) is not None:
            self.problem(f"error: {url} result {index}: rejected: {too_big[0]}: {too_big[1]}")
            self.report.rejected += 1
            return
        conversion = converter.convert(Record(result, origin, source="harmony"))
        if conversion.rejection is not None:
            p = conversion.rejection
            self.problem(f"error: {url} result {index}: rejected: "
                         f"{p.field + ': ' if p.field else ''}{p.message}")
            self.report.rejected += 1
            return
        for warning in conversion.warnings:
            self.problem(f"warning: {warning}")
        shared = {g.iri: g.statements for g in conversion.graphs if g.shared}
        for graph in conversion.graphs:
            if graph.shared:
                continue
            statements = list(graph.statements)
            span = coverage.span_of("\n".join(statements))
            if span is not None:
                statements.append(f'<{graph.iri}> <{facets.COVERAGE_YEARS}> "{span}"')
            sink.add(Item(graph.iri, content_hash(statements), url, "harmony",
                          partial(_as_built, statements, shared)))


__all__ = ["DEFAULT_BASE_URI", "FetchError", "HarvestOptions", "HarvestReport", "harvest"]


def _normalised(normaliser: Normaliser, dataset: Found, catalogues: dict[str, list[str]],
                warn: Callable[[str], None]) -> Built:
    lines = [line_of(statement) for statement in dataset.statements]
    norm = normaliser.run(dataset.iri, lines)
    for warning in norm.warnings:
        warn(warning)
    shared = {node: list(statements) for node, statements in norm.shared.items()}
    for catalogue in dataset.catalogues:
        shared.setdefault(catalogue, catalogues[catalogue])
    # The page's statements are kept as they came: only what normalising added or dropped is
    # written out anew.
    statements = {st: line for st, line in zip(dataset.statements, lines, strict=True)
                  if st not in norm.dropped}
    statements.update((st, line_of(st)) for st in norm.added if st not in statements)
    own: list[str] = []
    others: dict[str, list[tuple[str, str]]] = {}  # node → (object, statement)
    linked_from_own: set[str] = set()
    typed: set[str] = set()  # nodes of a shared type
    node, fragment = f"<{dataset.iri}>", "<" + dataset.iri.split("#", 1)[0] + "#"
    types, share = f"<{RDF_TYPE}>", _shared_type_terms()
    for statement, (s, p, o) in statements.items():
        if _belongs_to(s, o, node, fragment):
            own.append(statement)
            if is_iri(o):
                linked_from_own.add(o[1:-1])
        else:
            others.setdefault(s[1:-1], []).append((o, statement))
            if p == types and o in share:
                typed.add(s[1:-1])
    described = {n: entries for n, entries in others.items() if n in typed}
    owner_of: dict[str, str] = {}  # a node → the first shared node naming it
    for n, entries in described.items():
        # the page's own description of a shared node wins over the one lod makes from its
        # tables: the source says what its nodes are (a lod feed's concepts keep their labels)
        shared[n] = [st for _, st in entries]
        for o, _ in entries:
            if is_iri(o):
                owner_of.setdefault(o[1:-1], n)
    for n, entries in others.items():
        if n in described:
            continue
        # Any other node goes with what links to it: the dataset, the shared node naming it (a
        # catalogue's homepage), or both, as lod's converter writes it in each graph linking it.
        owner = owner_of.get(n)
        if n in linked_from_own or owner is None:
            own.extend(st for _, st in entries)
        if owner is not None and owner not in dataset.catalogues:
            shared[owner].extend(st for _, st in entries)
    return own, shared


@cache
def _shared_type_terms() -> frozenset[str]:
    return frozenset(str(t) for t in shared_types())


def _belongs_to(subject: str, obj: str, node: str, fragment: str) -> bool:
    """Whether a statement goes in the dataset's own graph: it is about the dataset (``node``),
    a node of its own (a ``fragment`` of its IRI, a skolemised blank node) or links to it.
    Other nodes with IRIs of their own that are shared (:func:`shared_types`) go in graphs
    named by those IRIs, as lod's converter puts them."""
    if not is_iri(subject):
        return True
    return subject == node or subject.startswith(fragment) or obj == node


def _as_built(statements: list[str], shared: dict[str, list[str]]) -> Built:
    return statements, shared
