"""Pure value functions, registered by name for use in mappings (``transform: doi``).

Importing this package registers every built-in transform.
"""

from lod.transforms import agents, codes, dates, identifiers, sources, text  # noqa: F401  (registration)
from lod.transforms.registry import TRANSFORMS, RecordRejected, TransformContext, transform

__all__ = ["TRANSFORMS", "RecordRejected", "TransformContext", "transform"]
