"""Helpers shared by the harvest tests: running ``lod harvest`` and reading its summary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from lod.cli import cli

SUMMARY = re.compile(r"^lod: harvested (\d+) datasets from (\d+) pages: (\d+) added, (\d+) changed, "
                     r"(\d+) unchanged, (\d+) deleted, (\d+) rejected in \d+\.\d s$")


@dataclass
class Summary:
    datasets: int
    pages: int
    added: int
    changed: int
    unchanged: int
    deleted: int
    rejected: int


def run_harvest(store: Path, *args: str, private: bool = True) -> Result:
    argv = ["harvest", "--store", str(store), *args]
    if private:
        argv.append("--allow-private")
    return CliRunner().invoke(cli, argv)


def summary(result: Result) -> Summary:
    """The summary line: the last line on stderr, in exactly the documented form."""
    last = result.stderr.rstrip("\n").splitlines()[-1]
    found = SUMMARY.match(last)
    assert found, f"not a summary line: {last!r} (stderr: {result.stderr!r})"
    return Summary(*(int(x) for x in found.groups()))
