"""``lod --help`` and ``python -m lod``."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from lod.cli import COMMANDS, cli


def test_help_lists_every_command_with_its_whole_line() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)
    for line in listed:
        name, description = line.split(None, 1)
        assert description == COMMANDS[name][1]
        assert description.endswith(".") and "\n" not in description and len(description) < 70


def test_every_command_in_the_table_is_there() -> None:
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name


def test_python_dash_m_lod_is_the_lod_command() -> None:
    done = subprocess.run([sys.executable, "-m", "lod", "--help"], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: lod ")
    assert all(name in done.stdout for name in COMMANDS)
