"""The conversion run: records in, study graphs out, every record counted and every problem reported."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .convert import Converter, StudyGraph
from .records import Problem, Record, Rejected


@dataclass(slots=True)
class RunSummary:
    """Totals of a run. ``read == converted + rejected`` always holds."""

    read: int = 0
    converted: int = 0
    rejected: int = 0
    warnings: int = 0
    studies: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejections: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        return (f"read {self.read:,} records: {self.converted:,} converted, {self.rejected:,} rejected, "
                f"{self.warnings:,} warnings; {self.studies:,} studies, {self.triples:,} triples "
                f"in {self.seconds:.2f} s")


def run_conversion(items: Iterable[Record | Rejected], converter: Converter,
                   sink: Callable[[StudyGraph], None],
                   on_problem: Callable[[Problem, bool], None],
                   on_progress: Callable[[RunSummary], None] | None = None) -> RunSummary:
    """Convert every item, hand each study graph to ``sink``; ``on_problem(problem, rejected)``."""
    summary = RunSummary()
    started = time.perf_counter()
    for item in items:
        summary.read += 1
        conversion = converter.convert(item)
        for warning in conversion.warnings:
            summary.warnings += 1
            on_problem(warning, False)
        if conversion.rejection is not None:
            summary.rejected += 1
            summary.rejections.append(conversion.rejection)
            on_problem(conversion.rejection, True)
            continue
        summary.converted += 1
        for graph in conversion.graphs:
            summary.studies += 1
            summary.triples += len(graph.statements)
            sink(graph)
        if on_progress is not None and summary.read % 1000 == 0:
            on_progress(summary)
    summary.seconds = time.perf_counter() - started
    return summary
