"""Bad parameters of named queries: one line naming the parameter, exit 2, before any store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lod.cli import cli


@pytest.mark.parametrize(("args", "named"), [
    (["sponsors", "-p", "x=1"], "'x'"),
    (["studies-by-sponsor", "-p", "sponsor=esrc", "-p", "colour=red"], "'colour'"),
    (["studies-by-sponsor", "-p", "sponsor=esrc", "-p", "sponsor=mrc"], "sponsor"),
    (["studies-in-period", "-p", "from=2000", "-p", "from=2001"], "from"),
    (["studies-in-period", "-p", "from=2001", "-p", "to=2000"], "from=2001"),
    (["studies-in-period", "-p", "from=2000-06", "-p", "to=2000-05-31"], "from=2000-06"),
])
def test_bad_parameters_are_one_line_naming_them(tmp_path: Path, args: list[str], named: str) -> None:
    result = CliRunner().invoke(cli, ["query", *args, "--store", str(tmp_path / "store")])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("lod: error: ")]
    assert len(errors) == 1 and named in errors[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("period", [["from=2000", "to=2000"], ["from=2000-05", "to=2000"],
                                    ["from=2000", "to=2000-01"]])
def test_a_period_within_one_year_is_accepted(tmp_path: Path, period: list[str]) -> None:
    result = CliRunner().invoke(cli, ["query", "studies-in-period", "-p", period[0], "-p", period[1],
                                      "--store", str(tmp_path / "store")])
    assert "no store at" in result.stderr  # the parameters passed; the store is what is missing
