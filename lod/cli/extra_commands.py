"""Commands beyond convert and validate, registered by ``lod.cli``: the store and query side."""

from __future__ import annotations

from . import query_cmds, store_cmds

MODULES = [store_cmds, query_cmds]
