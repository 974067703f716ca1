"""Readers: one small module per input form, each yielding records with their origin.

``read_inputs`` opens files (``-`` for stdin, ``.gz`` transparently), detects each file's
form in one place (:mod:`lod.readers.detect`) unless ``--from`` says, and delegates.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lod.errors import InputError, UsageError
from lod.readers import csl, ddi, detect, harmony_json, harmony_page, schemaorg
from lod.readers.limits import MAX_DOCUMENT_BYTES
from lod.records import Origin, Problem, Record, Rejected

Reader = Callable[[bytes, str], Iterator[Record | Rejected]]

StreamReader = Callable[[BinaryIO, str], Iterator[Record | Rejected]]

# --from value → reader. Readers register here; detection names the same keys.
READERS: dict[str, Reader] = {
    "harmony": harmony_json.read,
    "harmony-page": harmony_page.read,
    "schemaorg": schemaorg.read,
    "ddi": ddi.read,
    "csl": csl.read,
}
# Readers that can stream (memory flat in the input size) register here too.
STREAM_READERS: dict[str, StreamReader] = {
    "harmony": harmony_json.read_stream,
}
DETECT_BYTES = 64 * 1024


def _read_bytes(stream: BinaryIO, name: str) -> bytes | None:
    """A whole document, or None when it is over ``MAX_DOCUMENT_BYTES``: at most one byte more
    is read (and so decompressed, from a .gz), however big the file says it is."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    return None if len(data) > MAX_DOCUMENT_BYTES else data


def open_input(path: str, stdin: BinaryIO | None = None) -> tuple[Any, str]:
    """A buffered binary stream of one input (``-`` = stdin), gunzipped, and its display name."""
    if path == "-":
        raw: BinaryIO = stdin or sys.stdin.buffer
        name = "<stdin>"
    else:
        name = path
        try:
            raw = Path(path).open("rb", buffering=0)  # noqa: SIM115 - closed by open_inputs
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory (give the files inside it)") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
    # peek() gives at most one buffer: the buffer must hold DETECT_BYTES, or a JSON Lines file
    # whose first record is longer than the default 4-8 KB is not seen to be JSON Lines.
    stream: Any = io.BufferedReader(raw, DETECT_BYTES)
    if stream.peek(2)[:2] == b"\x1f\x8b":
        stream = io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"), DETECT_BYTES)
    return stream, name


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Directories expand to the files inside them (sorted, recursively, hidden files skipped)."""
    out: list[str] = []
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            out.extend(str(f) for f in sorted(p.rglob("*"))
                       if f.is_file() and not any(part.startswith(".") for part in f.parts))
        else:
            out.append(path)
    return out


@dataclass
class InputFile:
    """One opened input: its display name, detected form, the first bytes, and the stream."""

    path: str
    name: str
    form: str | None
    head: bytes
    stream: Any  # a buffered binary stream (peekable); None when the file could not be opened
    error: str | None = None  # why the file cannot be read: reported as its rejection


def open_inputs(paths: Sequence[str], *, source: str | None = None,
                stdin: BinaryIO | None = None) -> Iterator[InputFile]:
    """Each input opened and its form detected (or taken from ``source``); closed when the
    consumer moves on to the next one."""
    if source is not None and source not in READERS:
        raise UsageError(f"unknown input form {source!r}; choose from {', '.join(sorted(READERS))}")
    for path in expand_paths(paths):
        try:
            stream, name = open_input(path, stdin)
        except InputError as exc:  # reported as this file's rejection; the other files go on
            yield InputFile(path, path, None, b"", None, str(exc).removeprefix(f"{path}: "))
            continue
        try:
            try:
                head = stream.peek(DETECT_BYTES)[:DETECT_BYTES]
            except (OSError, EOFError) as exc:
                yield InputFile(path, name, None, b"", None, f"cannot read ({exc})")
                continue
            yield InputFile(path, name, source or detect.detect(name, head), head, stream)
        finally:
            if path != "-":
                stream.close()


def records_of(file: InputFile) -> Iterator[Record | Rejected]:
    """The records (or rejections) of one opened input."""
    if file.error is not None:
        yield Rejected(Problem(Origin(file.name), None, file.error))
        return
    if file.form is None or file.form not in READERS:
        yield Rejected(Problem(Origin(file.name), None,
                               "cannot tell what kind of input this is; use --from"))
        return
    try:
        if file.form in STREAM_READERS:
            yield from STREAM_READERS[file.form](file.stream, file.name)
        elif (data := _read_bytes(file.stream, file.name)) is None:
            yield Rejected(Problem(Origin(file.name), None,
                                   f"document larger than {MAX_DOCUMENT_BYTES:,} bytes (decompressed); "
                                   "split it"))
        else:
            yield from READERS[file.form](data, file.name)
    except (OSError, EOFError) as exc:  # e.g. a truncated .gz: report it, go on with the next file
        yield Rejected(Problem(Origin(file.name), None, f"cannot read the rest of the file: {exc}"))


def read_inputs(paths: Sequence[str], *, source: str | None = None,
                stdin: BinaryIO | None = None) -> Iterator[Record | Rejected]:
    """Every record (or rejection) of every input, in order."""
    for file in open_inputs(paths, source=source, stdin=stdin):
        yield from records_of(file)
