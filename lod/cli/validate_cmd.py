"""``lod validate``: SHACL validation of RDF files (DCAT-AP 3.0.1, lod's study shapes)."""

from __future__ import annotations

import json

import click

from lod.output.syntaxes import SYNTAXES
from lod.validate import SHAPE_SETS, validate_files


@click.command("validate")
@click.argument("files", nargs=-1, required=True, metavar="INPUT...")
@click.option("--input-format", "format_name", type=click.Choice(list(SYNTAXES)),
              help="RDF syntax of every input (default: from each file name; study records "
                   "are detected and converted). Needed for stdin.")
@click.option("--shapes", default="dcat-ap", show_default=True, metavar="dcat-ap|study|all|PATH",
              help=f"Shapes to validate against: {'|'.join(SHAPE_SETS)} or a SHACL file.")
@click.option("--format", "report_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def validate_command(files: tuple[str, ...], format_name: str | None, shapes: str,
                     report_format: str) -> None:
    """Validate RDF files (or study records, converted first) with SHACL: files, folders,
    .gz, or - for stdin. Exit 0 when they conform, 1 on violations."""
    report = validate_files(files, shapes, format_name=format_name)
    if report_format == "json":
        click.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        click.echo(report.text())
    if not report.conforms:
        raise SystemExit(1)
