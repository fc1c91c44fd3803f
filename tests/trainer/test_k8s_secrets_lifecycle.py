"""Initializer credential Secrets: deleted with their job where no garbage collector runs, replaced when a deleted
job left them behind, and a clear error naming the missing permission when Secrets may not be created."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import AlreadyExistsError, ForbiddenError, NotFoundError
from kubeflow.trainer import (
    BuiltinTrainer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    KubernetesBackendConfig,
    TorchTuneConfig,
    TrainerClient,
)
from kubeflow.trainer.options import Name

# Every test here creates jobs from the TorchTune runtimes: more than the fresh-clone stand-in serves.
pytestmark = pytest.mark.usefixtures("trainer_reference")

TRAINER = "trainer.kubeflow.org/v1alpha1"
RUNTIME = "torchtune-llama3.2-1b"


@pytest.fixture
def no_gc(kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch) -> KubeEmulator:
    """A cluster where no garbage collector deletes objects whose owner is gone (as in many test setups)."""
    monkeypatch.setattr(kube_emulator.registry, "collect_garbage", lambda uid: None)
    return kube_emulator


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))


def tune(client: TrainerClient, name: str, token: str) -> str:
    return client.train(
        runtime=RUNTIME,
        initializer=Initializer(
            dataset=HuggingFaceDatasetInitializer(storage_uri="hf://tatsu-lab/alpaca", access_token=token),
            model=HuggingFaceModelInitializer(storage_uri="hf://meta-llama/Llama-3.2-1B-Instruct", access_token=token),
        ),
        trainer=BuiltinTrainer(config=TorchTuneConfig(epochs=1)),
        options=[Name(name)],
    )


def secret_names(emu: KubeEmulator) -> set[str]:
    return {s["metadata"]["name"] for s in emu.list_objects("v1", "Secret", "default")}


def test_delete_job_deletes_its_own_secrets_and_nothing_else(no_gc: KubeEmulator, client: TrainerClient) -> None:
    tune(client, "first", "tok-1")
    tune(client, "second", "tok-2")
    no_gc.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "first-unrelated", "namespace": "default"}})
    assert {"first-dataset-credentials", "first-model-credentials"} <= secret_names(no_gc)
    client.delete_job("first")
    assert no_gc.get(TRAINER, "TrainJob", "first", "default") is None
    assert secret_names(no_gc) == {"first-unrelated", "second-dataset-credentials", "second-model-credentials"}
    with pytest.raises(NotFoundError):
        client.delete_job("first")


def test_a_secret_left_behind_by_a_deleted_job_is_replaced(no_gc: KubeEmulator, client: TrainerClient) -> None:
    tune(client, "again", "old-token")
    no_gc.delete(TRAINER, "TrainJob", "again", "default")  # deleted by kubectl: its Secrets stay behind
    assert "again-model-credentials" in secret_names(no_gc)
    tune(client, "again", "new-token")  # no 409
    job = no_gc.get(TRAINER, "TrainJob", "again", "default")
    assert job is not None
    for kind in ("dataset", "model"):
        secret = no_gc.get("v1", "Secret", f"again-{kind}-credentials", "default")
        assert secret is not None
        assert base64.b64decode(secret["data"]["ACCESS_TOKEN"]).decode() == "new-token"
        assert [ref["uid"] for ref in secret["metadata"]["ownerReferences"]] == [job["metadata"]["uid"]]


def test_a_secret_the_sdk_did_not_make_is_never_replaced(kube_emulator: KubeEmulator, client: TrainerClient) -> None:
    foreign = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "mine-model-credentials", "namespace": "default"},
        "data": {"KEY": base64.b64encode(b"keep me").decode()},
    }
    kube_emulator.apply(foreign)
    with pytest.raises(AlreadyExistsError, match="mine-model-credentials") as caught:
        tune(client, "mine", "tok")
    assert isinstance(caught.value, RuntimeError)
    kept = kube_emulator.get("v1", "Secret", "mine-model-credentials", "default")
    assert kept is not None and kept["data"] == foreign["data"]
    assert kube_emulator.get(TRAINER, "TrainJob", "mine", "default") is None
    assert "mine-dataset-credentials" not in secret_names(kube_emulator)  # the one made before is removed again


def test_no_permission_to_create_secrets_names_it_and_the_way_out(
    kube_emulator: KubeEmulator, client: TrainerClient, caplog: pytest.LogCaptureFixture
) -> None:
    kube_emulator.add_fault(
        Fault(
            method="POST",
            path=r"/namespaces/default/secrets$",
            status=403,
            times=None,
            message='secrets is forbidden: User "alice" cannot create resource "secrets" in API group "" '
            'in the namespace "default"',
        )
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(RuntimeError) as caught:  # 0.5's `except RuntimeError`
        tune(client, "denied", "s3cr3t-token")
    error = caught.value
    assert isinstance(error, ForbiddenError) and isinstance(error, PermissionError)
    text = str(error)
    assert "create secrets" in text and "'default'" in text
    assert "kubectl create role" in text and "leave the credentials out" in text
    assert 'cannot create resource "secrets"' in text  # the server's own words are kept
    assert "s3cr3t-token" not in text and "s3cr3t-token" not in caplog.text
    assert kube_emulator.get(TRAINER, "TrainJob", "denied", "default") is None
    assert not [r for r in kube_emulator.requests if r.method == "POST" and r.path.endswith("/trainjobs")]


def test_a_job_without_credentials_needs_no_secret_permission(
    kube_emulator: KubeEmulator, client: TrainerClient
) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=r"/secrets$", status=403, times=None))
    name = client.train(
        runtime=RUNTIME,
        initializer=Initializer(model=HuggingFaceModelInitializer(storage_uri="hf://openai-community/gpt2")),
        trainer=BuiltinTrainer(config=TorchTuneConfig(epochs=1)),
    )
    assert kube_emulator.get(TRAINER, "TrainJob", name, "default") is not None
    client.delete_job(name)  # and deleting it needs none either
