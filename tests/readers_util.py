"""Helpers for the reader tests: build inputs from the seeds (no network, no files written)."""

from __future__ import annotations

import json

from tests.paths import SEED_JSON


def seed_record() -> dict:
    """The seed study as the API gives it (the corpus file without its capture note)."""
    record = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    record.pop("_origin", None)
    return record


def flight_to_html(flight: bytes, pieces: int = 5) -> bytes:
    """A Next.js HTML page carrying ``flight`` in ``self.__next_f.push`` scripts.

    The text is cut into ``pieces`` at arbitrary places (inside rows and text chunks too),
    as Next.js does, and written the way Next.js writes it (``<`` escaped).
    """
    text = flight.decode("utf-8")
    size = -(-len(text) // pieces)
    scripts = ["<script>(self.__next_f=self.__next_f||[]).push([0])</script>"]
    for start in range(0, len(text), size):
        chunk = json.dumps([1, text[start:start + size]]).replace("<", "\\u003c")
        scripts.append(f"<script>self.__next_f.push({chunk})</script>")
    html = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"></head><body>"
            "<div id=\"root\">Loading...</div>" + "\n".join(scripts) + "</body></html>")
    return html.encode("utf-8")
