"""A mapping compiled for conversion: IRI templates split once, transforms resolved,
predicate terms rendered, and record paths walked without interpretation overhead."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lod.converter import ntriples as nt
from lod.mapping.spec import FieldSpec, Mapping, NodeSpec
from lod.transforms import TRANSFORMS

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SAFE_PIECE = re.compile(r"[A-Za-z0-9/._~-]*").fullmatch  # what quote() leaves as it is


class Template:
    """An IRI template, split once: literal pieces and placeholder names."""

    __slots__ = ("names", "parts", "raw", "whole")

    def __init__(self, template: str):
        self.raw = template
        self.parts = _PLACEHOLDER.split(template)
        self.names = self.parts[1::2]
        self.whole = (len(self.parts) == 3 and self.parts[0] == self.parts[2] == ""
                      and self.parts[1] not in ("subject", "base"))

    @property
    def uses_subject(self) -> bool:
        return "subject" in self.names

    @property
    def absolute(self) -> bool | None:
        """Whether every IRI made from this template is absolute (True), relative to the base
        (False), or depends on the values (None)."""
        head = self.parts[0]
        if head:
            return ":" in head.split("/", 1)[0] or (None if "/" not in head else False)
        return True if self.parts[1] in ("subject", "base") else None

    def format(self, values: dict[str, Any], subject: str | None, base: str) -> str:
        """Placeholders are percent-encoded (so the result is a valid IRI when the base is),
        except in a one-placeholder template, whose value callers must check."""
        if self.whole:  # the template is one value, which must already be an IRI
            return str(values.get(self.parts[1], ""))
        pieces = []
        for i, piece in enumerate(self.parts):
            if i % 2 == 0:
                pieces.append(piece)
            elif piece == "subject":
                pieces.append(subject or "")
            elif piece == "base":
                pieces.append(base)
            else:
                pieces.append(iri_piece(values.get(piece, "")))
        result = "".join(pieces)
        if ":" not in result.split("/", 1)[0]:
            result = base + result
        return result

    def expression(self, value: Callable[[str], str], subject: str) -> str | None:
        """Python source making what :meth:`format` makes, for generated code: ``value(name)``
        is the source of a placeholder's value, ``subject`` that of the subject IRI. None for a
        one-value template, or where only the values tell whether the IRI is relative (call
        :meth:`format` then)."""
        absolute = self.absolute
        if self.whole or absolute is None:
            return None
        pieces = [] if absolute else ["BASE"]
        for i, piece in enumerate(self.parts):
            if i % 2 == 0:
                if piece:
                    pieces.append(repr(piece))
            elif piece == "subject":
                pieces.append(f"({subject} or '')")
            elif piece == "base":
                pieces.append("BASE")
            else:
                pieces.append(f"iri_piece({value(piece)})")
        return " + ".join(pieces)


def iri_piece(value: Any) -> str:
    """A value as a piece of an IRI: percent-encoded except for unreserved characters and '/'."""
    if type(value) is str and _SAFE_PIECE(value):
        return value
    return quote(str(value), safe="/-._~")


class PlannedField:
    """A field spec compiled for speed: resolved transforms, predicate terms, value table."""

    __slots__ = ("constants", "datatype", "first", "inverse", "iri", "label", "lang", "limit",
                 "node", "object_types", "paths", "pick", "predicates", "required", "simple_key",
                 "single", "source_key", "transforms", "values")

    def __init__(self, spec: FieldSpec, nodes: dict[str, PlannedNode]):
        self.paths = spec.paths
        self.first = spec.first
        self.required = spec.required
        self.single = spec.single
        self.limit = spec.limit
        self.transforms = tuple(TRANSFORMS[t] for t in spec.transforms)
        # Fields reading the same paths through the same transforms share one computation.
        self.source_key = (spec.paths, spec.first, spec.transforms)
        # One plain key, nothing to transform: read it directly (most node fields).
        plain = (len(spec.paths) == 1 and len(spec.paths[0]) == 1 and not spec.transforms
                 and spec.pick is None and not spec.values)
        self.simple_key = spec.paths[0][0] if plain else None
        self.pick = spec.pick
        self.values = {k: v for k, v in spec.values} if spec.values else None
        self.predicates = tuple(nt.iri(p) for p in spec.to)
        self.inverse = tuple(nt.iri(p) for p in spec.inverse)
        self.datatype = spec.datatype
        self.lang = spec.lang
        # None: not an IRI field; a template; or "" when the value itself is the IRI
        self.iri: Template | str | None = (
            None if spec.iri is None else (Template(spec.iri) if spec.iri else ""))
        self.node = nodes[spec.node] if spec.node else None
        self.object_types = tuple(nt.iri(t) for t in spec.object_types)
        self.constants = dict(spec.constants)
        self.label = spec.label


class PlannedNode:
    __slots__ = ("fields", "name", "shared", "template", "types")

    def __init__(self, spec: NodeSpec):
        self.name = spec.name
        self.template = Template(spec.iri)
        self.shared = not self.template.uses_subject
        self.types = tuple(nt.iri(t) for t in spec.types)
        self.fields: tuple[PlannedField, ...] = ()


# The keys a mapping reads, level by level: every key of a level, and the levels below the
# keys read in part (a key read whole has none).
KeyTree = tuple[frozenset[str], dict[str, "KeyTree"]]


def key_tree(known: dict[str, Any]) -> KeyTree:
    return frozenset(known), {key: key_tree(below) for key, below in known.items() if below}


@dataclass(slots=True)
class Plan:
    mapping: Mapping
    template: Template
    types: tuple[str, ...]
    fields: tuple[PlannedField, ...]
    down: tuple[str, ...]
    up: tuple[str, ...]
    keys: KeyTree  # what unmapped() checks records against


def make_plan(mapping: Mapping) -> Plan:
    nodes = {name: PlannedNode(spec) for name, spec in mapping.nodes.items()}
    for name, spec in mapping.nodes.items():
        nodes[name].fields = tuple(PlannedField(f, nodes) for f in spec.fields)
    children = mapping.children
    return Plan(mapping=mapping, template=Template(mapping.iri),
                 types=tuple(nt.iri(t) for t in mapping.types),
                 fields=tuple(PlannedField(f, nodes) for f in mapping.fields),
                 down=tuple(nt.iri(p) for p in children.down) if children else (),
                 up=tuple(nt.iri(p) for p in children.up) if children else (),
                 keys=key_tree(mapping.known))


def under_key(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a two-key path (a key of the object under a key of ``data``), read
    directly; None when the path is longer or shorter or the first step is not an object.
    What it gives is what :func:`resolve` walks to, before lists are flattened and absent
    values dropped: callers check the value's type and fall back on :func:`resolve`."""
    if len(path) != 2:
        return None
    inner = data.get(path[0])
    return inner.get(path[1]) if type(inner) is dict else None


