"""train(): the body stored (and validated) by the API server, idempotent creation, Secrets, release detection."""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path

import pytest

from kube_emulator import Fault, KubeEmulator
from kubeflow.core.errors import AlreadyExistsError, BackendError, ForbiddenError, InvalidInputError, NotFoundError
from kubeflow.trainer import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    KubernetesBackendConfig,
    TorchTuneConfig,
    TrainerClient,
)
from kubeflow.trainer.options import Labels, Name, TrainerArgs, TrainerCommand

TRAINER = "trainer.kubeflow.org/v1alpha1"
TOKEN = "hf_s3cr3t_T0KEN_value"
TRAINJOBS = "/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs"


def train_func(lr: float) -> None:
    print("training with", lr, "$HOME `date`")


@pytest.fixture
def client(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path), retry_backoff=0.01))


def stored(emu: KubeEmulator, name: str) -> dict:
    found = emu.get(TRAINER, "TrainJob", name, "default")
    assert found is not None
    return found


def test_custom_trainer_body_is_stored(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = client.train(
        trainer=CustomTrainer(func=train_func, func_args={"lr": 0.1}, num_nodes=2, resources_per_node={"gpu": 1}),
        options=[Name("my-job"), Labels({"team": "a"})],
    )
    assert name == "my-job"
    job = stored(kube_emulator, name)
    assert job["spec"]["runtimeRef"] == {
        "name": "torch-distributed",
        "apiGroup": "trainer.kubeflow.org",
        "kind": "ClusterTrainingRuntime",
    }
    assert job["spec"]["trainer"]["numNodes"] == 2
    assert job["spec"]["trainer"]["resourcesPerNode"]["limits"]["nvidia.com/gpu"] in (1, "1")
    assert "train_func" in json.dumps(job["spec"]["trainer"])


def test_generated_names_are_rfc1035(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    names = {client.train(trainer=CustomTrainerContainer(image="busybox")) for _ in range(3)}
    assert len(names) == 3
    for name in names:
        assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name) and len(name) <= 63
        assert stored(kube_emulator, name)["spec"]["trainer"]["image"] == "busybox"


def test_container_trainer_with_command_and_args(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = client.train(
        trainer=CustomTrainerContainer(image="busybox"),
        options=[Name("cmd"), TrainerCommand(["sh", "-c"]), TrainerArgs(["echo $HOME"])],
    )
    trainer = stored(kube_emulator, name)["spec"]["trainer"]
    assert trainer["command"] == ["sh", "-c"] and trainer["args"] == ["echo $HOME"]


def test_invalid_name_is_refused_before_anything_is_sent(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.reset_requests()
    with pytest.raises(InvalidInputError):
        client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("Bad_Name")])
    assert not [r for r in kube_emulator.requests if r.method == "POST"]


def test_duplicate_name_is_already_exists(client: TrainerClient) -> None:
    client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("twice")])
    with pytest.raises(AlreadyExistsError, match="twice"):
        client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("twice")])


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"status": None, "drop": True}])
def test_create_is_idempotent_under_an_after_commit_failure(
    client: TrainerClient, kube_emulator: KubeEmulator, fault: dict
) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=TRAINJOBS + "$", after_commit=True, times=1, **fault))
    name = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("exactly-once")])
    assert name == "exactly-once"
    assert [j["metadata"]["name"] for j in kube_emulator.list_objects(TRAINER, "TrainJob", "default")] == [name]


def test_unknown_runtime_is_not_found(client: TrainerClient) -> None:
    with pytest.raises(NotFoundError):
        client.train(runtime="nope", trainer=CustomTrainerContainer(image="busybox"))


