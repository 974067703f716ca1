"""Paging through a Harmony Discovery search endpoint
(``GET /discover/search?query=…&num_results=…&offset=…``).

The public API has been seen to ignore ``offset`` in some modes, so results are de-duplicated
by ``extra_data.uuid`` and paging stops on a short page, an empty page, or a page that brings
nothing new."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from lod.errors import LodError

PAGE_SIZE = 100


class HarmonyResponseError(LodError):
    pass


@dataclass
class HarmonyPage:
    url: str
    results: list[tuple[int, Any]]  # (index in the response, result) for new results only
    num_hits: int | None
    last: bool


def page_url(base: str, offset: int, size: int) -> str:
    url = httpx.URL(base)
    params = dict(url.params)
    params.setdefault("num_results", str(size))
    params["offset"] = str(offset)
    return str(url.copy_with(params=params))


def page_size(base: str) -> int:
    given = httpx.URL(base).params.get("num_results")
    return int(given) if given and given.isdigit() and int(given) > 0 else PAGE_SIZE


def read_page(url: str, body: bytes, seen: set[str], size: int) -> HarmonyPage:
    try:
        data = json.loads(body)
    except ValueError as err:
        raise HarmonyResponseError(f"not JSON: {err}") from None
    except RecursionError:
        raise HarmonyResponseError("JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise HarmonyResponseError('not a Harmony search response (no "results" list)')
    hits = data.get("num_hits")
    results = data["results"]
    new: list[tuple[int, Any]] = []
    for index, result in enumerate(results):
        key = _uuid(result) or json.dumps(result, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        new.append((index, result))
    last = not results or len(results) < size or not new
    return HarmonyPage(url, new, hits if isinstance(hits, int) else None, last)


def _uuid(result: Any) -> str | None:
    if isinstance(result, dict) and isinstance(result.get("extra_data"), dict):
        uuid = result["extra_data"].get("uuid")
        return str(uuid) if uuid else None
    return None


def offsets(size: int) -> Iterator[int]:
    n = 0
    while True:
        yield n
        n += size


__all__ = ["HarmonyPage", "HarmonyResponseError", "offsets", "page_size", "page_url", "read_page"]
