"""Answers kept per store generation: the same job on the same content has the same answer,
so a repeated query (a named query, a study's graph, a feed page) is not run again until the
store changes. Bounded by entries and by the size of each answer; errors are never kept."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from lod.serve.jobs import Answer

MAX_ENTRIES = 512
MAX_ANSWER_BYTES = 512 * 1024


class AnswerCache:
    def __init__(self, entries: int = MAX_ENTRIES, answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.entries = entries
        self.answer_bytes = answer_bytes
        self._generation: str | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self.hits = 0

    def get(self, generation: str, key: Hashable) -> Answer | None:
        if generation != self._generation:
            self._answers.clear()  # the store changed: every kept answer may be stale
            self._generation = generation
            return None
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, generation: str, key: Hashable, answer: Answer) -> None:
        if (self.entries <= 0 or answer.kind == "error" or len(answer.body) > self.answer_bytes
                or generation != self._generation):
            return
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.entries:
            self._answers.popitem(last=False)
