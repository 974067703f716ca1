"""Temporal coverage: ISO 8601 dates, datetimes, years and intervals (open-ended ``../``)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from lod.converter.ntriples import XSD
from lod.transforms.registry import TransformContext, transform

_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_OPEN = {"", "..", "unknown", "ongoing", "present"}


def _point(text: str) -> tuple[str, str, int] | None:
    """One end of an interval → (lexical value, XSD datatype, year); None if it is not a date."""
    text = text.strip()
    if _YEAR.match(text):
        return text, XSD + "gYear", int(text)
    if _YEAR_MONTH.match(text):
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12:
            return text, XSD + "gYearMonth", year
        return None
    try:
        day = date.fromisoformat(text)
        return day.isoformat(), XSD + "date", day.year
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return moment.date().isoformat(), XSD + "date", moment.year
    lexical = moment.isoformat().replace("+00:00", "Z")
    return lexical, XSD + "dateTime", moment.year


def _year_point(value: Any) -> tuple[str, str, int] | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and 0 < value < 10000:
        return f"{value:04d}", XSD + "gYear", value
    if isinstance(value, str):
        return _point(value)
    return None


def _period(start: tuple[str, str, int] | None, end: tuple[str, str, int] | None,
            open_end: bool) -> dict[str, Any] | None:
    if start is None and end is None:
        return None
    if start and end and end[2] < start[2]:
        start, end = end, start
    interval = f"{start[0] if start else '..'}/{end[0] if end else '..'}"
    out: dict[str, Any] = {"interval": interval, "key": interval.replace("/", "_").replace(":", "")}
    if start:
        out.update(start={"@value": start[0], "@type": start[1]}, start_year=start[2])
    if end:
        out.update(end={"@value": end[0], "@type": end[1]}, end_year=end[2])
    out["open_end"] = open_end
    return out


@transform("period")
def period(value: Any, ctx: TransformContext) -> Any:
    """``2013-12-01/2015-02-28``, ``1993/..``, ``2007``, datetimes, or a dict with
    ``start_year``/``end_year`` → a period dict: ``start``/``end`` as typed value objects
    (xsd:date, xsd:gYear, xsd:gYearMonth or xsd:dateTime as the precision allows), their
    years, and the ISO 8601 ``interval``."""
    if isinstance(value, dict):
        start = _year_point(value.get("start_year") or value.get("startDate"))
        end = _year_point(value.get("end_year") or value.get("endDate"))
        for key in ("start_year", "end_year", "startDate", "endDate"):
            raw = value.get(key)
            if raw not in (None, "") and _year_point(raw) is None:
                ctx.warn(f"unparseable {key} {raw!r}; ignored")
        return _period(start, end, open_end=False)
    if isinstance(value, int) and not isinstance(value, bool):
        return _period(_year_point(value), _year_point(value), open_end=False)
    if not isinstance(value, str):
        ctx.warn(f"unparseable temporal coverage {value!r}; dropped")
        return None
    text = value.strip()
    if "/" in text:
        left, _, right = text.partition("/")
        start = None if left.strip().lower() in _OPEN else _point(left)
        end = None if right.strip().lower() in _OPEN else _point(right)
        if (start is None and left.strip().lower() not in _OPEN) or (
                end is None and right.strip().lower() not in _OPEN):
            ctx.warn(f"unparseable temporal coverage {value!r}; dropped")
            return None
        if start is None and end is None:
            ctx.warn(f"temporal coverage {value!r} has neither a start nor an end; dropped")
            return None
        return _period(start, end, open_end=end is None)
    point = _point(text)
    if point is None:
        ctx.warn(f"unparseable temporal coverage {value!r}; dropped")
        return None
    return _period(point, point, open_end=False)
