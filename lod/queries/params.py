"""Parameter types of named queries: each checks and normalises a value and says which
variables it binds, as pyoxigraph terms. Values are bound by the store (a ``VALUES`` block of
terms written by :func:`lod.store.terms.sparql_term`), never formatted into the query text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from lod.errors import QueryError
from lod.store.terms import literal

if TYPE_CHECKING:
    from lod.transforms.tables import Tables

# The name and country tables (and the transforms package behind EU_COUNTRY) are imported
# when a parameter needs them: `lod query` without such a parameter starts faster.

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = ox.NamedNode(_XSD + "integer")
_TRUE = ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))

Bindings = dict[str, ox.NamedNode | ox.Literal]


def _int(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=_INTEGER)


def _text(name: str, value: str) -> Bindings:
    return {name: literal(value.strip(), name)}


def _casefold(name: str, value: str) -> Bindings:
    return {name: literal(value.strip().casefold(), name)}


def _matchkey(name: str, value: str) -> Bindings:
    """The key lod writes as ``lod:matchKey``: case, accents and punctuation folded."""
    from lod.transforms.tables import normalise_name
    return {name: literal(normalise_name(value), name)}


def _country(name: str, value: str) -> Bindings:
    """ISO 3166 alpha-2/alpha-3 code (also UK, EL) or English name → EU country authority IRI."""
    from lod.namespaces import EU_COUNTRY
    found = _countries().country(value) if value.strip() else None
    if found is None:
        raise QueryError(f"parameter {name}: unknown country {value.strip()!r}; "
                         "give an ISO 3166 code (GB, GBR) or an English name (United Kingdom)")
    return {name: ox.NamedNode(EU_COUNTRY + found.alpha_3)}


def _year(name: str, value: str) -> Bindings:
    text = value.strip()
    if not re.fullmatch(r"-?\d{1,4}", text):
        raise QueryError(f"parameter {name}: expected a year such as 1990, got {value!r}")
    return {name: _int(int(text))}


def _date(name: str, value: str) -> Bindings:
    """A year, year-month or date (``1990``, ``1990-05``, ``1990-05-01``): binds ``?NAME`` to the
    date as written (a plain literal, compared by prefix with stored dates), ``?NAME_year``, and
    ``?NAME_precise`` (true) when it is finer than a year."""
    text = value.strip()[:10] if "T" in value else value.strip()
    m = _DATE.match(text)
    try:
        if m is None:
            raise ValueError
        if m.group(3):
            date.fromisoformat(text)
        elif m.group(2) and not 1 <= int(m.group(2)) <= 12:
            raise ValueError
    except ValueError:
        raise QueryError(f"parameter {name}: expected a year, year-month or date "
                         f"(1990, 1990-05, 1990-05-01), got {value!r}") from None
    assert m is not None
    out: Bindings = {name: ox.Literal(text), f"{name}_year": _int(int(m.group(1)))}
    if m.group(2):
        out[f"{name}_precise"] = _TRUE
    return out


def _integer(name: str, value: str) -> Bindings:
    try:
        return {name: _int(int(value.strip()))}
    except ValueError:
        raise QueryError(f"parameter {name}: expected a whole number, got {value!r}") from None


def _iri(name: str, value: str) -> Bindings:
    text = value.strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", text):
        raise QueryError(f"parameter {name}: expected an absolute IRI, got {value!r}")
    try:
        return {name: ox.NamedNode(text)}
    except ValueError as err:
        raise QueryError(f"cannot bind ?{name}: {err}") from None


#: Parameter type → function(name, raw value) → the bindings it makes.
PARAM_TYPES: dict[str, Callable[[str, str], Bindings]] = {
    "text": _text, "casefold": _casefold, "matchkey": _matchkey, "country": _country,
    "year": _year, "date": _date, "integer": _integer, "iri": _iri,
}


@cache
def _countries() -> Tables:
    from lod.transforms.tables import Tables
    return Tables(organisations={}, catalogues={}, places={})


