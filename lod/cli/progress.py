"""Progress lines on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time

from lod.converter.pipeline import RunSummary


class ProgressLine:
    """One line on stderr, rewritten in place; cleared by :meth:`done`."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.perf_counter()
        self.shown = False

    def elapsed(self) -> float:
        return max(time.perf_counter() - self.started, 1e-9)

    def show(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r{text} ")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


class Progress(ProgressLine):
    """Records converted so far (``lod convert``)."""

    def __call__(self, summary: RunSummary) -> None:
        if self.enabled:
            self.show(f"{summary.read:,} records, {summary.triples:,} triples, "
                      f"{summary.read / self.elapsed():,.0f} records/s")


class LoadProgress(ProgressLine):
    """Records read and graphs written so far (``lod load``)."""

    def __init__(self, enabled: bool | None = None):
        super().__init__(enabled)
        self.read = 0

    def converted(self, summary: RunSummary) -> None:
        self.read = summary.read

    def written(self, graphs: int, triples: int) -> None:
        if self.enabled:
            self.show(f"{self.read:,} records read, {graphs:,} graphs and {triples:,} triples written, "
                      f"{triples / self.elapsed():,.0f} triples/s")
