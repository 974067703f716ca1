"""Records + mapping → N-Triples statements, one named graph per study.

There is no per-field code here: the mapping is the schema. Statements are N-Triples
text (``"<s> <p> <o>"``, no final dot), which the writers stream out or hand to pyoxigraph.

Shared nodes — node templates whose IRI does not depend on the study (organisations,
catalogues, keyword concepts, places, languages) — are described once per run, each in a
named graph of its own (named by the node's IRI). A study graph then only links to them,
so deleting or replacing a study never touches what other studies share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import ntriples as nt
from .errors import UsageError
from .mapping import Mapping, load_mapping
from .plan import CompiledField, CompiledNode, Plan, Template, compile_plan, identifier, resolve, unmapped
from .records import Origin, Problem, Record, Rejected
from .tables import Tables
from .transforms import TRANSFORMS, RecordRejected, TransformContext


@dataclass(slots=True)
class StudyGraph:
    """One named graph: a study (or a shared node) IRI and its statements."""

    iri: str
    statements: list[str]
    shared: bool = False


@dataclass(slots=True)
class Conversion:
    """What one record gave: its study graphs (the record and its children), the shared
    nodes first seen in it, warnings, or a rejection."""

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
    """Statements of one graph, without repeats."""

    __slots__ = ("seen", "statements")

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.seen: set[str] = set()

    def add(self, s: str, p: str, o: str) -> None:
        statement = f"{s} {p} {o}"
        if statement not in self.seen:
            self.seen.add(statement)
            self.statements.append(statement)


class _RecordState:
    """What is being built for one record: the output, its context, shared nodes it described."""

    __slots__ = ("cache", "ctx", "out", "shared_here")

    def __init__(self, ctx: TransformContext, out: Conversion):
        self.ctx = ctx
        self.out = out
        self.shared_here: dict[str, _Graph] = {}
        self.cache: dict[tuple[int, Any], list[Any]] = {}


class Converter:
    """Converts records with the mapping their ``source`` names (compiled once, cached here).

    A converter remembers which shared nodes it has described, so each is written once per
    run; memory grows with the number of distinct shared nodes, not with the records."""

    def __init__(self, base_uri: str, *, tables: Tables | None = None,
                 mapping_override: Mapping | None = None,
                 mapping_loader: Callable[[str], Mapping] = load_mapping):
        if not nt.is_valid_iri(base_uri):
            raise UsageError(f"--base-uri {base_uri!r} is not an absolute IRI (e.g. https://example.org/id/)")
        if not base_uri.endswith(("/", "#")):
            base_uri += "/"
        self.base = base_uri
        self.tables = tables or Tables.load()
        self.override = compile_plan(mapping_override) if mapping_override else None
        self.loader = mapping_loader
        self.plans: dict[str, Plan] = {}
        self.described: set[str] = set()  # shared node IRIs already written in this run

    def plan_for(self, source: str) -> Plan:
        if self.override is not None:
            return self.override
        if source not in self.plans:
            self.plans[source] = compile_plan(self.loader(source))
        return self.plans[source]

    # -- public -----------------------------------------------------------------
    def convert(self, item: Record | Rejected) -> Conversion:
        if isinstance(item, Rejected):
            return Conversion(origin=item.problem.origin, rejection=item.problem)
        out = Conversion(origin=item.origin)
        state = _RecordState(TransformContext(tables=self.tables, base=self.base), out)
        try:
            self._record(item.data, self.plan_for(item.source), state, parent=None, lang=None,
                         prefix="")
        except _Reject as exc:
            out.graphs.clear()
            out.warnings.clear()
            out.rejection = Problem(item.origin, exc.field, exc.message)
            return out
        for node_iri, graph in state.shared_here.items():
            self.described.add(node_iri)
            out.graphs.append(StudyGraph(node_iri, graph.statements, shared=True))
        return out

    def convert_all(self, items: Iterator[Record | Rejected]) -> Iterator[Conversion]:
        for item in items:
            yield self.convert(item)

    # -- record level -----------------------------------------------------------
    def _record(self, data: Any, plan: Plan, state: _RecordState, parent: str | None,
                lang: str | None, prefix: str) -> str:
        mapping = plan.mapping
        if not isinstance(data, dict):
            raise _Reject(prefix.rstrip(".") or None,
                          f"record is not a JSON object (got {type(data).__name__})")
        ident = identifier(data, mapping)
        if ident is None:
            paths = " or ".join(".".join(p) for p in mapping.id_paths)
            raise _Reject(prefix + paths, "no identifier: the record needs " + paths)
        try:
            subject_iri = plan.template.format({"id": ident}, None, self.base)
        except UnicodeEncodeError:
            raise _Reject(prefix + "id", f"identifier {ident!r} is not valid Unicode") from None
        if plan.template.whole and not nt.is_valid_iri(subject_iri):
            raise _Reject(prefix + "id", f"identifier {ident!r} does not make a valid IRI")
        ctx = state.ctx
        saved_language = ctx.language
        ctx.language = self._language(data, mapping, ctx) or lang
        graph = _Graph()
        state.out.graphs.append(StudyGraph(iri=subject_iri, statements=graph.statements))
        s = nt.iri(subject_iri)
        for t in plan.types:
            graph.add(s, nt.RDF_TYPE, t)
        for compiled in plan.fields:
            self._field(graph, s, data, compiled, mapping, state, prefix, record_level=True)
        if parent is not None:
            for p in plan.up:
                graph.add(s, p, nt.iri(parent))
        if mapping.children:
            self._children(graph, s, subject_iri, data, plan, state, prefix)
        for fieldname in unmapped(data, mapping.known, mapping.absent):
            state.out.warnings.append(Problem(state.out.origin, prefix + fieldname,
                                              "field not in the mapping; not converted"))
        ctx.language = saved_language
        return subject_iri

    def _children(self, graph: _Graph, s: str, subject_iri: str, data: dict[str, Any],
                  plan: Plan, state: _RecordState, prefix: str) -> None:
        mapping = plan.mapping
        assert mapping.children is not None
        for path in mapping.children.paths:
            for i, child in enumerate(resolve(data, path, mapping.absent)):
                where = f"{prefix}{'.'.join(path)}[{i}]"
                try:
                    child_iri = self._record(child, plan, state, parent=subject_iri,
                                             lang=state.ctx.language, prefix=where + ".")
                except _Reject as exc:
                    state.out.warnings.append(Problem(state.out.origin, exc.field,
                                                      f"child dataset not converted: {exc.message}"))
                    continue
                for p in plan.down:
                    graph.add(s, p, nt.iri(child_iri))

    def _language(self, data: dict[str, Any], mapping: Mapping, ctx: TransformContext) -> str | None:
        if mapping.language_path is None:
            return None
        found = None
        for value in resolve(data, mapping.language_path, mapping.absent):
            found = TRANSFORMS["language"](value, ctx) if isinstance(value, str) else None
            if found:
                break
        ctx.warnings.clear()  # an unknown language code is reported by the field that maps it
        return str(found["tag"]) if found else None

    # -- fields -----------------------------------------------------------------
    def _values(self, data: Any, f: CompiledField, absent: frozenset[str], state: _RecordState,
                record_level: bool) -> list[Any]:
        ctx = state.ctx
        if not record_level:  # node values are short-lived dicts: nothing to share
            return self._pick(self._transformed(data, f, absent, ctx), f, ctx)
        # Record data lives as long as the record, so its id is a safe key. Warnings are
        # reported once, by the first field that read these values.
        key = (id(data), f.source_key)
        cached = state.cache.get(key)
        if cached is None:
            cached = state.cache[key] = self._transformed(data, f, absent, ctx)
        return self._pick(cached, f, ctx)

    def _transformed(self, data: Any, f: CompiledField, absent: frozenset[str],
                     ctx: TransformContext) -> list[Any]:
        """Values of the field's paths after its transforms. With ``first``, the first path
        whose values survive the transforms wins (an unparseable date falls back to the next)."""
        if not f.first:
            found = [v for path in f.paths for v in (resolve(data, path, absent) if path else [data])]
            return self._apply(found, f, ctx)
        for path in f.paths:
            found = resolve(data, path, absent) if path else [data]
            if found:
                values = self._apply(found, f, ctx)
                if values:
                    return values
        return []

    @staticmethod
    def _apply(values: list[Any], f: CompiledField, ctx: TransformContext) -> list[Any]:
        for fn in f.transforms:
            transformed: list[Any] = []
            for value in values:
                result = fn(value, ctx)
                if isinstance(result, list):
                    transformed.extend(r for r in result if r is not None)
                elif result is not None:
                    transformed.append(result)
            values = transformed
        return values

    def _pick(self, values: list[Any], f: CompiledField, ctx: TransformContext) -> list[Any]:
        if f.pick is not None:
            picked: list[Any] = []
            for value in values:
                chosen = value.get(f.pick) if isinstance(value, dict) else None
                if isinstance(chosen, list):
                    picked.extend(chosen)
                elif chosen not in (None, ""):
                    picked.append(chosen)
            values = picked
        if f.values is not None:
            mapped = []
            for value in values:
                term = f.values.get(str(value).casefold())
                if term is None:
                    ctx.warn(f"value {value!r} is not in the mapping's value table; dropped")
                else:
                    mapped.append(term)
            values = mapped
        return values

    def _field(self, graph: _Graph, s: str, data: Any, f: CompiledField, mapping: Mapping,
               state: _RecordState, prefix: str, record_level: bool = False) -> None:
        ctx = state.ctx
        if f.simple_key is not None:
            raw = data.get(f.simple_key) if isinstance(data, dict) else None
            if raw is None:
                if f.required:
                    raise _Reject(prefix + f.label, "missing or empty required field")
                return
            absent = mapping.absent
            if isinstance(raw, list):
                values = [v for v in raw if v is not None and not (isinstance(v, str) and v in absent)]
            else:
                values = [] if isinstance(raw, str) and raw in absent else [raw]
        else:
            try:
                values = self._values(data, f, mapping.absent, state, record_level)
            except RecordRejected as exc:
                raise _Reject(prefix + f.label, str(exc)) from None
        if ctx.warnings:
            state.out.warnings.extend(Problem(state.out.origin, prefix + f.label, w)
                                      for w in dict.fromkeys(ctx.warnings))
            ctx.warnings.clear()
        if not values:
            if f.required:
                raise _Reject(prefix + f.label, "missing or empty required field")
            return
        if f.single and len(values) > 1:
            state.out.warnings.append(Problem(state.out.origin, prefix + f.label,
                                              f"{len(values)} values where one belongs; kept the first"))
            values = values[:1]
        elif f.limit is not None:
            values = values[: f.limit]
        seen, statements = graph.seen, graph.statements
        for value in values:
            o = self._object(graph, s, value, f, mapping, state, prefix)
            if o is None:
                continue
            for p in f.predicates:
                statement = f"{s} {p} {o}"
                if statement not in seen:
                    seen.add(statement)
                    statements.append(statement)
            for p in f.inverse:
                graph.add(o, p, s)

    def _object(self, graph: _Graph, s: str, value: Any, f: CompiledField, mapping: Mapping,
                state: _RecordState, prefix: str) -> str | None:
        if f.node is not None:
            node_value = value if isinstance(value, dict) else {"value": value}
            if f.constants:
                node_value = {**node_value, **f.constants}
            return self._node(graph, s, node_value, f.node, mapping, state, prefix)
        if f.iri is not None:
            raw = value.get("iri") if isinstance(value, dict) else value
            template = f.iri if isinstance(f.iri, Template) else None
            try:
                target = template.format({"value": raw}, s[1:-1], self.base) if template else str(raw)
            except UnicodeEncodeError:
                target = ""
            if not target or ((template is None or template.whole) and not nt.is_valid_iri(target)):
                state.out.warnings.append(Problem(state.out.origin, prefix + f.label,
                                                  f"not a valid IRI: {target!r}; dropped"))
                return None
            o = nt.iri(target)
            for t in f.object_types:
                graph.add(o, nt.RDF_TYPE, t)
            return o
        return self._literal(value, f, mapping, state.ctx, prefix)

    def _literal(self, value: Any, f: CompiledField, mapping: Mapping, ctx: TransformContext,
                 prefix: str) -> str | None:
        lang = None
        datatype = f.datatype
        if isinstance(value, dict):
            if "@value" not in value:
                raise _Reject(prefix + f.label, f"expected a value, got an object {value!r}")
            lang = value.get("@language")
            datatype = value.get("@type") or datatype
            value = value["@value"]
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = str(value)
        else:
            raise _Reject(prefix + f.label, f"expected a value, got {type(value).__name__}")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise _Reject(prefix + f.label, "value is not valid Unicode (a lone surrogate)") from None
        if len(text) > mapping.max_literal_chars:
            raise _Reject(prefix + f.label,
                          f"value of {len(text):,} characters exceeds the limit of "
                          f"{mapping.max_literal_chars:,}")
        if datatype:
            return nt.literal(text, datatype=datatype)
        if lang is None and f.lang:
            lang = ctx.language if f.lang == "record" else f.lang
        if lang and not nt.is_valid_lang(lang):
            lang = None
        return nt.literal(text, lang=lang)

    def _node(self, graph: _Graph, parent: str, value: dict[str, Any], node: CompiledNode,
              mapping: Mapping, state: _RecordState, prefix: str) -> str | None:
        try:
            node_iri = node.template.format(value, parent[1:-1], self.base)
        except UnicodeEncodeError:
            node_iri = ""  # a lone surrogate in a key: reported just below
        if not node_iri or (node.template.whole and not nt.is_valid_iri(node_iri)):
            state.out.warnings.append(Problem(state.out.origin, prefix + node.name,
                                              f"cannot make an IRI for {node.name}: {node_iri!r}; dropped"))
            return None
        n = nt.iri(node_iri)
        if node.shared:
            if node_iri in self.described or node_iri in state.shared_here:
                return n  # described once per run, in its own graph
            target = state.shared_here[node_iri] = _Graph()
        else:
            target = graph
        for t in node.types:
            target.add(n, nt.RDF_TYPE, t)
        for f in node.fields:
            self._field(target, n, value, f, mapping, state, prefix)
        return n
