"""get_job_events: events of the TrainJob and its pods, selected server-side by field selectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import NotFoundError
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient
from kubeflow.trainer.options import Name

NS = "default"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))


def test_events_are_selected_by_the_server(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = client.train(trainer=CustomTrainerContainer(image="busybox", num_nodes=2), options=[Name("ev")])
    other = client.train(trainer=CustomTrainerContainer(image="busybox", num_nodes=1), options=[Name("other")])
    kube_emulator.controller.run_job(NS, name)
    kube_emulator.controller.run_job(NS, other)
    kube_emulator.record_event(
        NS, {"kind": "TrainJob", "name": name, "apiVersion": "trainer.kubeflow.org/v1alpha1"}, "Custom", "about the job"
    )
    kube_emulator.reset_requests()
    events = client.get_job_events(name)
    pods = {p["metadata"]["name"] for p in kube_emulator.controller.pods_of(NS, name)}
    assert {e.involved_object_name for e in events} == pods | {name}
    assert any(e.reason == "Custom" and e.involved_object_kind == "TrainJob" for e in events)
    assert any(e.reason == "Started" and e.involved_object_kind == "Pod" for e in events)
    assert [e.event_time for e in events] == sorted(e.event_time for e in events)
    event_requests = [r for r in kube_emulator.requests if r.path == f"/api/v1/namespaces/{NS}/events"]
    selectors = sorted(r.query["fieldSelector"][0] for r in event_requests)
    assert selectors == sorted(
        [f"involvedObject.name={name},involvedObject.kind=TrainJob"]
        + [f"involvedObject.name={pod},involvedObject.kind=Pod" for pod in pods]
    )
    assert not any(r.path == "/api/v1/events" for r in kube_emulator.requests)


def test_events_of_a_missing_job(client: TrainerClient) -> None:
    with pytest.raises(NotFoundError):
        client.get_job_events("missing")
