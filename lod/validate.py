"""SHACL validation (pyshacl) of RDF files against DCAT-AP 3.0.1 and lod's own study shapes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
import rdflib
import rdflib.collection
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from lod.converter.core import StudyGraph
from lod.errors import InputError, UsageError
from lod.namespaces import DEFAULT_BASE_URI
from lod.readers import DETECT_BYTES, expand_paths, open_input
from lod.readers.detect import record_form
from lod.readers.limits import MAX_DOCUMENT_BYTES
from lod.readers.rdfsafety import LimitedReader
from lod.resources import vocabulary
from lod.store.rdffiles import rdf_quads, rdf_syntax
from lod.wording import counted

DCAT_AP = ("shapes/dcat-ap-3.0.1/shapes.ttl", "shapes/dcat-ap-3.0.1/range.ttl")
RECOMMENDED = ("shapes/dcat-ap-3.0.1/shapes_recommended.ttl",)
STUDY = ("shapes/lod-study.ttl",)
SHAPE_SETS: dict[str, tuple[str, ...]] = {"dcat-ap": DCAT_AP, "study": STUDY, "all": DCAT_AP + STUDY}


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    message: str
    shape: str | None

    def line(self) -> str:
        path = f" {self.path}" if self.path else ""
        focus = self.focus if self.focus.startswith(("_:", '"')) else f"<{self.focus}>"
        return f"{self.severity}: {focus}{path}: {self.message}"


@dataclass(slots=True)
class Report:
    conforms: bool
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0

    def text(self) -> str:
        lines = [f.line() for f in self.violations] + [f.line() for f in self.warnings]
        verdict = "conforms" if self.conforms else "does not conform"
        lines.append(f"{', '.join(self.files)}: {verdict} ({counted(self.triples, 'triple')}, "
                     f"{counted(len(self.violations), 'violation')}, "
                     f"{counted(len(self.warnings), 'recommended-shape warning')})")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        def rows(found: list[Finding]) -> list[dict[str, Any]]:
            return [{"severity": f.severity, "focus": f.focus, "path": f.path,
                     "message": f.message, "shape": f.shape} for f in found]
        return {"conforms": self.conforms, "files": self.files, "triples": self.triples,
                "violations": rows(self.violations), "warnings": rows(self.warnings)}


@cache
def _shapes_graph(paths: tuple[str, ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        file = Path(path) if Path(path).is_absolute() or Path(path).exists() else vocabulary(path)
        try:
            graph.parse(file, format=rdflib.util.guess_format(str(file)) or "turtle")
        except (OSError, SyntaxError, ValueError) as exc:
            raise UsageError(f"cannot load shapes {file}: {exc}") from exc
    return graph


def shape_files(shapes: str) -> tuple[str, ...]:
    if shapes in SHAPE_SETS:
        return SHAPE_SETS[shapes]
    if Path(shapes).is_file():
        return (str(Path(shapes).resolve()),)
    raise UsageError(f"unknown shapes {shapes!r}: use {'|'.join(SHAPE_SETS)} or a SHACL file")


def _converted(path: str, form: str, stdin: BinaryIO | None) -> str:
    """A study-record file converted to N-Triples in memory (so `lod validate` takes records too)."""
    from lod.converter.parallel import ConverterSpec
    from lod.converter.pipeline import convert_inputs

    lines: list[str] = []
    problems: list[str] = []

    def collect(graph: StudyGraph) -> None:
        lines.append(graph.text())

    summary = convert_inputs([path], ConverterSpec(DEFAULT_BASE_URI), collect,
                             lambda p, rejected: problems.append(str(p)) if rejected else None,
                             source=form, stdin=stdin)
    if summary.rejected:
        raise InputError(f"{path}: {summary.rejected} record(s) could not be converted: {problems[0]}")
    return "".join(lines)


def load_data(files: Sequence[str], *, format_name: str | None = None,
              stdin: BinaryIO | None = None) -> rdflib.Graph:
    """All inputs into one rdflib graph (named graphs merged), parsed strictly by pyoxigraph.
    Inputs are resolved as ``lod convert`` and ``lod load`` resolve them: folders are walked,
    ``.gz`` is decompressed, ``-`` is stdin. Study-record files (Harmony JSON, DDI, schema.org,
    pages, CSL) are converted first, unless ``format_name`` names the RDF syntax of every
    input. An RDF input over ``MAX_DOCUMENT_BYTES`` (decompressed) is refused: the whole
    graph is held in memory."""
    graph = rdflib.Graph()
    for path in expand_paths(files):
        try:
            stream, name = open_input(path, stdin)
        except InputError as err:  # a missing file is a mistake in the command line
            raise UsageError(str(err)) from None
        try:
            form = None if format_name else record_form(name, stream.peek(DETECT_BYTES)[:DETECT_BYTES])
            if form is not None:
                graph.parse(data=_converted(path, form, stdin), format="nt")
                continue
            syntax = rdf_syntax(name, format_name)
            base = None if path == "-" else Path(path).resolve().as_uri()
            limited = LimitedReader(stream, name, MAX_DOCUMENT_BYTES)
            quads = rdf_quads(limited, name, syntax, base)
            nt = ox.serialize((q.triple for q in quads), None, ox.RdfFormat.N_TRIPLES)
        finally:
            if path != "-":
                stream.close()
        graph.parse(data=nt, format="nt")
    return graph


_PATH_SUFFIXES = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None, depth: int = 0) -> str | None:
    """A SHACL property path in SPARQL path syntax: ``dct:title``, ``^dcat:dataset``,
    ``dct:temporal/dcat:startDate``, ``(dct:title|dct:alternative)``, ``dct:isPartOf*``."""
    if path is None or depth > 20:
        return None
    if isinstance(path, rdflib.URIRef):
        return graph.namespace_manager.normalizeUri(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        inner = _path_text(graph, inverse, depth + 1)
        return None if inner is None else "^" + inner
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_path_text(graph, p, depth + 1) for p in rdflib.collection.Collection(graph, alternatives)]
        return None if None in parts else "(" + "|".join(str(p) for p in parts) + ")"
    for predicate, suffix in _PATH_SUFFIXES:
        inner_path = graph.value(path, predicate)
        if inner_path is not None:
            inner = _path_text(graph, inner_path, depth + 1)
            return None if inner is None else inner + suffix
    if graph.value(path, rdflib.RDF.first) is not None:
        parts = [_path_text(graph, p, depth + 1) for p in rdflib.collection.Collection(graph, path)]
        return None if None in parts else "/".join(str(p) for p in parts)
    return None


def _focus_text(node: rdflib.term.Node | None) -> str:
    """An IRI as it is; a blank node as ``_:id`` and a literal in N-Triples form, so neither
    passes for an IRI in the report."""
    if isinstance(node, rdflib.URIRef):
        return str(node)
    return node.n3() if isinstance(node, rdflib.BNode | rdflib.Literal) else str(node)


def _findings(results: rdflib.Graph) -> list[Finding]:
    found = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        found.append(Finding(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=_focus_text(results.value(result, SH.focusNode)),
            path=_path_text(results, path),
            message=str(results.value(result, SH.resultMessage) or ""),
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
        ))
    return sorted(found, key=lambda f: (f.focus, f.path or "", f.message))


def validate_graph(data: rdflib.Graph, shapes: str = "dcat-ap", *, recommended: bool = True) -> Report:
    files = shape_files(shapes)
    conforms, results, _ = shacl_validate(data, shacl_graph=_shapes_graph(files), inference="none",
                                          advanced=True, allow_warnings=True)
    report = Report(conforms=bool(conforms), triples=len(data))
    for finding in _findings(results):
        (report.violations if finding.severity == "Violation" else report.warnings).append(finding)
    report.conforms = not report.violations
    if recommended and shapes in ("dcat-ap", "all"):
        _, rec_results, _ = shacl_validate(data, shacl_graph=_shapes_graph(RECOMMENDED),
                                           inference="none", allow_warnings=True)
        report.warnings.extend(_findings(rec_results))
    return report


def validate_files(files: Sequence[str], shapes: str = "dcat-ap", *, format_name: str | None = None,
                   stdin: BinaryIO | None = None) -> Report:
    report = validate_graph(load_data(files, format_name=format_name, stdin=stdin), shapes)
    report.files = list(files)
    return report
