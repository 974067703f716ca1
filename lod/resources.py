"""Where lod's data folders (mappings/, vocabularies/) are, in a checkout or an installed copy."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

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


def load_yaml(text: str) -> Any:
    """YAML text as Python values, loaded safely; by libyaml's parser where PyYAML has it
    (the wheels on PyPI do): the Harmony mapping loads in 0.003 s instead of 0.025 s."""
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
