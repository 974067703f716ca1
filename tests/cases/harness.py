"""Runs ``lod convert`` on one golden case folder; shared by ``tests/test_golden.py`` and
``tests/cases/regen.py`` so the test and the regeneration can never disagree on how a case runs.

A case folder holds ``input.<ext>`` (exactly one), optionally ``args.txt`` (extra CLI arguments,
shell-quoted, ``#`` comments allowed), and the expectations ``expected.ttl`` and, when the run
warns or rejects, ``expected.warnings.txt`` / ``expected.rejects.jsonl``.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from lod.cli import cli

CASES = Path(__file__).resolve().parent
BASE_URI = "https://example.org/id/"
EXPECTED_GRAPH = "expected.ttl"
EXPECTED_WARNINGS = "expected.warnings.txt"
EXPECTED_REJECTS = "expected.rejects.jsonl"


@dataclass
class CaseRun:
    """What one run of a case gave: exit code, the output, and its problems (paths made relative)."""

    exit_code: int
    output: bytes
    stderr: str
    warnings: list[str] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)


def case_dirs() -> list[Path]:
    """Every folder under tests/cases that holds an ``input.*`` file, sorted by name; raises
    when there is none, so that the golden test fails rather than skips."""
    found = sorted(p for p in CASES.iterdir() if p.is_dir() and any(p.glob("input.*")))
    if not found:
        raise LookupError(f"no golden cases: no folder in {CASES} holds an input.* file")
    return found


def input_file(case: Path) -> Path:
    found = sorted(case.glob("input.*"))
    if len(found) != 1:
        raise ValueError(f"{case}: needs exactly one input.* file, found {[p.name for p in found]}")
    return found[0]


def extra_args(case: Path) -> list[str]:
    args_file = case / "args.txt"
    if not args_file.is_file():
        return []
    lines = [line for line in args_file.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return shlex.split(" ".join(lines))


def run_case(case: Path, syntax: str = "turtle") -> CaseRun:
    """Convert the case's input with its extra arguments; the base URI is fixed (args.txt may
    override it, the last ``--base-uri`` wins)."""
    source = input_file(case)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        rejects = Path(tmp) / "rejects.jsonl"
        args = ["convert", str(source), "-f", syntax, "-o", str(out), "--rejects", str(rejects),
                "--base-uri", BASE_URI, *extra_args(case)]
        result = CliRunner().invoke(cli, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise RuntimeError(f"lod convert crashed on case {case.name}: {result.exception!r}") \
                from result.exception
        stderr = result.stderr.replace(str(source), source.name)
        warnings = [line for line in stderr.splitlines() if line.startswith("lod: warning: ")]
        rejected = []
        if rejects.is_file():
            for line in rejects.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                if isinstance(record.get("file"), str):
                    record["file"] = Path(record["file"]).name
                rejected.append(record)
        output = out.read_bytes() if out.is_file() else b""
    return CaseRun(result.exit_code, output, stderr, warnings, rejected)


def write_expected(case: Path) -> list[str]:
    """Rewrite a case's expectations from what lod does now; returns the files it changed."""
    run = run_case(case)
    if run.exit_code not in (0, 1):
        raise RuntimeError(f"lod convert exited {run.exit_code} on {case.name}:\n{run.stderr}")
    wanted: dict[str, bytes | None] = {
        EXPECTED_GRAPH: run.output,
        EXPECTED_WARNINGS: "".join(w + "\n" for w in run.warnings).encode() or None,
        EXPECTED_REJECTS: "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                  for r in run.rejects).encode() or None,
    }
    changed = []
    for name, content in wanted.items():
        path = case / name
        old = path.read_bytes() if path.is_file() else None
        if content == old:
            continue
        if content is None:
            path.unlink()
        else:
            path.write_bytes(content)
        changed.append(name)
    return changed
