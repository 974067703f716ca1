"""Size limits shared by the page, schema.org, DDI and CSL readers, and the checks for them.

A reader never raises for a user's bad data: these helpers return a :class:`Rejected` (or the
JSON pointer of the offending value) and the reader yields it.

Limits (documented in README.md, "Limits and bad input"):

* ``MAX_DOCUMENT_BYTES`` - one input document (after ``.gz`` decompression): 50 MB.
* ``MAX_STRING_CHARS`` - one string value inside a record: 1 MB (1,048,576 characters).
* ``MAX_DEPTH`` - nesting of objects and arrays inside one record: 64.

The mappings' ``max_literal_chars`` default to ``MAX_STRING_CHARS`` too, so a mapped value and
a reader name the same figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lod.records import Origin, Problem, Rejected

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_STRING_CHARS = 1024 * 1024
MAX_DEPTH = 64


def reject(file: str, message: str, *, field: str | None = None, line: int | None = None,
           index: int | None = None, pointer: str | None = None, raw: Any = None) -> Rejected:
    """Build a :class:`Rejected` in one call."""
    origin = Origin(file, line=line, index=index, pointer=pointer)
    return Rejected(Problem(origin, field, message), raw)


def too_big(data: bytes, name: str) -> Rejected | None:
    """Reject a whole document over ``MAX_DOCUMENT_BYTES``."""
    if len(data) > MAX_DOCUMENT_BYTES:
        return reject(name, f"document is {len(data):,} bytes; the limit is "
                            f"{MAX_DOCUMENT_BYTES:,} bytes (split the input)")
    return None


def pointer_escape(key: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def oversized(value: Any, pointer: str = "") -> tuple[str, str] | None:
    """Find the first string over ``MAX_STRING_CHARS`` or nesting over ``MAX_DEPTH``.

    Returns ``(json_pointer, message)`` or ``None`` when the value is within limits.
    """
    for where, item, depth in _walk(value, pointer, 0):
        if depth > MAX_DEPTH:
            return where or "/", f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(item, str) and len(item) > MAX_STRING_CHARS:
            return where or "/", (f"string of {len(item):,} characters; the limit is "
                                  f"{MAX_STRING_CHARS:,}")
    return None


def too_deep(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first container nested deeper than ``MAX_DEPTH``, or None.

    Runs on every Harmony record, so it walks the containers a level at a time and builds no
    pointers; only a record that is too deep is walked again to name the place."""
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        if depth > MAX_DEPTH:
            return _first_too_deep(value, pointer)
        below: list[Any] = []
        for item in level:
            below += [v for v in (item.values() if type(item) is dict else item)
                      if type(v) in (dict, list)]
        level = below
        depth += 1
    return None


def _first_too_deep(value: Any, pointer: str) -> str | None:
    """The pointer of the first container (in document order) deeper than ``MAX_DEPTH``."""
    stack: list[tuple[str, Any, int]] = [(pointer, value, 0)]
    while stack:
        where, item, level = stack.pop()
        if level > MAX_DEPTH:
            return where or "/"
        if type(item) is dict:
            stack.extend((f"{where}/{pointer_escape(str(k))}", v, level + 1)
                         for k, v in reversed(item.items()) if type(v) in (dict, list))
        elif type(item) is list:
            stack.extend((f"{where}/{i}", v, level + 1)
                         for i, v in reversed(list(enumerate(item))) if type(v) in (dict, list))
    return None


def _walk(value: Any, pointer: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    stack = [(pointer, value, depth)]
    while stack:
        where, item, level = stack.pop()
        yield where, item, level
        if level > MAX_DEPTH:
            return
        if isinstance(item, dict):
            stack.extend(reversed([(f"{where}/{pointer_escape(str(k))}", v, level + 1)
                                   for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{where}/{i}", v, level + 1)
                                   for i, v in enumerate(item)]))
