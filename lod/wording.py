"""Counts in the summary lines people read: "1 study", "2 studies", "1,000 triples"."""

from __future__ import annotations

_PLURALS = {"study": "studies"}  # every other noun lod counts takes an s


def counted(n: int, noun: str) -> str:
    """``n`` with thousands separators and ``noun`` in the number it needs."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {_PLURALS.get(noun, noun + 's')}"


__all__ = ["counted"]
