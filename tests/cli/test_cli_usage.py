"""What a new user sees first: the bare command prints its help, and errors name the option they typed."""

from __future__ import annotations

import pytest
from cli_support import Cli


@pytest.mark.parametrize("command", [[], ["trainer"], ["optimizer"], ["models"]])
def test_a_bare_command_prints_its_help_not_an_error(cli: Cli, command: list[str]) -> None:
    result = cli(*command)
    assert result.code == 0, result
    assert result.out.startswith(f"Usage: {' '.join(['kubeflow', *command])} ") and "Examples:" in result.out
    assert "error" not in result.err, result


def test_a_bad_package_requirement_names_the_packages_option(cli: Cli) -> None:
    path = cli.write("train.py", "def main():\n    print('hi')\n")
    result = cli("trainer", "train", f"{path}:main", "--packages", "bad req!!")
    assert result.code == 2, result
    assert result.err_lines == [result.err_lines[0]] and result.err.startswith("kubeflow: error: --packages: "), result
    assert cli.json("trainer", "jobs") == []
