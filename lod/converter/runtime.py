"""What compiled field code (:mod:`lod.converter.codegen`) calls at conversion time: the graph buffer it
writes statements into, the per-record state, and the few steps too branchy to inline
(transforms with their memo, picking, value tables, unusual literals, warnings)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lod.converter import ntriples as nt
from lod.records import Origin, Problem
from lod.transforms.registry import Transform, TransformContext


class ConversionOut(Protocol):
    """What the runtime writes warnings into (:class:`lod.converter.core.Conversion`)."""

    origin: Origin
    graphs: list[Any]  # the converter's StudyGraphs: the runtime never looks inside
    warnings: list[Problem]
    warning_nodes: dict[int, str]

MEMO_LIMIT = 20_000     # results remembered per transform; forgotten when full (memory stays flat)
MEMO_PROBE = 2_000      # after this many distinct values, a memo with fewer hits than values stops
MEMO_MAX_CHARS = 200    # longer strings (descriptions) are rarely repeated: not remembered
NODE_MEMO_PROBE = 500   # the same, for nodes remembered by their value object (remember_node)
# A subject IRI no record can give (a lone surrogate is never written): see remember_node
PROBE_SUBJECT = "urn:x-lod:probe:\ud800"


class TransformMemo(dict[Any, tuple[list[Any], tuple[str, ...]]]):
    """One transform's results by value. Values that rarely repeat (identifiers, URLs) switch
    it off after ``probe`` of them (:data:`MEMO_PROBE`), so it only costs where it pays."""

    __slots__ = ("enabled", "hits", "probe")

    def __init__(self, probe: int = MEMO_PROBE) -> None:
        super().__init__()
        self.hits = 0
        self.enabled = True
        self.probe = probe

    def remember(self, key: Any, entry: tuple[list[Any], tuple[str, ...]]) -> None:
        if not self.enabled:
            return
        if len(self) >= self.probe and self.hits < len(self):
            self.enabled = False
            self.clear()
            return
        if len(self) >= MEMO_LIMIT:
            self.clear()
        self[key] = entry


class FieldRejected(Exception):  # noqa: N818 - control flow: the record cannot be converted
    def __init__(self, fieldname: str | None, message: str):
        super().__init__(message)
        self.field = fieldname
        self.message = message


class GraphBuffer:
    """Statements of one graph, in order: those about the graph's own ``subject`` (the study,
    or the shared node) as *tails*, the text after the subject, and the others whole.

    Tails cost less: no copy of the subject for each, and a tail made before (a type, what a
    keyword gave) is the same string with its hash already known when repeats are dropped.
    ``mixed`` is set when a whole statement may be about the own subject after all (a node
    named like the study, an object that is the study itself); :func:`finish` sorts them out.
    Repeats are dropped once the graph is complete: one pass costs less than a check each."""

    __slots__ = ("mixed", "statements", "subject", "tails")

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.tails: list[str] = []
        self.statements: list[str] = []
        self.mixed = False

    def add(self, s: str, p: str, o: str) -> None:
        if s == self.subject:
            self.tails.append(f" {p} {o}")
        else:
            self.statements.append(f"{s} {p} {o}")


def drop_repeats(statements: list[str]) -> None:
    """Keep the first of each statement, in order (in place: the list may be shared)."""
    if len(set(statements)) != len(statements):  # a set is quicker to build; repeats are rare
        statements[:] = dict.fromkeys(statements)


def finish(buffer: GraphBuffer) -> None:
    """Drop repeats; whole statements about the own subject first become tails."""
    if buffer.mixed:
        head, cut = buffer.subject + " ", len(buffer.subject)
        whole = buffer.statements
        buffer.tails.extend(st[cut:] for st in whole if st.startswith(head))
        whole[:] = [st for st in whole if not st.startswith(head)]
        buffer.mixed = False
    drop_repeats(buffer.tails)
    drop_repeats(buffer.statements)


class RecordState:
    """What is being built for one record: the output, its context, shared nodes it described."""

    __slots__ = ("ctx", "out", "shared_here", "study_buffers")

    def __init__(self, ctx: TransformContext, out: ConversionOut):
        self.ctx = ctx
        self.out = out
        self.shared_here: dict[str, GraphBuffer] = {}
        self.study_buffers: list[GraphBuffer] = []  # the record's and its children's

    def warn(self, where: str, message: str) -> None:
        self.out.warnings.append(Problem(self.out.origin, where, message))

    def described(self, iri: str, mark: int) -> None:
        """The warnings from index ``mark`` on came from describing shared node ``iri``
        (unless a node described inside it claimed them first)."""
        owners = self.out.warning_nodes
        for k in range(mark, len(self.out.warnings)):
            owners.setdefault(k, iri)

    def flush_warnings(self, where: str, reported: set[str] | None = None) -> set[str]:
        """Report what the transforms warned about, once each, under the field ``where``;
        ``reported``: messages this field reported already (returned, with these added)."""
        reported = set() if reported is None else reported
        for message in dict.fromkeys(self.ctx.warnings):
            if message not in reported:
                reported.add(message)
                self.out.warnings.append(Problem(self.out.origin, where, message))
        self.ctx.warnings.clear()
        return reported


def results_of(result: Any) -> list[Any]:
    """A transform's result as a list of values: ``None`` is none, a list is its values."""
    if type(result) is list:
        return result if None not in result else [r for r in result if r is not None]
    return [] if result is None else [result]


