"""Organisations and catalogues, deduplicated through the alias tables in vocabularies/tables."""

from __future__ import annotations

from typing import Any

from lod.transforms.organisation_lists import split_names
from lod.transforms.registry import TransformContext, transform
from lod.transforms.tables import Entry, normalise_name, slug
from lod.transforms.text import clean_text


def _name_of(value: Any, ctx: TransformContext) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("@value")
    if isinstance(value, str) and value.strip():
        return " ".join(clean_text(value, ctx, "name").split()) or None
    return None


def _organisation(name: str, ctx: TransformContext, kind: str | None) -> dict[str, Any]:
    memo_key = ("organisation", name, kind)
    if memo_key not in ctx.tables.memo:
        entry: Entry | None = ctx.tables.organisations.get(normalise_name(name))
        if entry is None:
            ctx.tables.memo[memo_key] = {"key": slug(name), "name": name, "same_as": [],
                                         "match": [normalise_name(name)], "kind": kind}
        else:
            ctx.tables.memo[memo_key] = _known(entry, kind)
    return dict(ctx.tables.memo[memo_key])


def _known(entry: Entry, kind: str | None) -> dict[str, Any]:
    matches = sorted({normalise_name(a) for a in (entry.name, *entry.aliases)})
    return {"key": entry.key, "name": entry.name, "same_as": list(entry.same_as), "match": matches,
            "aliases": list(entry.aliases), "kind": kind}


def organisations(name: str, ctx: TransformContext, kind: str | None) -> list[dict[str, Any]]:
    """The organisation ``name`` names, or each of those it lists ("MRC Wellcome BristolUni").

    A name the table knows whole is one organisation; a list (see
    :mod:`lod.transforms.organisation_lists`) is its known organisations, with a warning naming
    the words dropped; anything else is one organisation of that name, as written."""
    memo_key = ("organisations", name, kind)
    if memo_key not in ctx.tables.memo:
        warning = None
        whole = ctx.tables.organisations.get(normalise_name(name))
        if whole is None and "_" in name:  # a code written with "_" for a space: UKRI_ESRC
            whole = ctx.tables.organisations.get(normalise_name(name.replace("_", " ")))
        if whole is not None:
            found = [_known(whole, kind)]
        else:
            split = split_names(name, ctx.tables.organisations, ctx.tables.organisation_words)
            if split is None:
                found = [_organisation(name, ctx, kind)]
            else:
                found = [_known(entry, kind) for entry in split.known]
                if split.unknown:
                    warning = (f"organisation list {name!r}: unknown {', '.join(map(repr, split.unknown))} "
                               "dropped (add them to vocabularies/tables/organisations.yaml)")
        ctx.tables.memo[memo_key] = (found, warning)
    found, warning = ctx.tables.memo[memo_key]
    if warning is not None:
        ctx.warn(warning)
    return [dict(f) for f in found]


@transform("organisation")
def organisation(value: Any, ctx: TransformContext) -> Any:
    """An organisation name or schema.org Organization/Person → ``{key, name, same_as, match}``,
    or a list of them when the name lists several organisations.

    "ESRC" and "Economic and Social Research Council " give the same key; unknown names get
    a key from their normalised spelling, so case and spacing never split a node."""
    name = _name_of(value, ctx)
    if name is None:
        if value not in (None, "", {}):
            ctx.warn(f"organisation without a name: {value!r}; dropped")
        return None
    kind = value.get("@type") if isinstance(value, dict) else None
    kind = kind if isinstance(kind, str) else "Organization"
    if kind == "Person":  # a person's name is never a list of organisations
        return _organisation(name, ctx, kind)
    found = organisations(name, ctx, kind)
    return found[0] if len(found) == 1 else found


@transform("catalogue")
def catalogue(value: Any, ctx: TransformContext) -> Any:
    """A DataCatalog entry or a source code (``ukds``) → catalogue dict with its publisher."""
    name = _name_of(value, ctx)
    if name is None:
        return None
    memo_key = ("catalogue", name)
    if memo_key not in ctx.tables.memo:
        entry = ctx.tables.catalogues.get(normalise_name(name))
        if entry is None:
            info = {"key": slug(name), "name": name, "homepage": None,
                    "description": f"The data catalogue {name}, as named in the source records.",
                    "publisher": _organisation(name, ctx, "Organization")}
        else:
            info = {"key": entry.key, "name": entry.name, "homepage": entry.get("homepage"),
                    "description": entry.get("description"),
                    "publisher": _organisation(entry.get("publisher", entry.name), ctx, "Organization")}
        ctx.tables.memo[memo_key] = info
    out = dict(ctx.tables.memo[memo_key])
    if isinstance(value, dict):
        out["record_page"] = value.get("url")
        out["image"] = value.get("image")
    return out
