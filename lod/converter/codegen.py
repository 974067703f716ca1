"""A compiled mapping plan turned into Python functions, so that a record runs through straight
code instead of an interpreter walking the mapping for every value.

The mapping stays data (``mappings/*.yaml``); this module reads its plan once per run and
writes one function for a record's fields and one per node template, with every decision the
mapping makes (which paths, transforms, predicates, literal or IRI or node, language, limits)
taken when the code is made. What the functions do is described field by field in
``mappings/README.md``; the generated source is kept on :class:`CompiledCode` for inspection.

Nothing from a record ever becomes code: names, paths, predicates and messages from the
mapping enter the generated source only as ``repr()`` literals or as bound constants.
"""

from __future__ import annotations

import hashlib
import linecache
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lod.converter import ntriples as nt
from lod.converter import runtime as rt
from lod.converter.codecache import CodeCache
from lod.converter.runtime import GraphBuffer, RecordState
from lod.mapping.plan import Plan, PlannedField, PlannedNode, Template, iri_piece, resolve
from lod.transforms import RecordRejected
from lod.transforms.registry import UNCHANGED_WHEN

NODE_TERMS_LIMIT = 100_000  # terms remembered per node template; forgotten when full

RecordFields = Callable[[GraphBuffer, str, dict[str, Any], RecordState, str], None]


@dataclass(frozen=True, slots=True)
class CompiledCode:
    record_fields: RecordFields  # (study graph, study term, record, state, field prefix)
    source: str


