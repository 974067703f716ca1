"""Golden cases: every folder in tests/cases is converted and compared with its expectations.

The graph is compared by isomorphism (both sides parsed strictly by pyoxigraph), warnings and
rejections line by line. See tests/cases/README.md for adding a case and regenerating one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from tests.cases.harness import CASES as CASES_DIR
from tests.cases.harness import (
    EXPECTED_GRAPH,
    EXPECTED_REJECTS,
    EXPECTED_WARNINGS,
    case_dirs,
    run_case,
    write_expected,
)

CASES = case_dirs()


def strict_triples(data: bytes, fmt: ox.RdfFormat, what: str) -> list[ox.Triple]:
    """Parse with pyoxigraph, a strict parser that also keeps every lexical form as written."""
    try:
        return [q.triple for q in ox.parse(data, fmt)]
    except SyntaxError as exc:
        pytest.fail(f"{what} is not valid {fmt}: {exc}")


def as_rdflib(triples: list[ox.Triple]) -> rdflib.Graph:
    text = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=text.decode(), format="nt")


def has_blank_nodes(triples: list[ox.Triple]) -> bool:
    return any(isinstance(t, ox.BlankNode) for triple in triples for t in (triple.subject, triple.object))


def describe_difference(expected: rdflib.Graph, actual: rdflib.Graph, limit: int = 30) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(only_expected)[:limit]]
    lines += [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(only_actual)[:limit]]
    return "\n".join(lines)


def assert_same_graph(expected: list[ox.Triple], actual: list[ox.Triple], what: str) -> None:
    """Isomorphic (blank nodes may differ), and, without blank nodes, equal term for term:
    rdflib's comparison normalises literals ("016"^^xsd:integer equals "16"), pyoxigraph's not."""
    expected_graph, actual_graph = as_rdflib(expected), as_rdflib(actual)
    assert isomorphic(expected_graph, actual_graph), (
        f"{what} (- expected, + actual):\n" + describe_difference(expected_graph, actual_graph))
    if not has_blank_nodes(expected) and not has_blank_nodes(actual):
        missing, extra = set(expected) - set(actual), set(actual) - set(expected)
        assert not missing and not extra, (
            f"{what}: same graph up to literal normalisation, but the lexical forms differ:\n"
            + "\n".join([f"- {t}" for t in missing] + [f"+ {t}" for t in extra]))


def test_there_are_cases() -> None:
    names = {case.name for case in CASES}
    assert "harmony_seed_ukds_851986" in names
    assert len(names) >= 10


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_case(case: Path) -> None:
    expected_file = case / EXPECTED_GRAPH
    assert expected_file.is_file(), f"{case.name}: no {EXPECTED_GRAPH}; run tests/cases/regen.py"
    run = run_case(case)
    assert run.exit_code in (0, 1), f"exit {run.exit_code}:\n{run.stderr}"
    assert "Traceback" not in run.stderr

    expected = strict_triples(expected_file.read_bytes(), ox.RdfFormat.TURTLE, str(expected_file))
    actual = strict_triples(run.output, ox.RdfFormat.TURTLE, "lod's Turtle output")
    assert len(actual) > 0
    assert_same_graph(expected, actual, f"{case.name}: output differs from {EXPECTED_GRAPH}")

    warnings_file = case / EXPECTED_WARNINGS
    expected_warnings = (warnings_file.read_text(encoding="utf-8").splitlines()
                         if warnings_file.is_file() else [])
    assert run.warnings == expected_warnings

    rejects_file = case / EXPECTED_REJECTS
    expected_rejects = ([json.loads(line) for line in rejects_file.read_text(encoding="utf-8")
                         .splitlines()] if rejects_file.is_file() else [])
    assert run.rejects == expected_rejects
    assert run.exit_code == (1 if expected_rejects else 0)


def test_regen_rewrites_exactly_what_the_test_compares(tmp_path: Path) -> None:
    """regen.py and this test share the harness: regenerating an up-to-date case changes
    nothing, and a case without expectations gets them back byte for byte."""
    original = CASES_DIR / "edge_temporal"
    case = tmp_path / "edge_temporal"
    shutil.copytree(original, case)
    assert write_expected(case) == []
    for name in (EXPECTED_GRAPH, EXPECTED_WARNINGS):
        (case / name).unlink()
    assert write_expected(case) == [EXPECTED_GRAPH, EXPECTED_WARNINGS]
    for name in (EXPECTED_GRAPH, EXPECTED_WARNINGS):
        assert (case / name).read_bytes() == (original / name).read_bytes()
    assert not (case / EXPECTED_REJECTS).exists()


def test_regen_script_needs_a_case_name() -> None:
    script = CASES_DIR / "regen.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "give case names" in done.stderr
    done = subprocess.run([sys.executable, str(script), "no_such_case"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "no such case" in done.stderr
