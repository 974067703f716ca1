"""Where the server's pages link: absolute URLs under its public URL, and the page that
describes an IRI. A plain value, so that a query worker can write the same links."""

from __future__ import annotations

from dataclasses import dataclass

from lod.namespaces import EU_COUNTRY


@dataclass(frozen=True)
class Links:
    """``public_url`` ends with ``/``; ``base_uri`` is the base lod minted the stored IRIs
    under."""

    public_url: str
    base_uri: str

    def link(self, path: str) -> str:
        """The public URL of a server path such as ``catalog.ttl`` or ``/id/study/x``."""
        return self.public_url + path.lstrip("/")

    def page_for(self, iri: str) -> str:
        """Where the server describes ``iri``: ``/id/…`` for what lod minted,
        ``/country/XXX`` for an EU country; any other IRI is its own link."""
        base = self.base_uri
        if iri.startswith(base) and len(iri) > len(base) and "#" not in iri:
            return self.link("id/" + iri[len(base):])
        if iri.startswith(EU_COUNTRY) and len(iri) == len(EU_COUNTRY) + 3:
            return self.link("country/" + iri[len(EU_COUNTRY):])
        return iri
