"""Option decorators shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..readers import READERS

DEFAULT_BASE_URI = "https://w3id.org/lod-studies/id/"

F = Callable[..., Any]


def input_options(fn: F) -> F:
    """Options for commands that read study records (convert, load, validate)."""
    fn = click.option("--base-uri", default=DEFAULT_BASE_URI, show_default=True, metavar="URI",
                      help="Where minted IRIs (studies, organisations, catalogues…) live.")(fn)
    fn = click.option("--mapping", "mapping", metavar="NAME|FILE",
                      help="Mapping to use for every record instead of the one for its form "
                           "(a name in mappings/ or a YAML file).")(fn)
    fn = click.option("--from", "source", type=click.Choice(sorted(READERS)), metavar="FORM",
                      help=f"Input form, instead of detecting it: {'|'.join(sorted(READERS))}.")(fn)
    return fn
