"""Saved Harmony Data Discovery pages: Next.js flight data (``.txt``) or the HTML page.

A study page served by Harmony carries React Server Components "flight" data: rows
``<hex id>:<tag?><payload>`` where the payload is JSON, ``I[...]``/``HL[...]`` module rows, or a
text chunk ``T<hex byte length>,<text>`` (not newline terminated). Long strings are moved into
text chunks and referenced from JSON as ``"$<hex id>"``; ``"$undefined"`` stands for JS
``undefined``; ``"$$..."`` escapes a literal ``$``. In the HTML page the same data is split
over ``<script>self.__next_f.push([1, "..."])</script>`` elements.

The reader resolves the references and yields every study object it finds (an object with
``dataset_schema`` and ``extra_data``, as the discovery API returns it) as a Harmony record
(``source="harmony"``): ``$undefined`` values are dropped, child datasets are kept, and the
search-ranking keys ``distance`` and ``score`` and empty top-level values (``parent: {}``,
``ancestors: []``) are left out. A page without a study object but with schema.org JSON-LD
yields that JSON-LD through the schema.org reader. A page with neither is rejected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lod.readers import html_scripts, schemaorg
from lod.readers.limits import oversized, pointer_escape, reject, too_big
from lod.records import Origin, Record, Rejected

FORMAT = "harmony-page"

RANKING_KEYS = frozenset({"distance", "score"})
_REF = re.compile(r"\$@?([0-9a-f]+)((?::[^:]+)*)")
_ROW_START = re.compile(rb"\s*[0-9a-f]{1,8}:")
_PUSH = "self.__next_f.push("
_ABSENT = object()


class _Dangling(str):
    """A ``$<id>`` reference whose row is not in the page, kept so the record is rejected."""


@dataclass(slots=True)
class _Row:
    line: int
    text: str | None = None  # a T chunk
    json: bytes | None = None  # a model row, parsed on demand


class _Bad(Exception):
    """Malformed flight data; carries the line for the message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def sniff(head: bytes) -> bool:
    """True when the document looks like flight data or an HTML page carrying it."""
    return bool(_ROW_START.match(head)) or b"self.__next_f.push" in head


