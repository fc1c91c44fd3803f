"""get_job_logs: one step, follow while running (waiting for pending pods), all nodes, reconnects."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import InvalidInputError, NotFoundError
from kubeflow.trainer import CustomTrainerContainer, KubernetesBackendConfig, TrainerClient
from kubeflow.trainer.options import Name

NS = "default"


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))


def create(client: TrainerClient, name: str, nodes: int = 2) -> str:
    return client.train(trainer=CustomTrainerContainer(image="busybox", num_nodes=nodes), options=[Name(name)])


class Collector:
    """Consumes an iterator on a thread; the test reads what arrived through a queue."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.inbox: queue.Queue[object] = queue.Queue()
        self.end = object()
        threading.Thread(target=self._run, args=(lines,), daemon=True).start()

    def _run(self, lines: Iterable[str]) -> None:
        try:
            for line in lines:
                self.inbox.put(line)
        except BaseException as exc:
            self.inbox.put(exc)
        finally:
            self.inbox.put(self.end)

    def next(self, count: int) -> list[str]:
        got: list[str] = []
        while len(got) < count:
            item = self.inbox.get(timeout=60)
            assert item is not self.end, f"ended after {got}"
            if isinstance(item, BaseException):
                raise item
            got.append(str(item))
        return got

    def rest(self) -> list[str]:
        got: list[str] = []
        while (item := self.inbox.get(timeout=60)) is not self.end:
            if isinstance(item, BaseException):
                raise item
            got.append(str(item))
        return got


def node_pods(emu: KubeEmulator, name: str) -> dict[str, str]:
    return {
        f"node-{p['metadata']['labels']['batch.kubernetes.io/job-completion-index']}": p["metadata"]["name"]
        for p in emu.controller.pods_of(NS, name, "node")
    }


def test_logs_of_a_finished_job(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "done")
    kube_emulator.controller.run_job(NS, name, log_lines={"node-0": ["a0", "b0"], "node-1": ["a1"]})
    assert list(client.get_job_logs(name)) == ["a0", "b0"]
    assert list(client.get_job_logs(name, step="node-1")) == ["a1"]
    assert list(client.get_job_logs(name, follow=True)) == ["a0", "b0"]


def test_all_nodes_are_interleaved_with_a_prefix(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "chatty")
    kube_emulator.controller.create_pods(NS, name)
    pods = node_pods(kube_emulator, name)
    for pod in pods.values():
        kube_emulator.controller.set_pod_phase(NS, pod, "Running")
    kube_emulator.append_log(NS, pods["node-0"], "node", "first")
    kube_emulator.append_log(NS, pods["node-1"], "node", "second")
    kube_emulator.append_log(NS, pods["node-0"], "node", "third")
    lines = list(client.get_job_logs(name, step="all"))
    assert sorted(lines) == sorted(["[node-0] first", "[node-1] second", "[node-0] third"])
    assert lines.index("[node-0] first") < lines.index("[node-0] third")
    follower = Collector(client.get_job_logs(name, step="all", follow=True))
    assert sorted(follower.next(3)) == sorted(lines)
    kube_emulator.append_log(NS, pods["node-1"], "node", "live")
    assert follower.next(1) == ["[node-1] live"]
    for pod in pods.values():
        kube_emulator.controller.set_pod_phase(NS, pod, "Succeeded")
    assert follower.rest() == []


def test_follow_waits_for_the_pods_then_streams(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "later", nodes=1)
    follower = Collector(client.get_job_logs(name, follow=True))  # no pod yet
    (pod,) = kube_emulator.controller.create_pods(NS, name)  # pending
    kube_emulator.controller.set_pod_phase(NS, pod, "Running")
    kube_emulator.append_log(NS, pod, "node", "hello")
    assert follower.next(1) == ["hello"]
    kube_emulator.append_log(NS, pod, "node", "bye")
    kube_emulator.controller.set_pod_phase(NS, pod, "Succeeded")
    assert follower.rest() == ["bye"]


def test_follow_survives_a_dropped_connection(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "flaky", nodes=1)
    (pod,) = kube_emulator.controller.create_pods(NS, name)
    kube_emulator.controller.set_pod_phase(NS, pod, "Running")
    kube_emulator.append_log(NS, pod, "node", "1")
    kube_emulator.append_log(NS, pod, "node", "2")
    follower = Collector(client.get_job_logs(name, follow=True))
    got = follower.next(2)
    kube_emulator.drop_connections()
    kube_emulator.append_log(NS, pod, "node", "3")
    got += follower.next(1)
    kube_emulator.append_log(NS, pod, "node", "4")
    kube_emulator.controller.set_pod_phase(NS, pod, "Succeeded")
    assert got + follower.rest() == ["1", "2", "3", "4"]


def test_follow_of_a_job_that_ends_without_the_step(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "no-init", nodes=1)
    follower = Collector(client.get_job_logs(name, step="dataset-initializer", follow=True))
    kube_emulator.controller.run_job(NS, name)
    assert follower.rest() == []


def test_pending_step_without_follow_is_empty(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = create(client, "pending", nodes=1)
    assert list(client.get_job_logs(name)) == []
    kube_emulator.controller.create_pods(NS, name)
    assert list(client.get_job_logs(name)) == []


def test_bad_step_and_missing_job(client: TrainerClient) -> None:
    with pytest.raises(InvalidInputError):
        client.get_job_logs("x", step="node")
    with pytest.raises(NotFoundError):
        client.get_job_logs("missing")  # raised at once, before iterating
