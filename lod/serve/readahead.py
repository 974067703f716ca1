"""Feed pages rendered before a harvester asks for them.

Harvesters (ckanext-dcat, piveau, ``lod harvest``) walk a feed by its ``next`` links, one page
after another, and digest each page before they ask for the next. A page that is not kept
yet costs the server a render (about 0.14 s for 100 realistic datasets), during which the
harvester waits. So when a page is served and it has a next page, that page is started at
once, on the event loop, and the request that asks for it takes the result (waiting for it
if it is still being rendered) instead of rendering it a second time.

Bounded: at most ``limit`` pages are started and not yet taken; starting another drops the
oldest (left to finish, its result unused). Everything is dropped when the store's
generation changes, and nothing is started while the generation is not stable (a reader
that cannot tell when the store changes).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

LIMIT = 2


class ReadAhead(Generic[K, V]):
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.started = 0
        self.taken = 0
        self._generation: str | None = None
        self._tasks: OrderedDict[K, asyncio.Task[V]] = OrderedDict()

    def start(self, generation: str, key: K, render: Callable[[], Awaitable[V]]) -> None:
        """Render ``key`` now, for a request in ``generation`` to take later."""
        if self.limit <= 0:
            return
        self._follow(generation)
        if key in self._tasks:
            return
        while len(self._tasks) >= self.limit:
            _, oldest = self._tasks.popitem(last=False)
            _drop(oldest)

        async def run() -> V:
            return await render()

        self._tasks[key] = asyncio.get_running_loop().create_task(run())
        self.started += 1

    async def take(self, generation: str, key: K) -> V | None:
        """The page started for ``key`` in ``generation``, or None (not started, started in
        an older generation, or its render failed: the caller renders it and meets the error
        itself)."""
        self._follow(generation)
        task = self._tasks.pop(key, None)
        if task is None:
            return None
        try:
            # shielded: a request that goes away does not cancel the render (cancelling a
            # worker's job replaces the worker)
            value = await asyncio.shield(task)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - rendered again by the caller, which reports it
            return None
        self.taken += 1
        return value

    def pending(self) -> int:
        return len(self._tasks)

    def _follow(self, generation: str) -> None:
        if generation == self._generation:
            return
        for task in self._tasks.values():
            _drop(task)
        self._tasks.clear()
        self._generation = generation


def _drop(task: asyncio.Task[object]) -> None:
    """Let a render no request will take finish (within the server's time limit) and forget
    it: cancelling it would cost its query worker."""
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task[object]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so that asyncio does not log it as never retrieved


__all__ = ["LIMIT", "ReadAhead"]
