"""The ``lod`` command: a thin click skin over the library, one module per command."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import LodError


class LodGroup(click.Group):
    """Maps :class:`LodError` to one clear line on stderr and its exit code: no tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LodError as exc:
            click.echo(f"lod: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`); not an error
            ctx.exit(0)


@click.group(cls=LodGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lod")
def cli() -> None:
    """Publish research-study metadata as DCAT-AP 3 and schema.org linked open data."""


def _register() -> None:
    from . import convert_cmd, validate_cmd

    for module in (convert_cmd, validate_cmd):
        module.register(cli)
    import importlib

    try:  # commands added by later modules register themselves the same way
        extra = importlib.import_module(f"{__name__}.extra_commands")
    except ModuleNotFoundError:
        return
    for module in extra.MODULES:
        module.register(cli)


_register()


def main() -> None:
    cli(prog_name="lod")
