"""Rewrite the expectations of golden cases from what lod does now — deliberately.

    .venv/bin/python tests/cases/regen.py NAME [NAME ...]
    .venv/bin/python tests/cases/regen.py --all

Run it only after a change that is meant to alter the output, then review the diff
(``git diff tests/cases/NAME``) line by line before committing: a regenerated expectation
is a claim that the new output is right.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for `lod`

from harness import CASES, case_dirs, write_expected  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="case folder names")
    parser.add_argument("--all", action="store_true", help="every case (review the diff!)")
    args = parser.parse_args(argv)
    if args.all == bool(args.names):
        parser.error("give case names, or --all")
    cases = case_dirs() if args.all else [CASES / name for name in args.names]
    status = 0
    for case in cases:
        if not case.is_dir():
            print(f"{case.name}: no such case in {CASES}", file=sys.stderr)
            status = 2
            continue
        changed = write_expected(case)
        print(f"{case.name}: {'rewrote ' + ', '.join(changed) if changed else 'unchanged'}")
    if status == 0:
        print("Review the changes with `git diff tests/cases` before committing.")
    return status


if __name__ == "__main__":
    sys.exit(main())