def read(data: bytes, name: str) -> Iterator[Record | Rejected]:
    """Yield the study records of one saved page (``.txt`` flight data or ``.html``)."""
    if (problem := too_big(data, name)) is not None:
        yield problem
        return
    jsonld: list[tuple[Any, int]] = []
    if html_scripts.looks_like_html(data[:2048]):
        try:
            flight, jsonld = _from_html(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            yield reject(name, f"unreadable HTML page: {exc}")
            return
    else:
        flight = data
    try:
        rows = _parse_rows(flight) if flight else {}
    except _Bad as exc:
        yield reject(name, f"malformed flight data: {exc}", line=exc.line)
        return
    found = 0
    for record in _studies(rows, name, jsonld):
        found += 1
        yield record
    if not found:
        yield reject(name, f"page has no study record: none of its {len(rows)} flight rows holds "
                           "an object with dataset_schema and extra_data, and it has no "
                           "schema.org Dataset JSON-LD", pointer="/")


def _from_html(html: str) -> tuple[bytes, list[tuple[Any, int]]]:
    chunks: list[str] = []
    jsonld: list[tuple[Any, int]] = []
    decoder = json.JSONDecoder()
    for script in html_scripts.scripts(html):
        if script.type in html_scripts.JSONLD_TYPES:
            jsonld.append((script.text, script.line))
            continue
        at = script.text.find(_PUSH)
        while at >= 0:
            try:
                pushed, end = decoder.raw_decode(script.text, at + len(_PUSH))
            except (ValueError, RecursionError) as exc:
                raise ValueError(f"line {script.line}: flight data is not JSON ({exc})") from None
            if isinstance(pushed, list) and len(pushed) == 2 and pushed[0] == 1 \
                    and isinstance(pushed[1], str):
                chunks.append(pushed[1])
            at = script.text.find(_PUSH, end)
    return "".join(chunks).encode("utf-8"), jsonld


def _parse_rows(data: bytes) -> dict[str, _Row]:
    rows: dict[str, _Row] = {}
    pos, line, size = 0, 1, len(data)
    while pos < size:
        byte = data[pos]
        if byte in b"\r\n":
            line += byte == 10
            pos += 1
            continue
        colon = data.find(b":", pos, pos + 17)
        row_id = data[pos:colon] if colon >= 0 else b""
        if colon < 0 or not all(c in b"0123456789abcdef" for c in row_id):
            raise _Bad(line, "expected a row '<hex id>:' here")
        start = colon + 1
        if data[start:start + 1] == b"T" and (comma := data.find(b",", start, start + 12)) > 0:
            try:
                length = int(data[start + 1:comma], 16)
            except ValueError:
                raise _Bad(line, "text chunk length is not hexadecimal") from None
            end = comma + 1 + length
            if end > size:
                raise _Bad(line, f"text chunk ${row_id.decode()} is cut short "
                                 f"({size - comma - 1} of {length} bytes)")
            try:
                text = data[comma + 1:end].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _Bad(line, f"text chunk is not UTF-8 ({exc.reason})") from None
            rows[row_id.decode()] = _Row(line, text=text)
            line += text.count("\n")
            pos = end
            continue
        eol = data.find(b"\n", start)
        eol = size if eol < 0 else eol
        tag_end = start
        while tag_end < eol and 65 <= data[tag_end] <= 90:  # upper-case row tag: I, HL, E ...
            tag_end += 1
        if tag_end == start and row_id:
            rows[row_id.decode()] = _Row(line, json=data[start:eol])
        pos = eol
    return rows


class _Resolver:
    """Resolves ``$<id>`` references against the rows, memoised, with a cycle guard."""

    def __init__(self, rows: dict[str, _Row]) -> None:
        self.rows = rows
        self.done: dict[str, Any] = {}
        self.busy: set[str] = set()

    def row(self, row_id: str) -> Any:
        if row_id in self.done:
            return self.done[row_id]
        row = self.rows.get(row_id)
        if row is None or row_id in self.busy:
            return _ABSENT
        if row.text is not None:
            value: Any = row.text
        else:
            self.busy.add(row_id)
            try:
                value = self.value(json.loads(row.json or b"null"))
            except (ValueError, RecursionError) as exc:
                raise _Bad(row.line, f"row {row_id} is not JSON ({exc})") from None
            finally:
                self.busy.discard(row_id)
        self.done[row_id] = value
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value) if value.startswith("$") else value
        if isinstance(value, dict):
            out = {k: self.value(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not _ABSENT}
        if isinstance(value, list):
            return [v for v in map(self.value, value) if v is not _ABSENT]
        return value

    def string(self, value: str) -> Any:
        if value == "$undefined":
            return _ABSENT
        if value.startswith("$$"):
            return value[1:]
        match = _REF.fullmatch(value)
        if not match:
            return value  # "$L1" lazy modules, "$Sreact.x" symbols: not data
        target = self.row(match.group(1))
        if target is _ABSENT:
            return _Dangling(value)  # _record reports it
        for step in filter(None, match.group(2).split(":")):
            target = target.get(step, _ABSENT) if isinstance(target, dict) else _ABSENT
        return target


def _studies(rows: dict[str, _Row], name: str,
             html_jsonld: list[tuple[Any, int]]) -> Iterator[Record | Rejected]:
    resolver = _Resolver(rows)
    seen: set[int] = set()
    jsonld = list(html_jsonld)
    index = 0
    for row_id, row in rows.items():
        if row.json is None:
            continue
        try:
            tree = resolver.row(row_id)
        except _Bad as exc:
            yield reject(name, f"malformed flight data: {exc}", line=exc.line)
            continue
        except RecursionError:
            yield reject(name, "flight data nested too deeply", line=row.line)
            continue
        for study, script in _find(tree):
            if script is not None:
                jsonld.append((script, row.line))
                continue
            if id(study) in seen:
                continue
            seen.add(id(study))
            yield _record(study, name, row.line, index)
            index += 1
    if index == 0:
        for text, line in jsonld:
            yield from schemaorg.read_text(text, name, line=line)


def _find(tree: Any) -> Iterator[tuple[Any, str | None]]:
    """Study objects (not descending into them) and JSON-LD script texts, in document order."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "dataset_schema" in node and "extra_data" in node:
                yield node, None
                continue
            html = node.get("dangerouslySetInnerHTML")
            script = html.get("__html") if isinstance(html, dict) else None
            if node.get("type") in html_scripts.JSONLD_TYPES and isinstance(script, str):
                yield node, script
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _record(study: dict[str, Any], name: str, line: int, index: int) -> Record | Rejected:
    data = {k: v for k, v in study.items()
            if k not in RANKING_KEYS and v not in (None, {}, [])}
    origin = Origin(name, line=line, index=index)
    for pointer, value in _strings(data, ""):
        if isinstance(value, _Dangling):
            return reject(name, f"reference {value} points to a row missing from the page "
                                "(saved page cut short?)",
                          line=line, index=index, pointer=pointer, raw=data)
    if (found := oversized(data)) is not None:
        return reject(name, found[1], line=line, index=index, pointer=found[0], raw=data)
    return Record(data, origin, source="harmony")


def _strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{pointer}/{pointer_escape(str(key))}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{i}")
