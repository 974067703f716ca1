"""Where lod's data folders (mappings/, vocabularies/) are, in a checkout or an installed copy."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


@cache
def data_dir(name: str) -> Path:
    """``mappings`` or ``vocabularies``: the checkout's folder, else the installed share/ copy."""
    for base in (_CHECKOUT, Path(sys.prefix) / "share" / "lod"):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    return _CHECKOUT / name


def vocabulary(*parts: str) -> Path:
    return data_dir("vocabularies").joinpath(*parts)
