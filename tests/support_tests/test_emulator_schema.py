"""CRD schema handling: pruning, defaulting, validation, status subresource, patches."""

from __future__ import annotations

import json

import pytest
from emulator_helpers import GROUP, VERSION, trainjob
from kubernetes import client
from kubernetes.client.rest import ApiException

from kube_emulator import KubeEmulator


def _create(custom: client.CustomObjectsApi, body: dict[str, object], **kwargs: object) -> dict[str, object]:
    return custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", body, **kwargs)


@pytest.mark.usefixtures("trainer_reference")
def test_defaults_are_applied(custom: client.CustomObjectsApi) -> None:
    created = _create(custom, trainjob("defaults"))
    spec = created["spec"]
    assert spec["runtimeRef"] == {
        "name": "torch-distributed",
        "apiGroup": "trainer.kubeflow.org",
        "kind": "ClusterTrainingRuntime",
    }
    assert spec["managedBy"] == "trainer.kubeflow.org/trainjob-controller"
    assert spec["suspend"] is False
    assert created["metadata"]["generation"] == 1


@pytest.mark.usefixtures("trainer_reference")
def test_unknown_fields_are_pruned_with_warning(custom: client.CustomObjectsApi) -> None:
    body = trainjob("pruned", trainer={"numNodes": 2, "bogusField": 1}, podTemplateOverrides=[{"targetJobs": []}])
    data, status, headers = custom.create_namespaced_custom_object_with_http_info(
        GROUP, VERSION, "default", "trainjobs", body
    )
    assert status == 201
    assert data["spec"]["trainer"] == {"numNodes": 2}
    assert "podTemplateOverrides" not in data["spec"]
    warnings = headers.getlist("Warning") if hasattr(headers, "getlist") else [headers["Warning"]]
    assert any('unknown field \\"spec.trainer.bogusField\\"' in w for w in warnings)


@pytest.mark.usefixtures("trainer_reference")
def test_strict_field_validation_rejects_unknown_fields(custom: client.CustomObjectsApi) -> None:
    body = trainjob("strict", trainer={"bogusField": 1})
    with pytest.raises(ApiException) as info:
        _create(custom, body, field_validation="Strict")
    assert info.value.status == 400
    message = json.loads(info.value.body)["message"]
    assert 'strict decoding error: unknown field "spec.trainer.bogusField"' in message
    with pytest.raises(ApiException):
        custom.get_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "strict")


@pytest.mark.usefixtures("trainer_reference")
def test_schema_violations_are_422_with_causes(custom: client.CustomObjectsApi) -> None:
    body = trainjob("invalid", trainer={"numNodes": -1, "numProcPerNode": "x"}, managedBy="nobody")
    body["spec"]["runtimeRef"] = {"name": ""}  # type: ignore[index]
    with pytest.raises(ApiException) as info:
        _create(custom, body)
    status = json.loads(info.value.body)
    assert info.value.status == 422 and status["reason"] == "Invalid" and status["code"] == 422
    assert status["details"]["kind"] == "TrainJob" and status["details"]["group"] == GROUP
    causes = {c["field"]: c for c in status["details"]["causes"]}
    assert causes["spec.trainer.numNodes"]["reason"] == "FieldValueInvalid"
    assert "should be greater than or equal to 0" in causes["spec.trainer.numNodes"]["message"]
    assert causes["spec.trainer.numProcPerNode"]["reason"] == "FieldValueTypeInvalid"
    assert causes["spec.runtimeRef.name"]["message"].endswith("should be at least 1 chars long")
    assert status["message"].startswith('TrainJob.trainer.kubeflow.org "invalid" is invalid: [')
    assert any(c["field"] == "spec.managedBy" for c in status["details"]["causes"])


@pytest.mark.usefixtures("trainer_reference")
def test_required_field(custom: client.CustomObjectsApi) -> None:
    body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "TrainJob", "metadata": {"name": "noref"}, "spec": {}}
    with pytest.raises(ApiException) as info:
        _create(custom, body)
    causes = json.loads(info.value.body)["details"]["causes"]
    assert {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.runtimeRef"} in causes


@pytest.mark.usefixtures("trainer_reference")
def test_trainjob_name_rule_master(custom: client.CustomObjectsApi) -> None:
    with pytest.raises(ApiException) as info:
        _create(custom, trainjob("1starts-with-digit"))
    status = json.loads(info.value.body)
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "object": metadata.name must match RFC 1035 DNS label format',
            "field": "<nil>",
        }
    ]
    with pytest.raises(ApiException) as too_long:
        _create(custom, trainjob("a" * 64))
    assert "no more than 63 characters" in json.loads(too_long.value.body)["message"]


def test_trainjob_name_rule_absent_in_v201() -> None:
    with KubeEmulator(trainer_crds="v2.0.1") as emu, client.ApiClient(emu.client_configuration()) as api:
        created = _create(client.CustomObjectsApi(api), trainjob("1digit"))
        assert created["metadata"]["name"] == "1digit"


def test_v21_accepts_pod_template_overrides_master_prunes_them() -> None:
    body = trainjob("v21", podTemplateOverrides=[{"targetJobs": [{"name": "node"}]}], labels={"a": "b"})
    with KubeEmulator(trainer_crds="v2.1.0") as emu, client.ApiClient(emu.client_configuration()) as api:
        created = _create(client.CustomObjectsApi(api), body)
        assert created["spec"]["podTemplateOverrides"] == [{"targetJobs": [{"name": "node"}]}]
        assert created["spec"]["labels"] == {"a": "b"}


