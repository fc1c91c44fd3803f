"""Fixtures for the emulator's own tests: a real ``kubernetes`` client bound to the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client

from kube_emulator import KubeEmulator

GROUP, VERSION = "trainer.kubeflow.org", "v1alpha1"


@pytest.fixture
def api_client(kube_emulator: KubeEmulator) -> Iterator[client.ApiClient]:
    with client.ApiClient(kube_emulator.client_configuration()) as api:
        yield api


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


@pytest.fixture
def custom(api_client: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api_client)


def trainjob(name: str, runtime: str = "torch-distributed", **spec: object) -> dict[str, object]:
    body: dict[str, object] = {"runtimeRef": {"name": runtime}}
    body.update(spec)
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "TrainJob", "metadata": {"name": name}, "spec": body}


def pod(name: str, labels: dict[str, str] | None = None, containers: tuple[str, ...] = ("main",)) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"containers": [{"name": c, "image": "busybox:1.36"} for c in containers]},
    }
