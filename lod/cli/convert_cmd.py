"""``lod convert``: study records → RDF in any common syntax."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from typing import IO, Any

import click

from lod.cli.options import converter_spec, input_options
from lod.cli.progress import Progress
from lod.converter.pipeline import convert_inputs, default_jobs
from lod.mapping.spec import load_mapping
from lod.output.files import gzip_if_named, open_text_output, output_file
from lod.output.syntaxes import SYNTAXES, StudyWriter, syntax_for_path, syntax_named
from lod.records import Problem


def problem_reporter(rejects: IO[str] | None, quiet: bool) -> Any:
    def report(problem: Problem, rejected: bool) -> None:
        if rejected and rejects is not None:
            rejects.write(json.dumps(problem.as_dict(), ensure_ascii=False) + "\n")
        if rejected or not quiet:
            kind = "rejected" if rejected else "warning"
            click.echo(f"lod: {kind}: {problem}", err=True)
    return report


@click.command("convert")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), metavar="OUT",
              help="Output file (default: standard output).")
@click.option("-f", "--format", "format_name", type=click.Choice(list(SYNTAXES)),
              help="RDF syntax (default: from the -o extension, else turtle).")
@click.option("--rejects", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write each rejected record as a JSON line: location and reason.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings (rejections still print).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=default_jobs, show_default="cores, max 4",
              help="Worker processes for big JSON Lines inputs.")
@input_options
def convert_command(inputs: tuple[str, ...], output: str | None, format_name: str | None,
                    rejects: str | None, quiet: bool, jobs: int, source: str | None,
                    mapping: str | None, base_uri: str) -> None:
    """Convert study records (files, directories or - for stdin) to DCAT-AP + schema.org RDF.

    Exit status: 0 when every record converted, 1 when some were rejected."""
    syntax = syntax_named(format_name) if format_name else (
        syntax_for_path(output) if output else syntax_named("turtle"))
    assert syntax is not None
    if mapping:
        load_mapping(mapping)  # a broken mapping fails here, before any output is written
    spec = converter_spec(base_uri, mapping, encode_as=syntax.name if syntax.line_based else None)
    progress = Progress()
    with ExitStack() as stack:
        out = stack.enter_context(output_file(output)) if output else sys.stdout.buffer
        out = gzip_if_named(out, output, stack)
        rejects_file = stack.enter_context(open_text_output(rejects)) if rejects else None
        writer = stack.enter_context(StudyWriter(out, syntax))
        summary = convert_inputs(
            inputs, spec, sink=writer.write, sink_encoded=writer.write_encoded,
            on_problem=problem_reporter(rejects_file, quiet), source=source, jobs=jobs,
            on_progress=progress)
        progress.done()
    click.echo(f"lod: {summary.line()}", err=True)
    if summary.rejected:
        raise SystemExit(1)
