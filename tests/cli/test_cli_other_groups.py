"""`kubeflow optimizer ...` (kubeflow-katib) and `kubeflow models ...` (kubeflow-model-registry): the real clients."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cli_support import Cli


@pytest.mark.parametrize(
    "command",
    [
        ["optimizer"],
        ["optimizer", "jobs"],
        ["optimizer", "get"],
        ["optimizer", "best"],
        ["optimizer", "logs"],
        ["optimizer", "events"],
        ["optimizer", "wait"],
        ["optimizer", "delete"],
        ["models"],
        ["models", "list"],
        ["models", "get"],
        ["models", "versions"],
        ["models", "register"],
    ],
)
def test_help_with_examples(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0, result
    assert "Examples:" in result.out and "kubeflow " + " ".join(command) in result.out


OPTIMIZE = """
    from kubeflow.katib import KatibClient, LocalProcessBackendConfig, Search, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer

    def train(lr: float = 0.1) -> None:
        from kubeflow.katib import report_metrics

        print("training with lr", lr)
        report_metrics({"loss": (lr - 0.05) ** 2})

    client = KatibClient(LocalProcessBackendConfig())
    print(client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=train)),
        trial_config=TrialConfig(num_trials=2, parallel_trials=1),
        search_space={"lr": Search.uniform(0.01, 0.1)},
    ))
"""


def test_optimizer_commands_use_the_katib_client(cli: Cli) -> None:
    assert cli.json("optimizer", "jobs", "--backend", "local") == []
    missing = cli("optimizer", "get", "nope")
    assert missing.code == 3 and len(missing.err_lines) == 1 and "nope" in missing.err, missing

    script = cli.write("optimize.py", OPTIMIZE)
    run = subprocess.run(
        [sys.executable, str(script)], env=cli.env, capture_output=True, text=True, timeout=120, check=True
    )
    name = run.stdout.strip().splitlines()[-1]

    waited = cli("optimizer", "wait", name, "--timeout", "120", "--interval", "0.2")
    assert waited.code == 0, waited
    assert json.loads(waited.out)["status"] == "Complete"

    listed = cli.json("optimizer", "jobs")
    assert [job["name"] for job in listed] == [name] and len(listed[0]["trials"]) == 2
    table = cli("optimizer", "jobs", "-o", "table")
    assert name in table.out and "2/2" in table.out and "lr=" in table.out, table

    job = cli.json("optimizer", "get", name)
    best = cli.json("optimizer", "best", name)
    losses = {t["name"]: float(t["metrics"][0]["latest"]) for t in job["trials"]}
    assert best["trial_name"] == min(losses, key=lambda trial: losses[trial])
    assert set(best["parameters"]) == {"lr"}

    logs = cli("optimizer", "logs", name, "--trial", best["trial_name"])
    assert logs.code == 0 and f"training with lr {best['parameters']['lr']}" in logs.out, logs
    events = cli.json("optimizer", "events", name)
    assert any(event["involved_object_name"] == name for event in events)

    timeout = cli("optimizer", "wait", name, "--status", "Failed", "--timeout", "0.5", "--interval", "0.2")
    assert timeout.code == 4 or timeout.code == 5, timeout  # complete: never Failed

    assert cli("optimizer", "delete", name).code == 0
    assert cli.json("optimizer", "jobs") == []
    gone = cli("optimizer", "delete", name)
    assert gone.code == 3 and len(gone.err_lines) == 1, gone


def test_models_register_list_get_versions_on_the_local_store(cli: Cli) -> None:
    assert "--token" not in cli("models", "list", "--help").out
    assert cli.json("models", "list") == []

    made = cli("models", "register", "mnist", "s3://bucket/mnist/v1", "--version", "v1", "--format", "pytorch")
    assert made.code == 0, made
    assert json.loads(made.out)["name"] == "mnist"
    again = cli("models", "register", "mnist", "s3://bucket/mnist/v1", "--version", "v1")
    assert again.code == 6 and len(again.err_lines) == 1 and "v1" in again.err, again
    bad = cli("models", "register", "mnist", "not a uri", "--version", "v2")
    assert bad.code == 2 and len(bad.err_lines) == 1 and "uri" in bad.err, bad
    assert cli("models", "register", "mnist", "s3://bucket/mnist/v2", "--version", "v2", "-o", "table").code == 0

    assert [model["name"] for model in cli.json("models", "list")] == ["mnist"]
    assert cli.json("models", "get", "mnist")["name"] == "mnist"
    version = cli.json("models", "get", "mnist", "--version", "v1")
    assert version["name"] == "v1" and version["artifacts"][0]["uri"] == "s3://bucket/mnist/v1"
    assert version["artifacts"][0]["model_format_name"] == "pytorch"
    assert [v["name"] for v in cli.json("models", "versions", "mnist")] == ["v1", "v2"]
    shown = cli("models", "get", "mnist", "--version", "v1", "-o", "table")
    assert "s3://bucket/mnist/v1" in shown.out, shown

    for missing in (("get", "nope"), ("get", "mnist", "--version", "v9"), ("versions", "nope")):
        result = cli("models", *missing)
        assert result.code == 3 and len(result.err_lines) == 1 and "Traceback" not in result.err, result


def test_models_on_an_unreachable_server_fail_in_one_line(cli: Cli) -> None:
    result = cli("models", "get", "m", env={"KUBEFLOW_MODEL_REGISTRY_ADDRESS": "http://127.0.0.1:9"})
    assert result.code in (1, 7), result
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result
