"""Pure value functions, registered by name for use in mappings (``transform: doi``).

Importing this package registers every built-in transform.
"""

from . import agents, codes, dates, identifiers, text  # noqa: F401  (registration)
from .registry import TRANSFORMS, RecordRejected, TransformContext, transform

__all__ = ["TRANSFORMS", "RecordRejected", "TransformContext", "transform"]

from .. import transforms_readers  # noqa: E402,F401  (registration: the readers' transforms)
