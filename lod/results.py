"""Query answers written out: SPARQL 1.1 Query Results JSON, CSV and TSV, and a table for people.

- ``json``: https://www.w3.org/TR/sparql11-results-json/ (``head.vars``, ``results.bindings``;
  ``{"head": {}, "boolean": …}`` for ASK).
- ``csv``: https://www.w3.org/TR/sparql11-results-csv-tsv/ — header of variable names, values
  as plain strings (IRIs as they are, literals' lexical form, blank nodes as ``_:x``), quoted
  per RFC 4180 when needed, CRLF line ends.
- ``tsv``: same document — header of ``?names``, values in SPARQL/Turtle syntax (``<iri>``,
  ``"text"@en``, ``"…"^^<datatype>``, plain integers), LF line ends.
- ``table``: aligned columns; long values shortened, line breaks shown as spaces.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import TextIO

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from .errors import UsageError
from .queries.run import Answer

FORMATS = ("table", "csv", "tsv", "json")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
TABLE_CELL_CHARS = 72
_INTEGER = re.compile(r"[+-]?\d+\Z")
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def write(answer: Answer, fmt: str, out: TextIO) -> None:
    """Write a SELECT or ASK answer in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown result format {fmt!r}; choose from {', '.join(FORMATS)}")
    if answer.form == "ask":
        if fmt == "json":
            out.write(json.dumps({"head": {}, "boolean": bool(answer.boolean)}) + "\n")
        else:
            out.write(("true" if answer.boolean else "false") + "\n")
        return
    {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json}[fmt](answer.variables,
                                                                    answer.rows, out)


def json_term(term: Identifier) -> dict[str, str]:
    """One RDF term as a SPARQL 1.1 JSON results value."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) != XSD_STRING:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"not an RDF term: {term!r}")


def tsv_term(term: Identifier) -> str:
    """One RDF term in SPARQL/Turtle syntax, as SPARQL 1.1 TSV results write it."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        if datatype == XSD_INTEGER and _INTEGER.match(str(term)):
            return str(term)
        quoted = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if datatype and datatype != XSD_STRING:
            return f"{quoted}^^<{datatype}>"
        return quoted
    raise TypeError(f"not an RDF term: {term!r}")


def plain(term: Identifier | None) -> str:
    """A term as a plain string (CSV): IRIs as they are, literals' text, ``_:x`` for blank nodes."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _json(variables: Sequence[str], rows: Sequence[dict[str, Identifier]], out: TextIO) -> None:
    doc = {"head": {"vars": list(variables)},
           "results": {"bindings": [{v: json_term(t) for v, t in row.items() if v in variables}
                                    for row in rows]}}
    json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write("\n")


def _csv(variables: Sequence[str], rows: Sequence[dict[str, Identifier]], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([plain(row.get(v)) for v in variables])


def _tsv(variables: Sequence[str], rows: Sequence[dict[str, Identifier]], out: TextIO) -> None:
    out.write("\t".join(f"?{v}" for v in variables) + "\n")
    for row in rows:
        out.write("\t".join(tsv_term(row[v]) if v in row else "" for v in variables) + "\n")


def _cell(term: Identifier | None) -> str:
    text = " ".join(plain(term).split())
    if len(text) > TABLE_CELL_CHARS:
        text = text[: TABLE_CELL_CHARS - 1] + "…"
    return text


def _table(variables: Sequence[str], rows: Sequence[dict[str, Identifier]], out: TextIO) -> None:
    cells = [[_cell(row.get(v)) for v in variables] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    numeric = [all(_INTEGER.match(r[i]) or not r[i] for r in cells) and bool(cells)
               for i in range(len(variables))]

    def line(values: Sequence[str]) -> str:
        parts = [val.rjust(w) if num else val.ljust(w)
                 for val, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out.write(line(list(variables)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for r in cells:
        out.write(line(r) + "\n")


__all__ = ["FORMATS", "json_term", "plain", "tsv_term", "write"]
