"""Checks that bound what parsing a plain RDF file (``lod load``, ``lod validate``) can cost.

pyoxigraph's RDF/XML parser expands internal entities, so a "billion laughs" DOCTYPE would take
gigabytes: a DOCTYPE that declares entities is refused before any parsing. Turtle, TriG,
N-Triples and N-Quads are parsed as streams without recursion, and pyoxigraph's JSON-LD parser
refuses deep nesting and never fetches remote contexts (it has no document loader); what is
read into memory whole (``lod validate`` builds one graph) is capped by :class:`LimitedReader`.
"""

from __future__ import annotations

import re
from typing import Any

from lod.errors import InputError

PROLOG_BYTES = 1024**2  # where a DOCTYPE must end: no RDF/XML needs a longer one
_COMMENT_OR_PI = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)


def refuse_xml_entities(stream: Any, name: str) -> None:
    """InputError when the RDF/XML in ``stream`` (peekable, not consumed) has a DOCTYPE that
    declares entities, or one too long to check."""
    head = stream.peek(PROLOG_BYTES)[:PROLOG_BYTES]
    text = _COMMENT_OR_PI.sub(b"", head)
    doctype = text.find(b"<!DOCTYPE")
    if doctype < 0:
        return
    if b"<!ENTITY" in text[doctype:]:
        before = head[:head.find(b"<!ENTITY") if b"<!ENTITY" in head else head.find(b"<!DOCTYPE")]
        line = before.count(b"\n") + 1
        raise InputError(f"{name}:{line}: unsafe XML refused: a DOCTYPE that "
                         "declares entities (lod never expands XML entities)")
    subset = re.match(rb"<!DOCTYPE[^\[>]*(\[)?", text[doctype:])
    if subset and subset.group(1) and b"]" not in text[doctype:]:
        raise InputError(f"{name}: unsafe XML refused: a DOCTYPE longer than "
                         f"{PROLOG_BYTES:,} bytes")


class LimitedReader:
    """A binary stream that raises InputError once more than ``limit`` bytes were read from
    it: the check happens as bytes come, so a .gz that expands to gigabytes stops there."""

    def __init__(self, stream: Any, name: str, limit: int) -> None:
        self.stream = stream
        self.name = name
        self.limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit + 1 - self.count
        data = self.stream.read(min(size, self.limit + 1 - self.count) or 1)
        self.count += len(data)
        if self.count > self.limit:
            raise InputError(f"{self.name}: larger than {self.limit:,} bytes (decompressed); "
                             "split it")
        return bytes(data)

    def peek(self, size: int = 0) -> bytes:
        """What the next reads give, unread (the wrapped stream's look-ahead)."""
        return bytes(self.stream.peek(size))

    def readable(self) -> bool:
        return True
