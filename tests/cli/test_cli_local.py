"""`kubeflow trainer ...` on the local backend: outputs, JSON shape, exit codes, errors, dry runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from cli_support import Cli

TRAIN = """
def show(epochs: int, lr: float = 0.1, tag: str = "x", layers: list[int] | None = None, extra=None):
    import json

    kinds = [type(value).__name__ for value in (epochs, lr, tag, layers, extra)]
    print(json.dumps({"epochs": epochs, "lr": lr, "tag": tag, "layers": layers, "extra": extra, "kinds": kinds}))


def fail(code: int = 3):
    print("about to fail", flush=True)
    raise SystemExit(code)


def sleeper(seconds: float = 120):
    import time

    print("sleeping", flush=True)
    time.sleep(seconds)


def anything(**kwargs):
    print(sorted(kwargs.items()))


if __name__ == "__main__":
    raise SystemExit("the __main__ block must not run when the CLI loads this file")
"""


@pytest.fixture
def train_py(cli: Cli) -> str:
    return str(cli.write("train.py", TRAIN))


def test_top_level_help_lists_groups_exit_codes_and_imports_nothing_heavy(cli: Cli) -> None:
    result = cli("--help")
    assert result.code == 0, result
    assert "trainer" in result.out and "completion" in result.out
    assert "Exit codes:" in result.out and "130" in result.out and "Examples:" in result.out
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'rich', 'yaml', 'kubernetes') or m.startswith('kubeflow.trainer')), file=sys.stderr))\n"
        "from kubeflow.cli import main\n"
        "main(['--help'])\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], env=cli.env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["completion"],
        ["trainer"],
        ["trainer", "runtimes"],
        ["trainer", "train"],
        ["trainer", "jobs"],
        ["trainer", "get"],
        ["trainer", "logs"],
        ["trainer", "events"],
        ["trainer", "wait"],
        ["trainer", "delete"],
    ],
)
def test_every_command_has_help_with_examples(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0, result
    assert "Examples:" in result.out
    assert "kubeflow " + " ".join(command) in result.out.replace("\n", " ")


def test_runtimes_json_when_piped_and_table_on_request(cli: Cli) -> None:
    runtimes = cli.json("trainer", "runtimes")
    assert [r["name"] for r in runtimes] == ["torch-distributed", "python"]
    assert runtimes[0]["trainer"]["trainer_type"] == "CustomTrainer"
    table = cli("trainer", "runtimes", "-o", "table")
    assert table.code == 0 and "NAME" in table.out and "torch-distributed" in table.out
    as_yaml = yaml.safe_load(cli("trainer", "runtimes", "--output", "yaml").out)
    assert as_yaml == runtimes


def test_train_wait_get_jobs_logs_events_delete(cli: Cli, train_py: str) -> None:
    created = cli(
        "trainer", "train", f"{train_py}:show", "--arg", "epochs=3", "--arg", "tag=123", "--arg", "layers=[64, 32]",
        "--arg", 'extra={"a": [1]}', "--name", "first", "--runtime", "python", "--env", "SEED=1",
    )  # fmt: skip
    assert created.code == 0, created
    assert json.loads(created.out) == {"name": "first"}
    waited = cli("trainer", "wait", "first", "--timeout", "60")
    assert waited.code == 0, waited
    assert json.loads(waited.out)["status"] == "Complete"

    job = cli.json("trainer", "get", "first")
    assert (job["name"], job["status"], job["num_nodes"], job["runtime"]["name"]) == ("first", "Complete", 1, "python")
    assert job["steps"][0]["name"] == "node-0" and job["steps"][0]["exit_code"] == 0
    assert set(job) >= {"name", "status", "runtime", "steps", "num_nodes", "creation_timestamp", "labels"}
    assert [j["name"] for j in cli.jobs()] == ["first"]
    assert cli.json("trainer", "jobs", "--runtime", "python")[0]["name"] == "first"
    assert cli.json("trainer", "jobs", "--runtime", "torch-distributed") == []

    logs = cli("trainer", "logs", "first")
    assert logs.code == 0, logs
    shown = json.loads(logs.out.strip())
    # JSON values arrive typed; `tag: str` keeps "123" a string; layers and dicts are parsed.
    assert shown == {
        "epochs": 3,
        "lr": 0.1,
        "tag": "123",
        "layers": [64, 32],
        "extra": {"a": [1]},
        "kinds": ["int", "float", "str", "list", "dict"],
    }
    events = cli.json("trainer", "events", "first")
    assert [e["reason"] for e in events][0] == "Created"
    assert {"involved_object_kind", "involved_object_name", "message", "reason", "event_time", "type"} <= set(events[0])

    table = cli("trainer", "get", "first", "-o", "table")
    assert table.code == 0 and "Complete" in table.out and "node-0" in table.out

    deleted = cli("trainer", "delete", "first")
    assert deleted.code == 0, deleted
    assert json.loads(deleted.out) == {"name": "first", "deleted": True}
    assert cli.jobs() == []


def test_args_reach_kwargs_functions_unchecked_by_name(cli: Cli, train_py: str) -> None:
    created = cli("trainer", "train", f"{train_py}:anything", "--arg", "b=x", "--arg", "a=1", "--follow")
    assert created.code == 0, created
    assert "[('a', 1), ('b', 'x')]" in created.out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["{train}:show"], "--arg epochs"),  # a required parameter is missing
        (["{train}:show", "--arg", "epochs=three"], "--arg epochs"),  # not an int
        (["{train}:show", "--arg", "epochs=1", "--arg", "bogus=1"], "--arg bogus"),
        (["{train}:show", "--arg", "epochs"], "--arg"),  # not KEY=VALUE
        (["{train}:nothing"], "FILE:FUNCTION"),
        (["{train}"], "FILE:FUNCTION"),
        (["missing.py:show"], "FILE:FUNCTION"),
        (["{train}:show", "--arg", "epochs=1", "--env", "NOEQUALS"], "--env"),
        (["{train}:show", "--arg", "epochs=1", "--name", "Bad_Name"], "--name"),
        (["{train}:show", "--arg", "epochs=1", "--backend", "local", "--namespace", "x"], "--namespace"),
    ],
)
def test_invalid_input_exits_2_with_one_line_and_creates_nothing(
    cli: Cli, train_py: str, args: list[str], field: str
) -> None:
    result = cli("trainer", "train", *(a.format(train=train_py) for a in args))
    assert result.code == 2, result
    assert len(result.err_lines) == 1, result
    assert result.err_lines[0].startswith("kubeflow: error: ") and field in result.err_lines[0], result
    assert "Traceback" not in result.err
    assert cli.jobs() == []


def test_a_broken_file_is_invalid_input_naming_the_error(cli: Cli) -> None:
    path = cli.write("broken.py", "import no_such_module_anywhere\n\ndef f():\n    pass\n")
    result = cli("trainer", "train", f"{path}:f")
    assert result.code == 2, result
    assert "ModuleNotFoundError" in result.err and "no_such_module_anywhere" in result.err


def test_usage_errors_are_one_line_exit_2(cli: Cli) -> None:
    for args in (["trainer", "jobs", "--bogus"], ["trainer", "nosuch"], ["trainer", "wait", "x", "--status", "Done"]):
        result = cli(*args)
        assert result.code == 2, result
        assert len(result.err_lines) == 1 and result.err_lines[0].startswith("kubeflow: error: "), result


@pytest.mark.parametrize(
    "args",
    [["get", "nope"], ["logs", "nope"], ["events", "nope"], ["delete", "nope"], ["wait", "nope", "--timeout", "5"]],
)
def test_not_found_exits_3(cli: Cli, args: list[str]) -> None:
    result = cli("trainer", *args)
    assert result.code == 3, result
    assert len(result.err_lines) == 1 and "'nope'" in result.err_lines[0], result


def test_verbose_shows_the_traceback(cli: Cli) -> None:
    result = cli("trainer", "get", "nope", "--verbose")
    assert result.code == 3
    assert "Traceback" in result.err and "NotFoundError" in result.err


def test_failed_job_exits_4_from_wait_and_follow(cli: Cli, train_py: str) -> None:
    followed = cli("trainer", "train", f"{train_py}:fail", "--arg", "code=7", "--name", "bad", "--follow")
    assert followed.code == 4, followed
    assert "about to fail" in followed.out  # the logs were streamed on stdout
    assert followed.err_lines[-1].startswith("kubeflow: error: Job 'bad' failed"), followed
    assert "exit code 7" in followed.err_lines[-1]
    waited = cli("trainer", "wait", "bad")
    assert waited.code == 4, waited
    assert len(waited.err_lines) == 1
    ok = cli("trainer", "wait", "bad", "--status", "Failed", "--status", "Complete")
    assert ok.code == 0 and json.loads(ok.out)["status"] == "Failed"


def test_wait_timeout_exits_5_and_leaves_the_job(cli: Cli, train_py: str) -> None:
    assert cli("trainer", "train", f"{train_py}:sleeper", "--name", "slow").code == 0
    result = cli("trainer", "wait", "slow", "--timeout", "0.5")
    assert result.code == 5, result
    assert "did not reach" in result.err_lines[0]
    assert cli.json("trainer", "get", "slow")["status"] in ("Created", "Running")
    assert cli("trainer", "delete", "slow").code == 0


def test_already_exists_exits_6(cli: Cli, train_py: str) -> None:
    assert cli("trainer", "train", f"{train_py}:sleeper", "--arg", "seconds=0", "--name", "twice").code == 0
    again = cli("trainer", "train", f"{train_py}:sleeper", "--arg", "seconds=0", "--name", "twice")
    assert again.code == 6, again


def test_dry_run_prints_the_plan_and_creates_nothing(cli: Cli, train_py: str) -> None:
    result = cli(
        "trainer", "train", f"{train_py}:show", "--arg", "epochs=2", "--num-nodes", "2", "--dry-run",
        "--env", "A=b=c", "--packages", "numpy>=1,<3",
    )  # fmt: skip
    assert result.code == 0, result
    plan = json.loads(result.out)
    assert plan["num_nodes"] == 2 and [n["name"] for n in plan["nodes"]] == ["node-0", "node-1"]
    assert plan["env"] == {"A": "b=c"} and plan["packages_to_install"] == ["numpy>=1,<3"]
    assert "def show(" in plan["script"] and '{"epochs": 2}' in plan["script"]
    assert cli.jobs() == []
    as_yaml = cli("trainer", "train", f"{train_py}:show", "--arg", "epochs=2", "--dry-run", "-o", "yaml")
    assert yaml.safe_load(as_yaml.out)["nodes"][0]["name"] == "node-0"


def test_module_globals_are_warned_about(cli: Cli) -> None:
    path = cli.write("globals.py", "import math\nSCALE = 2\n\ndef f():\n    print(math.pi * SCALE)\n")
    result = cli("trainer", "train", f"{path}:f", "--dry-run")
    assert result.code == 0, result
    assert "warning: f() uses SCALE, math" in result.err


def test_global_options_work_at_every_level(cli: Cli) -> None:
    for args in (
        ["--backend", "local", "-o", "yaml", "trainer", "runtimes"],
        ["trainer", "--backend", "local", "-o", "yaml", "runtimes"],
        ["trainer", "runtimes", "--backend", "local", "-o", "yaml"],
    ):
        result = cli(*args)
        assert result.code == 0, result
        assert yaml.safe_load(result.out)[0]["name"] == "torch-distributed"


def test_kubernetes_without_a_cluster_is_reported_not_crashed(cli: Cli) -> None:
    result = cli("trainer", "jobs", "--backend", "kubernetes")
    assert result.code in (1, 7), result  # no kubeconfig anywhere: a clear error, not a traceback
    assert len(result.err_lines) == 1 and "Traceback" not in result.err


def test_completion_scripts_and_job_name_completion(cli: Cli, train_py: str) -> None:
    script = cli("completion", "bash")
    assert script.code == 0 and "_KUBEFLOW_COMPLETE" in script.out
    assert cli("trainer", "train", f"{train_py}:sleeper", "--arg", "seconds=0", "--name", "completable").code == 0
    completed = cli(
        env={"_KUBEFLOW_COMPLETE": "bash_complete", "COMP_WORDS": "kubeflow trainer get comp", "COMP_CWORD": "3"}
    )
    assert completed.code == 0, completed
    assert "completable" in completed.out
    commands = cli(env={"_KUBEFLOW_COMPLETE": "bash_complete", "COMP_WORDS": "kubeflow trainer lo", "COMP_CWORD": "2"})
    assert "logs" in commands.out