class _Source:
    """Lines of generated code, and the constants they refer to by name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0
        self.done: list[list[str]] = []  # finished functions
        self.names: dict[str, Any] = {}
        self._ids: dict[int, str] = {}
        self._temps = 0

    @contextmanager
    def function(self, header: str) -> Iterator[None]:
        """A function of its own, written apart from the one being written now."""
        outer, depth = self.lines, self.depth
        self.lines, self.depth = [], 0
        try:
            with self.block(header):
                yield
            self.done.append(self.lines)
        finally:
            self.lines, self.depth = outer, depth

    def text(self) -> str:
        return "\n\n".join("\n".join(lines) for lines in self.done) + "\n"

    def __call__(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self(header)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def const(self, value: Any, kind: str) -> str:
        """A name bound to ``value`` in the generated module (one name per distinct object;
        ``names`` keeps every value alive, so an id is never reused for another)."""
        key = id(value)
        if key not in self._ids:
            name = f"{kind}{len(self.names)}"
            self.names[name] = value
            self._ids[key] = name
        return self._ids[key]

    def temp(self, stem: str) -> str:
        self._temps += 1
        return f"{stem}{self._temps}"


class _Generator:
    def __init__(self, plan: Plan, memos: dict[Any, rt.TransformMemo],
                 node_terms: dict[str, dict[str, str]]):
        self.plan = plan
        self.memos = memos
        self.node_terms = node_terms
        self.src = _Source()
        self.node_functions: dict[str, str] = {}
        self.top_level: dict[str, str] = {}  # the record's top-level values read once, by key
        self.own = True  # whether s, in the function being written, is its graph's own subject

    def constant(self, value: Any, kind: str) -> str:
        return self.src.const(value, kind)

    # -- functions ------------------------------------------------------------------
    def record_function(self) -> None:
        src, fields = self.src, self.plan.fields
        counts = Counter(f.source_key for f in fields if f.simple_key is None)
        shared = {key: f"sk{i}" for i, key in enumerate(k for k, n in counts.items() if n > 1)}
        with src.function("def record_fields(G, s, data, state, prefix):"):
            self._prologue(fields)
            for var in shared.values():
                src(f"{var} = None")
            # Paths like extra_data.name: read extra_data once (transforms never change a record).
            firsts = dict.fromkeys(p[0] for f in fields for p in f.paths if len(p) == 2)
            self.top_level = {key: f"top{i}" for i, key in enumerate(firsts)}
            for key, var in self.top_level.items():
                src(f"{var} = data.get({key!r})")
            for f in fields:
                cached = shared.get(f.source_key) if f.simple_key is None else None
                if cached is None and by_value(f):
                    self.field_by_value(f)
                else:
                    self.field(f, cached)

    def node_function(self, node: PlannedNode) -> str:
        if node.name in self.node_functions:
            return self.node_functions[node.name]
        name = self.node_functions[node.name] = f"node_{len(self.node_functions)}"
        top_level, self.top_level = self.top_level, {}  # a node reads its own data
        own, self.own = self.own, node.shared  # a shared node has a graph of its own
        try:
            self._node_function(node, name)
        finally:
            self.top_level, self.own = top_level, own
        return name

    def _node_function(self, node: PlannedNode, name: str) -> None:
        src = self.src
        template = self.constant(node.template, "T")
        where = repr(node.name)
        names = node.template.names
        # A shared node named by one value: the term of a value already described, at once.
        remembered = (self.constant(self.node_terms.setdefault(node.name, {}), "NT")
                      if node.shared and len(names) == 1 and names[0] != "base" else None)
        with src.function(f"def {name}(G, parent, data, state, prefix):"):
            if remembered:
                src(f"key = data.get({names[0]!r})")
                with src.block(f"if type(key) is str and (s := {remembered}.get(key)) is not None:"):
                    src("return s")
            with src.block("try:"):
                made = node.template.expression(lambda key: f"data.get({key!r}, '')",
                                          "parent[1:-1]")
                src(f"iri = {made or f'{template}.format(data, parent[1:-1], BASE)'}")
            with src.block("except UnicodeEncodeError:"):
                src('iri = ""  # a lone surrogate in a key: reported just below')
            check = "not iri or not is_valid_iri(iri)" if node.template.whole else "not iri"
            with src.block(f"if {check}:"):
                message = repr(f"cannot make an IRI for {node.name}: ")
                src(f'state.warn(prefix + {where}, {message} + repr(iri) + "; dropped")')
                src("return None")
            src(f"s = {joined(('<', 'iri'), ('>', None))}")
            if node.shared:
                with src.block("if iri in DESCRIBED:"):  # described once per run, in its own graph
                    if remembered:
                        with src.block("if type(key) is str:"):
                            with src.block(f"if len({remembered}) >= NODE_TERMS_LIMIT:"):
                                src(f"{remembered}.clear()")
                            src(f"{remembered}[key] = s")
                    src("return s")
                with src.block("if iri in state.shared_here:"):
                    src("return s")
                src("G = state.shared_here[iri] = GraphBuffer(s)")
                src("mark = len(state.out.warnings)")
            else:
                with src.block("if s == G.subject:"):  # a node named like the graph's own subject
                    src("G.mixed = True")
            self._prologue(node.fields)
            for t in node.types:
                self.emit("s", f" {nt.RDF_TYPE} {t}", None)
            for f in node.fields:
                self.field(f, None)
            if node.shared:
                src("state.described(iri, mark)")
            src("return s")

    def _prologue(self, fields: tuple[PlannedField, ...]) -> None:
        src = self.src
        src("add = G.statements.append")
        src("T = G.tails")
        src("addt = T.append")
        src("ctx = state.ctx")
        src("W = ctx.warnings")
        if any(f.lang == "record" for f in fields):
            src("RL = record_lang(ctx)")
            src('RLS = "\\"@" + RL if RL else "\\""')

    # -- one field --------------------------------------------------------------------
    def field(self, f: PlannedField, cached: str | None) -> None:
        src = self.src
        label = repr(f.label)
        src(f"# {f.label!r} -> {' '.join(f.predicates + f.inverse)!r}")  # repr: one line, whatever it holds
        if f.simple_key is not None:
            src(f"x = data.get({f.simple_key!r})")
            self.normalise("x", "vals")
        else:
            if cached is not None:
                with src.block(f"if {cached} is None:"):
                    self.transformed(f, cached, label)
                src(f"vals = {cached}")
            else:
                self.transformed(f, "vals", label)
            self.pick(f)
            with src.block("if W:"):
                src(f"state.flush_warnings(prefix + {label})")
        with src.block("if vals:"):
            if f.single:
                with src.block("if len(vals) > 1:"):
                    src(f'state.warn(prefix + {label}, f"{{len(vals)}} values where one belongs; '
                        f'kept the first")')
                    src("vals = vals[:1]")
            elif f.limit is not None:
                src(f"vals = vals[:{int(f.limit)}]")
            self.each_value(f, label)
        if f.required:
            with src.block("else:"):
                src(f'raise FieldRejected(prefix + {label}, "missing or empty required field")')

    def field_by_value(self, f: PlannedField) -> None:
        """A field whose values are independent of each other, one value at a time: what a
        text value made in the study graph (statements about the study only, naming nothing
        not yet described, no warnings) is remembered as statement tails, and given again at
        once when the value comes back (keywords, codes, designs, catalogues). A transform's
        warning is reported once per field, as when the values go through together."""
        src = self.src
        label = repr(f.label)
        memo = self.constant(rt.TransformMemo(), "VM")
        key = "(rv, RL)" if f.lang == "record" else "rv"
        src(f"# {f.label!r} -> {' '.join(f.predicates + f.inverse)!r}, value by value")
        found = self.read_all(f.paths)
        src("flushed = None")
        with src.block(f"for rv in {found}:"):
            with src.block(f"if type(rv) is str and (h := {memo}.get({key})) is not None:"):
                src(f"{memo}.hits += 1")
                src("T.extend(h[0])")
                src("continue")
            src("mark = len(T)")
            src("whole = len(G.statements)")
            src("warned = len(state.out.warnings)")
            src("vals = [rv]")
            if f.transforms:
                with src.block("try:"):
                    self.apply(f, "vals")
                with src.block("except RecordRejected as exc:"):
                    src(f"raise FieldRejected(prefix + {label}, str(exc)) from None")
            self.pick(f)
            with src.block("if W:"):
                src(f"flushed = state.flush_warnings(prefix + {label}, flushed)")
            self.each_value(f, label)
            with src.block(f"if type(rv) is str and {memo}.enabled and not state.shared_here "
                           "and len(state.out.warnings) == warned:"):
                src(f"remember_tails({memo}, {key}, rv, G, mark, whole)")

    def pick(self, f: PlannedField) -> None:
        if f.pick is not None or f.values is not None:
            self.src(f"vals = pick_values(vals, {f.pick!r}, {self.constant(f.values, 'V')}, ctx)")

    def each_value(self, f: PlannedField, label: str) -> None:
        """The statements for each of ``vals``."""
        with self.src.block("for v in vals:"):
            self.object(f, label)
            for p in f.predicates:
                self.emit("s", f" {p} ", "o")
            for p in f.inverse:
                self.emit("o", f" {p} ", "s")

    def read_all(self, paths: tuple[tuple[str, ...], ...]) -> str:
        """An expression for the values at every path, in order (read into temporaries)."""
        parts = []
        for path in paths:
            part = self.src.temp("found")
            self.read(path, part)
            parts.append(part)
        return " + ".join(parts)

    def transformed(self, f: PlannedField, target: str, label: str) -> None:
        """``target`` = the field's values after its transforms (``first``: of the first path
        whose values survive them)."""
        src = self.src
        with src.block("try:"):
            if not f.first:
                src(f"{target} = {self.read_all(f.paths)}")
                self.apply(f, target)
            else:
                self.first_of(f, list(f.paths), target)
        with src.block("except RecordRejected as exc:"):
            src(f"raise FieldRejected(prefix + {label}, str(exc)) from None")

    def first_of(self, f: PlannedField, paths: list[tuple[str, ...]], target: str) -> None:
        src = self.src
        self.read(paths[0], target)
        self.apply(f, target)
        if len(paths) > 1:
            with src.block(f"if not {target}:"):
                self.first_of(f, paths[1:], target)

    def apply(self, f: PlannedField, target: str) -> None:
        for fn in f.transforms:
            src, memo = self.src, self.constant(self.memos.setdefault(fn, rt.TransformMemo()), "M")
            call = f"{target} = run_transform({self.constant(fn, 'F')}, {target}, ctx, {memo})"
            unchanged = UNCHANGED_WHEN.get(fn)
            with src.block(f"if {target}:"):
                # short texts seen before, without warnings: their remembered results, inline
                with src.block(f"if len({target}) == 1:"):
                    if unchanged is not None:  # a value the transform would give back as it is
                        with src.block(f"if {self.constant(unchanged, 'U')}({target}[0]):"):
                            src("pass")
                    # values that rarely repeat (the memo switched itself off): the call alone
                    with src.block(f"{'el' if unchanged is not None else ''}if not {memo}.enabled:"):
                        src(f"r = {self.constant(fn, 'F')}({target}[0], ctx)")
                        # results_of(r), with its commonest case (one value) inline
                        src(f"{target} = [r] if r is not None and type(r) is not list else results_of(r)")
                    with src.block(f"elif type({target}[0]) is str "
                                   f"and (h := {memo}.get({target}[0])) is not None and not h[1]:"):
                        src(f"{memo}.hits += 1")
                        src(f"{target} = h[0]")
                    with src.block("else:"):
                        src(call)
                with src.block("else:"):
                    src("out = []")
                    with src.block(f"for y in {target}:"):
                        with src.block(f"if type(y) is not str or (h := {memo}.get(y)) is None or h[1]:"):
                            src(call)
                            src("break")
                        src("out += h[0]")
                    with src.block("else:"):
                        src(f"{memo}.hits += len({target})")
                        src(f"{target} = out")

    def read(self, path: tuple[str, ...], target: str) -> None:
        """``target`` = the values at ``path``: lists flattened, absent values dropped."""
        src = self.src
        if not path:
            src(f"{target} = [data]")
        elif len(path) == 1:
            src(f"x = data.get({path[0]!r})")
            self.normalise("x", target)
        elif len(path) == 2:
            top = self.top_level.get(path[0])
            src(f"x = {top}" if top else f"x = data.get({path[0]!r})")
            with src.block("if type(x) is dict:"):
                src(f"x = x.get({path[1]!r})")
                self.normalise("x", target)
            with src.block("elif x is None:"):
                src(f"{target} = []")
            with src.block("else:"):
                src(f"{target} = resolve(data, {path!r}, ABSENT)")
        else:
            src(f"{target} = resolve(data, {path!r}, ABSENT)")

    def normalise(self, value: str, target: str) -> None:
        src = self.src
        with src.block(f"if type({value}) is str:"):  # the commonest case first
            src(f"{target} = [] if {value} in ABSENT else [{value}]")
        with src.block(f"elif {value} is None:"):
            src(f"{target} = []")
        with src.block(f"elif type({value}) is list:"):
            # the record's own list when nothing in it is absent (usual; never changed after)
            src(f"{target} = {value}")
            absent = "y is None or (type(y) is str and y in ABSENT)"
            with src.block(f"for y in {value}:"), src.block(f"if {absent}:"):
                src(f"{target} = [y for y in {value} if not ({absent})]")
                src("break")
        with src.block("else:"):
            src(f"{target} = [{value}]")

    # -- the object of a statement -------------------------------------------------------
    def object(self, f: PlannedField, label: str) -> None:
        """``o`` = the term for value ``v`` (or ``continue`` when it has none)."""
        if f.node is not None and not f.node.shared and replayable(f.node):
            self.remembered_node_object(f)
        elif f.node is not None:
            self.node_object(f)
        elif f.iri is not None:
            self.iri_object(f, label)
        else:
            self.literal_object(f, label)

    def node_object(self, f: PlannedField) -> None:
        assert f.node is not None
        src = self.src
        function = self.node_function(f.node)
        src('nv = v if isinstance(v, dict) else {"value": v}')
        if f.constants:
            src(f"nv = {{**nv, **{self.constant(f.constants, 'C')}}}")
        src(f"o = {function}(G, s, nv, state, prefix)")
        with src.block("if o is None:"):
            src("continue")

    def remembered_node_object(self, f: PlannedField) -> None:
        """A node of the subject's own (its IRI made from the subject's, like a period or an
        attribution) made from a value object a transform's memo gives again (the same object
        each time): what it made is remembered by the object's identity, with the subject's IRI
        left out (see :func:`lod.converter.runtime.remember_node`), and made again at once for the
        next subject. Only what it made without a warning, naming no shared node not described
        before, is remembered; and only when the object comes a second time (the first time it
        is noted): objects that do not come again (identifiers) cost no more than the note."""
        assert f.node is not None
        src = self.src
        memo = self.constant(rt.TransformMemo(rt.NODE_MEMO_PROBE), "RN")
        with src.block(f"if not {memo}.enabled:"):  # objects that do not repeat (identifiers)
            self.node_object(f)
        with src.block(f"elif (hn := {memo}.get(id(v))) is not None and hn[0] is v and hn[1] is not None:"):
            src(f"{memo}.hits += 1")
            src("ps = s[1:-1]")
            with src.block("for w in hn[1]:"):
                src("add(w if type(w) is str else ps.join(w))")
            src("o = hn[2] if type(hn[2]) is str else ps.join(hn[2])")
        with src.block("else:"):
            src("node_mark = len(G.statements)")
            src("node_tails = len(T)")
            src("node_warned = len(state.out.warnings)")
            self.node_object(f)
            with src.block("if not state.shared_here and not W and not G.mixed "
                           "and len(T) == node_tails and len(state.out.warnings) == node_warned:"):
                with src.block("if hn is None or hn[0] is not v:"):
                    src(f"{memo}.remember(id(v), (v, None, None))  # noted: remembered if it comes again")
                with src.block("else:"):
                    src(f"remember_node({memo}, v, {self.node_function(f.node)}, G, s, nv, state, "
                        "prefix, node_mark, o)")

    def iri_object(self, f: PlannedField, label: str) -> None:
        src = self.src
        src('raw = v.get("iri") if isinstance(v, dict) else v')
        template = f.iri if isinstance(f.iri, Template) else None
        if template is not None:
            with src.block("try:"):
                made = template.expression(lambda key: "raw" if key == "value" else "''",
                                          "s[1:-1]")
                fallback = self.constant(template, "T") + '.format({"value": raw}, s[1:-1], BASE)'
                src(f"target = {made or fallback}")
            with src.block("except UnicodeEncodeError:"):
                src('target = ""')
            check = "not target or not is_valid_iri(target)" if template.whole else "not target"
        else:
            src("target = str(raw)")
            check = "not target or not is_valid_iri(target)"
        with src.block(f"if {check}:"):
            src(f'state.warn(prefix + {label}, "not a valid IRI: " + repr(target) + "; dropped")')
            src("continue")
        src(f"o = {joined(('<', 'target'), ('>', None))}")
        for t in f.object_types:
            self.emit("o", f" {nt.RDF_TYPE} {t}", None)

    def literal_object(self, f: PlannedField, label: str) -> None:
        src = self.src
        # the closing quote, language tag or datatype: a text, or the variable RLS (record's language)
        close: tuple[str, str | None]
        if f.datatype:
            close = ('"' if f.datatype == nt.XSD + "string" else f'"^^<{f.datatype}>', None)
            lang = "None"
        elif f.lang == "record":
            close, lang = ("", "RLS"), "RL"
        elif f.lang and nt.is_valid_lang(f.lang):
            close, lang = (f'"@{f.lang}', None), repr(f.lang)
        else:
            close, lang = ('"', None), "None"
        with src.block("if type(v) is str and v.isascii() and len(v) <= MAXC:"):
            src("v = escape(v)")
            src("o = " + joined(('"', "v"), close))
        with src.block("elif type(v) is int:"):
            src("o = " + joined(('"', "str(v)"), close))
        with src.block("elif type(v) is bool:"):
            src("o = " + joined(('"', None)) + " + ('true' if v else 'false') + " + joined(close))
        call = f"literal_term(v, {f.datatype!r}, {lang}, prefix + {label}, MAXC)"
        if lang == "RL":  # the record's language: a term that may differ from record to record
            with src.block("else:"):
                src(f"o = {call}")
            return
        # A value object (a dict) a transform's memo gives again and again, like a period's
        # typed start and end, is the same object each time: its term is remembered by identity.
        memo = self.constant(rt.TransformMemo(), "LM")
        with src.block(f"elif type(v) is dict and (h := {memo}.get(id(v))) is not None and h[0] is v:"):
            src(f"{memo}.hits += 1")
            src("o = h[1]")
        with src.block("else:"):
            src(f"o = {call}")
            with src.block(f"if type(v) is dict and {memo}.enabled:"):
                src(f"{memo}.remember(id(v), (v, o))  # holding v keeps its id from being reused")

    def emit(self, s: str, p: str, o: str | None) -> None:
        """Add the statement: subject variable ``s``, text ``p``, object variable ``o`` (None:
        the object is part of ``p``). About the graph's own subject, the tail alone."""
        tail = joined((p, o))
        if s == "s" and self.own:
            self.src(f"addt({tail})")
            return
        if s != "s":  # an object may be the graph's own subject (see GraphBuffer)
            with self.src.block(f"if {s} == G.subject:"):
                self.src("G.mixed = True")
        self.src(f"add({joined(('', s))} {tail})")


