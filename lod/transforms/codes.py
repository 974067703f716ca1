"""Countries, languages and places → EU authority and gazetteer IRIs."""

from __future__ import annotations

import re
from typing import Any

from lod.namespaces import EU_COUNTRY, EU_LANGUAGE
from lod.transforms.registry import TransformContext, transform
from lod.transforms.tables import Entry, normalise_name, slug
from lod.transforms.text import clean_text


@transform("country")
def country(value: Any, ctx: TransformContext) -> Any:
    """ISO 3166 code (alpha-2, alpha-3, or the non-ISO ``UK``/``EL``) or name → EU country IRI."""
    if not isinstance(value, str) or not value.strip():
        return None
    memo_key = ("country", value)
    if memo_key not in ctx.tables.memo:
        found = ctx.tables.country(value)
        ctx.tables.memo[memo_key] = None if found is None else {
            "iri": EU_COUNTRY + found.alpha_3, "code": found.alpha_2, "code3": found.alpha_3,
            "name": found.name, "key": found.alpha_3.lower(),
            "match": sorted({found.alpha_2.lower(), found.alpha_3.lower(), normalise_name(found.name),
                             normalise_name(getattr(found, "common_name", found.name))}),
        }
    out = ctx.tables.memo[memo_key]
    if out is None:
        ctx.warn(f"unknown country code {value!r}; dropped")
    return out


@transform("language")
def language(value: Any, ctx: TransformContext) -> Any:
    """ISO 639 code → EU language IRI (``…/language/ENG``) and BCP 47 tag."""
    if not isinstance(value, str) or not value.strip():
        return None
    memo_key = ("language", value)
    if memo_key not in ctx.tables.memo:
        found = ctx.tables.language(value)
        code3 = getattr(found, "alpha_3", None) if found is not None else None
        ctx.tables.memo[memo_key] = None if code3 is None else {
            "iri": EU_LANGUAGE + code3.upper(), "tag": getattr(found, "alpha_2", code3),
            "name": found.name,
        }
    out = ctx.tables.memo[memo_key]
    if out is None:
        ctx.warn(f"unknown language code {value!r}; dropped")
    return out


_PLACE_SPLIT = re.compile(r"[;,/]|\band\b|\(|\)", re.IGNORECASE)


@transform("place")
def place(value: Any, ctx: TransformContext) -> Any:
    """Free-text coverage → ``{key, label, places, countries}``: the text kept whole, every known
    place named in it (UK nations and regions and more, from ``vocabularies/tables/places.yaml``),
    and the countries those places lie in or the text names ("Great Britain" → GB)."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str) or not value.strip():
        return None
    label = " ".join(clean_text(value, ctx, "place").split())
    if not label:
        return None
    memo_key = ("place", label)
    if memo_key not in ctx.tables.memo:
        seen: dict[str, dict[str, Any]] = {}
        codes: list[str] = []
        candidates = [label] + [p for p in _PLACE_SPLIT.split(label) if p.strip()]
        for candidate in candidates:
            entry = ctx.tables.places.get(normalise_name(candidate))
            if entry is not None:
                if entry.key not in seen:
                    seen[entry.key] = _gazetteer_place(entry)
                    if entry.get("country"):
                        codes.append(str(entry.get("country")))
            elif (named := ctx.tables.country_named(candidate)) is not None:
                codes.append(named.alpha_2)  # a country written out in English: "France"
        countries = [found for code in dict.fromkeys(codes) if (found := country(code, ctx)) is not None]
        ctx.tables.memo[memo_key] = {
            "key": slug(label, 120), "label": label, "match": normalise_name(label),
            "places": [seen[k] for k in sorted(seen)], "countries": countries,
        }
    return ctx.tables.memo[memo_key]


def _gazetteer_place(entry: Entry) -> dict[str, Any]:
    # every spelling of the place is a match key, so that `place=Britain` finds Great Britain
    return {"iri": entry.same_as[0], "same_as": list(entry.same_as[1:]), "name": entry.name,
            "match": sorted({normalise_name(a) for a in (entry.name, *entry.aliases)})}
