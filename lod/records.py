"""Records as readers yield them: plain dicts plus where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: file name, and line (JSON Lines) or index (arrays)."""

    file: str
    line: int | None = None
    index: int | None = None
    pointer: str | None = None  # e.g. a JSON pointer or an XPath inside the file

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.index is not None:
            where += f"[{self.index}]"
        if self.pointer:
            where += f" {self.pointer}"
        return where

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("file", self.file), ("line", self.line),
                                  ("index", self.index), ("pointer", self.pointer)) if v is not None}


@dataclass(slots=True)
class Record:
    """One source record: ``data`` is the parsed object, ``source`` names the mapping for it."""

    data: Any
    origin: Origin
    source: str = "harmony"


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning (repaired) or a rejection, with file, record and field."""

    origin: Origin
    field: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.origin)
        if self.field:
            where += f" field {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        out = self.origin.as_dict()
        if self.field:
            out["field"] = self.field
        out["reason"] = self.message
        return out


@dataclass(slots=True)
class Rejected:
    """A record that could not be converted; readers yield these for unreadable records."""

    problem: Problem
    raw: Any = None


def json_kind(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words (``null``, ``a number``…), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object" if isinstance(value, dict) \
        else type(value).__name__