def test_status_is_ignored_on_create_and_update_main_resource(custom: client.CustomObjectsApi) -> None:
    body = trainjob("st")
    body["status"] = {"conditions": []}
    created = _create(custom, body)
    assert "status" not in created
    created["status"] = {"jobsStatus": [{"name": "node"}]}
    created["spec"]["suspend"] = True
    replaced = custom.replace_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "st", created)
    assert "status" not in replaced and replaced["spec"]["suspend"] is True
    assert replaced["metadata"]["generation"] == 2


@pytest.mark.usefixtures("trainer_reference")
def test_status_subresource_only_changes_status(custom: client.CustomObjectsApi) -> None:
    _create(custom, trainjob("sub"))
    patch = {
        "spec": {"suspend": True},
        "status": {
            "conditions": [
                {
                    "type": "Complete",
                    "status": "True",
                    "reason": "AllJobsCompleted",
                    "message": "jobset completed successfully",
                    "lastTransitionTime": "2025-01-01T00:00:00Z",
                }
            ]
        },
    }
    result = custom.patch_namespaced_custom_object_status(GROUP, VERSION, "default", "trainjobs", "sub", patch)
    assert result["spec"]["suspend"] is False
    assert result["status"]["conditions"][0]["type"] == "Complete"
    assert result["metadata"]["generation"] == 1


def test_replace_custom_object_requires_resource_version(custom: client.CustomObjectsApi) -> None:
    created = _create(custom, trainjob("rv"))
    del created["metadata"]["resourceVersion"]
    with pytest.raises(ApiException) as info:
        custom.replace_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "rv", created)
    assert info.value.status == 422


@pytest.mark.usefixtures("trainer_reference")
def test_immutable_runtime_ref(custom: client.CustomObjectsApi) -> None:
    _create(custom, trainjob("imm"))
    with pytest.raises(ApiException) as info:
        custom.patch_namespaced_custom_object(
            GROUP, VERSION, "default", "trainjobs", "imm", {"spec": {"runtimeRef": {"name": "other"}}}
        )
    assert info.value.status == 422
    assert "field is immutable" in json.loads(info.value.body)["message"]


def test_merge_and_json_patch(custom: client.CustomObjectsApi) -> None:
    _create(custom, trainjob("patchme", trainer={"numNodes": 1}))
    merged = custom.patch_namespaced_custom_object(
        GROUP, VERSION, "default", "trainjobs", "patchme", {"metadata": {"labels": {"team": "a"}}}
    )
    assert merged["metadata"]["labels"] == {"team": "a"}
    ops = [
        {"op": "add", "path": "/metadata/labels/tier", "value": "gold"},
        {"op": "remove", "path": "/metadata/labels/team"},
    ]
    patched = custom.patch_namespaced_custom_object(
        GROUP, VERSION, "default", "trainjobs", "patchme", ops, _content_type="application/json-patch+json"
    )
    assert patched["metadata"]["labels"] == {"tier": "gold"}


def test_strategic_merge_patch_is_415_on_custom_resources(custom: client.CustomObjectsApi) -> None:
    _create(custom, trainjob("smp"))
    with pytest.raises(ApiException) as info:
        custom.patch_namespaced_custom_object(
            GROUP,
            VERSION,
            "default",
            "trainjobs",
            "smp",
            {"spec": {"suspend": True}},
            _content_type="application/strategic-merge-patch+json",
        )
    assert info.value.status == 415


@pytest.mark.usefixtures("trainer_reference")
def test_runtime_mpi_defaults_applied(kube_emulator: KubeEmulator) -> None:
    runtime = kube_emulator.get(f"{GROUP}/{VERSION}", "ClusterTrainingRuntime", "deepspeed-distributed")
    assert runtime is not None
    assert runtime["spec"]["mlPolicy"]["mpi"]["mpiImplementation"] == "OpenMPI"


def test_runtime_finalizer_blocks_deletion(custom: client.CustomObjectsApi) -> None:
    custom.patch_cluster_custom_object(
        GROUP,
        VERSION,
        "clustertrainingruntimes",
        "torch-distributed",
        {"metadata": {"finalizers": ["trainer.kubeflow.org/resource-in-use"]}},
    )
    answer = custom.delete_cluster_custom_object(GROUP, VERSION, "clustertrainingruntimes", "torch-distributed")
    assert answer["metadata"]["deletionTimestamp"]
    still = custom.get_cluster_custom_object(GROUP, VERSION, "clustertrainingruntimes", "torch-distributed")
    assert still["metadata"]["deletionTimestamp"]
    custom.patch_cluster_custom_object(
        GROUP, VERSION, "clustertrainingruntimes", "torch-distributed", {"metadata": {"finalizers": None}}
    )
    with pytest.raises(ApiException) as info:
        custom.get_cluster_custom_object(GROUP, VERSION, "clustertrainingruntimes", "torch-distributed")
    assert info.value.status == 404


def test_dry_run_does_not_store(custom: client.CustomObjectsApi) -> None:
    created = _create(custom, trainjob("dry"), dry_run="All")
    assert created["metadata"]["name"] == "dry"
    with pytest.raises(ApiException):
        custom.get_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "dry")
