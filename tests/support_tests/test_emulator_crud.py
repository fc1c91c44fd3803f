"""CRUD through the real kubernetes client: status codes, Status bodies, metadata."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from emulator_helpers import GROUP, VERSION, pod, trainjob
from kubernetes import client
from kubernetes.client.rest import ApiException

from kube_emulator import KubeEmulator


def test_create_pod_returns_201_with_metadata(core: client.CoreV1Api) -> None:
    _, status, _ = core.create_namespaced_pod_with_http_info("default", pod("p1"))
    assert status == 201
    created = core.read_namespaced_pod("p1", "default")
    assert created.metadata.uid and created.metadata.namespace == "default"
    assert created.metadata.creation_timestamp is not None
    assert created.status.phase == "Pending"
    assert created.spec.restart_policy == "Always"
    assert int(created.metadata.resource_version) > 0


def test_create_answers_201_and_json(core: client.CoreV1Api) -> None:
    _, status, headers = core.create_namespaced_config_map_with_http_info(
        "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "b"}}
    )
    assert status == 201
    assert headers["Content-Type"] == "application/json"


def test_resource_versions_increase(core: client.CoreV1Api) -> None:
    first = core.create_namespaced_pod("default", pod("a"))
    second = core.create_namespaced_pod("default", pod("b"))
    assert int(second.metadata.resource_version) > int(first.metadata.resource_version)
    listed = core.list_namespaced_pod("default")
    assert int(listed.metadata.resource_version) >= int(second.metadata.resource_version)


def test_generate_name(core: client.CoreV1Api) -> None:
    body = pod("")
    body["metadata"] = {"generateName": "gen-"}
    created = core.create_namespaced_pod("default", body)
    assert created.metadata.name.startswith("gen-") and len(created.metadata.name) == len("gen-") + 5


def test_already_exists_status_body(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("dup"))
    with pytest.raises(ApiException) as info:
        core.create_namespaced_pod("default", pod("dup"))
    assert info.value.status == 409
    body = json.loads(info.value.body)
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "dup" already exists',
        "reason": "AlreadyExists",
        "details": {"name": "dup", "kind": "pods"},
        "code": 409,
    }
    assert info.value.headers["Content-Type"] == "application/json"


def test_not_found_custom_object(custom: client.CustomObjectsApi) -> None:
    with pytest.raises(ApiException) as info:
        custom.get_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "missing")
    body = json.loads(info.value.body)
    assert info.value.status == 404
    assert body["reason"] == "NotFound"
    assert body["message"] == 'trainjobs.trainer.kubeflow.org "missing" not found'
    assert body["details"] == {"name": "missing", "group": GROUP, "kind": "trainjobs"}


def test_malformed_json_is_400(kube_emulator: KubeEmulator) -> None:
    request = urllib.request.Request(
        kube_emulator.url + "/api/v1/namespaces/default/pods",
        data=b"{not json",
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer t0ken"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    body = json.loads(info.value.read())
    info.value.close()
    assert info.value.code == 400 and body["reason"] == "BadRequest"


def test_missing_token_is_401(kube_emulator: KubeEmulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(kube_emulator.url + "/api/v1/namespaces/default/pods", timeout=5)
    body = json.loads(info.value.read())
    info.value.close()
    assert info.value.code == 401 and body["reason"] == "Unauthorized"


def test_delete_pod_returns_object_and_configmap_returns_status(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("gone"))
    deleted = core.delete_namespaced_pod("gone", "default")
    assert deleted.metadata.name == "gone"
    core.create_namespaced_config_map("default", {"metadata": {"name": "cm2"}})
    answer = core.delete_namespaced_config_map("cm2", "default")
    assert answer["status"] == "Success" and answer["details"]["name"] == "cm2"
    assert answer["details"]["kind"] == "configmaps"
    with pytest.raises(ApiException) as info:
        core.delete_namespaced_pod("gone", "default")
    assert info.value.status == 404


def test_delete_custom_object_returns_success_status(custom: client.CustomObjectsApi) -> None:
    custom.create_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", trainjob("tj"))
    answer = custom.delete_namespaced_custom_object(GROUP, VERSION, "default", "trainjobs", "tj")
    assert answer["status"] == "Success"
    assert answer["details"]["kind"] == "trainjobs" and answer["details"]["group"] == GROUP


def test_update_with_stale_resource_version_conflicts(core: client.CoreV1Api) -> None:
    created = core.create_namespaced_config_map("default", {"metadata": {"name": "c"}, "data": {"k": "1"}})
    created.data = {"k": "2"}
    core.replace_namespaced_config_map("c", "default", created)
    created.data = {"k": "3"}
    with pytest.raises(ApiException) as info:
        core.replace_namespaced_config_map("c", "default", created)
    assert info.value.status == 409
    assert json.loads(info.value.body)["reason"] == "Conflict"


def test_secret_string_data_becomes_base64(core: client.CoreV1Api) -> None:
    core.create_namespaced_secret("default", {"metadata": {"name": "s"}, "stringData": {"token": "abc"}})
    secret = core.read_namespaced_secret("s", "default")
    assert secret.data == {"token": "YWJj"} and secret.type == "Opaque"


def test_pod_without_containers_is_invalid(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as info:
        core.create_namespaced_pod("default", {"metadata": {"name": "bad"}, "spec": {"containers": []}})
    body = json.loads(info.value.body)
    assert info.value.status == 422
    assert body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}
    ]


def test_patch_pod_strategic_merge_keeps_other_labels(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("pp", {"a": "1", "b": "2"}))
    patched = core.patch_namespaced_pod("pp", "default", {"metadata": {"labels": {"a": "x", "b": None}}})
    assert patched.metadata.labels == {"a": "x"}


def test_discovery_and_version(api_client: client.ApiClient) -> None:
    version = client.VersionApi(api_client).get_code()
    assert version.major == "1" and version.git_version.startswith("v1.")
    groups = client.ApisApi(api_client).get_api_versions()
    assert GROUP in [g.name for g in groups.groups]
    resources = client.CustomObjectsApi(api_client).get_api_resources(GROUP, VERSION)
    assert {"trainjobs", "trainjobs/status", "clustertrainingruntimes"} <= {r.name for r in resources.resources}
    core = client.CoreApi(api_client).get_api_versions()
    assert core.versions == ["v1"]


def test_crd_objects_are_readable(api_client: client.ApiClient) -> None:
    crd = client.ApiextensionsV1Api(api_client).read_custom_resource_definition("trainjobs.trainer.kubeflow.org")
    assert crd.spec.names.kind == "TrainJob"
    schema = crd.spec.versions[0].schema.open_apiv3_schema
    assert "spec" in schema.properties
    assert any(c.type == "Established" and c.status == "True" for c in crd.status.conditions)


def test_cluster_scoped_runtimes(custom: client.CustomObjectsApi) -> None:
    runtimes = custom.list_cluster_custom_object(GROUP, VERSION, "clustertrainingruntimes")
    names = [r["metadata"]["name"] for r in runtimes["items"]]
    assert "torch-distributed" in names
    runtime = custom.get_cluster_custom_object(GROUP, VERSION, "clustertrainingruntimes", "torch-distributed")
    assert runtime["metadata"]["labels"]["trainer.kubeflow.org/framework"] == "torch"
    assert "namespace" not in runtime["metadata"]


def test_version_configmap(core: client.CoreV1Api) -> None:
    cm = core.read_namespaced_config_map("kubeflow-trainer-public", "kubeflow-system")
    assert cm.data == {"kubeflow_trainer_version": "v2.3.0"}


def test_no_version_configmap_for_old_crds() -> None:
    with KubeEmulator(trainer_crds="v2.1.0") as emu, client.ApiClient(emu.client_configuration()) as api:
        with pytest.raises(ApiException) as info:
            client.CoreV1Api(api).read_namespaced_config_map("kubeflow-trainer-public", "kubeflow-system")
        assert info.value.status == 404


def test_direct_apply_get_and_list(kube_emulator: KubeEmulator) -> None:
    kube_emulator.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "ns1"}})
    assert kube_emulator.get("v1", "ConfigMap", "x", "ns1")["metadata"]["uid"]
    assert [o["metadata"]["name"] for o in kube_emulator.list_objects("v1", "ConfigMap", "ns1")] == ["x"]
    assert kube_emulator.get("v1", "ConfigMap", "missing", "ns1") is None


def test_requests_are_recorded(kube_emulator: KubeEmulator, core: client.CoreV1Api) -> None:
    kube_emulator.reset_requests()
    core.list_namespaced_pod("default", label_selector="a=b")
    recorded = kube_emulator.requests
    assert recorded[-1].method == "GET"
    assert recorded[-1].path == "/api/v1/namespaces/default/pods"
    assert recorded[-1].query["labelSelector"] == ["a=b"]
    assert recorded[-1].status == 200


def test_kubeconfig_loads_with_official_loader(kubeconfig_path: object) -> None:
    from kubernetes import config

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig_path), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        names = [n.metadata.name for n in client.CoreV1Api(api).list_namespace().items]
    assert "default" in names


def test_deleting_a_namespace_deletes_its_objects(core: client.CoreV1Api) -> None:
    core.create_namespace({"metadata": {"name": "temp"}})
    core.create_namespaced_pod("temp", pod("inside"))
    core.create_namespaced_config_map("temp", {"metadata": {"name": "cfg"}})
    deleted = core.delete_namespace("temp")
    assert deleted["metadata"]["name"] == "temp" if isinstance(deleted, dict) else deleted.metadata.name == "temp"
    assert core.list_namespaced_pod("temp").items == []
    assert core.list_namespaced_config_map("temp").items == []


@pytest.mark.parametrize("crd_set", ["master", "v2.1.0", "v2.0.1"])
def test_default_runtimes_load_for_every_crd_set(crd_set: str) -> None:
    emu = KubeEmulator(trainer_crds=crd_set)
    names = emu.load_default_runtimes()
    assert "torch-distributed" in names
    runtime = emu.get(f"{GROUP}/{VERSION}", "ClusterTrainingRuntime", "torch-distributed")
    assert runtime is not None and runtime["spec"]["template"]["spec"]["replicatedJobs"][0]["name"] == "node"
    if crd_set == "v2.0.1":
        assert "mpi-distributed" in names


def test_nulls_are_dropped(
    kube_emulator: KubeEmulator, core: client.CoreV1Api, custom: client.CustomObjectsApi
) -> None:
    core.create_namespaced_config_map("default", {"metadata": {"name": "nulls", "labels": None}, "data": None})
    stored = kube_emulator.get("v1", "ConfigMap", "nulls", "default")
    assert stored is not None and "data" not in stored and "labels" not in stored["metadata"]
    raw = custom.create_namespaced_custom_object(
        GROUP, VERSION, "default", "trainjobs", {**trainjob("nulljob"), "metadata": {"name": "nulljob", "labels": None}}
    )
    assert "labels" not in raw["metadata"]


def test_unknown_paths(kube_emulator: KubeEmulator) -> None:
    def get(path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(kube_emulator.url + path, headers={"Authorization": "Bearer t0ken"})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=5)
        body = info.value.read()
        info.value.close()
        return info.value.code, body

    assert get("/apis/unknown.example.com/v1/things") == (404, b"404 page not found\n")
    code, body = get("/api/v1/namespaces/default/things")
    assert code == 404 and json.loads(body)["message"] == "the server could not find the requested resource"
