"""``lod harvest``: other catalogues' DCAT feeds and Harmony's Discovery API into the store,
incrementally and safely.

Modules, one job each: :mod:`.addresses` and :mod:`.transport` (which addresses may be
reached, checked on the connection itself), :mod:`.fetch` (one page: limits, redirects,
retries), :mod:`.formats` (syntax by type and sniff, safe parsing), :mod:`.paging` (next
links, loop guard), :mod:`.datasets` (splitting and skolemising), :mod:`.normalise` (onto
lod's shape), :mod:`.provenance` and :mod:`.sink` (change detection and writes),
:mod:`.harmony` (the Discovery API) and :mod:`.run` (the run that ties them)."""

from lod.harvest.fetch import FetchError, FetchPolicy, Refused
from lod.harvest.provenance import without_provenance
from lod.harvest.run import HarvestOptions, HarvestReport, harvest

__all__ = ["FetchError", "FetchPolicy", "HarvestOptions", "HarvestReport", "Refused", "harvest",
           "without_provenance"]
