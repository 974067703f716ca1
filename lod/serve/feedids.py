"""The feed's sorted dataset IRIs, kept per store generation.

Every feed page cuts its window out of the sorted list of every dataset the feed lists
(cursor paging: :func:`lod.serve.web.catalog.window`). Reading and sorting that list took
about 1.2 s a page on 216,000 studies, so it is read once per generation of the store and per
``modified_since`` value, and kept until the store changes. A new generation (a load or delete
committed) drops every kept list, so a harvester paging through never sees a stale one.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

#: ``modified_since`` values kept at once (each list holds every matching dataset IRI).
MAX_LISTS = 4


class FeedIds:
    def __init__(self, lists: int = MAX_LISTS) -> None:
        self.lists = lists
        self._generation: str | None = None
        self._kept: OrderedDict[str | None, list[str]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, generation: str, since: str | None,
                  read: Callable[[], Awaitable[list[str]]]) -> list[str]:
        """The list for ``since`` in ``generation``, read with ``read`` when not kept. One
        request reads it while the others wait, so a burst of first requests reads it once."""
        async with self._lock:
            if generation != self._generation:
                self._kept.clear()
                self._generation = generation
            kept = self._kept.get(since)
            if kept is not None:
                self._kept.move_to_end(since)
                return kept
            found = await read()
            if self.lists > 0:
                self._kept[since] = found
                while len(self._kept) > self.lists:
                    self._kept.popitem(last=False)
            return found
