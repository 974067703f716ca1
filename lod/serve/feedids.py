"""The feed's sorted dataset IRIs, kept per store generation.

Every feed page cuts its window out of the sorted list of every dataset the feed lists
(cursor paging: :func:`lod.serve.web.catalog.window`). Reading and sorting that list took
about 1.2 s a page on 216,000 studies, so it is read once per generation of the store and per
``modified_since`` value, and kept until the store changes. A new generation (a load or delete
committed) drops every kept list, so a harvester paging through never sees a stale one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from lod.serve.generational import Generational

#: ``modified_since`` values kept at once (each list holds every matching dataset IRI).
MAX_LISTS = 4


class FeedIds:
    def __init__(self, lists: int = MAX_LISTS) -> None:
        self.lists = lists
        self._kept: Generational[str | None, list[str]] = Generational(lists)
        self._lock = asyncio.Lock()

    async def get(self, generation: str, since: str | None,
                  read: Callable[[], Awaitable[list[str]]]) -> list[str]:
        """The list for ``since`` in ``generation``, read with ``read`` when not kept. One
        request reads it while the others wait, so a burst of first requests reads it once."""
        async with self._lock:
            found, kept = self._kept.lookup(generation, since)
            if found and kept is not None:
                return kept
            read_now = await read()
            self._kept.put(generation, since, read_now)
            return read_now
