"""Helpers for the hostile-input tests: bombs built in temporary folders, and lod run in a
subprocess under a memory cap (``RLIMIT_AS``), so a test proves the bound rather than assumes it."""

from __future__ import annotations

import gzip
import resource
import subprocess
import sys
from pathlib import Path

GIB = 1024**3
MEMORY_CAP = GIB  # address space a capped lod run may use


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args: str, cwd: Path, stdin: bytes | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``lod ARGS`` in a child process whose address space is capped at ``MEMORY_CAP``."""
    return subprocess.run([sys.executable, "-m", "lod", *args], cwd=cwd, input=stdin and stdin.decode(),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=_cap_memory,
                          check=False)


def gzip_bomb(path: Path, head: bytes, tail: bytes, size: int = GIB) -> Path:
    """A .gz of ``head``, ``size`` bytes of ``x`` and ``tail``: about 1 MB on disk per GiB."""
    chunk = b"x" * (1024 * 1024)
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        for _ in range(size // len(chunk)):
            out.write(chunk)
        out.write(tail)
    return path
