"""The transform registry and the context transforms run in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tables import Tables

Transform = Callable[[Any, "TransformContext"], Any]
TRANSFORMS: dict[str, Transform] = {}


def transform(name: str) -> Callable[[Transform], Transform]:
    """Register a transform under ``name`` (used as ``transform: name`` in a mapping)."""

    def register(fn: Transform) -> Transform:
        if name in TRANSFORMS:
            raise ValueError(f"transform {name!r} registered twice")
        TRANSFORMS[name] = fn
        return fn

    return register


class RecordRejected(Exception):  # noqa: N818 - it is a signal, not an error of ours
    """Raised by a transform when the whole record cannot be converted."""


@dataclass(slots=True)
class TransformContext:
    """What a transform may use: lookup tables, the base IRI, and a sink for warnings."""

    tables: Tables
    base: str
    language: str | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
