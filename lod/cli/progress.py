"""A progress line on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time

from ..pipeline import RunSummary


class Progress:
    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, summary: RunSummary) -> None:
        if not self.enabled:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        sys.stderr.write(f"\r{summary.read:,} records, {summary.triples:,} triples, "
                         f"{summary.read / elapsed:,.0f} records/s ")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
