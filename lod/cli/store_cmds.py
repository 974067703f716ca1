"""``lod load``, ``lod delete``, ``lod export`` and ``lod stats``: the store side of the CLI."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from lod.cli.convert_cmd import problem_reporter
from lod.cli.options import converter_spec, input_options, store_options
from lod.cli.progress import LoadProgress
from lod.cli.target import ensure_facets, open_target
from lod.converter.pipeline import default_jobs
from lod.errors import OutputError, StoreError, UsageError
from lod.mapping.spec import load_mapping
from lod.output.files import gzip_if_named, open_text_output, output_file
from lod.output.syntaxes import SYNTAXES, syntax_for_path
from lod.store import deleting, facets, loading
from lod.store.embedded import EmbeddedStore
from lod.wording import counted


@click.command("load")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--rejects", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write each rejected record as a JSON line: location and reason.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings (rejections still print).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=default_jobs,
              show_default="cores, max 4", help="Worker processes for big JSON Lines inputs.")
@click.option("--batch", type=click.IntRange(min=1), default=loading.BATCH_TRIPLES,
              show_default=True, metavar="TRIPLES", help="Triples per write to the store.")
@click.option("--input-format", "format_name", type=click.Choice(list(SYNTAXES)),
              help="Every input is RDF in this syntax, loaded as it is (needed for RDF on stdin).")
@click.option("--no-compact", "no_compact", is_flag=True,
              help="Skip compacting the embedded store after a big load (reads stay slower).")
@input_options
@store_options
def load_command(inputs: tuple[str, ...], rejects: str | None, quiet: bool, jobs: int, batch: int,
                 format_name: str | None, no_compact: bool, source: str | None, mapping: str | None,
                 base_uri: str, target: dict[str, Any]) -> None:
    """Convert study records and load them into the store; RDF files (.ttl .nt .nq .trig .rdf
    .jsonld) that no reader claims are loaded as they are.

    Each study is a named graph: loading a changed record replaces it, loading the same input
    again changes nothing. Exit status: 0 when every record loaded, 1 when some were rejected."""
    if mapping:
        load_mapping(mapping)  # a broken mapping fails before anything is written
    progress = LoadProgress()
    with ExitStack() as stack:
        store = stack.enter_context(open_target(target, create=True))
        rejects_file = stack.enter_context(open_text_output(rejects)) if rejects else None
        try:
            report = loading.load(store, inputs, converter_spec(base_uri, mapping),
                                  on_problem=problem_reporter(rejects_file, quiet), source=source,
                                  jobs=jobs, batch_triples=batch, on_progress=progress.converted,
                                  on_written=progress.written, format_name=format_name,
                                  compact=not no_compact)
        finally:
            progress.done()
    if report.conversion is not None:
        click.echo(f"lod: {report.conversion.line()}", err=True)
    click.echo(f"lod: {report.line()}", err=True)
    if report.rdf_rejected or (report.conversion is not None and report.conversion.rejected):
        raise SystemExit(1)


@click.command("delete")
@click.argument("studies", nargs=-1, required=True, metavar="ID|IRI...")
@store_options
def delete_command(studies: tuple[str, ...], target: dict[str, Any]) -> None:
    """Delete studies by source id (ukds/851986) or IRI. Shared nodes (organisations, keywords,
    places) stay while other studies link to them. Exit status 1 if any was not found."""
    with open_target(target) as store:
        report = deleting.delete(store, studies)
    for spec in report.missing:
        click.echo(f"lod: not found: {spec}", err=True)
    click.echo(f"lod: deleted {counted(len(report.deleted), 'study')}"
               + (f" and {counted(len(report.orphans), 'shared node')} no study links to any more"
                  if report.orphans else ""), err=True)
    if report.missing:
        raise SystemExit(1)


@click.command("export")
@click.option("-f", "--format", "format_name", type=click.Choice(list(SYNTAXES)),
              help="RDF syntax (default: from the -o extension, else nquads; turtle with --graph).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Output file (default: standard output).")
@click.option("--graph", metavar="IRI", help="Export one named graph (a study, a shared node).")
@store_options
def export_command(format_name: str | None, output: str | None, graph: str | None,
                   target: dict[str, Any]) -> None:
    """Write the store's content (every named graph, or one) in an RDF syntax. Formats without
    named graphs get the union of the graphs."""
    if format_name is None:
        found = syntax_for_path(output, default=None) if output else None
        format_name = found.name if found else ("turtle" if graph else "nquads")
    with open_target(target) as store, ExitStack() as stack:
        if graph is not None and not store.has_graph(graph):
            raise UsageError(f"no graph <{graph}> in the store")
        raw = stack.enter_context(output_file(output)) if output else sys.stdout.buffer
        out = _Output(gzip_if_named(raw, output, stack))
        try:
            store.dump(out, format_name, graph=graph)  # type: ignore[arg-type]
        except StoreError:
            if out.error is not None:  # the output failed, not the store (`| head`: BrokenPipe)
                raise out.error from None
            raise
        out.flush()


class _Output:
    """The export's output; remembers why a write failed (the store reports it as its own
    error), e.g. the reader of a pipe went away or the disk is full."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.error: Exception | None = None

    def write(self, data: bytes) -> int:
        try:
            return int(self.raw.write(data))
        except (OSError, OutputError) as err:
            self.error = err
            raise

    def flush(self) -> None:
        self.raw.flush()