def run_transform(fn: Transform, values: Sequence[Any], ctx: TransformContext,
                  memo: TransformMemo) -> list[Any]:
    """``fn`` over every value; lists it returns are flattened, ``None`` dropped.

    Transforms are pure functions of the value (and the run's tables), so ``memo`` (this
    transform's own) remembers what short strings and flat objects gave, with the warnings
    they gave, which are given again on a hit. Remembered lists are shared: never mutate what
    this returns."""
    out: list[Any] = []
    for value in values:
        kind = type(value)
        key: Any = None
        if kind is str:
            if len(value) <= MEMO_MAX_CHARS:
                key = value
        elif kind is dict and len(value) <= 4:
            key = tuple(value.items())
        hit = None
        if key is not None and memo.enabled:
            try:
                hit = memo.get(key)
            except TypeError:  # a value that cannot be a key (a list inside the object)
                key = None
        else:
            key = None
        if hit is None:
            before = len(ctx.warnings)
            results = results_of(fn(value, ctx))
            if key is not None:
                memo.remember(key, (results, tuple(ctx.warnings[before:])))
        else:
            memo.hits += 1
            results, warned = hit
            if warned:
                ctx.warnings.extend(warned)
        if len(values) == 1:
            return results
        out.extend(results)
    return out


def remember_tails(memo: TransformMemo, key: Any, value: str, buffer: GraphBuffer, mark: int,
                   whole_mark: int) -> None:
    """Remember the tails one text value of a field added from ``mark`` on, when it added
    nothing else (nodes of the study's own, statements pointing at the study are made afresh
    each time)."""
    if len(value) <= MEMO_MAX_CHARS and len(buffer.statements) == whole_mark and not buffer.mixed:
        memo.remember(key, (buffer.tails[mark:], ()))


