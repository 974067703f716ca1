"""Answers kept per store generation: the same job on the same content has the same answer,
so a repeated query (a named query, a study's graph, a feed page) is not run again until the
store changes. Bounded by entries and by the size of each answer; errors are never kept."""

from __future__ import annotations

from collections.abc import Hashable

from lod.serve.generational import Generational
from lod.serve.jobs import Answer

MAX_ENTRIES = 512
MAX_ANSWER_BYTES = 512 * 1024


class AnswerCache:
    def __init__(self, entries: int = MAX_ENTRIES, answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.entries = entries
        self.answer_bytes = answer_bytes
        self._answers: Generational[Hashable, Answer] = Generational(entries)
        self.hits = 0

    def get(self, generation: str, key: Hashable) -> Answer | None:
        _, answer = self._answers.lookup(generation, key)
        if answer is not None:
            self.hits += 1
        return answer

    def put(self, generation: str, key: Hashable, answer: Answer) -> None:
        if answer.kind == "error" or len(answer.body) > self.answer_bytes:
            return
        self._answers.put(generation, key, answer)
