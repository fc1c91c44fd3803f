"""Watcher: events from a resourceVersion, reconnect after a dropped stream, relist on 410, stop()."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import ForbiddenError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS
from kubeflow.core.kubernetes.retry import RetryPolicy
from kubeflow.core.kubernetes.watch import Watcher, WatchEvent

NS = "watched"


def objects_for(emu: KubeEmulator) -> ObjectClient:
    config = KubernetesBackendConfig(client_configuration=emu.client_configuration(), namespace=NS)
    return ObjectClient(KubeClient(config, retry=RetryPolicy(max_retries=3, base=0.001, cap=0.002)))


def cm(name: str, value: str = "0") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": NS}, "data": {"v": value}}


def take(events: Iterator[WatchEvent], count: int) -> list[tuple[str, str, str]]:
    got = []
    for event in events:
        got.append((event.type, event.object["metadata"]["name"], (event.object.get("data") or {}).get("v", "")))
        if len(got) == count:
            break
    return got


def test_events_from_a_list_version(kube_emulator: KubeEmulator) -> None:
    objects = objects_for(kube_emulator)
    kube_emulator.apply(cm("before"))
    version = objects.list(CONFIG_MAPS).resource_version
    watcher = Watcher(objects, CONFIG_MAPS, resource_version=version)
    kube_emulator.apply(cm("a"))
    kube_emulator.apply(cm("a", "1"))
    kube_emulator.delete("v1", "ConfigMap", "a", NS)
    assert take(watcher.stream(timeout=30), 3) == [("ADDED", "a", "0"), ("MODIFIED", "a", "1"), ("DELETED", "a", "1")]


def test_field_selector_narrows_the_watch(kube_emulator: KubeEmulator) -> None:
    objects = objects_for(kube_emulator)
    version = objects.list(CONFIG_MAPS).resource_version
    watcher = Watcher(objects, CONFIG_MAPS, resource_version=version, field_selector="metadata.name=mine")
    kube_emulator.apply(cm("other"))
    kube_emulator.apply(cm("mine"))
    assert take(watcher.stream(timeout=30), 1) == [("ADDED", "mine", "0")]


def test_reconnects_after_a_dropped_stream_without_losing_or_repeating(kube_emulator: KubeEmulator) -> None:
    objects = objects_for(kube_emulator)
    watcher = Watcher(objects, CONFIG_MAPS, resource_version=objects.list(CONFIG_MAPS).resource_version)
    events = watcher.stream(timeout=60)
    kube_emulator.apply(cm("one"))
    first = take(events, 1)
    kube_emulator.drop_connections()
    kube_emulator.apply(cm("two"))
    kube_emulator.apply(cm("three"))
    rest = take(events, 2)
    assert first + rest == [("ADDED", "one", "0"), ("ADDED", "two", "0"), ("ADDED", "three", "0")]
    watches = [r for r in kube_emulator.requests if r.query.get("watch") == ["true"]]
    assert len(watches) >= 2 and watches[-1].query["resourceVersion"] != watches[0].query["resourceVersion"]


def test_expired_version_relists() -> None:
    with KubeEmulator(history_limit=4) as emu:
        objects = objects_for(emu)
        emu.apply(cm("keep"))
        old = objects.list(CONFIG_MAPS).resource_version
        for i in range(12):
            emu.apply(cm("churn", str(i)))
        watcher = Watcher(objects, CONFIG_MAPS, resource_version=old)
        events = watcher.stream(timeout=30)
        relisted = take(events, 2)
        assert sorted(relisted) == [("MODIFIED", "churn", "11"), ("MODIFIED", "keep", "0")]
        emu.apply(cm("after"))
        assert take(events, 1) == [("ADDED", "after", "0")]


def test_stop_from_another_thread_ends_the_stream(kube_emulator: KubeEmulator) -> None:
    objects = objects_for(kube_emulator)
    watcher = Watcher(objects, CONFIG_MAPS, resource_version=objects.list(CONFIG_MAPS).resource_version)
    seen: list[WatchEvent] = []
    thread = threading.Thread(target=lambda: seen.extend(watcher.stream(timeout=120)), daemon=True)
    thread.start()
    kube_emulator.apply(cm("x"))
    while not seen:
        thread.join(0.05)
    watcher.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert [event.object["metadata"]["name"] for event in seen] == ["x"]


def test_forbidden_watch_raises(kube_emulator: KubeEmulator) -> None:
    objects = objects_for(kube_emulator)
    kube_emulator.add_fault(Fault(method="GET", path=f"/namespaces/{NS}/configmaps$", status=403, times=None))
    watcher = Watcher(objects, CONFIG_MAPS, resource_version="1")
    with pytest.raises(ForbiddenError):
        take(watcher.stream(timeout=10), 1)
