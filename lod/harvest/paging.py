"""The next page of a feed, in both Hydra styles seen in the wild: ``hydra:next`` (an IRI, on a
``hydra:PartialCollectionView``) and ckanext-dcat's ``hydra:nextPage`` (a literal, on a
``hydra:PagedCollection``); and the loop guard that ends a run on a page seen before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import pyoxigraph as ox

from .vocab import HYDRA

_NEXT = (HYDRA + "next", HYDRA + "nextPage")


def next_page(triples: list[ox.Triple], page_url: str) -> str | None:
    """The page after ``page_url``, resolved against it; None on the last page."""
    for t in triples:
        if t.predicate.value in _NEXT and isinstance(t.object, ox.NamedNode | ox.Literal):
            target = t.object.value.strip()
            if target:
                return urljoin(page_url, target)
    return None


def total_items(triples: list[ox.Triple]) -> int | None:
    for t in triples:
        if t.predicate.value == HYDRA + "totalItems" and isinstance(t.object, ox.Literal):
            try:
                return int(t.object.value)
            except ValueError:
                return None
    return None


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


@dataclass
class LoopGuard:
    """Remembers every page URL and body hash of a run."""

    urls: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)

    def seen_url(self, url: str) -> bool:
        key = _normal(url)
        if key in self.urls:
            return True
        self.urls.add(key)
        return False

    def seen_content(self, triples: list[ox.Triple]) -> bool:
        """True when a page brings the same triples as an earlier one, paging links aside
        (a server that mints a new ``next`` URL for the same content is caught here). Pages
        with blank nodes compare by their IRIs and literals only."""
        paging = {t.subject for t in triples if t.predicate.value.startswith(HYDRA)}
        lines = sorted(f"{t.subject if isinstance(t.subject, ox.NamedNode) else '_'} {t.predicate} "
                       f"{t.object if not isinstance(t.object, ox.BlankNode) else '_'}"
                       for t in triples
                       if t.subject not in paging and not t.predicate.value.startswith(HYDRA))
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        if digest in self.hashes:
            return True
        self.hashes.add(digest)
        return False


__all__ = ["LoopGuard", "next_page", "total_items"]
