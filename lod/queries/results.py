"""Query answers written out: SPARQL 1.1 Query Results JSON, XML, CSV and TSV, and a table
for people.

The answer's rows are pyoxigraph terms. lod writes the SPARQL JSON results itself
(https://www.w3.org/TR/sparql11-results-json/: a few keys per term, in the layout rdflib wrote
them before, so that the bytes stay the same), and pyoxigraph turns those into XML, CSV and
TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/). ``table`` (aligned columns, long values
shortened, line breaks shown as spaces) is lod's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TextIO

import orjson
import pyoxigraph as ox

from lod.errors import UsageError
from lod.queries.run import Answer
from lod.store.base import OxRow
from lod.store.terms import RDF_LANG_STRING, XSD_STRING, OxTerm

FORMATS = ("table", "csv", "tsv", "json", "xml")
TABLE_CELL_CHARS = 72
_INTEGER = re.compile(r"[+-]?\d+\Z")
_OX_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "xml": ox.QueryResultsFormat.XML}


def write(answer: Answer, fmt: str, out: TextIO) -> None:
    """Write a SELECT or ASK answer in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown result format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt == "table":
        if answer.form == "ask":
            out.write(("true" if answer.boolean else "false") + "\n")
        else:
            _table(answer.variables, answer.ox_rows, out)
        return
    data = serialize(answer, fmt)
    out.write(data.decode("utf-8"))
    if not data.endswith(b"\n"):
        out.write("\n")


def serialize(answer: Answer, fmt: str) -> bytes:
    """A SELECT or ASK answer as ``json``, ``xml``, ``csv`` or ``tsv`` bytes."""
    as_json = results_json(answer)
    if fmt == "json":
        return as_json
    parsed = ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON)
    data = parsed.serialize(format=_OX_FORMATS[fmt])
    return data if data is not None else b""


def results_json(answer: Answer) -> bytes:
    """A SELECT or ASK answer as SPARQL 1.1 Query Results JSON."""
    if answer.form == "ask":
        return orjson.dumps({"head": {}, "boolean": bool(answer.boolean)})
    shown = set(answer.variables)
    bindings = [{v: _json_term(t) for v, t in row.items() if v in shown} for row in answer.ox_rows]
    return orjson.dumps({"results": {"bindings": bindings}, "head": {"vars": answer.variables}})


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    datatype = term.datatype.value
    if term.language:
        out["xml:lang"] = term.language
    elif datatype not in (XSD_STRING, RDF_LANG_STRING):
        out["datatype"] = datatype
    return out


def plain(term: OxTerm | None) -> str:
    """A term as a plain string: IRIs as they are, literals' text, ``_:x`` for blank nodes."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _cell(term: OxTerm | None) -> str:
    text = " ".join(plain(term).split())
    if len(text) > TABLE_CELL_CHARS:
        text = text[: TABLE_CELL_CHARS - 1] + "…"
    return text


def _table(variables: Sequence[str], rows: Sequence[OxRow], out: TextIO) -> None:
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


__all__ = ["FORMATS", "plain", "results_json", "serialize", "write"]
