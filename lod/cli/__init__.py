"""The ``lod`` command: a thin click skin over the library, one module per command.

Command modules are imported when their command runs (or for its ``--help``), so ``lod convert``
does not pay for SHACL, SPARQL or store libraries: in start-up time, and in the memory of
every worker process it forks."""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any

import click

from lod import __version__
from lod.errors import LodError, OutputError

# command name -> (module in this package : the click command in it, its line in `lod --help`)
COMMANDS = {
    "convert": ("convert_cmd:convert_command", "Convert study records to DCAT-AP + schema.org RDF."),
    "validate": ("validate_cmd:validate_command", "Validate RDF files with SHACL (DCAT-AP 3, study shapes)."),
    "load": ("store_cmds:load_command", "Convert study records (or RDF files) into the store."),
    "delete": ("store_cmds:delete_command", "Delete studies from the store by source id or IRI."),
    "export": ("store_cmds:export_command", "Write the store's content in an RDF syntax."),
    "compact": ("store_cmds:compact_command", "Compact the embedded store's files (faster reads)."),
    "stats": ("store_cmds:stats_command", "Count studies, graphs, triples and facets in the store."),
    "query": ("query_cmds:query_command", "Run a named query, a .rq file or SPARQL text on the store."),
    "queries": ("query_cmds:queries_command", "List the named queries with their parameters."),
    "serve": ("serve_cmd:serve_command", "Serve the store: SPARQL endpoint, DCAT feed, study pages."),
    "harvest": ("harvest_cmd:harvest_command", "Harvest DCAT feeds or Harmony's API into the store."),
}


class LodGroup(click.Group):
    """Maps :class:`LodError` to one clear line on stderr and its exit code: no tracebacks.
    Loads each command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(f"{__name__}.{module_name}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # from the table, whole: click would import every command's module (SHACL, SPARQL, the
        # store) to cut each docstring's first sentence down to the terminal width
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                _flush_stdout()  # here, not at exit, so that a full disk is reported
        except LodError as exc:
            click.echo(f"lod: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            _silence_stdout()
            sys.stderr.close()  # the reader went away (e.g. `| head`); not an error
            ctx.exit(0)
        except OSError as exc:  # e.g. writing standard output failed mid-run (ENOSPC, EIO)
            _silence_stdout()
            if exc.filename:
                where = f"{exc.filename}: "
            elif exc.errno in _WRITE_ERRORS:  # lod names the files it writes; this is stdout
                where = "cannot write to standard output: "
            else:
                where = ""
            click.echo(f"lod: error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)


_WRITE_ERRORS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _flush_stdout() -> None:
    """Flush standard output; a failure (other than a broken pipe) is an OutputError, and
    what could not be written is dropped so that the flush at exit does not fail again."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        _silence_stdout()
        raise OutputError(f"cannot write to standard output: {err.strerror or err}") from None


def _silence_stdout() -> None:
    """Point standard output at /dev/null, dropping what is buffered for it."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (under click's test runner)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


@click.group(cls=LodGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lod")
def cli() -> None:
    """Publish research-study metadata as DCAT-AP 3 and schema.org linked open data."""


def main() -> None:
    cli(prog_name="lod")
