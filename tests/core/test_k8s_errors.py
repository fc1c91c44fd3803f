"""API errors become the typed hierarchy and keep the API's reason, message and status code."""

from __future__ import annotations

import json

import pytest
from kubernetes.client.exceptions import ApiException

from kube_emulator import KubeEmulator
from kubeflow.core.errors import (
    AlreadyExistsError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.errors import translate
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import CONFIG_MAPS, Resource
from kubeflow.core.kubernetes.retry import RetryPolicy

TRAINJOBS = Resource("trainer.kubeflow.org", "v1alpha1", "trainjobs", "TrainJob")


def status_exception(code: int, reason: str, message: str, details: dict | None = None) -> ApiException:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return ApiException(status=code, reason="ignored", body=json.dumps(body))


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        (404, "NotFound", NotFoundError),
        (409, "AlreadyExists", AlreadyExistsError),
        (409, "Conflict", ConflictError),
        (422, "Invalid", InvalidInputError),
        (400, "BadRequest", InvalidInputError),
        (401, "Unauthorized", ForbiddenError),
        (403, "Forbidden", ForbiddenError),
        (429, "TooManyRequests", BackendUnavailableError),
        (503, "ServiceUnavailable", BackendUnavailableError),
        (500, "InternalError", BackendError),
    ],
)
def test_status_codes_map_to_typed_errors(code: int, reason: str, expected: type[Exception]) -> None:
    error = translate(status_exception(code, reason, f"the api says {code}"), "do a thing")
    assert type(error) is expected
    assert error.status == code  # type: ignore[attr-defined]
    assert error.reason == reason  # type: ignore[attr-defined]
    assert "the api says" in str(error) and "do a thing" in str(error)


def test_invalid_names_the_field_from_the_causes() -> None:
    error = translate(
        status_exception(422, "Invalid", "bad", {"causes": [{"field": "spec.trainer.numNodes", "message": "x"}]})
    )
    assert isinstance(error, InvalidInputError)
    assert error.field == "spec.trainer.numNodes"


def test_non_json_body_is_kept_as_message() -> None:
    error = translate(ApiException(status=502, reason="Bad Gateway", body="<html>proxy down</html>"))
    assert isinstance(error, BackendUnavailableError)
    assert "proxy down" in str(error)


def test_unrelated_exceptions_pass_through() -> None:
    original = KeyError("x")
    assert translate(original) is original


@pytest.fixture
def objects(kube_emulator: KubeEmulator) -> ObjectClient:
    config = KubernetesBackendConfig(client_configuration=kube_emulator.client_configuration(), namespace="default")
    return ObjectClient(KubeClient(config, retry=RetryPolicy(max_retries=2, base=0.001, cap=0.002)))


def test_not_found_from_the_server(objects: ObjectClient) -> None:
    with pytest.raises(NotFoundError) as info:
        objects.get(TRAINJOBS, "missing")
    assert info.value.status == 404 and info.value.reason == "NotFound"
    assert '"missing" not found' in str(info.value)


def test_already_exists_from_the_server(objects: ObjectClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "taken", "namespace": "default"}}
    )
    with pytest.raises(AlreadyExistsError) as info:
        objects.create(CONFIG_MAPS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "taken"}})
    assert info.value.status == 409 and info.value.reason == "AlreadyExists"


def test_conflict_on_stale_resource_version(objects: ObjectClient) -> None:
    created = objects.create(CONFIG_MAPS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})
    objects.patch(CONFIG_MAPS, "cm", {"data": {"a": "1"}})
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]}, "data": {"a": "2"}}
    with pytest.raises(ConflictError) as info:
        objects.patch(CONFIG_MAPS, "cm", stale)
    assert info.value.status == 409 and info.value.reason == "Conflict"


@pytest.mark.usefixtures("trainer_reference")
def test_invalid_trainjob_is_invalid_input(objects: ObjectClient) -> None:
    body = {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "x"},
        "spec": {"runtimeRef": {"name": "torch-distributed"}, "trainer": {"numNodes": -1}},
    }
    with pytest.raises(InvalidInputError) as info:
        objects.create(TRAINJOBS, body)
    assert info.value.status == 422 and info.value.reason == "Invalid"
    assert "numNodes" in str(info.value)
