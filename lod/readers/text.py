"""Plain text from the markup publishers put in metadata fields (stdlib only).

DDI records from the UK Data Service carry HTML inside text (``&lt;p&gt;``, ``&lt;br&gt;``,
``&lt;a href=...&gt;``). :func:`prose` turns it into text with paragraph breaks and returns the
link targets too, so a licence or contact URL is not lost. Text without tags is only tidied:
HTML entity decoding is never applied to it (``&nodeid=`` in a URL must stay as it is).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_BREAKS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "table"})
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.links.append(href.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def line(text: str) -> str:
    """One line: every run of white space (new lines included) becomes one space."""
    return " ".join(text.split())


def prose(text: str) -> tuple[str, list[str]]:
    """Text with paragraphs kept (tags removed when there are any) and the link targets."""
    links: list[str] = []
    if _TAG.search(text):
        parser = _Text()
        parser.feed(text)
        parser.close()
        text, links = "".join(parser.parts), parser.links
    lines = [_SPACES.sub(" ", part).strip() for part in text.splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return tidy, links
