"""Fault injection: statuses, Retry-After, dropped connections, after-commit failures, delays."""

from __future__ import annotations

import json

import pytest
import urllib3
from emulator_helpers import GROUP, VERSION, pod, trainjob
from kubernetes import client
from kubernetes.client.rest import ApiException

from kube_emulator import Fault, KubeEmulator


def test_503_once_then_success(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/pods$", status=503))
    with pytest.raises(ApiException) as info:
        core.create_namespaced_pod("default", pod("flaky"))
    body = json.loads(info.value.body)
    assert info.value.status == 503 and body["reason"] == "ServiceUnavailable" and body["kind"] == "Status"
    created = core.create_namespaced_pod("default", pod("flaky"))
    assert created.metadata.name == "flaky"
    assert [r.status for r in kube_emulator.requests if r.method == "POST"] == [503, 201]


def test_429_has_retry_after(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/configmaps$", status=429, retry_after=3))
    with pytest.raises(ApiException) as info:
        core.create_namespaced_config_map("default", {"metadata": {"name": "limited"}})
    assert info.value.status == 429
    assert info.value.headers["Retry-After"] == "3"
    body = json.loads(info.value.body)
    assert body["reason"] == "TooManyRequests" and body["details"] == {"retryAfterSeconds": 3}


def test_get_is_retried_by_urllib3_after_429(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="GET", path=r"/configmaps$", status=429, retry_after=0))
    kube_emulator.reset_requests()
    core.list_namespaced_config_map("default")
    assert [r.status for r in kube_emulator.requests] == [429, 200]


def test_fault_times_and_method_filter(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="DELETE", path="/pods/", status=500, times=2))
    core.create_namespaced_pod("default", pod("keep"))
    for _ in range(2):
        with pytest.raises(ApiException) as info:
            core.delete_namespaced_pod("keep", "default")
        assert info.value.status == 500
    core.delete_namespaced_pod("keep", "default")


def test_dropped_connection(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/pods$", status=None, drop=True))
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.create_namespaced_pod("default", pod("dropped"))
    assert kube_emulator.requests[-1].status == 0
    assert core.list_namespaced_pod("default").items == []


def test_after_commit_failure_applies_the_write(kube_emulator: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    kube_emulator.add_fault(Fault(method="POST", path="/trainjobs$", status=503, after_commit=True))
    with pytest.raises(ApiException) as info:
        custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", trainjob("once"))
    assert info.value.status == 503
    with pytest.raises(ApiException) as retry:
        custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", trainjob("once"))
    assert retry.value.status == 409 and json.loads(retry.value.body)["reason"] == "AlreadyExists"


def test_after_commit_drop(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/configmaps$", status=None, drop=True, after_commit=True))
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.create_namespaced_config_map("default", {"metadata": {"name": "committed"}})
    assert core.read_namespaced_config_map("committed", "default").metadata.name == "committed"


def test_slow_response_hits_client_timeout(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/configmaps$", status=None, delay=2.0))
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.create_namespaced_config_map("default", {"metadata": {"name": "slow"}}, _request_timeout=0.2)
    assert kube_emulator.faults.pending() == []
