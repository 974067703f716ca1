"""Compiled mapping code kept on disk between runs, as Python keeps ``__pycache__``.

Compiling a mapping's generated source (:mod:`lod.converter.codegen`) takes 50–90 ms, in every process
that converts: a noticeable part of a short run. The code object is kept, marshalled, in a
per-user folder, named by a hash of the source, its file name and the Python bytecode version.
The same name always means the same code, so an entry is never stale; Jinja2's
``FileSystemBytecodeCache`` does the same for compiled templates.

Whoever can write to the folder could make lod run their code, so only a folder of the user's
own that no one else can write to is used (one is created with mode 0700). Entries are written
whole (a temporary file renamed into place); one that does not read back as code is compiled
again and replaced; the least recently used go beyond :data:`MAX_ENTRIES`. A folder that cannot
be used is no error: the code is compiled as it would be without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

MAX_ENTRIES = 32  # about 300 KB each for the Harmony mapping
SUFFIX = ".code"
OFF = ("", "0", "off", "no", "none")


def default_cache_dir(env: Mapping[str, str]) -> Path | None:
    """Where compiled code is kept: ``$LOD_CACHE_DIR`` (``off`` or empty: nowhere); else
    ``$XDG_CACHE_HOME/lod/code`` (when that is an absolute path, as the XDG spec requires);
    else ``~/.cache/lod/code``."""
    if "LOD_CACHE_DIR" in env:
        value = env["LOD_CACHE_DIR"].strip()
        return None if value.lower() in OFF else Path(value).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "lod" / "code"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".cache" / "lod" / "code"


@dataclass(frozen=True, slots=True)
class CodeCache:
    folder: Path

    def compile(self, source: str, filename: str) -> CodeType:
        """``compile(source, filename, "exec")``, read from the folder when it holds it."""
        path = self.folder / (entry_name(source, filename) + SUFFIX)
        usable = self._usable()
        if usable:
            code = _read(path, filename)
            if code is not None:
                return code
        code = compile(source, filename, "exec")
        if usable:
            self._write(path, code)
        return code

    def _usable(self) -> bool:
        """The folder exists (made if need be), is the user's, and no one else can write to it."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            status = self.folder.stat()
        except OSError:
            return False
        return status.st_uid == os.getuid() and not status.st_mode & 0o022

    def _write(self, path: Path, code: CodeType) -> None:
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(marshal.dumps(code))
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            return
        self._prune()

    def _prune(self) -> None:
        entries = []
        for path in self.folder.glob("*" + SUFFIX):
            try:
                entries.append((path.stat().st_mtime, path))
            except OSError:
                continue
        entries.sort(reverse=True)
        for _, path in entries[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):  # gone already, or another run's to remove
                path.unlink()


def entry_name(source: str, filename: str) -> str:
    digest = hashlib.sha256(importlib.util.MAGIC_NUMBER)
    digest.update(filename.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _read(path: Path, filename: str) -> CodeType | None:
    try:
        data = path.read_bytes()
        code = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, CodeType) or code.co_filename != filename:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when older entries are pruned
    return code


__all__ = ["MAX_ENTRIES", "CodeCache", "default_cache_dir", "entry_name"]
