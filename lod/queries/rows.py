"""One row per study: what a list query's rows become when the query says ``#+ one-row-per``.

A study with three titles (one per language) or two identifiers matches a list query's
pattern several times. Choosing one title in SPARQL (nested ``FILTER NOT EXISTS``) took the
embedded store from milliseconds to more than a minute on 20,000 studies, so the store gives
the rows as they come and they are collapsed here, in the order the store gave them:

- the **title** is one in the record's language — tagged with a language the study names
  (the query's ``?record_lang``, an ISO 639-1 code) or untagged — else in English, else any;
  the first in code-point order within each;
- the **identifier** (and every other value) is the first in code-point order;
- ``?record_lang`` itself is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from lod.store.base import OxRow as Row
from lod.store.terms import OxTerm

LANGUAGE_VARIABLE = "record_lang"


def collapse(rows: Iterable[Row], key: str) -> list[Row]:
    """One row per distinct ``key`` value, in first-seen order (rows without it are kept)."""
    groups: dict[OxTerm, list[Row]] = {}
    kept: list[Row | OxTerm] = []
    for row in rows:
        value = row.get(key)
        if value is None:
            kept.append(row)
            continue
        if value not in groups:
            groups[value] = []
            kept.append(value)
        groups[value].append(row)
    out: list[Row] = []
    for item in kept:
        out.append(_one(groups[item]) if not isinstance(item, dict) else item)
    return out


def _one(rows: list[Row]) -> Row:
    languages = {r[LANGUAGE_VARIABLE].value.lower() for r in rows if LANGUAGE_VARIABLE in r}
    merged: Row = {}
    for name in dict.fromkeys(n for r in rows for n in r):
        if name == LANGUAGE_VARIABLE:
            continue
        values = list(dict.fromkeys(r[name] for r in rows if name in r))
        merged[name] = min(values, key=lambda v: _rank(v, languages)) if name == "title" \
            else min(values, key=_text)
    return merged


def _text(term: OxTerm) -> str:
    """What a value is ordered by: its IRI, its text or its blank node label."""
    return term.value


def _rank(title: OxTerm, languages: set[str]) -> tuple[int, str, str]:
    lang = (title.language or "").lower() if isinstance(title, ox.Literal) else ""
    primary = lang.split("-", 1)[0]
    if not lang or primary in languages:
        tier = 0
    elif primary == "en":
        tier = 1
    else:
        tier = 2
    return tier, title.value, lang


def variables(names: list[str]) -> list[str]:
    """The variables shown: all but ``?record_lang``."""
    return [n for n in names if n != LANGUAGE_VARIABLE]