def remember_node(memo: TransformMemo, value: Any, function: Callable[..., str | None],
                  buffer: GraphBuffer, subject: str, data: Any, state: RecordState, prefix: str,
                  mark: int, term: str) -> None:
    """Remember, by the identity of ``value``, what a node of the subject's own made from it:
    the statements ``buffer`` got from ``mark`` on and the node's ``term``, each with the
    subject's IRI left out, to be put back for the next subject (joined with its IRI).

    The node is made once more, under :data:`PROBE_SUBJECT`, and kept only when the two differ
    by the subject's IRI alone: where it stands is where the probe's stands, so text that
    merely looks like the subject's IRI (a value naming it) stays as it is. The caller has
    checked that the node gave no warning and described no shared node; the probe's own
    warnings and shared nodes (there should be none) are dropped."""
    own = subject[1:-1]
    probe = GraphBuffer("<" + PROBE_SUBJECT + ">")
    warnings = len(state.out.warnings)
    try:
        probe_term = function(probe, probe.subject, data, state, prefix)
    except Exception:  # noqa: BLE001 - anything the probe cannot make is simply not remembered
        probe_term = None
    finally:
        del state.out.warnings[warnings:]
        for k in [k for k in state.out.warning_nodes if k >= warnings]:
            del state.out.warning_nodes[k]
        state.ctx.warnings.clear()
        state.shared_here.clear()  # empty before the probe: the caller checked
    made = buffer.statements[mark:]
    if (probe_term is None or probe.tails or probe.mixed or len(probe.statements) != len(made)
            or probe_term.replace(PROBE_SUBJECT, own) != term):
        return
    if any(probed.replace(PROBE_SUBJECT, own) != statement
           for probed, statement in zip(probe.statements, made, strict=True)):
        return
    parts = [_around_subject(probed) for probed in probe.statements]
    memo.remember(id(value), (value, parts, _around_subject(probe_term)))  # type: ignore[arg-type]  # holding value keeps its id


def _around_subject(probed: str) -> str | tuple[str, ...]:
    """A text the probe made: as it is where the subject's IRI is not in it, else the pieces
    around each place it stands (the generated code joins them with the next subject's IRI)."""
    return tuple(probed.split(PROBE_SUBJECT)) if PROBE_SUBJECT in probed else probed


def pick_values(values: list[Any], key: str | None, table: dict[str, str] | None,
                ctx: TransformContext) -> list[Any]:
    """``pick``: one key of each (object) value; ``values``: the mapping's value table."""
    if key is not None:
        picked: list[Any] = []
        for value in values:
            chosen = value.get(key) if isinstance(value, dict) else None
            if isinstance(chosen, list):
                picked.extend(chosen)
            elif chosen not in (None, ""):
                picked.append(chosen)
        values = picked
    if table is not None:
        mapped = []
        for value in values:
            term = table.get(str(value).casefold())
            if term is None:
                ctx.warn(f"value {value!r} is not in the mapping's value table; dropped")
            else:
                mapped.append(term)
        values = mapped
    return values


def literal_term(value: Any, datatype: str | None, lang: str | None, where: str,
                 max_chars: int) -> str:
    """A literal from any value a field may hold (value objects, numbers, booleans, text);
    ``lang`` is the tag to use for plain text, already checked."""
    if isinstance(value, dict):
        if "@value" not in value:
            raise FieldRejected(where, f"expected a value, got an object {value!r}")
        own = value.get("@language")
        if own is not None:
            lang = own if nt.is_valid_lang(own) else None
        own_type = value.get("@type")
        if own_type:  # an empty one means none, as before
            if not isinstance(own_type, str) or not (
                    (own_type.startswith(nt.XSD) and own_type[len(nt.XSD):].isalnum())  # xsd:gYear
                    or nt.is_valid_iri(own_type)):
                raise FieldRejected(where, f"the value's @type {own_type!r} is not an absolute IRI")
            datatype = own_type
        value = value["@value"]
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        raise FieldRejected(where, f"expected a value, got {type(value).__name__}")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise FieldRejected(where, "value is not valid Unicode (a lone surrogate)") from None
    if len(text) > max_chars:
        raise FieldRejected(where, f"value of {len(text):,} characters exceeds the limit of {max_chars:,}")
    if datatype:
        return nt.literal(text, datatype=datatype)
    return nt.literal(text, lang=lang)


def record_lang(ctx: TransformContext) -> str | None:
    """The record's language tag, when it is a valid one."""
    lang = ctx.language
    return lang if lang and nt.is_valid_lang(lang) else None