@pytest.mark.usefixtures("trainer_reference")
def test_credentials_go_to_owned_secrets_never_the_body_or_logs(
    client: TrainerClient, kube_emulator: KubeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    initializer = Initializer(
        dataset=HuggingFaceDatasetInitializer(storage_uri="hf://tatsu-lab/alpaca", access_token=TOKEN),
        model=HuggingFaceModelInitializer(storage_uri="hf://meta-llama/Llama-3.2-1B-Instruct", access_token=TOKEN),
    )
    with caplog.at_level(logging.DEBUG):
        name = client.train(
            runtime="torchtune-llama3.2-1b",
            initializer=initializer,
            trainer=BuiltinTrainer(config=TorchTuneConfig(epochs=1)),
            options=[Name("tuned")],
        )
    job = stored(kube_emulator, name)
    assert TOKEN not in json.dumps(job)
    assert base64.b64encode(TOKEN.encode()).decode() not in json.dumps(job)
    assert TOKEN not in caplog.text
    refs = {step: job["spec"]["initializer"][step]["secretRef"]["name"] for step in ("dataset", "model")}
    for secret_name in refs.values():
        secret = kube_emulator.get("v1", "Secret", secret_name, "default")
        assert secret is not None
        owners = secret["metadata"]["ownerReferences"]
        assert owners == [
            {
                "apiVersion": TRAINER,
                "kind": "TrainJob",
                "name": name,
                "uid": job["metadata"]["uid"],
                "blockOwnerDeletion": False,
                "controller": False,
            }
        ]
        values = [base64.b64decode(v).decode() for v in secret["data"].values()]
        assert TOKEN in values


@pytest.mark.usefixtures("trainer_reference")
def test_failed_trainjob_creation_removes_the_secrets(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.add_fault(Fault(method="POST", path=TRAINJOBS + "$", status=403, times=1))
    initializer = Initializer(model=HuggingFaceModelInitializer(storage_uri="hf://org/model", access_token=TOKEN))
    with pytest.raises(ForbiddenError):
        client.train(
            runtime="torchtune-llama3.2-1b",
            initializer=initializer,
            trainer=BuiltinTrainer(config=TorchTuneConfig()),
            options=[Name("denied")],
        )
    assert kube_emulator.list_objects("v1", "Secret", "default") == []


def test_dry_run_returns_the_body_and_sends_nothing(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.reset_requests()
    body = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("dry")], dry_run=True)
    assert body["kind"] == "TrainJob" and body["metadata"]["name"] == "dry"
    assert all(r.method == "GET" for r in kube_emulator.requests)
    assert kube_emulator.get(TRAINER, "TrainJob", "dry", "default") is None
    client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Name("dry")])
    assert stored(kube_emulator, "dry")["spec"]["trainer"] == body["spec"]["trainer"]


@pytest.mark.parametrize(
    ("release", "level_field"),
    [("v2.1.0", "podTemplateOverrides"), ("v2.0.1", "podSpecOverrides")],
)
def test_older_releases_are_detected_from_the_crd(release: str, level_field: str, tmp_path: Path) -> None:
    with KubeEmulator(trainer_crds=release) as emu:
        emu.load_default_runtimes()
        client = TrainerClient(KubernetesBackendConfig(config_file=str(emu.write_kubeconfig(tmp_path / "kc"))))
        name = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Labels({"team": "a"})])
        job = emu.get(TRAINER, "TrainJob", name, "default")
        assert job is not None and job["spec"]["labels"] == {"team": "a"}  # v2.0/v2.1 shape, not pruned
        crd_reads = [r for r in emu.requests if r.path.endswith("/trainjobs.trainer.kubeflow.org")]
        assert len(crd_reads) == 1
        client.train(trainer=CustomTrainerContainer(image="busybox"))
        assert len([r for r in emu.requests if r.path.endswith("/trainjobs.trainer.kubeflow.org")]) == 1  # cached


def test_master_uses_runtime_patches_for_labels(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    name = client.train(trainer=CustomTrainerContainer(image="busybox"), options=[Labels({"team": "a"})])
    job = stored(kube_emulator, name)
    assert "labels" not in job["spec"]  # v2.2+ has no spec.labels: it would have been pruned silently
    patches = {patch["manager"]: patch for patch in job["spec"]["runtimePatches"]}
    sdk = patches["trainer.kubeflow.org/kubeflow-sdk"]
    assert sdk["trainingRuntimeSpec"]["template"]["metadata"]["labels"] == {"team": "a"}


def test_unknown_release_is_refused_before_sending(tmp_path: Path) -> None:
    with KubeEmulator(trainer_version="v3.0.0") as emu:
        emu.load_default_runtimes()
        client = TrainerClient(KubernetesBackendConfig(config_file=str(emu.write_kubeconfig(tmp_path / "kc"))))
        with pytest.raises(BackendError, match="v3.0.0"):
            client.train(trainer=CustomTrainerContainer(image="busybox"))
        assert not [r for r in emu.requests if r.method == "POST"]


def test_forbidden_config_map_falls_back_to_the_crd(client: TrainerClient, kube_emulator: KubeEmulator) -> None:
    kube_emulator.add_fault(Fault(method="GET", path="/configmaps/kubeflow-trainer-public$", status=403, times=1))
    name = client.train(trainer=CustomTrainerContainer(image="busybox"))
    assert stored(kube_emulator, name)
    assert any(r.path.endswith("/trainjobs.trainer.kubeflow.org") for r in kube_emulator.requests)


def test_bearer_token_never_in_logs_or_body(
    kube_emulator: KubeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bearer = "kube-b34rer-t0ken-do-not-log"
    path = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig", token=bearer)
    client = TrainerClient(KubernetesBackendConfig(config_file=str(path), retry_backoff=0.01))
    kube_emulator.add_fault(Fault(method="POST", path=TRAINJOBS + "$", status=503, times=1))
    with caplog.at_level(logging.DEBUG):
        name = client.train(trainer=CustomTrainerContainer(image="busybox"))
        client.get_job(name)
    assert bearer not in caplog.text
    assert bearer not in json.dumps(stored(kube_emulator, name))
