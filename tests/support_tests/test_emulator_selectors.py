"""Label/field selectors and pagination."""

from __future__ import annotations

import json

import pytest
from emulator_helpers import pod
from kubernetes import client
from kubernetes.client.rest import ApiException

from kube_emulator import KubeEmulator
from kube_emulator.selectors import FieldSelector, LabelSelector
from kube_emulator.status import ApiError

LABELS = {"app": "web", "tier": "front", "version": "3"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("missing!=x", True),
        ("app in (web, api)", True),
        ("app notin (web,api)", False),
        ("missing notin (a)", True),
        ("app", True),
        ("!app", False),
        ("!missing", True),
        ("app=web,tier=back", False),
        ("app=web, tier in (front,back),!missing", True),
        ("version>2", True),
        ("version<3", False),
        ("", True),
        ("example.com/key=v", False),
    ],
)
def test_label_selector_semantics(selector: str, expected: bool) -> None:
    assert LabelSelector.parse(selector).matches(LABELS) is expected


@pytest.mark.parametrize("selector", ["app=", "a b", "app in ()", "=x", "app in (a", "x>y", "k=v,"])
def test_label_selector_errors(selector: str) -> None:
    if selector == "app=":
        assert LabelSelector.parse(selector).matches({"app": ""})
        return
    with pytest.raises(ApiError) as info:
        LabelSelector.parse(selector)
    assert info.value.code == 400


def test_field_selector_escapes_and_missing_fields() -> None:
    fields = frozenset({"metadata.name", "spec.nodeName"})
    obj = {"metadata": {"name": "a,b"}, "spec": {}}
    assert FieldSelector.parse(r"metadata.name=a\,b", fields).matches(obj)
    assert FieldSelector.parse("spec.nodeName=", fields).matches(obj)
    assert not FieldSelector.parse("spec.nodeName!=", fields).matches(obj)
    with pytest.raises(ApiError):
        FieldSelector.parse("status.phase=Running", fields)


def test_list_with_label_selectors_through_client(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("a", {"app": "web", "tier": "front"}))
    core.create_namespaced_pod("default", pod("b", {"app": "web", "tier": "back"}))
    core.create_namespaced_pod("default", pod("c", {"app": "db"}))
    core.create_namespaced_pod("other", pod("d", {"app": "web"}))

    def names(**kwargs: str) -> list[str]:
        return [p.metadata.name for p in core.list_namespaced_pod("default", **kwargs).items]

    assert names(label_selector="app=web") == ["a", "b"]
    assert names(label_selector="app in (web,db),tier!=back") == ["a", "c"]
    assert names(label_selector="!tier") == ["c"]
    every = core.list_pod_for_all_namespaces(label_selector="app=web").items
    assert [(p.metadata.namespace, p.metadata.name) for p in every] == [
        ("default", "a"),
        ("default", "b"),
        ("other", "d"),
    ]


def test_bad_label_selector_is_400(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as info:
        core.list_namespaced_pod("default", label_selector="a in (b")
    assert info.value.status == 400
    assert json.loads(info.value.body)["message"].startswith("unable to parse requirement")


def test_pod_field_selectors(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("run"))
    core.create_namespaced_pod("default", pod("wait"))
    current = kube_emulator.get("v1", "Pod", "run", "default")
    assert current is not None
    current["spec"]["nodeName"] = "n1"
    current["status"]["phase"] = "Running"
    kube_emulator.apply(current)
    assert [
        p.metadata.name for p in core.list_namespaced_pod("default", field_selector="status.phase=Running").items
    ] == ["run"]
    assert [p.metadata.name for p in core.list_namespaced_pod("default", field_selector="spec.nodeName=n1").items] == [
        "run"
    ]
    assert [
        p.metadata.name for p in core.list_namespaced_pod("default", field_selector="metadata.name=wait").items
    ] == ["wait"]
    with pytest.raises(ApiException) as info:
        core.list_namespaced_pod("default", field_selector="spec.bogus=1")
    assert info.value.status == 400
    assert json.loads(info.value.body)["message"] == "field label not supported: spec.bogus"


def test_event_field_selectors(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.record_event("default", {"kind": "TrainJob", "name": "j1", "uid": "u1"}, "Created", "made it")
    kube_emulator.record_event("default", {"kind": "Pod", "name": "j1-node", "uid": "u2"}, "Failed", "bad", "Warning")
    selected = core.list_namespaced_event(
        "default", field_selector="involvedObject.name=j1,involvedObject.kind=TrainJob"
    )
    assert [e.reason for e in selected.items] == ["Created"]
    assert selected.items[0].count == 1 and selected.items[0].involved_object.uid == "u1"
    assert [e.reason for e in core.list_namespaced_event("default", field_selector="type=Warning").items] == ["Failed"]
    assert [e.reason for e in core.list_event_for_all_namespaces(field_selector="involvedObject.uid=u2").items] == [
        "Failed"
    ]
    assert [e.reason for e in core.list_namespaced_event("default", field_selector="reason=Created").items] == [
        "Created"
    ]


def test_pagination_with_continue(core: client.CoreV1Api) -> None:
    for i in range(7):
        core.create_namespaced_config_map("default", {"metadata": {"name": f"cm-{i}"}})
    first = core.list_namespaced_config_map("default", limit=3)
    assert [c.metadata.name for c in first.items] == ["cm-0", "cm-1", "cm-2"]
    assert first.metadata._continue and first.metadata.remaining_item_count == 4
    second = core.list_namespaced_config_map("default", limit=3, _continue=first.metadata._continue)
    assert [c.metadata.name for c in second.items] == ["cm-3", "cm-4", "cm-5"]
    assert second.metadata.resource_version == first.metadata.resource_version
    third = core.list_namespaced_config_map("default", limit=3, _continue=second.metadata._continue)
    assert [c.metadata.name for c in third.items] == ["cm-6"]
    assert not third.metadata._continue and third.metadata.remaining_item_count is None


def test_pagination_with_selector_has_no_remaining_count(core: client.CoreV1Api) -> None:
    for i in range(4):
        core.create_namespaced_pod("default", pod(f"p{i}", {"app": "x"}))
    page = core.list_namespaced_pod("default", limit=2, label_selector="app=x")
    assert len(page.items) == 2 and page.metadata._continue and page.metadata.remaining_item_count is None


def test_bad_continue_token_is_400(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as info:
        core.list_namespaced_pod("default", _continue="not-a-token")
    assert info.value.status == 400
