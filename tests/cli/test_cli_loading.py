"""`--arg` parsing against the function's signature, `FILE:FUNCTION` loading, in process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.cli.loading import load_function, module_globals_used, parse_args, parse_env


def typed(epochs: int, lr: float = 0.1, name: str = "x", layers: list[int] | None = None, flag: bool = False) -> None:
    pass


def test_values_are_json_where_valid_else_strings() -> None:
    args = ["epochs=3", "lr=1e-3", "name=007", "layers=[1, 2]", "flag=true"]
    assert parse_args(typed, args) == {"epochs": 3, "lr": 0.001, "name": "007", "layers": [1, 2], "flag": True}
    assert parse_args(typed, ["epochs=2", "name=a=b"]) == {"epochs": 2, "name": "a=b"}


def test_unannotated_values_keep_their_json_type() -> None:
    def free(a, b, c, d):  # type: ignore[no-untyped-def]
        pass

    assert parse_args(free, ["a=1", "b=hello", "c=null", 'd={"k": [1]}']) == {
        "a": 1,
        "b": "hello",
        "c": None,
        "d": {"k": [1]},
    }


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ([], "--arg epochs", "needs epochs"),
        (["epochs=many"], "--arg epochs", "type int"),
        (["epochs=1", 'layers=["a"]'], "--arg layers", "list[int]"),
        (["epochs=1", "nope=2"], "--arg nope", "Its parameters are: epochs, lr=…"),
        (["epochs"], "--arg", "KEY=VALUE"),
        (["=3"], "--arg", "KEY=VALUE"),
    ],
)
def test_bad_args_name_the_option(args: list[str], field: str, words: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_args(typed, args)
    assert raised.value.field == field
    assert words in str(raised.value)


def test_env_pairs() -> None:
    assert parse_env(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    assert parse_env([]) is None
    with pytest.raises(InvalidInputError, match="--env"):
        parse_env(["A B=1"])


def test_loading_by_path_runs_top_level_code_but_not_main(tmp_path: Path) -> None:
    (tmp_path / "helper_mod_for_cli_test.py").write_text("VALUE = 41\n")
    path = tmp_path / "script.py"
    path.write_text(
        "import helper_mod_for_cli_test\n"
        "LOADED = helper_mod_for_cli_test.VALUE + 1\n"
        "def go(x: int) -> int:\n    import math\n    return x\n"
        "if __name__ == '__main__':\n    raise SystemExit('no')\n"
    )
    func = load_function(f"{path}:go")
    assert func(3) == 3 and func.__globals__["LOADED"] == 42
    assert str(tmp_path) not in sys.path  # the file's folder was on sys.path only while it loaded
    assert module_globals_used(func) == []


def test_module_globals_used_finds_names_that_will_not_travel(tmp_path: Path) -> None:
    path = tmp_path / "g.py"
    path.write_text(
        "import os\nimport json as j\nK = 1\n"
        "def helper():\n    pass\n"
        "def f(a):\n    x = K + len(a)\n    def inner():\n        return helper() or j.dumps(x)\n    return os.sep\n"
    )
    assert module_globals_used(load_function(f"{path}:f")) == ["K", "helper", "j", "os"]
