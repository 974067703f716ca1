"""The compact record of study IRIs met in a run (lod.converter.seen)."""

from __future__ import annotations

from lod.converter.seen import SeenStudies
from lod.records import Origin


def test_each_iri_gives_back_where_it_came_first_and_its_count() -> None:
    seen = SeenStudies()
    places = [Origin("a.jsonl", line=3), Origin("page.json", index=7, pointer="/results/7"),
              Origin("study.xml"), Origin("a.jsonl", line=0), Origin("b.json", index=0)]
    for n, origin in enumerate(places):
        seen.put(f"https://example.org/study/{n}", origin, 10 * n)
    assert len(seen) == len(places)
    for n, origin in enumerate(places):
        assert seen.get(f"https://example.org/study/{n}") == (origin, 10 * n)
    assert seen.get("https://example.org/study/other") is None
    assert seen.get("https://example.org/study/\udcff") is None  # a lone surrogate is an IRI too


def test_putting_an_iri_again_replaces_what_was_kept() -> None:
    seen = SeenStudies()
    seen.put("urn:s", Origin("a.jsonl", line=1), 5)
    seen.put("urn:s", Origin("b.jsonl", index=2, pointer="/2"), 8)
    assert len(seen) == 1
    assert seen.get("urn:s") == (Origin("b.jsonl", index=2, pointer="/2"), 8)
