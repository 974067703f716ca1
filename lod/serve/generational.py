"""Values kept for one generation of the store (:meth:`lod.serve.reader.Reader.generation`):
the one rule the answer cache, the rendered-page cache, the feed's dataset lists and the
last-change stamp share. A value is kept only for the generation it was read in; the first
look with a new generation drops everything kept (the store changed: any of it may be
stale), and a value read in an older generation is never kept."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Generational(Generic[K, V]):
    """At most ``limit`` values (None: no limit; 0: none) and, when ``weigh`` gives each
    value's size, at most ``total`` of it in all; least recently used dropped first."""

    def __init__(self, limit: int | None = None, *, weigh: Callable[[V], int] | None = None,
                 total: int | None = None) -> None:
        self.limit = limit
        self.weigh = weigh
        self.total = total
        self._generation: str | None = None
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._weight = 0

    def lookup(self, generation: str, key: K) -> tuple[bool, V | None]:
        """(whether a value is kept for ``key`` in ``generation``, the value)."""
        if generation != self._generation:
            self._kept.clear()
            self._weight = 0
            self._generation = generation
            return False, None
        if key not in self._kept:
            return False, None
        self._kept.move_to_end(key)
        return True, self._kept[key]

    def put(self, generation: str, key: K, value: V) -> None:
        if generation != self._generation or self.limit == 0:
            return
        if key in self._kept:
            self._weight -= self._size(self._kept.pop(key))
        self._kept[key] = value
        self._weight += self._size(value)
        while ((self.limit is not None and len(self._kept) > self.limit)
               or (self.total is not None and self._weight > self.total)):
            _, dropped = self._kept.popitem(last=False)
            self._weight -= self._size(dropped)

    def _size(self, value: V) -> int:
        return self.weigh(value) if self.weigh is not None else 0

    def __len__(self) -> int:
        return len(self._kept)


__all__ = ["Generational"]
