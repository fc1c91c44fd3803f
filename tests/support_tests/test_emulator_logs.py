"""Pod logs: plain text, parameters, kubelet errors, follow streaming."""

from __future__ import annotations

import json
import threading

import pytest
from emulator_helpers import pod
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from kube_emulator import KubeEmulator


def _started_pod(emu: KubeEmulator, core: client.CoreV1Api, name: str, containers: tuple[str, ...] = ("node",)) -> None:
    core.create_namespaced_pod("default", pod(name, containers=containers))
    emu.controller.set_pod_phase("default", name, "Running")


def test_read_log_is_text_plain(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    _started_pod(kube_emulator, core, "logs")
    for line in ("one", "two", "three"):
        kube_emulator.append_log("default", "logs", "node", line)
    _, status, headers = core.read_namespaced_pod_log_with_http_info("logs", "default")
    assert status == 200 and headers["Content-Type"] == "text/plain"
    assert core.read_namespaced_pod_log("logs", "default") == "one\ntwo\nthree\n"
    assert core.read_namespaced_pod_log("logs", "default", tail_lines=2) == "two\nthree\n"
    assert core.read_namespaced_pod_log("logs", "default", limit_bytes=6) == "one\ntw"
    stamped = core.read_namespaced_pod_log("logs", "default", timestamps=True).splitlines()
    assert stamped[0].endswith("Z one") and stamped[0][:4].isdigit()
    assert core.read_namespaced_pod_log("logs", "default", since_seconds=3600).count("\n") == 3


def test_waiting_container_is_400(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("waiting", containers=("node",)))
    kube_emulator.controller.set_pod_phase("default", "waiting", "Pending")
    with pytest.raises(ApiException) as info:
        core.read_namespaced_pod_log("waiting", "default", container="node")
    body = json.loads(info.value.body)
    assert info.value.status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == 'container "node" in pod "waiting" is waiting to start: ContainerCreating'


def test_unscheduled_pod_answers_204(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("unscheduled"))
    _, status, _ = core.read_namespaced_pod_log_with_http_info("unscheduled", "default")
    assert status == 204


def test_container_choice_errors(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    _started_pod(kube_emulator, core, "multi", ("a", "b"))
    with pytest.raises(ApiException) as info:
        core.read_namespaced_pod_log("multi", "default")
    assert (
        json.loads(info.value.body)["message"]
        == "a container name must be specified for pod multi, choose one of: [a b]"
    )
    with pytest.raises(ApiException) as bad:
        core.read_namespaced_pod_log("multi", "default", container="c")
    assert json.loads(bad.value.body)["message"] == "container c is not valid for pod multi"
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_pod_log("nope", "default")
    assert missing.value.status == 404


def test_follow_streams_until_container_terminates(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    _started_pod(kube_emulator, core, "follow")
    kube_emulator.append_log("default", "follow", "node", "before")
    received: list[str] = []
    first_line = threading.Event()

    def producer() -> None:
        first_line.wait(5)
        kube_emulator.append_log("default", "follow", "node", "during")
        kube_emulator.controller.set_pod_phase("default", "follow", "Succeeded")

    thread = threading.Thread(target=producer)
    thread.start()
    try:
        for line in watch.Watch().stream(
            core.read_namespaced_pod_log, "follow", "default", container="node", follow=True
        ):
            received.append(line)
            first_line.set()
    finally:
        thread.join()
    assert received == ["before", "during"]


def test_logs_of_terminated_container_are_readable(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    _started_pod(kube_emulator, core, "done")
    kube_emulator.append_log("default", "done", "node", "bye")
    kube_emulator.controller.set_pod_phase("default", "done", "Failed", exit_code=3)
    assert core.read_namespaced_pod_log("done", "default", follow=True) == "bye\n"
    status = core.read_namespaced_pod("done", "default").status
    assert status.container_statuses[0].state.terminated.exit_code == 3