def joined(*parts: tuple[str, str | None]) -> str:
    """An f-string expression: each part's text, then its expression (if any: a name or a
    call, no quotes). One f-string makes one new string where ``a + b + c`` makes two."""
    pieces = []
    for text, expression in parts:
        if text:
            pieces.append("f" + repr(text.replace("{", "{{").replace("}", "}}")))
        if expression is not None:
            assert not any(c in expression for c in "'\"\\{}"), expression
            pieces.append("f'{" + expression + "}'")
    return " ".join(pieces)


def replayable(node: PlannedNode, seen: frozenset[str] = frozenset()) -> bool:
    """Whether what a node of the subject's own makes depends on its data and its subject's
    IRI alone: none of its fields, nor those of the nodes of its own it makes, takes the
    record's language (shared nodes are named without the subject)."""
    if node.name in seen:
        return False
    for f in node.fields:
        if f.lang == "record":
            return False
        if f.node is not None and not f.node.shared and not replayable(f.node, seen | {node.name}):
            return False
    return True


def by_value(f: PlannedField) -> bool:
    """Whether a field's values can go one by one, what each made remembered: independent
    values (not one of them, not the first path's, not a limited number), transforms to skip,
    and only statements about the study (no node of its own, nothing pointing back at it)."""
    independent = not (f.single or f.first or f.required or f.limit is not None)
    about_the_study = (f.node is None or f.node.shared) and not f.inverse and not f.object_types
    return independent and bool(f.transforms) and about_the_study


