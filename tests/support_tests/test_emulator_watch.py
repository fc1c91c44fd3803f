"""Watch streams through ``kubernetes.watch.Watch``."""

from __future__ import annotations

import json
import threading

import pytest
from emulator_helpers import GROUP, VERSION, pod, trainjob
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from kube_emulator import KubeEmulator


def test_watch_custom_objects_sees_add_modify_delete(custom: client.CustomObjectsApi) -> None:
    listed = custom.list_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs")
    rv = listed["metadata"]["resourceVersion"]
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", trainjob("w1"))
    custom.patch_namespaced_custom_object(
        GROUP, VERSION, "default", "trainjobs", "w1", {"metadata": {"labels": {"a": "b"}}}
    )
    custom.delete_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "w1")
    events = []
    w = watch.Watch()
    for event in w.stream(
        custom.list_namespaced_custom_object,
        GROUP,
        VERSION,
        "default",
        "trainjobs",
        resource_version=rv,
        timeout_seconds=5,
    ):
        events.append((event["type"], event["object"]["metadata"]["name"]))
        if event["type"] == "DELETED":
            w.stop()
    assert events == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_watch_pods_without_resource_version_starts_with_current_state(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("existing"))
    w = watch.Watch()
    seen = []
    for event in w.stream(core.list_namespaced_pod, "default", timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        assert isinstance(event["object"], client.V1Pod)
        w.stop()
    assert seen == [("ADDED", "existing")]


def test_watch_receives_live_changes(core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version
    started = threading.Event()

    def writer() -> None:
        started.wait(5)
        core.create_namespaced_pod("default", pod("live", {"app": "x"}))

    thread = threading.Thread(target=writer)
    thread.start()
    w = watch.Watch()
    names = []
    try:
        started.set()
        for event in w.stream(core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=10):
            names.append(event["object"].metadata.name)
            w.stop()
    finally:
        thread.join()
    assert names == ["live"]


def test_watch_label_selector_turns_transitions_into_added_and_deleted(
    kube_emulator: KubeEmulator, core: client.CoreV1Api
) -> None:
    core.create_namespaced_pod("default", pod("sel", {"app": "no"}))
    rv = core.list_namespaced_pod("default").metadata.resource_version
    core.patch_namespaced_pod("sel", "default", {"metadata": {"labels": {"app": "yes"}}})
    core.patch_namespaced_pod("sel", "default", {"metadata": {"labels": {"extra": "1"}}})
    core.patch_namespaced_pod("sel", "default", {"metadata": {"labels": {"app": "no"}}})
    types = []
    w = watch.Watch()
    for event in w.stream(
        core.list_namespaced_pod, "default", label_selector="app=yes", resource_version=rv, timeout_seconds=2
    ):
        types.append(event["type"])
        if event["type"] == "DELETED":
            w.stop()
    assert types == ["ADDED", "MODIFIED", "DELETED"]


def test_watch_timeout_ends_stream(core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version
    events = list(watch.Watch().stream(core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=1))
    assert events == []


def test_too_old_resource_version_is_410() -> None:
    with KubeEmulator(history_limit=4) as emu, client.ApiClient(emu.client_configuration()) as api:
        core = client.CoreV1Api(api)
        for i in range(12):
            core.create_namespaced_config_map("default", {"metadata": {"name": f"c{i}"}})
        stream = watch.Watch().stream(
            core.list_namespaced_config_map, "default", resource_version="2", timeout_seconds=2
        )
        with pytest.raises(ApiException) as info:
            next(iter(stream))
        assert info.value.status == 410
        assert "too old resource version" in info.value.reason


def test_raw_watch_stream_is_chunked_json_lines(kube_emulator: KubeEmulator, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    rv = core.list_namespaced_pod("default").metadata.resource_version
    core.create_namespaced_pod("default", pod("raw"))
    response = core.list_namespaced_pod(
        "default", watch=True, resource_version=rv, timeout_seconds=1, _preload_content=False
    )
    try:
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Transfer-Encoding"] == "chunked"
        lines = [json.loads(line) for line in response.read().decode().splitlines() if line]
    finally:
        response.release_conn()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "raw")]


def test_bookmarks(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.api.bookmark_interval = 0.2
    rv = core.list_namespaced_pod("default").metadata.resource_version
    w = watch.Watch()
    types = []
    for event in w.stream(
        core.list_namespaced_pod, "default", resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=3
    ):
        types.append(event["type"])
        w.stop()
    assert types == ["BOOKMARK"]


def test_watch_all_namespaces_with_field_selector(core: client.CoreV1Api) -> None:
    rv = core.list_pod_for_all_namespaces().metadata.resource_version
    core.create_namespaced_pod("ns-a", pod("target"))
    core.create_namespaced_pod("ns-b", pod("other"))
    core.create_namespaced_pod("ns-c", pod("target"))
    w = watch.Watch()
    seen = []
    for event in w.stream(
        core.list_pod_for_all_namespaces, field_selector="metadata.name=target", resource_version=rv, timeout_seconds=2
    ):
        seen.append(event["object"].metadata.namespace)
        if len(seen) == 2:
            w.stop()
    assert seen == ["ns-a", "ns-c"]
