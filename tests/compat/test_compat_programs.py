"""Programs written the way kubeflow 0.5 users write them, run for real: local processes and the Kubernetes emulator.

Only 0.5's documented names, module paths and keyword arguments are used; each program asserts what its user sees.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kube_emulator import KubeEmulator
from kubeflow.trainer import (
    CustomTrainer,
    DataCacheInitializer,
    Initializer,
    RuntimeKind,
    TrainerClient,
    TrainJob,
    TrainJobTemplate,
)
from kubeflow.trainer.constants import constants
from kubeflow.trainer.options import Name
from kubeflow.trainer.types import types

TRAINER_API = "trainer.kubeflow.org/v1alpha1"


def train_fn(lr: float, epochs: int) -> None:
    for epoch in range(epochs):
        print(f"epoch={epoch} lr={lr}")


def test_local_program(local_client: TrainerClient) -> None:
    client = local_client
    runtimes = client.list_runtimes()
    assert {runtime.kind for runtime in runtimes} == {RuntimeKind.TRAINING_RUNTIME}  # as 0.5's local runtimes
    runtime = client.get_runtime(name=constants.DEFAULT_TRAINING_RUNTIME)
    assert isinstance(runtime, types.Runtime) and runtime.name == "torch-distributed"

    template = TrainJobTemplate(
        trainer=CustomTrainer(func=train_fn, func_args={"lr": 0.01, "epochs": 2}), runtime=runtime
    )
    job_id = client.train(**template)
    seen: list[str] = []
    job = client.wait_for_job_status(
        name=job_id,
        status={constants.TRAINJOB_COMPLETE},
        timeout=120,
        polling_interval=1,
        callbacks=[lambda j: seen.append(j.status)],
    )
    assert isinstance(job, TrainJob) and job.status == constants.TRAINJOB_COMPLETE
    assert seen[-1] == constants.TRAINJOB_COMPLETE
    assert job.runtime.name == "torch-distributed" and job.runtime.kind is RuntimeKind.TRAINING_RUNTIME
    assert [step.name for step in job.steps] == [f"{constants.NODE}-0"]
    logs = list(client.get_job_logs(name=job_id, step=constants.NODE + "-0", follow=False))
    assert "epoch=1 lr=0.01" in "\n".join(logs)
    assert job_id in [j.name for j in client.list_jobs(runtime=runtime)]
    client.delete_job(name=job_id)
    assert job_id not in [j.name for j in client.list_jobs()]


def _namespaced_copy(emu: KubeEmulator, cluster_runtime: str, name: str) -> None:
    found = emu.get(TRAINER_API, "ClusterTrainingRuntime", cluster_runtime)
    assert found is not None
    runtime = copy.deepcopy(found)
    runtime["kind"] = "TrainingRuntime"
    runtime["metadata"] = {"name": name, "namespace": "default", "labels": found["metadata"].get("labels", {})}
    emu.apply(runtime)


def test_kubernetes_program(cluster_client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    client = cluster_client  # TrainerClient(): Kubernetes, since $KUBECONFIG names a cluster
    kube_emulator.controller.auto = True
    kube_emulator.controller.auto_log_lines = ["epoch=1 lr=0.01"]
    _namespaced_copy(kube_emulator, "torch-distributed", "team-torch")

    kinds = {runtime.name: runtime.kind for runtime in client.list_runtimes()}
    assert kinds["torch-distributed"] is RuntimeKind.CLUSTER_TRAINING_RUNTIME
    assert kinds["team-torch"] is RuntimeKind.TRAINING_RUNTIME

    runtime = client.get_runtime("team-torch")
    template = TrainJobTemplate(
        trainer=CustomTrainer(func=train_fn, func_args={"lr": 0.01, "epochs": 2}, num_nodes=2), runtime=runtime
    )
    job_id = client.train(**template)
    stored = kube_emulator.get(TRAINER_API, "TrainJob", job_id, "default")
    assert stored is not None
    assert stored["spec"]["runtimeRef"]["kind"] == "TrainingRuntime"
    assert stored["spec"]["runtimeRef"]["name"] == "team-torch"

    job = client.wait_for_job_status(name=job_id, status={constants.TRAINJOB_COMPLETE}, timeout=60)
    assert job.status == constants.TRAINJOB_COMPLETE and job.num_nodes == 2
    assert job.runtime.kind is RuntimeKind.TRAINING_RUNTIME
    assert "epoch=1 lr=0.01" in "\n".join(client.get_job_logs(job_id))
    assert [j.name for j in client.list_jobs(runtime=runtime)] == [job_id]
    client.delete_job(job_id)
    assert client.list_jobs(runtime=runtime) == []


def _data_cache_env_as_0_5_builds_it(dataset: DataCacheInitializer) -> list[dict[str, Any]]:
    """kubeflow 0.5's `get_dataset_initializer` for a DataCacheInitializer, restated."""
    env = [
        {"name": "CLUSTER_SIZE", "value": str(dataset.num_data_nodes + 1)},
        {"name": "METADATA_LOC", "value": dataset.metadata_loc},
    ]
    for field in ("head_cpu", "head_mem", "worker_cpu", "worker_mem", "iam_role"):
        value = getattr(dataset, field)
        if value is not None:
            env.append({"name": field.upper(), "value": value})
    return env


@pytest.mark.usefixtures("trainer_reference")  # a runtime beyond the fresh-clone stand-in
def test_data_cache_initializer_on_kubernetes(cluster_client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    dataset = DataCacheInitializer(
        storage_uri="cache://sales/orders",
        metadata_loc="s3://warehouse/orders/metadata/v3.metadata.json",
        num_data_nodes=3,
        head_cpu="2",
        worker_mem="8Gi",
        iam_role="arn:aws:iam::1:role/cache",
    )
    name = cluster_client.train(
        runtime="torch-distributed-with-cache",
        initializer=Initializer(dataset=dataset),
        trainer=CustomTrainer(func=train_fn, func_args={"lr": 0.1, "epochs": 1}),
        options=[Name("cached")],
    )
    # The API server validated the body against the TrainJob CRD and kept every field (nothing pruned).
    stored = kube_emulator.get(TRAINER_API, "TrainJob", name, "default")
    assert stored is not None
    assert stored["spec"]["initializer"]["dataset"] == {
        "storageUri": "cache://sales/orders",
        "env": _data_cache_env_as_0_5_builds_it(dataset),
    }
    assert kube_emulator.list_objects("v1", "Secret", "default") == []  # nothing secret in a data cache
