"""The ``<script>`` elements of an HTML page, with their ``type`` and line (stdlib parser only).

Used by the saved-page reader (Next.js flight data in ``self.__next_f.push([1, "..."])``) and
the schema.org reader (``<script type="application/ld+json">``). Nothing is fetched or run.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

JSONLD_TYPES = frozenset({"application/ld+json"})


@dataclass(frozen=True, slots=True)
class Script:
    """One script element: its ``type`` attribute (lower case, may be empty), text and line."""

    type: str
    text: str
    line: int


class _ScriptCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[Script] = []
        self._open: tuple[str, int] | None = None
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            kind = next((v or "" for k, v in attrs if k == "type"), "")
            self._open = (kind.split(";")[0].strip().lower(), self.getpos()[0])
            self._parts = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            kind, line = self._open
            self.scripts.append(Script(kind, "".join(self._parts), line))
            self._open = None


def scripts(html: str) -> list[Script]:
    """All script elements of ``html``, in document order (an unclosed last one included)."""
    collector = _ScriptCollector()
    collector.feed(html)
    collector.close()
    if collector._open is not None:  # truncated page: keep what was there
        kind, line = collector._open
        collector.scripts.append(Script(kind, "".join(collector._parts), line))
    return collector.scripts


def looks_like_html(head: bytes) -> bool:
    """True when the first bytes of a document look like an HTML page."""
    start = head.lstrip()[:512].lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<html" in start
