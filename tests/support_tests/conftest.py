"""Fixtures for the emulator's own tests: a real ``kubernetes`` client bound to the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client

from kube_emulator import KubeEmulator


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
