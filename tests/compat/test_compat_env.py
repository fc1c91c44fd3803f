"""The environment overrides kubeflow 0.5 honoured keep their meaning."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import NotFoundError
from kubeflow.trainer import CustomTrainer, TrainerClient
from kubeflow.trainer.options import Name

TRAINER_API = "trainer.kubeflow.org/v1alpha1"


def hello() -> None:
    print("hello from the default runtime")


def test_constants_read_the_environment_at_import_as_before() -> None:
    code = (
        "import json\n"
        "from kubeflow.trainer.constants import constants\n"
        "print(json.dumps([constants.DEFAULT_TRAINING_RUNTIME, constants.DEFAULT_PIP_INDEX_URLS,"
        " constants.DEFAULT_MPI_USER_HOME]))\n"
    )
    env = dict(
        os.environ,
        DEFAULT_TRAINING_RUNTIME="my-runtime",
        DEFAULT_PIP_INDEX_URLS="https://mirror.example/simple,https://extra.example/simple",
        DEFAULT_MPI_USER_HOME="/home/mpi",
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    assert json.loads(out) == [
        "my-runtime",
        ["https://mirror.example/simple", "https://extra.example/simple"],
        "/home/mpi",
    ]


def test_default_pip_index_urls_is_the_custom_trainer_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CustomTrainer(func=hello).pip_index_urls == ["https://pypi.org/simple"]
    monkeypatch.setenv("DEFAULT_PIP_INDEX_URLS", "https://mirror.example/simple,https://extra.example/simple")
    assert CustomTrainer(func=hello).pip_index_urls == ["https://mirror.example/simple", "https://extra.example/simple"]
    given = CustomTrainer(func=hello, pip_index_urls=["https://mine.example/simple"])
    assert given.pip_index_urls == ["https://mine.example/simple"]  # an explicit value wins


def test_default_pip_index_urls_reach_the_trainjob(
    cluster_client: TrainerClient, kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_PIP_INDEX_URLS", "https://mirror.example/simple,https://extra.example/simple")
    name = cluster_client.train(
        trainer=CustomTrainer(func=hello, packages_to_install=["numpy"]), options=[Name("mirrored")]
    )
    stored = kube_emulator.get(TRAINER_API, "TrainJob", name, "default")
    assert stored is not None
    config = json.loads(stored["spec"]["trainer"]["args"][0])
    assert config["index_urls"] == ["https://mirror.example/simple", "https://extra.example/simple"]


def test_default_training_runtime_on_the_local_backend(
    local_client: TrainerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_TRAINING_RUNTIME", "python")
    name = local_client.train(trainer=CustomTrainer(func=hello))
    job = local_client.wait_for_job_status(name, timeout=120)
    assert job.runtime.name == "python"
    monkeypatch.setenv("DEFAULT_TRAINING_RUNTIME", "not-here")
    with pytest.raises(ValueError, match="DEFAULT_TRAINING_RUNTIME") as info:
        local_client.train(trainer=CustomTrainer(func=hello))
    assert isinstance(info.value, NotFoundError)


@pytest.mark.usefixtures("trainer_reference")  # a runtime beyond the fresh-clone stand-in
def test_default_training_runtime_on_kubernetes(
    cluster_client: TrainerClient, kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_TRAINING_RUNTIME", "deepspeed-distributed")
    name = cluster_client.train(trainer=CustomTrainer(func=hello), options=[Name("deep")])
    stored = kube_emulator.get(TRAINER_API, "TrainJob", name, "default")
    assert stored is not None and stored["spec"]["runtimeRef"]["name"] == "deepspeed-distributed"


def test_kubeflow_system_namespace_is_where_the_release_is_read(
    cluster_client: TrainerClient, kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBEFLOW_SYSTEM_NAMESPACE", "trainer-ops")
    kube_emulator.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "kubeflow-trainer-public", "namespace": "trainer-ops"},
            "data": {"kubeflow_trainer_version": "v2.2.0"},
        }
    )
    kube_emulator.reset_requests()
    cluster_client.train(trainer=CustomTrainer(func=hello), options=[Name("ops")])
    paths = [request.path for request in kube_emulator.requests if "kubeflow-trainer-public" in request.path]
    assert paths and all("/namespaces/trainer-ops/" in path for path in paths)
