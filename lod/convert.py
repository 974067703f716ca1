"""Records + mapping → N-Triples statements, one named graph per study.

There is no per-field code here: the mapping is the schema. Statements are N-Triples
text (``"<s> <p> <o>"``, no final dot), which the writers stream out or hand to pyoxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from . import ntriples as nt
from .mapping import FieldSpec, Mapping, NodeSpec, load_mapping
from .records import Origin, Problem, Record, Rejected
from .tables import Tables
from .transforms import TRANSFORMS, RecordRejected, TransformContext

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(slots=True)
class StudyGraph:
    """One study: its IRI (also its graph name) and its statements."""

    iri: str
    statements: list[str]


@dataclass(slots=True)
class Conversion:
    """What one record gave: study graphs (the record and its children), warnings, or a rejection."""

    origin: Origin
    graphs: list[StudyGraph] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rejection: Problem | None = None


class _Reject(Exception):  # noqa: N818 - internal control flow
    def __init__(self, fieldname: str | None, message: str):
        super().__init__(message)
        self.field = fieldname
        self.message = message


class _Graph:
    """Statements for one study, deduplicated."""

    __slots__ = ("seen", "statements")

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.seen: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        statement = f"{s} {p} {o}"
        if statement not in self.seen:
            self.seen.add(statement)
            self.statements.append(statement)


class Converter:
    """Converts records with the mapping their ``source`` names (loaded once, cached here)."""

    def __init__(self, base_uri: str, *, tables: Tables | None = None,
                 mapping_override: Mapping | None = None,
                 mapping_loader: Callable[[str], Mapping] = load_mapping):
        if not base_uri.endswith(("/", "#")):
            base_uri += "/"
        self.base = base_uri
        self.tables = tables or Tables.load()
        self.override = mapping_override
        self.loader = mapping_loader
        self.mappings: dict[str, Mapping] = {}
        self._templates: dict[str, list[str]] = {}

    def mapping_for(self, source: str) -> Mapping:
        if self.override is not None:
            return self.override
        if source not in self.mappings:
            self.mappings[source] = self.loader(source)
        return self.mappings[source]

    # -- public -----------------------------------------------------------------
    def convert(self, item: Record | Rejected) -> Conversion:
        if isinstance(item, Rejected):
            return Conversion(origin=item.problem.origin, rejection=item.problem)
        conversion = Conversion(origin=item.origin)
        mapping = self.mapping_for(item.source)
        try:
            self._convert_record(item.data, mapping, item.origin, conversion, parent=None, lang=None,
                                 prefix="")
        except _Reject as exc:
            conversion.graphs.clear()
            conversion.warnings.clear()
            conversion.rejection = Problem(item.origin, exc.field, exc.message)
        return conversion

    def convert_all(self, items: Iterator[Record | Rejected]) -> Iterator[Conversion]:
        for item in items:
            yield self.convert(item)

    # -- record level -----------------------------------------------------------
    def _convert_record(self, data: Any, mapping: Mapping, origin: Origin, out: Conversion,
                        parent: str | None, lang: str | None, prefix: str) -> str:
        if not isinstance(data, dict):
            raise _Reject(prefix or None, f"record is not a JSON object (got {type(data).__name__})")
        ctx = TransformContext(tables=self.tables, base=self.base)
        ident = self._identifier(data, mapping)
        if ident is None:
            paths = " or ".join(".".join(p) for p in mapping.id_paths)
            raise _Reject(prefix + paths, "no identifier: the record needs " + paths)
        subject_iri = self._format(mapping.iri, {"id": ident}, None)
        if not nt.is_valid_iri(subject_iri):
            raise _Reject(prefix + "id", f"identifier {ident!r} does not make a valid IRI")
        ctx.language = self._language(data, mapping, ctx) or lang
        graph = _Graph()
        study = StudyGraph(iri=subject_iri, statements=graph.statements)
        out.graphs.append(study)
        s = nt.iri(subject_iri)
        for t in mapping.types:
            graph.add(s, nt.RDF_TYPE, nt.iri(t))
        for spec in mapping.fields:
            self._field(graph, s, data, spec, mapping, ctx, out, prefix)
        if parent is not None and mapping.children:
            for p in mapping.children.up:
                graph.add(s, nt.iri(p), nt.iri(parent))
        if mapping.children:
            self._children(graph, s, subject_iri, data, mapping, ctx, out, prefix, origin)
        for fieldname in _unmapped(data, mapping.known, mapping.absent):
            out.warnings.append(Problem(origin, prefix + fieldname,
                                        "field not in the mapping; not converted"))
        return subject_iri

    def _children(self, graph: _Graph, s: str, subject_iri: str, data: dict[str, Any],
                  mapping: Mapping, ctx: TransformContext, out: Conversion, prefix: str,
                  origin: Origin) -> None:
        assert mapping.children is not None
        for path in mapping.children.paths:
            children = data.get(path[0]) if len(path) == 1 else _resolve(data, path, mapping.absent)
            if not isinstance(children, list):
                children = [] if children in (None, "") else [children]
            for i, child in enumerate(children):
                where = f"{prefix}{'.'.join(path)}[{i}]"
                try:
                    child_iri = self._convert_record(child, mapping, origin, out, parent=subject_iri,
                                                     lang=ctx.language, prefix=where + ".")
                except _Reject as exc:
                    out.warnings.append(Problem(origin, exc.field,
                                                f"child dataset not converted: {exc.message}"))
                    continue
                for p in mapping.children.down:
                    graph.add(s, nt.iri(p), nt.iri(child_iri))

    def _identifier(self, data: dict[str, Any], mapping: Mapping) -> str | None:
        for path in mapping.id_paths:
            for value in _resolve(data, path, mapping.absent):
                if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
                    return str(value).strip()
        return None

    def _language(self, data: dict[str, Any], mapping: Mapping, ctx: TransformContext) -> str | None:
        if mapping.language_path is None:
            return None
        for value in _resolve(data, mapping.language_path, mapping.absent):
            found = TRANSFORMS["language"](value, ctx) if isinstance(value, str) else None
            if found:
                return str(found["tag"])
        ctx.warnings.clear()  # an unknown language code is reported by the field that maps it
        return None

    # -- fields -----------------------------------------------------------------
    def _values(self, data: Any, spec: FieldSpec, mapping: Mapping, ctx: TransformContext) -> list[Any]:
        values: list[Any] = []
        for path in spec.paths:
            found = _resolve(data, path, mapping.absent) if path else [data]
            if found:
                values.extend(found)
                if spec.first:
                    break
        for name in spec.transforms:
            fn = TRANSFORMS[name]
            transformed: list[Any] = []
            for value in values:
                result = fn(value, ctx)
                if isinstance(result, list):
                    transformed.extend(r for r in result if r is not None)
                elif result is not None:
                    transformed.append(result)
            values = transformed
        if spec.pick is not None:
            picked: list[Any] = []
            for value in values:
                chosen = value.get(spec.pick) if isinstance(value, dict) else None
                if isinstance(chosen, list):
                    picked.extend(chosen)
                elif chosen not in (None, ""):
                    picked.append(chosen)
            values = picked
        if spec.values:
            table = dict(spec.values)
            mapped = []
            for value in values:
                term = table.get(str(value).casefold())
                if term is None:
                    ctx.warn(f"value {value!r} is not in the mapping's value table; dropped")
                else:
                    mapped.append(term)
            values = mapped
        return values

    def _field(self, graph: _Graph, s: str, data: Any, spec: FieldSpec, mapping: Mapping,
               ctx: TransformContext, out: Conversion, prefix: str) -> None:
        try:
            values = self._values(data, spec, mapping, ctx)
        except RecordRejected as exc:
            raise _Reject(prefix + spec.label, str(exc)) from None
        if ctx.warnings:
            out.warnings.extend(Problem(out.origin, prefix + spec.label, w)
                                for w in dict.fromkeys(ctx.warnings))
            ctx.warnings.clear()
        if not values:
            if spec.required:
                raise _Reject(prefix + spec.label, "missing or empty required field")
            return
        if spec.single and len(values) > 1:
            out.warnings.append(Problem(out.origin, prefix + spec.label,
                                        f"{len(values)} values where one belongs; kept the first"))
            values = values[:1]
        elif spec.limit is not None:
            values = values[: spec.limit]
        predicates = [nt.iri(p) for p in spec.to]
        inverse = [nt.iri(p) for p in spec.inverse]
        for value in values:
            o = self._object(graph, s, value, spec, mapping, ctx, out, prefix)
            if o is None:
                continue
            for p in predicates:
                graph.add(s, p, o)
            for p in inverse:
                graph.add(o, p, s)

    def _object(self, graph: _Graph, s: str, value: Any, spec: FieldSpec, mapping: Mapping,
                ctx: TransformContext, out: Conversion, prefix: str) -> str | None:
        if spec.node is not None:
            node_value = value if isinstance(value, dict) else {"value": value}
            if spec.constants:
                node_value = {**node_value, **dict(spec.constants)}
            return self._node(graph, s, node_value, mapping.nodes[spec.node], mapping, ctx, out, prefix)
        if spec.iri is not None:
            raw = value.get("iri") if isinstance(value, dict) else value
            target = self._format(spec.iri, {"value": str(raw)}, s[1:-1]) if spec.iri else str(raw)
            if not nt.is_valid_iri(target):
                out.warnings.append(Problem(out.origin, prefix + spec.label,
                                            f"not a valid IRI: {target!r}; dropped"))
                return None
            o = nt.iri(target)
            for t in spec.object_types:
                graph.add(o, nt.RDF_TYPE, nt.iri(t))
            return o
        return self._literal(value, spec, mapping, ctx, prefix)

    def _literal(self, value: Any, spec: FieldSpec, mapping: Mapping, ctx: TransformContext,
                 prefix: str) -> str | None:
        lang = None
        datatype = spec.datatype
        if isinstance(value, dict):
            if "@value" not in value:
                raise _Reject(prefix + spec.label, f"expected a value, got an object {value!r}")
            lang = value.get("@language")
            datatype = value.get("@type") or datatype
            value = value["@value"]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float | str):
            text = str(value)
        else:
            raise _Reject(prefix + spec.label, f"expected a value, got {type(value).__name__}")
        if len(text) > mapping.max_literal_chars:
            raise _Reject(prefix + spec.label,
                          f"value of {len(text):,} characters exceeds the limit of "
                          f"{mapping.max_literal_chars:,}")
        if datatype:
            return nt.literal(text, datatype=datatype)
        if lang is None and spec.lang:
            lang = ctx.language if spec.lang == "record" else spec.lang
        if lang and not nt.is_valid_lang(lang):
            lang = None
        return nt.literal(text, lang=lang)

    def _node(self, graph: _Graph, parent: str, value: dict[str, Any], node: NodeSpec,
              mapping: Mapping, ctx: TransformContext, out: Conversion, prefix: str) -> str | None:
        node_iri = self._format(node.iri, value, parent[1:-1])
        if not nt.is_valid_iri(node_iri):
            out.warnings.append(Problem(out.origin, prefix + node.name,
                                        f"cannot make an IRI for {node.name}: {node_iri!r}; dropped"))
            return None
        n = nt.iri(node_iri)
        for t in node.types:
            graph.add(n, nt.RDF_TYPE, nt.iri(t))
        for spec in node.fields:
            self._field(graph, n, value, spec, mapping, ctx, out, prefix)
        return n

    # -- IRIs -------------------------------------------------------------------
    def _format(self, template: str, values: dict[str, Any], subject: str | None) -> str:
        parts = self._templates.get(template)
        if parts is None:
            parts = self._templates[template] = _PLACEHOLDER.split(template)
        if len(parts) == 3 and parts[0] == parts[2] == "" and parts[1] not in ("subject", "base"):
            return str(values.get(parts[1], ""))  # the whole template is one value: an IRI already
        pieces = []
        for i, piece in enumerate(parts):
            if i % 2 == 0:
                pieces.append(piece)
            elif piece == "subject":
                pieces.append(subject or "")
            elif piece == "base":
                pieces.append(self.base)
            else:
                pieces.append(quote(str(values.get(piece, "")), safe="/-._~"))
        result = "".join(pieces)
        if ":" not in result.split("/", 1)[0]:
            result = self.base + result
        return result


def _resolve(data: Any, path: tuple[str, ...], absent: frozenset[str]) -> list[Any]:
    """Follow a dotted path through objects and lists; flatten lists; drop absent values."""
    current = [data]
    for part in path:
        following: list[Any] = []
        for item in current:
            if isinstance(item, dict):
                value = item.get(part)
                if isinstance(value, list):
                    following.extend(value)
                elif value is not None:
                    following.append(value)
        current = following
    out = []
    for value in current:
        if isinstance(value, list):
            out.extend(v for v in value if v is not None and not (isinstance(v, str) and v in absent))
        elif not (isinstance(value, str) and value in absent):
            out.append(value)
    return out


def _unmapped(data: dict[str, Any], known: dict[str, Any], absent: frozenset[str],
              prefix: str = "") -> Iterator[str]:
    for key, value in data.items():
        if value is None or value == [] or value == {} or (isinstance(value, str) and value in absent):
            continue
        if key not in known:
            yield prefix + key
        elif known[key] and isinstance(value, dict):
            yield from _unmapped(value, known[key], absent, f"{prefix}{key}.")
