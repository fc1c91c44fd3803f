"""PodLogs: read, follow while written, wait for a pending pod, reconnect without duplicates."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import NotFoundError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.logs import PodLogs, split_timestamp
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.retry import RetryPolicy

NS = "logs"


@pytest.fixture
def logs(kube_emulator: KubeEmulator) -> PodLogs:
    config = KubernetesBackendConfig(client_configuration=kube_emulator.client_configuration(), namespace=NS)
    kube = KubeClient(config, retry=RetryPolicy(max_retries=3, base=0.001, cap=0.002))
    return PodLogs(ObjectClient(kube), poll_interval=0.05)


def make_pod(emu: KubeEmulator, name: str, phase: str | None = "Running") -> None:
    emu.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"containers": [{"name": "main", "image": "busybox"}, {"name": "side", "image": "busybox"}]},
        }
    )
    if phase is not None:
        emu.controller.set_pod_phase(NS, name, phase)


class Collector:
    """Runs an iterable on a thread and hands its lines over through a queue."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.inbox: queue.Queue[object] = queue.Queue()
        self.done = object()
        self.thread = threading.Thread(target=self._run, args=(lines,), daemon=True)
        self.thread.start()

    def _run(self, lines: Iterable[str]) -> None:
        try:
            for line in lines:
                self.inbox.put(line)
        except BaseException as exc:
            self.inbox.put(exc)
        finally:
            self.inbox.put(self.done)

    def next(self, count: int) -> list[str]:
        got = []
        while len(got) < count:
            item = self.inbox.get(timeout=60)
            assert item is not self.done, f"ended early after {got}"
            if isinstance(item, BaseException):
                raise item
            got.append(str(item))
        return got

    def rest(self) -> list[str]:
        got = []
        while True:
            item = self.inbox.get(timeout=60)
            if item is self.done:
                return got
            if isinstance(item, BaseException):
                raise item
            got.append(str(item))


def test_read_returns_written_lines_of_one_container(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "p")
    for line in ("one", "two", "three $HOME `x`"):
        kube_emulator.append_log(NS, "p", "main", line)
    kube_emulator.append_log(NS, "p", "side", "other")
    assert logs.read("p", "main") == ["one", "two", "three $HOME `x`"]
    assert logs.read("p", "main", tail_lines=1) == ["three $HOME `x`"]
    stamped = logs.read("p", "main", timestamps=True)
    assert [split_timestamp(line)[1] for line in stamped] == ["one", "two", "three $HOME `x`"]
    assert all(split_timestamp(line)[0] is not None for line in stamped)


def test_read_of_a_pending_pod_is_empty(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "scheduled", "Pending")
    make_pod(kube_emulator, "unscheduled", None)
    assert logs.read("scheduled", "main") == []
    assert logs.read("unscheduled", "main") == []


def test_read_of_a_missing_pod_is_not_found(logs: PodLogs) -> None:
    with pytest.raises(NotFoundError):
        logs.read("missing", "main")


def test_follow_streams_until_the_container_ends(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "p")
    kube_emulator.append_log(NS, "p", "main", "early")
    follower = Collector(logs.follow("p", "main"))
    assert follower.next(1) == ["early"]
    kube_emulator.append_log(NS, "p", "main", "later")
    assert follower.next(1) == ["later"]
    kube_emulator.append_log(NS, "p", "main", "last")
    kube_emulator.controller.set_pod_phase(NS, "p", "Succeeded")
    assert follower.rest() == ["last"]


def test_follow_waits_for_a_pending_pod(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "slow", "Pending")
    follower = Collector(logs.follow("slow", "main"))
    kube_emulator.controller.set_pod_phase(NS, "slow", "Running")
    kube_emulator.append_log(NS, "slow", "main", "started")
    assert follower.next(1) == ["started"]
    kube_emulator.controller.set_pod_phase(NS, "slow", "Succeeded")
    assert follower.rest() == []


def test_follow_reconnects_after_a_drop_without_duplicates(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "p")
    for i in range(3):
        kube_emulator.append_log(NS, "p", "main", f"line {i}")
    follower = Collector(logs.follow("p", "main"))
    first = follower.next(3)
    kube_emulator.drop_connections()
    for i in range(3, 6):
        kube_emulator.append_log(NS, "p", "main", f"line {i}")
    second = follower.next(3)
    kube_emulator.append_log(NS, "p", "main", "line 6")
    kube_emulator.controller.set_pod_phase(NS, "p", "Succeeded")
    assert first + second + follower.rest() == [f"line {i}" for i in range(7)]
    follows = [r for r in kube_emulator.requests if r.path.endswith("/log") and r.query.get("follow") == ["true"]]
    assert len(follows) >= 2


def test_follow_retries_a_503_when_opening(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "p")
    kube_emulator.append_log(NS, "p", "main", "only")
    kube_emulator.controller.set_pod_phase(NS, "p", "Succeeded")
    kube_emulator.add_fault(Fault(method="GET", path="/pods/p/log$", status=503, times=2))
    assert list(logs.follow("p", "main")) == ["only"]


def test_follow_of_a_missing_pod_is_not_found(logs: PodLogs) -> None:
    with pytest.raises(NotFoundError):
        list(logs.follow("missing", "main"))


def test_stop_ends_a_follow(logs: PodLogs, kube_emulator: KubeEmulator) -> None:
    make_pod(kube_emulator, "p")
    kube_emulator.append_log(NS, "p", "main", "x")
    follow = logs.follow("p", "main")
    follower = Collector(follow)
    assert follower.next(1) == ["x"]
    follow.stop()
    assert follower.rest() == []
