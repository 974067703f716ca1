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

from lod.converter import ntriples as nt
from lod.converter.codecache import CodeCache
from lod.converter.codegen import CompiledCode, compile_code
from lod.converter.runtime import FieldRejected, GraphBuffer, RecordState, TransformMemo, finish
from lod.errors import UsageError
from lod.mapping.plan import Plan, identifier, make_plan, resolve, under_key, unmapped
from lod.mapping.spec import Mapping, load_mapping
from lod.records import Origin, Problem, Record, Rejected, json_kind
from lod.transforms import TRANSFORMS, TransformContext
from lod.transforms.tables import Tables

LANGUAGE_TAGS_LIMIT = 4096  # language codes whose tags a converter remembers

PackedGraph = tuple[str, bool, str, int]  # see StudyGraph.pack


class StudyGraph:
    """One named graph: a study (or a shared node) IRI and its statements.

    Statements are N-Triples text without the final dot. A graph fresh from the converter
    holds them as its buffer does (:class:`GraphBuffer`: tails after its own subject term,
    then whole statements); graphs that crossed a process boundary arrive *packed*, as one
    newline-joined text. Either way they are made into a list only when a caller wants them one
    by one; writers take the text or its bytes whole (:meth:`text`, :meth:`encoded`)."""

    __slots__ = ("_buffer", "_count", "_packed", "_statements", "iri", "shared")

    def __init__(self, iri: str, statements: list[str] | None = None, shared: bool = False, *,
                 packed: str | None = None, count: int = 0, buffer: GraphBuffer | None = None):
        self.iri = iri
        self.shared = shared
        self._statements = statements
        self._packed = packed
        self._count = count
        self._buffer = buffer

    @classmethod
    def unpack(cls, iri: str, shared: bool, packed: str, count: int) -> StudyGraph:
        return cls(iri, None, shared, packed=packed, count=count)

    def pack(self) -> PackedGraph:
        """What :meth:`unpack` takes: the graph with its statements as one newline-joined text."""
        return self.iri, self.shared, self._packed_text(), self.count

    @property
    def count(self) -> int:
        """How many statements (the buffer may still grow while the converter fills it)."""
        if self._buffer is not None:
            return len(self._buffer.tails) + len(self._buffer.statements)
        return self._count if self._statements is None else len(self._statements)

    @property
    def statements(self) -> list[str]:
        if self._statements is None:
            packed = self._packed_text()
            self._statements = packed.split("\n") if packed else []
        return self._statements

    def text(self, end: str = " .\n") -> str:
        """Every statement followed by ``end`` (`` .\n`` for N-Triples, `` <g> .\n`` for N-Quads)."""
        if not self.count:
            return ""
        if self._buffer is not None:
            own, tails, whole = self._buffer.subject, self._buffer.tails, self._buffer.statements
            parts = [own, (end + own).join(tails), end] if tails else []
            if whole:
                parts += (end.join(whole), end)
            return "".join(parts)  # one join copies the text once; a + b + c copied it twice
        if self._statements is None:
            return self._packed_text().replace("\n", end) + end
        return end.join(self._statements) + end

    def encoded(self, end: str) -> bytes:
        """:meth:`text` as UTF-8 bytes."""
        return self.text(end).encode("utf-8")

    def _packed_text(self) -> str:
        if self._packed is None:
            if self._buffer is not None or self._statements is not None:
                self._packed = self.text("\n")[:-1]
            else:
                self._packed = ""
        return self._packed


@dataclass(slots=True)
class Conversion:
    """What one record gave: its study graphs (the record and its children), the shared
    nodes first seen in it, warnings, or a rejection."""

    origin: Origin
    graphs: list[StudyGraph] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rejection: Problem | None = None
    # which warnings came from describing a shared node (by index): a converter describes a
    # node once, so they are reported once; a parallel run drops them with a repeated description
    warning_nodes: dict[int, str] = field(default_factory=dict)


# The prefixes codegen names its memo constants with, and the kind of memo each is.
_MEMO_KINDS = {"M": "transform", "RN": "node", "LM": "literal", "VM": "value"}


