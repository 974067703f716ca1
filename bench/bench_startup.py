"""Start-up of ``lod query`` on an empty store, next to the interpreter's own, in one run.

    .venv/bin/python bench/bench_startup.py [--runs 20]

Makes an empty embedded store in a temporary folder, byte-compiles lod's modules (as pip does
for a regular install), then runs, in turns so that the machine's drift hits them alike:

- ``python -c pass`` (the interpreter alone);
- ``python -c "import rdflib, pyoxigraph, click"`` (the libraries ``lod query`` needs);
- ``lod query sponsors --store EMPTY -f csv``, timed from start to its first byte on standard
  output (the CSV header) and to its exit.

Prints the median and the fastest run of each, in milliseconds. ``python -X importtime -m lod
query …`` shows where the import time goes.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOD = str(Path(sys.executable).parent / "lod")


def first_byte_and_exit(command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    first = process.stdout.read(1)
    first_at = time.perf_counter()
    process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"{command} failed with exit status {process.returncode}")
    if not first and command[0] == LOD:
        raise SystemExit(f"{command} wrote nothing")
    return (first_at - started) * 1000, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "lod"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        empty = Path(tmp) / "empty.jsonl"
        empty.write_bytes(b"")
        subprocess.run([LOD, "load", "-q", "--store", str(store), str(empty)], check=True,
                       stderr=subprocess.DEVNULL, env={**os.environ, "LOD_STORE": ""})
        commands = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "python -c 'import rdflib, pyoxigraph, click'":
                [PYTHON, "-c", "import rdflib, pyoxigraph, click"],
            "lod query sponsors (empty store)":
                [LOD, "query", "sponsors", "--store", str(store), "-f", "csv"],
        }
        first: dict[str, list[float]] = {name: [] for name in commands}
        exits: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # warm the page cache
            first_byte_and_exit(command)
        for _ in range(args.runs):
            for name, command in commands.items():
                to_first, to_exit = first_byte_and_exit(command)
                first[name].append(to_first)
                exits[name].append(to_exit)
    for name in commands:
        line = f"{name}: exit median {statistics.median(exits[name]):.0f} ms (fastest {min(exits[name]):.0f})"
        if name.startswith("lod"):
            line += (f"; first byte median {statistics.median(first[name]):.0f} ms "
                     f"(fastest {min(first[name]):.0f})")
        print(line)


if __name__ == "__main__":
    main()
