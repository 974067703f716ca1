"""Option decorators shared by several commands."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from lod.namespaces import DEFAULT_BASE_URI

if TYPE_CHECKING:
    from lod.converter.parallel import ConverterSpec

# The readers and the parallel converter are imported by the commands that convert, when they
# are defined or run: `lod query` and the other store commands start without them.


F = Callable[..., Any]


def input_options(fn: F) -> F:
    """Options for commands that read study records (convert, load, validate)."""
    from lod.readers import READERS
    fn = click.option("--base-uri", default=DEFAULT_BASE_URI, show_default=True, metavar="URI",
                      help="Where minted IRIs (studies, organisations, catalogues…) live.")(fn)
    fn = click.option("--mapping", "mapping", metavar="NAME|FILE",
                      help="Mapping to use for every record instead of the one for its form "
                           "(a name in mappings/ or a YAML file).")(fn)
    fn = click.option("--from", "source", type=click.Choice(sorted(READERS)), metavar="FORM",
                      help=f"Input form, instead of detecting it: {'|'.join(sorted(READERS))}.")(fn)
    return fn


def converter_spec(base_uri: str, mapping: str | None, encode_as: str | None = None) -> ConverterSpec:
    """What the converting commands' converters are built from; compiled mapping code is kept
    where :func:`lod.converter.codecache.default_cache_dir` says (the environment is read here)."""
    from lod.converter.codecache import default_cache_dir
    from lod.converter.parallel import ConverterSpec
    cache = default_cache_dir(os.environ)
    return ConverterSpec(base_uri, mapping, encode_as=encode_as, code_cache=str(cache) if cache else None)


def store_options(fn: F, *, timeout: float = 60.0,
                  timeout_help: str = "Give up on a remote server after this long.") -> F:
    """Where the store is (load, delete, query, export, stats): ``--store DIR`` (else
    ``$LOD_STORE``, else the default folder) or a SPARQL server at ``--endpoint URL``. The
    command receives them as one ``target`` dict (see :func:`lod.cli.target.open_target`).
    ``timeout``/``timeout_help``: ``--timeout``'s default and help (``lod serve``'s differ)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["target"] = {key: kwargs.pop(key) for key in _STORE_KEYS}
        return fn(*args, **kwargs)

    options = [
        click.option("--timeout", type=click.FloatRange(min=0.1), default=timeout, show_default=True,
                     metavar="SECONDS", help=timeout_help),
        click.option("--user", metavar="NAME",
                     help="User for the SPARQL server (password from $LOD_PASSWORD or ~/.netrc; "
                          "HTTP basic or digest)."),
        click.option("--gsp-endpoint", metavar="URL",
                     help="Graph Store Protocol URL for bulk writes (e.g. Virtuoso's "
                          "/sparql-graph-crud)."),
        click.option("--update-endpoint", metavar="URL",
                     help="SPARQL Update URL, where it differs from --endpoint."),
        click.option("--endpoint", metavar="URL", help="A SPARQL 1.1 server instead of the "
                     "embedded store."),
        click.option("--store", "store_dir", metavar="DIR",
                     help="Embedded store folder (default: $LOD_STORE, else "
                          "~/.local/share/lod/store); created by lod load."),
    ]
    for option in options:
        wrapper = option(wrapper)
    return wrapper


_STORE_KEYS = ("store_dir", "endpoint", "update_endpoint", "gsp_endpoint", "user", "timeout")
