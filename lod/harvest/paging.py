"""The next page of a feed, in both Hydra styles seen in the wild: ``hydra:next`` (an IRI, on a
``hydra:PartialCollectionView``) and ckanext-dcat's ``hydra:nextPage`` (a literal, on a
``hydra:PagedCollection``); and the loop guard that ends a run on a page seen before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from lod.harvest.datasets import Line, literal_value
from lod.harvest.vocab import HYDRA

_NEXT = (f"<{HYDRA}next>", f"<{HYDRA}nextPage>")
_TOTAL = f"<{HYDRA}totalItems>"
_VARIABLE = f"<{HYDRA}variable>"


def next_page(lines: list[Line], page_url: str) -> str | None:
    """The page after ``page_url``, resolved against it; None on the last page."""
    for _, p, o in lines:
        if p in _NEXT and o[0] in '<"':
            target = (o[1:-1] if o[0] == "<" else literal_value(o)).strip()
            if target:
                return urljoin(page_url, target)
    return None


def advertises_modified_since(lines: list[Line]) -> bool:
    """True when the page offers a ``hydra:search`` template with a ``modified_since``
    variable."""
    return any(p == _VARIABLE and o[0] == '"' and literal_value(o) == "modified_since"
               for _, p, o in lines)


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


@dataclass
class LoopGuard:
    """Remembers every page URL and page content of a run."""

    urls: set[str] = field(default_factory=set)
    contents: set[str] = field(default_factory=set)

    def visited(self, url: str) -> bool:
        """Whether ``url`` was seen, without recording it."""
        return _normal(url) in self.urls

    def seen_url(self, url: str) -> bool:
        key = _normal(url)
        if key in self.urls:
            return True
        self.urls.add(key)
        return False

    def seen_content(self, datasets: list[tuple[str, str]]) -> bool:
        """True when a page brings the same datasets, with the same content hashes, as an
        earlier one (a server that mints a new ``next`` URL for the same content is caught
        here, whatever its paging links say)."""
        digest = hashlib.sha256("\n".join(sorted(f"{i} {h}" for i, h in datasets)).encode()).hexdigest()
        if digest in self.contents:
            return True
        self.contents.add(digest)
        return False


__all__ = ["LoopGuard", "advertises_modified_since", "next_page"]