def identifier(data: dict[str, Any], mapping: Mapping) -> str | None:
    """The first identifier value the mapping's id paths give (text or a whole number)."""
    for path in mapping.id_paths:
        value = under_key(data, path)
        if type(value) is str:  # the usual case, a text under an object's key
            if value not in mapping.absent and (found := value.strip()):
                return found
            continue
        for value in resolve(data, path, mapping.absent):
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    return None


def resolve(data: Any, path: tuple[str, ...], absent: frozenset[str]) -> list[Any]:
    """Follow a dotted path through objects and lists; flatten lists; drop absent values."""
    current = [data]
    for part in path:
        following: list[Any] = []
        for item in current:
            if isinstance(item, dict):
                value = item.get(part)
                if value is None:
                    continue
                if isinstance(value, list):
                    following.extend(value)
                else:
                    following.append(value)
        current = following
        if not current:
            return current
    return [v for v in current if v is not None and not (isinstance(v, str) and v in absent)]


def unmapped(data: dict[str, Any], keys: KeyTree, absent: frozenset[str], prefix: str = "",
             found: list[str] | None = None) -> list[str]:
    """Paths of the values in ``data`` that the mapping does not read (``keys``: what it
    reads, :func:`key_tree`). Absent values do not count. A level whose keys the mapping all
    reads, with at most one key read in part, is checked without a loop in Python."""
    found = [] if found is None else found
    level, below = keys
    if len(below) <= 1 and data.keys() <= level:
        for key, deeper in below.items():
            value = data.get(key)
            if type(value) is dict:
                unmapped(value, deeper, absent, f"{prefix}{key}.", found)
        return found
    for key, value in data.items():
        if key not in level:
            if not (value is None or value == [] or value == {} or (type(value) is str and value in absent)):
                found.append(prefix + key)
        elif (part := below.get(key)) is not None and type(value) is dict:
            unmapped(value, part, absent, f"{prefix}{key}.", found)
    return found
