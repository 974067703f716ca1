"""Transforms the DDI, schema.org and CSL mappings need beyond the core ones.

Registered like the core transforms (``@transform``); :mod:`lod.transforms` imports this
module so that every mapping can use them.
"""

from __future__ import annotations

from typing import Any

from lod.transforms.agents import organisation
from lod.transforms.registry import TransformContext, transform

# Facts about an agent that belong to the agent, kept beside what the alias table says.
AGENT_EXTRAS = ("affiliation", "affiliations", "abbr", "uri", "url", "email", "role")


@transform("agent")
def agent(value: Any, ctx: TransformContext) -> Any:
    """Like ``organisation`` (same alias table, same keys, so nodes join), but the other facts
    the source gives about the agent (``affiliation``, ``abbr``, ``uri`` …) are kept."""
    found = organisation(value, ctx)
    # facts about one agent are not spread over the several organisations a list names
    if not isinstance(found, dict) or not isinstance(value, dict):
        return found
    for extra in AGENT_EXTRAS:
        if value.get(extra) not in (None, "", [], {}):
            found[extra] = value[extra]
    return found
