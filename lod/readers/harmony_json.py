"""Harmony study records as JSON: one object, an array of them, or JSON Lines.

JSON Lines are streamed line by line (memory stays flat however long the file); a single
document (pretty-printed object or array) is read whole, up to the reader's size limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from lod.readers import harmony_api
from lod.readers.limits import MAX_DEPTH, too_deep
from lod.records import Origin, Problem, Record, Rejected

FORMAT = "harmony"
# One JSON line, or one whole document, read into memory: the limit is checked as bytes come
# (from a .gz too), so a small file that expands to gigabytes stops here.
MAX_LINE_BYTES = 64 * 1024**2
MAX_DOCUMENT_BYTES = MAX_LINE_BYTES
_SKIP_BYTES = 1024**2  # the rest of an over-long line is skipped in pieces this big
_DECODER = json.JSONDecoder()
# orjson reads whole numbers beyond 64 bits as floats (losing digits): a line where a number
# of 19 digits or more may stand (after ':', '[' or ',', or white space, or first) is left to
# json. In the line's shape digits and '-' are '9' and those six are ':' (mapped, not
# deleted: translate is faster without deletions, and ': 123…' still shows as '::999…').
_NUMBER_SHAPE = bytes.maketrans(b"0123456789-[, \t\r\n", b"99999999999::::::")
_LONG_NUMBER = b":" + b"9" * 19


def _may_hold_long_number(data: bytes) -> bool:
    """Whether a number of 19 digits or more may stand in these lines (see _NUMBER_SHAPE)."""
    shape = data.translate(_NUMBER_SHAPE)
    return _LONG_NUMBER in shape or shape.startswith(_LONG_NUMBER[1:])


def _json_line(raw: bytes, check_numbers: bool = True) -> Any:
    """What ``json.loads`` makes of a UTF-8 line (a byte-order mark skipped, lone surrogates
    kept for the converter to report), without its detection of other encodings.

    Read by orjson (several times faster) where it gives the same: anything it does not read
    (NaN, lone surrogates, a byte-order mark, malformed JSON) goes to json, whose messages
    lod reports, as do lines that may hold a number orjson would turn into a float
    (``check_numbers=False``: the caller knows the line holds none)."""
    if not (check_numbers and _may_hold_long_number(raw)):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    text = raw.decode("utf-8", "surrogatepass")
    return _DECODER.decode(text[1:] if text[:1] == "\ufeff" else text)


def _records(value: Any, name: str, line: int | None) -> Iterator[Record | Rejected]:
    """The records a JSON value holds; a line that could not be read (see :func:`_parsed_line`)
    is given as the :class:`Rejected` it is."""
    if isinstance(value, Rejected):
        yield value
        return
    if harmony_api.looks_like_response(value):  # a saved API response: each result is a record
        yield from harmony_api.records(value, name, line=line)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield _record(item, Origin(name, line=line, index=i))
    else:
        yield _record(value, Origin(name, line=line))


def _record(value: Any, origin: Origin) -> Record | Rejected:
    """A study record, or why it cannot be one: nested too deeply. (A value that is not an
    object is the converter's to reject, as it is in records that other readers yield.)"""
    deep = too_deep(value)
    if deep is not None:
        return Rejected(Problem(origin, _field_of(deep),
                                f"nested deeper than {MAX_DEPTH} levels (at {deep[:200]})"), value)
    return Record(value, origin, FORMAT)


def _field_of(pointer: str) -> str:
    """The top of a JSON pointer as a field name (``dataset_schema.a``): the rest is in the message."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:3]]
    return ".".join(parts) + ("…" if pointer.count("/") > 2 else "")


def _shallow(raw: bytes) -> bool:
    """True when a line cannot hold nesting over the limit: fewer brackets than levels (most
    records have a few dozen), counted at C speed before any walk of the parsed value."""
    return raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH


def _too_deep(name: str, line: int | None) -> Rejected:
    return Rejected(Problem(Origin(name, line=line), None,
                            "JSON nested too deeply to read (more than about 1,000 levels)"))


def _malformed(name: str, line: int | None, exc: json.JSONDecodeError | UnicodeDecodeError) -> Rejected:
    if isinstance(exc, UnicodeDecodeError):
        return Rejected(Problem(Origin(name, line=line), None, f"not UTF-8 text ({exc.reason})"))
    where = Origin(name, line=(line if line is not None else exc.lineno))
    return Rejected(Problem(where, None, f"malformed JSON: {exc.msg} (column {exc.colno})"))


def looks_like_json_lines(head: bytes) -> bool:
    """True when the first line of ``head`` is a whole JSON value and more lines follow."""
    first, sep, rest = head.lstrip().partition(b"\n")
    if not sep or not rest.strip():
        return False
    try:
        json.loads(first)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return True


def read(data: bytes, name: str) -> Iterator[Record | Rejected]:
    """Read from bytes already in memory."""
    yield from read_lines(data.splitlines(keepends=True), name)


def read_stream(stream: BinaryIO, name: str) -> Iterator[Record | Rejected]:
    """Read from a binary stream; JSON Lines never hold more than one line in memory, and no
    line more than ``MAX_LINE_BYTES`` (+1: the line is then rejected)."""
    yield from read_lines(bounded_lines(stream), name)


def bounded_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The stream's lines; a line over ``limit`` bytes comes as its first ``limit + 1`` bytes
    (which :func:`_parsed_line` rejects) and the rest of it is skipped unread into memory."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(_SKIP_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line


JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def read_lines(lines: Iterable[bytes], name: str) -> Iterator[Record | Rejected]:
    iterator = iter(lines)
    number = 0
    first = b""
    for raw in iterator:
        number += 1
        if raw.strip():
            first = raw
            break
    if not first:
        # A JSON Lines stream of no lines is a valid, empty stream; a .json file needs a value.
        if not name.endswith(JSON_LINES_SUFFIXES):
            yield Rejected(Problem(Origin(name), None, "empty input: no study records in it"))
        return
    if len(first) > MAX_LINE_BYTES:
        yield _parsed_line(first, name, number)
        yield from read_numbered_lines(list(iterator), name, number + 1)
        return
    try:
        value = json.loads(first)
    except RecursionError:
        yield _too_deep(name, number)
        yield from read_numbered_lines(list(iterator), name, number + 1)
        return
    except (json.JSONDecodeError, UnicodeDecodeError):
        # Not one JSON value per line: a pretty-printed document. Read it whole.
        yield from _document(first, iterator, name, number)
        return
    yield from _records(value, name, number)
    for raw in iterator:
        number += 1
        if raw.strip():
            yield from _records(_parsed_line(raw, name, number), name, number)


def read_numbered_lines(lines: list[bytes], name: str, first_line: int, *,
                        check_numbers: bool = True) -> Iterator[Record | Rejected]:
    """JSON Lines known to be JSON Lines (a chunk of a bigger file), numbered from ``first_line``
    (``check_numbers=False``: the caller knows no line holds a long number)."""
    for number, raw in enumerate(lines, first_line):
        if not raw.strip():
            continue
        value = _parsed_line(raw, name, number, check_numbers)
        if type(value) is dict and _shallow(raw) and not harmony_api.looks_like_response(value):
            yield Record(value, Origin(name, line=number), FORMAT)  # the usual line, inline
        else:
            yield from _records(value, name, number)


def read_block(block: bytes, name: str, first_line: int) -> Iterator[Record | Rejected]:
    """The JSON Lines in a block of whole lines, numbered from ``first_line``. Long numbers are
    looked for in the whole block at once: where it has none, none of its lines has one."""
    return read_numbered_lines(block.split(b"\n"), name, first_line,
                               check_numbers=_may_hold_long_number(block))


def _parsed_line(raw: bytes, name: str, number: int, check_numbers: bool = True) -> Any:
    """What one line holds, or the :class:`Rejected` it is (too long, malformed, too deep)."""
    if len(raw) > MAX_LINE_BYTES:
        return Rejected(Problem(Origin(name, line=number), None,
                                f"line longer than {MAX_LINE_BYTES // 1024**2} MiB"))
    try:
        return _json_line(raw, check_numbers)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _malformed(name, number, exc)
    except RecursionError:
        return _too_deep(name, number)


def _document(first: bytes, rest: Iterator[bytes], name: str, first_line: int) -> Iterator[Record | Rejected]:
    chunks = [first]
    size = len(first)
    for raw in rest:
        size += len(raw)
        if size > MAX_DOCUMENT_BYTES:
            yield Rejected(Problem(Origin(name), None,
                                   f"JSON document larger than {MAX_DOCUMENT_BYTES // 1024**2} MiB; "
                                   "use JSON Lines for big inputs"))
            return
        chunks.append(raw)
    text = b"".join(chunks)
    try:
        value = json.loads(text)
    except RecursionError:
        yield _too_deep(name, None)
        return
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            exc.lineno += first_line - 1
        yield _malformed(name, None, exc)
        return
    if harmony_api.looks_like_response(value):
        yield from harmony_api.records(value, name)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield _record(item, Origin(name, index=i))
    else:
        yield _record(value, Origin(name))
