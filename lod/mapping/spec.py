"""Declarative record → RDF mappings (``mappings/*.yaml``), read once into frozen dataclasses.

The language is documented in ``mappings/README.md``. Every problem in a mapping file (unknown
key, prefix, transform or node template) fails here, naming the file and the key, never
halfway through a conversion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lod.errors import MappingError
from lod.readers.limits import MAX_STRING_CHARS
from lod.resources import data_dir, load_yaml
from lod.transforms import registry

_FIELD_KEYS = {"from", "first", "required", "single", "limit", "transform", "pick", "values",
               "to", "inverse", "datatype", "lang", "iri", "types", "node", "with", "note"}
_NODE_KEYS = {"iri", "types", "fields", "note"}
_TOP_KEYS = {"name", "description", "prefixes", "absent", "max_literal_chars", "subject",
             "ignore", "children", "fields", "nodes", "provenance"}
_SUBJECT_KEYS = {"id", "iri", "types", "language", "note"}
_CHILDREN_KEYS = {"from", "down", "up", "note"}
_FLAGS = ("first", "required", "single")
_LANG_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# RDF/XML writes a predicate as an XML element: its IRI must end in an XML name (not '/', '#', digit).
_XML_NAME_END = re.compile(r"(?![\d.-])[\w.-]+$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    paths: tuple[tuple[str, ...], ...]
    to: tuple[str, ...] = ()
    inverse: tuple[str, ...] = ()
    first: bool = False
    required: bool = False
    single: bool = False
    limit: int | None = None
    transforms: tuple[str, ...] = ()
    pick: str | None = None          # after transforms, take this key of each (dict) value
    values: tuple[tuple[str, str], ...] = ()  # value table: source value → term (IRI if iri mode)
    datatype: str | None = None
    lang: str | None = None          # "record" or a fixed tag
    iri: str | None = None           # "" = the value itself is the IRI; else a template
    node: str | None = None
    object_types: tuple[str, ...] = ()  # rdf:type asserted on IRI objects (e.g. foaf:Document)
    constants: tuple[tuple[str, Any], ...] = ()
    label: str = ""                  # the source path(s), for messages


@dataclass(frozen=True, slots=True)
class NodeSpec:
    name: str
    iri: str
    types: tuple[str, ...]
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class ChildSpec:
    paths: tuple[tuple[str, ...], ...]
    down: tuple[str, ...]
    up: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    source_file: str
    prefixes: dict[str, str]
    id_paths: tuple[tuple[str, ...], ...]
    iri: str
    types: tuple[str, ...]
    language_path: tuple[str, ...] | None
    fields: tuple[FieldSpec, ...]
    nodes: dict[str, NodeSpec]
    children: ChildSpec | None
    absent: frozenset[str]
    max_literal_chars: int
    known: dict[str, Any] = field(default_factory=dict)  # path tree of every key the mapping reads
    provenance: tuple[str, ...] = ()


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class _SpecReader:
    def __init__(self, source: str, doc: dict[str, Any]):
        self.source = source
        self.doc = doc
        self.prefixes: dict[str, str] = {}
        self.known: dict[str, Any] = {}

    def fail(self, where: str, message: str) -> MappingError:
        return MappingError(f"{self.source}: {where}: {message}")

    def expand(self, curie: Any, where: str) -> str:
        if not isinstance(curie, str) or not curie:
            raise self.fail(where, f"expected a prefixed name or IRI, got {curie!r}")
        if curie.startswith("<") and curie.endswith(">"):
            return curie[1:-1]
        prefix, sep, local = curie.partition(":")
        if not sep:
            raise self.fail(where, f"{curie!r} has no prefix")
        if prefix in ("http", "https", "urn"):
            return curie
        if prefix not in self.prefixes:
            raise self.fail(where, f"unknown prefix {prefix!r} in {curie!r}")
        return self.prefixes[prefix] + local

    def predicate(self, curie: Any, where: str) -> str:
        iri = self.expand(curie, where)
        if not _XML_NAME_END.search(iri):
            raise self.fail(where, f"{curie!r} does not end in a name (letters, digits, _ . -, not "
                                   "starting with a digit), so RDF/XML could not write it")
        return iri

    def paths(self, value: Any, where: str, track: bool) -> tuple[tuple[str, ...], ...]:
        out = []
        for p in _as_list(value):
            if not isinstance(p, str) or not p:
                raise self.fail(where, f"a source path must be a non-empty string, got {p!r}")
            parts = () if p == "$" else tuple(p.split("."))
            if "" in parts:
                raise self.fail(where, f"empty step in source path {p!r}")
            if track:
                node = self.known
                for part in parts:
                    node = node.setdefault(part, {})
            out.append(parts)
        return tuple(out)

    def field_spec(self, raw: Any, where: str, track: bool) -> FieldSpec:
        if not isinstance(raw, AbcMapping):
            raise self.fail(where, "a field must be a mapping")
        unknown = set(raw) - _FIELD_KEYS
        if unknown:
            raise self.fail(where, f"unknown key(s) {sorted(unknown)}")
        if "from" not in raw:
            raise self.fail(where, "missing 'from'")
        transforms = tuple(_as_list(raw.get("transform")))
        for t in transforms:
            if t not in registry.TRANSFORMS:
                raise self.fail(where, f"unknown transform {t!r} (known: {sorted(registry.TRANSFORMS)})")
        kinds = [k for k in ("datatype", "iri", "node") if k in raw]
        if len(kinds) > 1:
            raise self.fail(where, f"choose one of datatype/iri/node, not {kinds}")
        to = tuple(self.predicate(p, f"{where}.to") for p in _as_list(raw.get("to")))
        inverse = tuple(self.predicate(p, f"{where}.inverse") for p in _as_list(raw.get("inverse")))
        if not to and not inverse:
            raise self.fail(where, "missing 'to' (use 'ignore' to drop a field on purpose)")
        for flag in _FLAGS:
            if not isinstance(raw.get(flag, False), bool):
                raise self.fail(f"{where}.{flag}", f"must be true or false, got {raw[flag]!r}")
        limit = raw.get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise self.fail(f"{where}.limit", f"must be a whole number of at least 1, got {limit!r}")
        if "pick" in raw and not isinstance(raw["pick"], str):
            raise self.fail(f"{where}.pick", f"must be a key name, got {raw['pick']!r}")
        lang = raw.get("lang")
        if lang is not None and (not isinstance(lang, str)
                                 or (lang != "record" and not _LANG_TAG.match(lang))):
            raise self.fail(f"{where}.lang", f"must be 'record' or a language tag, got {lang!r}")
        iri = raw.get("iri")
        table = raw.get("values") or {}
        if not isinstance(table, AbcMapping):
            raise self.fail(where, "'values' must be a mapping of source value: term")
        if iri is not None:
            table = {k: self.expand(v, f"{where}.values.{k}") for k, v in table.items()}
        constants = raw.get("with") or {}
        if not isinstance(constants, AbcMapping):
            raise self.fail(where, "'with' must be a mapping")
        return FieldSpec(
            paths=self.paths(raw["from"], f"{where}.from", track),
            to=to, inverse=inverse,
            first=raw.get("first", False),
            required=raw.get("required", False),
            single=raw.get("single", False),
            limit=limit,
            transforms=transforms,
            pick=raw.get("pick"),
            values=tuple(sorted((str(k).casefold(), str(v)) for k, v in table.items())),
            datatype=self.expand(raw["datatype"], f"{where}.datatype") if "datatype" in raw else None,
            lang=lang,
            iri=None if iri is None else ("" if iri is True else str(iri)),
            node=raw.get("node"),
            object_types=tuple(self.expand(t, f"{where}.types") for t in _as_list(raw.get("types"))),
            constants=tuple(sorted(constants.items())),
            label="|".join(_as_list(raw["from"])),
        )

    def read(self) -> Mapping:
        doc = self.doc
        unknown = set(doc) - _TOP_KEYS
        if unknown:
            raise self.fail("top level", f"unknown key(s) {sorted(unknown)}")
        prefixes = doc.get("prefixes") or {}
        if not isinstance(prefixes, AbcMapping):
            raise self.fail("prefixes", "must be a mapping of prefix: namespace IRI")
        self.prefixes = {str(k): str(v) for k, v in prefixes.items()}
        subject = doc.get("subject")
        if not isinstance(subject, AbcMapping) or "id" not in subject or "iri" not in subject:
            raise self.fail("subject", "needs 'id' (source paths) and 'iri' (template)")
        if set(subject) - _SUBJECT_KEYS:
            raise self.fail("subject", f"unknown key(s) {sorted(set(subject) - _SUBJECT_KEYS)}")
        if not isinstance(subject["iri"], str) or \
                set(_PLACEHOLDER.findall(subject["iri"])) - {"id", "base"}:
            raise self.fail("subject.iri", f"a template using only {{id}} (and {{base}}), "
                                           f"got {subject['iri']!r}")
        limit = doc.get("max_literal_chars", MAX_STRING_CHARS)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise self.fail("max_literal_chars", f"must be a whole number, got {limit!r}")
        nodes_raw = doc.get("nodes") or {}
        if not isinstance(nodes_raw, AbcMapping):
            raise self.fail("nodes", "must be a mapping of name: node template")
        if not isinstance(doc.get("fields") or [], list):
            raise self.fail("fields", "must be a list of fields")
        nodes: dict[str, NodeSpec] = {}
        for name, raw in nodes_raw.items():
            where = f"nodes.{name}"
            if not isinstance(raw, AbcMapping) or not isinstance(raw.get("iri"), str):
                raise self.fail(where, "a node needs an 'iri' template")
            if set(raw) - _NODE_KEYS:
                raise self.fail(where, f"unknown key(s) {sorted(set(raw) - _NODE_KEYS)}")
            nodes[name] = NodeSpec(
                name=name, iri=str(raw["iri"]),
                types=tuple(self.expand(t, f"{where}.types") for t in _as_list(raw.get("types"))),
                fields=tuple(self.field_spec(f, f"{where}.fields[{i}]", track=False)
                             for i, f in enumerate(_as_list(raw.get("fields")))),
            )
        fields = tuple(self.field_spec(f, f"fields[{i}]", track=True)
                       for i, f in enumerate(_as_list(doc.get("fields"))))
        for spec_where, spec in [(f"fields[{i}]", f) for i, f in enumerate(fields)] + [
            (f"nodes.{n.name}.fields[{i}]", f) for n in nodes.values() for i, f in enumerate(n.fields)
        ]:
            if spec.node and spec.node not in nodes:
                raise self.fail(spec_where, f"unknown node template {spec.node!r}")
        children = None
        if doc.get("children"):
            raw = doc["children"]
            if not isinstance(raw, AbcMapping) or set(raw) - _CHILDREN_KEYS:
                raise self.fail("children", f"expected keys {sorted(_CHILDREN_KEYS)}, got {raw!r}")
            children = ChildSpec(
                paths=self.paths(raw.get("from"), "children.from", track=True),
                down=tuple(self.predicate(p, "children.down") for p in _as_list(raw.get("down"))),
                up=tuple(self.predicate(p, "children.up") for p in _as_list(raw.get("up"))),
            )
        self.paths(doc.get("ignore"), "ignore", track=True)
        language = subject.get("language")
        return Mapping(
            name=str(doc.get("name") or Path(self.source).stem),
            source_file=self.source,
            prefixes=self.prefixes,
            id_paths=self.paths(subject["id"], "subject.id", track=True),
            iri=str(subject["iri"]),
            types=tuple(self.expand(t, "subject.types") for t in _as_list(subject.get("types"))),
            language_path=self.paths(language, "subject.language", track=True)[0] if language else None,
            fields=fields,
            nodes=nodes,
            children=children,
            absent=frozenset(str(a) for a in _as_list(doc.get("absent"))),
            max_literal_chars=limit,
            known=self.known,
            provenance=tuple(self.expand(p, "provenance") for p in _as_list(doc.get("provenance"))),
        )


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a mapping by source name (``harmony``) or by file path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = data_dir("mappings") / f"{name_or_path}.yaml"
        if not path.is_file():
            raise MappingError(f"no mapping named {name_or_path!r} (looked in {path.parent})")
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise MappingError(f"{path}: a mapping file must be a YAML mapping")
    return _SpecReader(str(path), doc).read()