def _memos(code: CompiledCode) -> list[TransformMemo]:
    return [v for v in code.record_fields.__globals__.values() if isinstance(v, TransformMemo)]


class Converter:
    """Converts records with the mapping their ``source`` names (compiled once, cached here).

    A converter remembers which shared nodes it has described, so each is written once per
    run; memory grows with the number of distinct shared nodes, not with the records.

    ``memoize=False`` is the reference mode: the generated code remembers nothing (no
    transform results, node terms or literals kept from one value to the next), so each
    value is worked out afresh. It is slower and gives the same output; tests compare the
    two (see :meth:`memo_hits`)."""

    def __init__(self, base_uri: str, *, tables: Tables | None = None,
                 mapping_override: Mapping | None = None,
                 mapping_loader: Callable[[str], Mapping] = load_mapping,
                 code_cache: CodeCache | None = None, memoize: bool = True):
        if not nt.is_valid_iri(base_uri):
            raise UsageError(f"--base-uri {base_uri!r} is not an absolute IRI (e.g. https://example.org/id/)")
        if not base_uri.endswith(("/", "#")):
            base_uri += "/"
        self.base = base_uri
        self.tables = tables or Tables.load()
        self.loader = mapping_loader
        self.code_cache = code_cache  # where compiled mapping code is kept between runs
        self.memoize = memoize
        self.described: set[str] = set()  # shared node IRIs already written in this run
        self.memos: dict[Any, TransformMemo] = {}  # transform results, per transform
        self.node_terms: dict[str, dict[str, str]] = {}  # described shared nodes' terms (codegen)
        self.language_tags: dict[str, str | None] = {}  # a record's language code → its tag
        self.override = self._compiled(make_plan(mapping_override)) if mapping_override else None
        self.plans: dict[str, tuple[Plan, CompiledCode]] = {}

    def _compiled(self, plan: Plan) -> tuple[Plan, CompiledCode]:
        code = compile_code(plan, base=self.base, described=self.described, memos=self.memos,
                            node_terms=self.node_terms, cache=self.code_cache)
        if not self.memoize:
            for memo in _memos(code):
                memo.enabled = False
        return plan, code

    def memo_hits(self) -> dict[str, int]:
        """How often the generated code reused what it remembered, by kind of memo:
        ``transform`` results, shared ``node`` terms, ``literal`` objects, ``value`` tails."""
        hits = dict.fromkeys(_MEMO_KINDS.values(), 0)
        codes = [self.override] if self.override is not None else list(self.plans.values())
        for _, code in codes:
            for name, value in code.record_fields.__globals__.items():
                kind = _MEMO_KINDS.get(name.rstrip("0123456789"))
                if kind is not None and isinstance(value, TransformMemo):
                    hits[kind] += value.hits
        return hits

    def plan_for(self, source: str) -> tuple[Plan, CompiledCode]:
        if self.override is not None:
            return self.override
        if source not in self.plans:
            self.plans[source] = self._compiled(make_plan(self.loader(source)))
        return self.plans[source]

    # -- public -----------------------------------------------------------------
    def convert(self, item: Record | Rejected) -> Conversion:
        if isinstance(item, Rejected):
            return Conversion(origin=item.problem.origin, rejection=item.problem)
        out = Conversion(origin=item.origin)
        state = RecordState(TransformContext(tables=self.tables, base=self.base), out)
        try:
            self._record(item.data, self.plan_for(item.source), state, parent=None, lang=None,
                         prefix="")
        except FieldRejected as exc:
            out.graphs.clear()
            out.warnings.clear()
            out.warning_nodes.clear()
            out.rejection = Problem(item.origin, exc.field, exc.message)
            return out
        for buffer in state.study_buffers:
            finish(buffer)
        for node_iri, buffer in state.shared_here.items():
            finish(buffer)
            self.described.add(node_iri)
            out.graphs.append(StudyGraph(node_iri, shared=True, buffer=buffer))
        return out

    def convert_all(self, items: Iterator[Record | Rejected]) -> Iterator[Conversion]:
        for item in items:
            yield self.convert(item)

    # -- record level -----------------------------------------------------------
    def _record(self, data: Any, compiled: tuple[Plan, CompiledCode], state: RecordState,
                parent: str | None, lang: str | None, prefix: str) -> str:
        plan, code = compiled
        mapping = plan.mapping
        if not isinstance(data, dict):
            raise FieldRejected(prefix.rstrip(".") or None,
                          f"record is not a JSON object (got {json_kind(data)})")
        ident = identifier(data, mapping)
        if ident is None:
            paths = " or ".join(".".join(p) for p in mapping.id_paths)
            raise FieldRejected(prefix + paths, "no identifier: the record needs " + paths)
        try:
            subject_iri = plan.template.format({"id": ident}, None, self.base)
        except UnicodeEncodeError:
            raise FieldRejected(prefix + "id", f"identifier {ident!r} is not valid Unicode") from None
        if plan.template.whole and not nt.is_valid_iri(subject_iri):
            raise FieldRejected(prefix + "id", f"identifier {ident!r} does not make a valid IRI")
        ctx = state.ctx
        saved_language = ctx.language
        ctx.language = self._language(data, mapping, ctx) or lang
        s = nt.iri(subject_iri)
        graph = GraphBuffer(s)
        state.study_buffers.append(graph)
        state.out.graphs.append(StudyGraph(subject_iri, buffer=graph))
        for t in plan.types:
            graph.add(s, nt.RDF_TYPE, t)
        code.record_fields(graph, s, data, state, prefix)
        if parent is not None:
            for p in plan.up:
                graph.add(s, p, nt.iri(parent))
        if mapping.children:
            self._children(graph, s, subject_iri, data, compiled, state, prefix)
        for fieldname in unmapped(data, plan.keys, mapping.absent):
            state.out.warnings.append(Problem(state.out.origin, prefix + fieldname,
                                              "field not in the mapping; not converted"))
        ctx.language = saved_language
        return subject_iri

    def _children(self, graph: GraphBuffer, s: str, subject_iri: str, data: dict[str, Any],
                  compiled: tuple[Plan, CompiledCode], state: RecordState, prefix: str) -> None:
        plan = compiled[0]
        mapping = plan.mapping
        assert mapping.children is not None
        for path in mapping.children.paths:
            if path and data.get(path[0]) is None:
                continue  # most records have no children
            for i, child in enumerate(resolve(data, path, mapping.absent)):
                where = f"{prefix}{'.'.join(path)}[{i}]"
                graphs, buffers = len(state.out.graphs), len(state.study_buffers)
                try:
                    child_iri = self._record(child, compiled, state, parent=subject_iri,
                                             lang=state.ctx.language, prefix=where + ".")
                except FieldRejected as exc:
                    # what the child (and its own children) had made so far goes with it
                    del state.out.graphs[graphs:], state.study_buffers[buffers:]
                    state.out.warnings.append(Problem(state.out.origin, exc.field,
                                                      f"child dataset not converted: {exc.message}"))
                    continue
                for p in plan.down:
                    graph.add(s, p, nt.iri(child_iri))

    def _language(self, data: dict[str, Any], mapping: Mapping, ctx: TransformContext) -> str | None:
        """The tag of the first of the record's language codes that is known (codes are few:
        each one's tag is remembered)."""
        path = mapping.language_path
        if path is None:
            return None
        values = under_key(data, path)
        if type(values) is not list:  # the usual shape is a list under an object's key
            values = resolve(data, path, mapping.absent)
        tag = None
        for value in values:
            if type(value) is not str or value in mapping.absent:
                continue
            if value in self.language_tags:
                tag = self.language_tags[value]
            else:
                found = TRANSFORMS["language"](value, ctx)
                tag = str(found["tag"]) if found else None
                if len(self.language_tags) < LANGUAGE_TAGS_LIMIT:
                    self.language_tags[value] = tag
            if tag:
                break
        ctx.warnings.clear()  # an unknown language code is reported by the field that maps it
        return tag
