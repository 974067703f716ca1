"""lod: publish research-study metadata as DCAT-AP 3 and schema.org linked open data.

The library API, all from one import::

    import lod

    converted = lod.convert(["samples/studies"])          # records -> named graphs
    with lod.open_store(store_dir="lod-store") as store:  # or endpoint="https://host/sparql"
        lod.load(store, ["samples/studies"])
        for row in lod.query(store, "sponsors").rows:
            print(row["name"], row["studies"])

Names are imported when first used, so ``import lod`` (and the CLI's start-up) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "convert": "lod.api",
    "load": "lod.api",
    "query": "lod.api",
    "Converted": "lod.api",
    "Converter": "lod.converter.core",
    "open_store": "lod.store",
    "Store": "lod.store",
    "LodError": "lod.errors",
}

if TYPE_CHECKING:
    from lod.api import Converted, convert, load, query
    from lod.converter.core import Converter
    from lod.errors import LodError
    from lod.store import Store, open_store


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lod' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["Converted", "Converter", "LodError", "Store", "convert", "load", "open_store", "query"]
