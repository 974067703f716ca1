"""Where lod keeps RDF: an embedded Oxigraph store on disk, or any SPARQL 1.1 server.

>>> from lod.store import open_store
>>> with open_store(store_dir="/tmp/lod-store") as store:   # doctest: +SKIP
...     store.replace_graphs(nquads, ["https://example.org/study/1"])
...     store.select("SELECT ?s WHERE { ?s a ?type }", {"type": DCAT.Dataset}).rows
"""

from lod.store.base import DUMP_FORMATS, Bindings, SelectResult, Store, TruncatedResultWarning
from lod.store.env import default_store_dir, resolve_password
from lod.store.factory import open_store

__all__ = [
    "DUMP_FORMATS",
    "Bindings",
    "SelectResult",
    "Store",
    "TruncatedResultWarning",
    "default_store_dir",
    "open_store",
    "resolve_password",
]