def compile_code(plan: Plan, *, base: str, described: set[str], memos: dict[Any, rt.TransformMemo],
                 node_terms: dict[str, dict[str, str]], cache: CodeCache | None = None) -> CompiledCode:
    """The plan's record and node functions, bound to one converter's base IRI, its set of
    shared nodes already described (with ``node_terms``, their terms by the value that names
    them, per node template: forget both together), and its memos of transform results (one
    per transform). ``cache``: where compiled code is kept between runs."""
    generator = _Generator(plan, memos, node_terms)
    generator.record_function()
    source = generator.src.text()
    namespace: dict[str, Any] = {
        "BASE": base, "DESCRIBED": described, "NODE_TERMS_LIMIT": NODE_TERMS_LIMIT,
        "ABSENT": plan.mapping.absent,
        "MAXC": plan.mapping.max_literal_chars, "escape": nt.escape,
        "FieldRejected": rt.FieldRejected, "GraphBuffer": GraphBuffer, "RecordRejected": RecordRejected,
        "is_valid_iri": nt.is_valid_iri, "iri_piece": iri_piece, "literal_term": rt.literal_term,
        "pick_values": rt.pick_values, "record_lang": rt.record_lang, "resolve": resolve,
        "run_transform": rt.run_transform, "results_of": rt.results_of, "remember_tails": rt.remember_tails,
        "remember_node": rt.remember_node,
        **generator.src.names,
    }
    # One name per source, registered with linecache (as dataclasses does): a traceback, pdb
    # or inspect.getsource then shows the generated line itself.
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    filename = f"<lod mapping {plan.mapping.name} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = cache.compile(source, filename) if cache is not None else compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102
    return CompiledCode(record_fields=namespace["record_fields"], source=source)
