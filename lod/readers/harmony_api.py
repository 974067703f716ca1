"""Saved responses of the Harmony discovery API: search results and single look-ups.

``/discover/search`` answers ``{"results": [...], "aggregations": {...}, "num_hits": n}`` and
``/discover/lookup`` answers the same envelope with one result. Each result is a study record
exactly as the API gives it (``source="harmony"``, origin pointer ``/results/<i>``). A file of
several saved responses, one per line (JSON Lines), reads too. ``num_hits`` and
``aggregations`` describe the search, not a study, and are not records.

This is the Harmony form (``--from harmony``): the Harmony JSON reader hands envelopes here
(:func:`is_response`), and :func:`records` is usable on an already parsed response.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lod.readers.limits import oversized, reject
from lod.records import Origin, Record, Rejected, json_kind

FORMAT = "harmony"


def is_response(value: Any) -> bool:
    """True for an API envelope: an object whose ``results`` is a list (and not a study)."""
    return isinstance(value, dict) and isinstance(value.get("results"), list) \
        and "dataset_schema" not in value and "extra_data" not in value


def looks_like_response(value: Any) -> bool:
    """True for an object that means to be an envelope (has ``results``, is not a study), even
    when its ``results`` is not a list: :func:`records` then says so."""
    return isinstance(value, dict) and "results" in value \
        and "dataset_schema" not in value and "extra_data" not in value


def records(response: Any, name: str, *, line: int | None = None
            ) -> Iterator[Record | Rejected]:
    """The study records of one parsed response."""
    if not is_response(response):
        results = response.get("results") if isinstance(response, dict) else None
        got = f"; its results is {json_kind(results)}" if isinstance(response, dict) else ""
        yield reject(name, 'not a Harmony API response (expected an object with "results": '
                           f"[a list of study records]){got}", field="results", line=line,
                     raw=response)
        return
    for index, result in enumerate(response["results"]):
        pointer = f"/results/{index}"
        if not isinstance(result, dict) or "dataset_schema" not in result \
                and "extra_data" not in result:
            yield reject(name, "result is not a study record (no dataset_schema or extra_data)",
                         line=line, index=index, pointer=pointer, raw=result)
            continue
        if (found := oversized(result)) is not None:
            yield reject(name, found[1], line=line, index=index,
                         pointer=pointer + found[0], raw=result)
            continue
        yield Record(result, Origin(name, line=line, index=index, pointer=pointer),
                     source="harmony")

