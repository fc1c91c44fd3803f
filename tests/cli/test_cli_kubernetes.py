"""The console script on the Kubernetes backend, against the in-process API-server emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import Cli

from kube_emulator import KubeEmulator

NS = "default"
FUNC = """
def train(lr: float):
    print("lr", lr)
"""


@pytest.fixture
def kube(cli: Cli, kubeconfig_path: Path) -> list[str]:
    """The global options that point the CLI at the emulator."""
    return ["--kubeconfig", str(kubeconfig_path)]


def test_runtimes_and_dry_run_body(cli: Cli, kube: list[str]) -> None:
    runtimes = cli.json("trainer", "runtimes", *kube)
    assert "torch-distributed" in [r["name"] for r in runtimes]
    path = cli.write("train.py", FUNC)
    result = cli("trainer", "train", f"{path}:train", "--arg", "lr=0.5", "--num-nodes", "2", "--dry-run", *kube)
    assert result.code == 0, result
    body = json.loads(result.out)
    text = json.dumps(body)
    assert "TrainJob" in text and "def train(lr: float)" in text and '\\"lr\\": 0.5' in text
    assert cli.json("trainer", "jobs", *kube) == []  # a dry run creates nothing


def test_train_jobs_get_logs_wait_on_the_cluster(cli: Cli, kube: list[str], kube_emulator: KubeEmulator) -> None:
    kube_emulator.controller.auto_outcome = None  # leave created jobs alone; the test drives them
    path = cli.write("train.py", FUNC)
    created = cli("trainer", "train", f"{path}:train", "--arg", "lr=0.5", "--name", "cluster-job", *kube)
    assert created.code == 0, created
    assert json.loads(created.out) == {"name": "cluster-job"}
    assert kube_emulator.get("trainer.kubeflow.org/v1alpha1", "TrainJob", "cluster-job", NS) is not None
    assert [j["name"] for j in cli.json("trainer", "jobs", *kube)] == ["cluster-job"]
    assert cli.json("trainer", "jobs", *kube, "--namespace", "elsewhere") == []

    kube_emulator.controller.run_job(NS, "cluster-job", log_lines={"node-0": ["lr 0.5", "done"]})
    waited = cli("trainer", "wait", "cluster-job", "--timeout", "30", *kube)
    assert waited.code == 0, waited
    job = cli.json("trainer", "get", "cluster-job", *kube)
    assert job["status"] == "Complete" and job["steps"][0]["name"] == "node-0"
    logs = cli("trainer", "logs", "cluster-job", *kube)
    assert logs.code == 0 and logs.out.splitlines() == ["lr 0.5", "done"], logs
    assert cli("trainer", "delete", "cluster-job", *kube).code == 0
    assert cli("trainer", "get", "cluster-job", *kube).code == 3


def test_failed_cluster_job_exits_4_and_missing_exits_3(cli: Cli, kube: list[str], kube_emulator: KubeEmulator) -> None:
    kube_emulator.controller.auto_outcome = None
    path = cli.write("train.py", FUNC)
    assert cli("trainer", "train", f"{path}:train", "--arg", "lr=1", "--name", "doomed", *kube).code == 0
    kube_emulator.controller.run_job(NS, "doomed", outcome="Failed", failing_step="node-0", log_lines=["boom"])
    waited = cli("trainer", "wait", "doomed", "--timeout", "30", *kube)
    assert waited.code == 4, waited
    assert waited.err_lines[-1].startswith("kubeflow: error: Job 'doomed' failed"), waited
    missing = cli("trainer", "events", "nope", *kube)
    assert missing.code == 3 and len(missing.err_lines) == 1, missing


def test_without_backend_options_the_default_is_the_one_trainer_client_picks(
    cli: Cli, kubeconfig_path: Path, kube_emulator: KubeEmulator
) -> None:
    import subprocess
    import sys

    env = {"KUBECONFIG": str(kubeconfig_path)}
    probe = (
        "from kubeflow.core.models import resolve_backend_config; print(type(resolve_backend_config(None)).__name__)"
    )
    expected = subprocess.run(
        [sys.executable, "-c", probe], env={**cli.env, **env}, capture_output=True, text=True, check=True
    ).stdout.strip()
    names = [r["name"] for r in json.loads(cli("trainer", "runtimes", env=env).out)]
    if expected == "KubernetesBackendConfig":  # a kubeconfig exists: the cluster's runtimes
        assert "python" not in names and "torch-distributed" in names
    else:
        assert expected == "LocalProcessBackendConfig"
        assert names == ["torch-distributed", "python"]
    local = [r["name"] for r in json.loads(cli("trainer", "runtimes", "--backend", "local", env=env).out)]
    assert local == ["torch-distributed", "python"]  # --backend wins over the default


def test_optimizer_commands_on_the_cluster(cli: Cli, kube: list[str], kube_emulator: KubeEmulator) -> None:
    from kubeflow.katib import KatibClient, KubernetesBackendConfig, Search, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer

    kube_emulator.install_katib()
    assert cli.json("optimizer", "jobs", *kube) == []
    missing = cli("optimizer", "best", "nope", *kube)
    assert missing.code == 3 and len(missing.err_lines) == 1, missing

    def search(lr: float) -> None:
        print(f"loss={(lr - 0.3) ** 2}")

    client = KatibClient(KubernetesBackendConfig(config_file=kube[1]))
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=search)),
        search_space={"lr": Search.uniform(0.1, 0.5)},
        trial_config=TrialConfig(num_trials=2, parallel_trials=2),
    )
    waited = cli("optimizer", "wait", name, "--timeout", "120", "--interval", "0.5", *kube)
    assert waited.code == 0 and json.loads(waited.out)["status"] == "Complete", waited
    assert [job["name"] for job in cli.json("optimizer", "jobs", *kube)] == [name]
    best = cli.json("optimizer", "best", name, *kube)
    assert best is not None and set(best["parameters"]) == {"lr"}
    logs = cli("optimizer", "logs", name, *kube)
    assert logs.code == 0 and "loss=" in logs.out, logs
    assert cli("optimizer", "delete", name, *kube).code == 0
    assert cli.json("optimizer", "jobs", *kube) == []
