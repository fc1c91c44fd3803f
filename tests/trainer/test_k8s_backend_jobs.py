"""get_job / list_jobs / delete_job: statuses from conditions and pods, steps, and the API-call budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import NotFoundError
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient
from kubeflow.trainer.options import Name

NS = "default"
TRAINER = "trainer.kubeflow.org/v1alpha1"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))


def create(client: TrainerClient, name: str, nodes: int = 2, runtime: str = "torch-distributed", **kw: object) -> str:
    trainer = CustomTrainerContainer(image="busybox", num_nodes=nodes, **kw)  # type: ignore[arg-type]
    return client.train(runtime=runtime, trainer=trainer, options=[Name(name)])


def test_status_moves_from_created_to_running_to_complete(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "life")
    job = client.get_job(name)
    assert (job.status, job.steps, job.num_nodes) == ("Created", [], 2)
    pods = kube_emulator.controller.create_pods(NS, name)
    assert client.get_job(name).status == "Created"  # pods pending
    kube_emulator.controller.set_pod_phase(NS, pods[0], "Running")
    assert client.get_job(name).status == "Created"  # one of two nodes
    kube_emulator.controller.set_pod_phase(NS, pods[1], "Running")
    job = client.get_job(name)
    assert job.status == "Running"
    assert [(s.name, s.status) for s in job.steps] == [("node-0", "Running"), ("node-1", "Running")]
    for pod in pods:
        kube_emulator.controller.set_pod_phase(NS, pod, "Succeeded")
    kube_emulator.controller.finish(NS, name, "Complete")
    job = client.get_job(name)
    assert job.status == "Complete"
    assert [s.exit_code for s in job.steps] == [0, 0]


def test_failed_condition_is_failed(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "broken", nodes=1)
    kube_emulator.controller.run_job(NS, name, outcome="Failed")
    job = client.get_job(name)
    assert job.status == "Failed"
    assert job.steps[0].status == "Failed" and job.steps[0].exit_code == 1


def test_suspended_is_created_and_resumed_is_not_stuck(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "pausable", nodes=1)
    kube_emulator.controller.set_suspended(NS, name, True)
    assert client.get_job(name).status == "Created"
    kube_emulator.controller.set_suspended(NS, name, False)
    conditions = kube_emulator.get(TRAINER, "TrainJob", name, NS)["status"]["conditions"]
    assert {"type": "Suspended", "status": "False"}.items() <= next(
        c for c in conditions if c["type"] == "Suspended"
    ).items()
    (pod,) = kube_emulator.controller.create_pods(NS, name)
    kube_emulator.controller.set_pod_phase(NS, pod, "Running")
    assert client.get_job(name).status == "Running"


@pytest.mark.usefixtures("trainer_reference")
def test_initializer_steps_and_restarted_pods(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "with-init", nodes=2, runtime="torch-distributed-with-cache")
    kube_emulator.controller.create_pods(NS, name)
    node1 = next(
        p["metadata"]["name"]
        for p in kube_emulator.controller.pods_of(NS, name, "node")
        if p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "1"
    )
    replacement = kube_emulator.controller.restart_pod(NS, node1)
    job = client.get_job(name)
    assert [s.name for s in job.steps] == ["dataset-initializer", "node-0", "node-1"]
    step = next(s for s in job.steps if s.name == "node-1")
    assert step.pod_name == replacement  # the newest pod wins


def test_device_info_from_resources(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "gpus", nodes=1, resources_per_node={"gpu": 2, "cpu": 4})
    kube_emulator.controller.create_pods(NS, name)
    (step,) = client.get_job(name).steps
    assert (step.device, step.device_count) == ("gpu", "2")


def test_get_job_makes_at_most_three_calls(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "counted", nodes=2)
    kube_emulator.controller.create_pods(NS, name)
    kube_emulator.reset_requests()
    client.get_job(name)
    assert len(kube_emulator.requests) <= 3


def test_list_jobs_makes_two_paginated_lists_whatever_the_number_of_jobs(
    client: TrainerClient, kube_emulator: KubeEmulator
) -> None:
    kube_emulator.seed_trainjobs(40, 3, NS)
    kube_emulator.reset_requests()
    jobs = client.list_jobs()
    assert len(jobs) == 40
    assert all(job.status == "Running" and len(job.steps) == 3 for job in jobs)
    paths = sorted({r.path for r in kube_emulator.requests})
    assert paths == [
        "/api/v1/namespaces/default/pods",
        "/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs",
    ]
    assert len(kube_emulator.requests) == 2
    pods_query = next(r.query for r in kube_emulator.requests if r.path.endswith("/pods"))
    assert pods_query["labelSelector"][0].startswith("jobset.sigs.k8s.io/jobset-name")


def test_list_jobs_paginates(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.seed_trainjobs(1200, 1, NS)
    kube_emulator.reset_requests()
    assert len(client.list_jobs()) == 1200
    pages = [r for r in kube_emulator.requests if r.path.endswith("/trainjobs")]
    assert len(pages) == 3 and "continue" in pages[-1].query


@pytest.mark.usefixtures("trainer_reference")
def test_list_jobs_by_runtime(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    create(client, "a-torch", runtime="torch-distributed")
    create(client, "a-jax", runtime="jax-distributed")
    assert [job.name for job in client.list_jobs(runtime="jax-distributed")] == ["a-jax"]
    assert [job.name for job in client.list_jobs(client.get_runtime("torch-distributed"))] == ["a-torch"]


def test_delete_job(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "doomed")
    client.delete_job(name)
    assert kube_emulator.get(TRAINER, "TrainJob", name, NS) is None
    with pytest.raises(NotFoundError):
        client.delete_job(name)
    with pytest.raises(NotFoundError):
        client.get_job(name)


def test_list_jobs_describes_runtimes_without_reading_them(
    client: TrainerClient, kube_emulator: KubeEmulator, kubeconfig_path: Path
) -> None:
    create(client, "mine", nodes=1)  # train() read the runtime: list_jobs reuses it
    assert client.list_jobs()[0].runtime.trainer.framework == "torch"
    kube_emulator.seed_trainjobs(1, 2, NS, name_prefix="seeded")
    fresh = TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))
    kube_emulator.reset_requests()
    seeded = next(job for job in fresh.list_jobs() if job.name == "seeded-0")
    assert len(kube_emulator.requests) == 2
    assert seeded.runtime.name == "torch-distributed" and seeded.runtime.trainer.framework == "Unknown"
    assert seeded.runtime.trainer.image == "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime"  # from the node pod
    assert seeded.num_nodes == 2
    fresh.list_runtimes()
    assert next(j for j in fresh.list_jobs() if j.name == "seeded-0").runtime.trainer.framework == "torch"
