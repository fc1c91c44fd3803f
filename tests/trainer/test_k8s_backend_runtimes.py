"""list_runtimes / get_runtime against the real default runtimes of each Trainer release."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import InvalidInputError, NotFoundError
from kubeflow.trainer import KubernetesBackendConfig, TrainerClient, TrainerType

TRAINER = "trainer.kubeflow.org/v1alpha1"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))


def runtime(name: str, *, kind: str = "TrainingRuntime", framework: str | None = "torch", **container: object) -> dict:
    meta: dict = {"name": name}
    if kind == "TrainingRuntime":
        meta["namespace"] = "default"
    if framework:
        meta["labels"] = {"trainer.kubeflow.org/framework": framework}
    node = {"name": "node", "image": "example.com/train:1", **container}
    return {
        "apiVersion": TRAINER,
        "kind": kind,
        "metadata": meta,
        "spec": {
            "mlPolicy": {"numNodes": 3, "torch": {}},
            "template": {
                "spec": {
                    "replicatedJobs": [
                        {
                            "name": "node",
                            "template": {
                                "metadata": {"labels": {"trainer.kubeflow.org/trainjob-ancestor-step": "trainer"}},
                                "spec": {"template": {"spec": {"containers": [node]}}},
                            },
                        }
                    ]
                }
            },
        },
    }


@pytest.mark.usefixtures("trainer_reference")
def test_default_runtimes_are_listed(client: TrainerClient) -> None:
    runtimes = {r.name: r for r in client.list_runtimes()}
    assert set(runtimes) >= {
        "torch-distributed",
        "deepspeed-distributed",
        "mlx-distributed",
        "jax-distributed",
        "xgboost-distributed",
        "torchtune-llama3.2-1b",
        "torchtune-llama3.2-3b",
        "torchtune-qwen2.5-1.5b",
    }
    torch = runtimes["torch-distributed"].trainer
    assert (torch.framework, torch.trainer_type, torch.num_nodes) == ("torch", TrainerType.CUSTOM_TRAINER, 1)
    assert torch.image == "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime"
    assert torch.command == ("torchrun",)
    assert runtimes["jax-distributed"].trainer.image == "nvcr.io/nvidia/jax:25.10-py3"
    tune = runtimes["torchtune-llama3.2-1b"]
    assert tune.trainer.trainer_type == TrainerType.BUILTIN_TRAINER
    assert tune.trainer.framework == "torchtune"
    assert tune.trainer.command == ("tune", "run")
    deepspeed = runtimes["deepspeed-distributed"].trainer
    assert deepspeed.command[0] == "mpirun" and deepspeed.device_count == "1"


@pytest.mark.usefixtures("trainer_reference")
def test_get_runtime(client: TrainerClient) -> None:
    assert client.get_runtime("xgboost-distributed").trainer.framework == "xgboost"
    with pytest.raises(NotFoundError):
        client.get_runtime("no-such-runtime")


def test_namespaced_runtime_wins_over_cluster_runtime(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.apply(runtime("torch-distributed", framework="torch"))
    merged = [r for r in client.list_runtimes() if r.name == "torch-distributed"]
    assert len(merged) == 1
    assert merged[0].trainer.image == "example.com/train:1"
    assert merged[0].trainer.num_nodes == 3
    assert client.get_runtime("torch-distributed").trainer.image == "example.com/train:1"


def test_runtime_without_framework_label_is_skipped_and_refused(
    client: TrainerClient, kube_emulator: KubeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    kube_emulator.apply(runtime("unlabelled", framework=None))
    with caplog.at_level(logging.WARNING):
        names = [r.name for r in client.list_runtimes()]
    assert "unlabelled" not in names
    assert "unlabelled" in caplog.text and "trainer.kubeflow.org/framework" in caplog.text
    with pytest.raises(InvalidInputError, match="trainer.kubeflow.org/framework"):
        client.get_runtime("unlabelled")


@pytest.mark.parametrize(
    ("resources", "device", "count"),
    [
        ({"limits": {"nvidia.com/gpu": 4}}, "gpu", "4"),
        ({"limits": {"google.com/tpu": "8"}}, "tpu", "8"),
        ({"limits": {"nvidia.com/mig-1g.5gb": 2}}, "gpu", "2"),
        ({"requests": {"cpu": "3"}}, "cpu", "3"),
        ({}, "Unknown", "Unknown"),
    ],
)
def test_device_and_count_come_from_the_trainer_container(
    client: TrainerClient, kube_emulator: KubeEmulator, resources: dict, device: str, count: str
) -> None:
    kube_emulator.apply(runtime("sized", resources=resources))
    trainer = client.get_runtime("sized").trainer
    assert (trainer.device, trainer.device_count) == (device, count)


@pytest.mark.parametrize("release", ["v2.1.0", "v2.0.1"])
def test_older_release_runtimes(release: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with KubeEmulator(trainer_crds=release) as emu:
        emu.load_default_runtimes()
        client = TrainerClient(KubernetesBackendConfig(config_file=str(emu.write_kubeconfig(tmp_path / "kc"))))
        with caplog.at_level(logging.WARNING):
            runtimes = {r.name: r for r in client.list_runtimes()}
        assert runtimes["torch-distributed"].trainer.image == "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime"
        if release == "v2.0.1":
            assert "mpi-distributed" not in runtimes  # shipped without a framework label
            assert "mpi-distributed" in caplog.text
