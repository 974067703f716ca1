"""Every ```python and ```sh block in README.md and docs/*.md runs.

Blocks of one file run in order, in one temporary folder of their own, so a later block can use
what an earlier one loaded. The folder has ``samples`` (a link to the repository's samples), the
environment has ``$LOD_REPO`` (the repository root), the venv's ``bin`` first on ``PATH`` and
``$LOD_STORE`` pointing into the folder, so nothing is written into the repository or the home
folder. Blocks that must not run here (installing, a Virtuoso server, long benchmarks) are
written as ```console or ```text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
RUNNABLE = ("python", "sh")
TIMEOUT = 60


def blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line, language, code) of each runnable block of ``path``."""
    text = path.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        if m.group(1) in RUNNABLE:
            found.append((text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)))
    return found


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["LOD_REPO"] = str(REPO)
    env["LOD_STORE"] = str(folder / "default-store")
    env["XDG_CACHE_HOME"] = str(folder / "cache")
    env["XDG_DATA_HOME"] = str(folder / "data")
    env.pop("LOD_PASSWORD", None)
    return env


def _run(path: Path, line: int, language: str, code: str, folder: Path) -> None:
    if language == "python":
        command = [sys.executable, "-c", code]
    else:
        command = ["bash", "-euo", "pipefail", "-c", code]
    done = subprocess.run(command, cwd=folder, env=_env(folder), capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    where = f"{path.relative_to(REPO)}:{line} ({language})"
    assert done.returncode == 0, (
        f"{where} exited {done.returncode}\n--- code\n{code}--- stdout\n{done.stdout}"
        f"--- stderr\n{done.stderr}")


def test_blocks_are_found() -> None:
    counts = {path.name: len(blocks(path)) for path in DOC_FILES}
    assert sum(counts.values()) > 0, counts
    assert counts["README.md"] > 0, "README.md has no runnable block"


@pytest.mark.parametrize("path", [p for p in DOC_FILES if blocks(p)],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_doc_blocks_run(path: Path, tmp_path: Path) -> None:
    (tmp_path / "samples").symlink_to(REPO / "samples", target_is_directory=True)
    for line, language, code in blocks(path):
        _run(path, line, language, code, tmp_path)
