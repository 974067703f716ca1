"""``lod validate``: SHACL validation of RDF files (DCAT-AP 3.0.1, lod's study shapes)."""

from __future__ import annotations

import json

import click

from lod.validate import SHAPE_SETS, validate_files


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--shapes", default="dcat-ap", show_default=True, metavar="dcat-ap|study|all|PATH",
              help=f"Shapes to validate against: {'|'.join(SHAPE_SETS)} or a SHACL file.")
@click.option("--format", "report_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def validate_command(files: tuple[str, ...], shapes: str, report_format: str) -> None:
    """Validate RDF files with SHACL. Exit 0 when they conform, 1 on violations."""
    report = validate_files(files, shapes)
    if report_format == "json":
        click.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        click.echo(report.text())
    if not report.conforms:
        raise SystemExit(1)
