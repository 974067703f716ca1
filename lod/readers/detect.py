"""Input-form detection from file name and content, in one place."""

from __future__ import annotations

import re

_GZ = re.compile(r"\.gz$", re.IGNORECASE)


def detect(name: str, data: bytes) -> str | None:
    """The ``--from`` name for an input, or None when it cannot be told."""
    lower = _GZ.sub("", name.lower())
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    for rule in RULES:
        found = rule(lower, head, data)
        if found:
            return found
    return None


def _json_like(lower: str, head: bytes, data: bytes) -> str | None:
    if lower.endswith((".json", ".jsonl", ".ndjson")) or head[:1] in (b"{", b"["):
        return "harmony"
    return None


# Ordered rules: readers for other forms insert theirs before the generic JSON rule.
RULES = [_json_like]
