"""Instructions per record of `lod convert` in one process, counted by valgrind: a measure that
does not drift with the machine's speed, for comparing two versions of the converter.

    python bench/count_instructions.py [--small 1000] [--large 3000]

Runs `lod convert -j 1 -f ntriples` under `valgrind --tool=cachegrind --cache-sim=no` on
``--small`` and on ``--large`` synthetic records (bench/synthetic.py) and prints
(instructions(large) - instructions(small)) / (large - small): the cost of one more record,
start-up left out. String hashing is seeded (PYTHONHASHSEED=0) so that two runs of the same
code give the same count. Counts user-space instructions only: the kernel's share (reading,
writing the output) and memory stalls are not in it. Needs valgrind (`apt-get install
valgrind`); takes about half a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import records  # noqa: E402

LOD = str(Path(sys.executable).parent / "lod")


def instructions(path: Path, out: Path) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, LOD, "convert", "-q", "-j", "1", str(path), "-f", "ntriples", "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=3000)
    args = parser.parse_args()
    if args.large <= args.small:
        parser.error("--large must be more than --small")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        counts = []
        for n in (args.small, args.large):
            path = Path(tmp) / f"synthetic-{n}.jsonl"
            with path.open("w") as f:
                for rec in records(n):
                    f.write(json.dumps(rec) + "\n")
            counts.append(instructions(path, Path(tmp) / "out.nt"))
    per_record = (counts[1] - counts[0]) / (args.large - args.small)
    print(f"lod convert: {per_record:,.0f} instructions per record "
          f"({args.small:,} records: {counts[0]:,}; {args.large:,} records: {counts[1]:,})")


if __name__ == "__main__":
    main()