@click.command("compact")
@store_options
def compact_command(target: dict[str, Any]) -> None:
    """Compact the embedded store's files: RocksDB merges the sorted files each bulk load
    added, so reads consult fewer. lod load, lod harvest and a writable lod serve do this
    after big writes; run it after loads with --no-compact. It needs the store to itself
    (not beside a server that has writes on); a read-only server may keep running."""
    if target.get("endpoint") is not None:
        raise UsageError("lod compact is for the embedded store (--store); "
                         "a SPARQL server compacts its own files")
    with open_target(target) as store:
        assert isinstance(store, EmbeddedStore)  # no --endpoint: the embedded store
        before = _files(store.path)
        seconds = store.compact(force=True) or 0.0
        after = _files(store.path)
    click.echo(f"lod: compacted {store.path}: {counted(before[0], 'file')} to {after[0]}, "
               f"{before[1] / 1e6:,.1f} MB to {after[1] / 1e6:,.1f} MB in {seconds:.2f} s", err=True)


def _files(folder: Path) -> tuple[int, int]:
    """The store's table files: how many, and their bytes."""
    tables = [p.stat().st_size for p in folder.glob("*.sst")]
    return len(tables), sum(tables)


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--refresh", is_flag=True, help="Rebuild the facet summary first.")
@store_options
def stats_command(fmt: str, refresh: bool, target: dict[str, Any]) -> None:
    """Studies, graphs, triples, sponsors, keywords, catalogues, places and periods in the store
    (graphs and triples without lod's facet summary graphs)."""
    with open_target(target) as store:
        if refresh:
            facets.refresh(store)
        else:
            ensure_facets(store)
        sizes = facets.sizes(store)
        graphs = store.graphs()
        summary = sum(store.triple_count(g) for g in facets.ALL_GRAPHS if g in graphs)
        stats = {
            "studies": sizes["studies"],
            "graphs": sum(1 for g in graphs if g not in facets.ALL_GRAPHS),
            "triples": store.triple_count() - summary,
            "sponsors": sizes["sponsors"],
            "keywords": sizes["keywords"],
            "catalogues": sizes["catalogues"],
            "countries": sizes["countries"],
            "places": sizes["places"],
            "spans of years": sizes["periods"],
        }
    if fmt == "json":
        click.echo(json.dumps(stats, indent=1))
        return
    width = max(len(k) for k in stats)
    for key, value in stats.items():
        click.echo(f"{key.ljust(width)}  {value:>12,}")
