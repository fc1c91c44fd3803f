"""ObjectClient: idempotent create under retried POSTs, pagination, get/patch/delete, cluster scope."""

from __future__ import annotations

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import AlreadyExistsError, NotFoundError
from kubeflow.core.kubernetes.backend import KubernetesBackend
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.objects import REQUEST_ID_ANNOTATION, ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS, CUSTOM_RESOURCE_DEFINITIONS, Resource
from kubeflow.core.kubernetes.retry import RetryPolicy

TRAINJOBS = Resource("trainer.kubeflow.org", "v1alpha1", "trainjobs", "TrainJob")
TRAINJOBS_PATH = "/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs"


def trainjob(name: str) -> dict:
    return {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": name},
        "spec": {"runtimeRef": {"name": "torch-distributed"}},
    }


@pytest.fixture
def kube(kube_emulator: KubeEmulator) -> KubeClient:
    config = KubernetesBackendConfig(client_configuration=kube_emulator.client_configuration(), namespace="default")
    return KubeClient(config, retry=RetryPolicy(max_retries=3, base=0.001, cap=0.002))


@pytest.fixture
def objects(kube: KubeClient) -> ObjectClient:
    return ObjectClient(kube)


@pytest.mark.usefixtures("trainer_reference")
def test_create_returns_the_stored_object(objects: ObjectClient) -> None:
    stored = objects.create(TRAINJOBS, trainjob("a"))
    meta = stored["metadata"]
    assert meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
    assert meta["annotations"][REQUEST_ID_ANNOTATION]
    assert stored["spec"]["runtimeRef"]["kind"] == "ClusterTrainingRuntime"  # CRD default filled in


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"status": None, "drop": True}])
def test_retried_post_after_commit_creates_exactly_one(
    objects: ObjectClient, kube_emulator: KubeEmulator, fault: dict
) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=TRAINJOBS_PATH + "$", after_commit=True, times=1, **fault))
    stored = objects.create(TRAINJOBS, trainjob("once"))
    assert stored["metadata"]["name"] == "once"
    jobs = kube_emulator.list_objects("trainer.kubeflow.org/v1alpha1", "TrainJob", "default")
    assert [job["metadata"]["name"] for job in jobs] == ["once"]
    posts = [r.status for r in kube_emulator.requests if r.method == "POST"]
    assert posts[-1] == 409  # the retry met our own object


def test_existing_object_of_someone_else_is_already_exists(objects: ObjectClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.apply(trainjob("taken") | {"metadata": {"name": "taken", "namespace": "default"}})
    with pytest.raises(AlreadyExistsError):
        objects.create(TRAINJOBS, trainjob("taken"))


def test_list_follows_continue_tokens(objects: ObjectClient, kube_emulator: KubeEmulator) -> None:
    for i in range(7):
        kube_emulator.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"cm-{i}", "namespace": "paged", "labels": {"group": "x" if i % 2 else "y"}},
            }
        )
    kube_emulator.reset_requests()
    result = objects.list(CONFIG_MAPS, "paged", page_size=3)
    assert sorted(item["metadata"]["name"] for item in result.items) == [f"cm-{i}" for i in range(7)]
    assert result.pages == 3 and result.resource_version
    queries = [r.query for r in kube_emulator.requests]
    assert len(queries) == 3
    assert all(q["limit"] == ["3"] for q in queries)
    assert "continue" not in queries[0] and all("continue" in q for q in queries[1:])
    selected = objects.list(CONFIG_MAPS, "paged", label_selector="group=x")
    assert sorted(item["metadata"]["name"] for item in selected.items) == ["cm-1", "cm-3", "cm-5"]


def test_get_patch_delete(objects: ObjectClient) -> None:
    objects.create(
        CONFIG_MAPS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    )
    patched = objects.patch(CONFIG_MAPS, "c", {"data": {"b": "2"}})
    assert patched["data"] == {"a": "1", "b": "2"}
    assert objects.get(CONFIG_MAPS, "c")["data"]["b"] == "2"
    objects.delete(CONFIG_MAPS, "c")
    assert objects.get_or_none(CONFIG_MAPS, "c") is None
    with pytest.raises(NotFoundError):
        objects.delete(CONFIG_MAPS, "c")


def test_cluster_scoped_get(objects: ObjectClient) -> None:
    crd = objects.get(CUSTOM_RESOURCE_DEFINITIONS, "trainjobs.trainer.kubeflow.org")
    assert crd["spec"]["names"]["kind"] == "TrainJob"


def test_generic_backend_dry_run_is_pure_and_schedule_posts(kube: KubeClient, kube_emulator: KubeEmulator) -> None:
    backend = KubernetesBackend(TRAINJOBS, kube=kube)
    body = trainjob("via-backend")
    kube_emulator.reset_requests()
    assert backend.submit_dryrun(body) is body
    assert kube_emulator.requests == []
    ref = backend.submit(body)
    assert (ref.backend, ref.name, ref.namespace) == ("kubernetes", "via-backend", "default")
    assert body["metadata"] == {"name": "via-backend"}  # the caller's body is not changed
    assert backend.describe("via-backend") is not None
    assert [item["metadata"]["name"] for item in backend.list()] == ["via-backend"]
    assert backend.cancel("via-backend") is True
    assert backend.cancel("via-backend") is False
