"""The transform registry and the context transforms run in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lod.transforms.tables import Tables

Transform = Callable[[Any, "TransformContext"], Any]
TRANSFORMS: dict[str, Transform] = {}
# For some transforms, a cheap test of a value that the transform would return it as it is,
# with no warning: the converter then skips the call (a plain title through ``text``).
UNCHANGED_WHEN: dict[Transform, Callable[[Any], bool]] = {}


def transform(name: str, *, unchanged_when: Callable[[Any], bool] | None = None,
              ) -> Callable[[Transform], Transform]:
    """Register a transform under ``name`` (used as ``transform: name`` in a mapping).

    ``unchanged_when(value)``, if given, must be true only for values the transform returns
    unchanged without a warning; tests check that it agrees with the transform."""

    def register(fn: Transform) -> Transform:
        if name in TRANSFORMS:
            raise ValueError(f"transform {name!r} registered twice")
        TRANSFORMS[name] = fn
        if unchanged_when is not None:
            UNCHANGED_WHEN[fn] = unchanged_when
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
