"""Semantics kubeflow 0.5 users rely on: func_args checked up front, bare HuggingFace ids, printed runtime packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kube_emulator import KubeEmulator
from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import (
    BuiltinTrainer,
    CustomTrainer,
    HuggingFaceDatasetInitializer,
    HuggingFaceModelInitializer,
    Initializer,
    KubernetesBackendConfig,
    LocalProcessBackendConfig,
    TorchTuneConfig,
    TrainerClient,
)
from kubeflow.trainer.backends.packages_report import parse_packages
from kubeflow.trainer.options import Name

TRAINER = "trainer.kubeflow.org/v1alpha1"


def fit(learning_rate: float, epochs: int = 1, *, seed: int = 0) -> None:
    print("fit", learning_rate, epochs, seed)


def fit_any(learning_rate: float, **extra: object) -> None:
    print("fit", learning_rate, extra)


BAD_ARGS = [
    ({"learning_rat": 0.1}, "'learning_rat'", "Did you mean 'learning_rate'"),
    ({"epochs": 2}, "'learning_rate'", "requires the parameter"),
    ({"learning_rate": 0.1, "sede": 1}, "'sede'", "Did you mean 'seed'"),
]


@pytest.fixture
def local(tmp_path: Path) -> TrainerClient:
    return TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))


@pytest.fixture
def kube(kubeconfig_path: Path) -> TrainerClient:
    return TrainerClient(KubernetesBackendConfig(config_file=str(kubeconfig_path)))


# -- func_args against the signature -----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "names", "says"), BAD_ARGS)
@pytest.mark.parametrize("dry_run", [False, True])
def test_local_rejects_func_args_that_do_not_fit_before_anything_exists(
    local: TrainerClient, tmp_path: Path, args: dict, names: str, says: str, dry_run: bool
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        local.train(trainer=CustomTrainer(func=fit, func_args=args), options=[Name("bad-args")], dry_run=dry_run)
    assert isinstance(caught.value, ValueError)  # the existing SDK's `except ValueError` still catches it
    assert "func_args" in str(caught.value) and names in str(caught.value) and says in str(caught.value)
    assert local.list_jobs() == []
    jobs_dir = tmp_path / "state"
    assert not any(path.name == "bad-args" for path in jobs_dir.rglob("*")) if jobs_dir.exists() else True


@pytest.mark.parametrize(("args", "names", "says"), BAD_ARGS)
@pytest.mark.parametrize("dry_run", [False, True])
def test_kubernetes_rejects_func_args_that_do_not_fit_before_anything_is_sent(
    kube: TrainerClient, kube_emulator: KubeEmulator, args: dict, names: str, says: str, dry_run: bool
) -> None:
    kube_emulator.reset_requests()
    with pytest.raises(InvalidInputError) as caught:
        kube.train(trainer=CustomTrainer(func=fit, func_args=args), dry_run=dry_run)
    assert "func_args" in str(caught.value) and names in str(caught.value) and says in str(caught.value)
    assert [r for r in kube_emulator.requests if r.method != "GET"] == []
    assert kube_emulator.list_objects(TRAINER, "TrainJob", "default") == []


def test_matching_func_args_and_var_keyword_functions_are_accepted(local: TrainerClient, kube: TrainerClient) -> None:
    for client in (local, kube):
        assert client.train(trainer=CustomTrainer(func=fit, func_args={"learning_rate": 0.1, "seed": 3}), dry_run=True)
        assert client.train(trainer=CustomTrainer(func=fit_any, func_args={"learning_rate": 0.1, "x": 1}), dry_run=True)
    name = local.train(trainer=CustomTrainer(func=fit, func_args={"learning_rate": 0.5, "epochs": 2}))
    local.wait_for_job_status(name, timeout=120)
    assert "fit 0.5 2 0" in list(local.get_job_logs(name))


# -- HuggingFace storage_uri without hf:// ----------------------------------------------------------------------


@pytest.mark.usefixtures("trainer_reference")  # a runtime beyond the fresh-clone stand-in
def test_bare_huggingface_ids_are_accepted_and_sent_as_hf_uris(
    kube: TrainerClient, kube_emulator: KubeEmulator
) -> None:
    def tune(dataset: str, model: str, name: str) -> dict:
        kube.train(
            runtime="torchtune-llama3.2-1b",
            initializer=Initializer(
                dataset=HuggingFaceDatasetInitializer(storage_uri=dataset),
                model=HuggingFaceModelInitializer(storage_uri=model),
            ),
            trainer=BuiltinTrainer(config=TorchTuneConfig(epochs=1)),
            options=[Name(name)],
        )
        stored = kube_emulator.get(TRAINER, "TrainJob", name, "default")
        assert stored is not None  # the master CRD's CEL rule requires a scheme: the server accepted it
        return stored

    bare = tune("tatsu-lab/alpaca/data.json", "meta-llama/Llama-3.2-1B-Instruct", "bare")
    prefixed = tune("hf://tatsu-lab/alpaca/data.json", "hf://meta-llama/Llama-3.2-1B-Instruct", "prefixed")
    assert bare["spec"]["initializer"]["dataset"]["storageUri"] == "hf://tatsu-lab/alpaca/data.json"
    assert bare["spec"]["initializer"]["model"]["storageUri"] == "hf://meta-llama/Llama-3.2-1B-Instruct"
    assert bare["spec"]["initializer"] == prefixed["spec"]["initializer"]
    assert bare["spec"]["trainer"] == prefixed["spec"]["trainer"]  # same dataset.data_files=... as with hf://
    assert "dataset.data_files=/workspace/dataset/data.json" in json.dumps(bare["spec"]["trainer"])
    assert HuggingFaceModelInitializer(storage_uri="gpt2").storage_uri == "gpt2"  # kept as given, like 0.5


@pytest.mark.parametrize("uri", ["", " owner/name", "s3://bucket/model", "hf://", "/abs/path"])
def test_what_is_not_a_huggingface_repository_is_refused(uri: str) -> None:
    with pytest.raises(InvalidInputError, match="storage_uri"):
        HuggingFaceDatasetInitializer(storage_uri=uri)


# -- get_runtime_packages prints, and returns ---------------------------------------------------------------------


def test_local_runtime_packages_are_printed_and_returned(local: TrainerClient, capsys: pytest.CaptureFixture) -> None:
    packages = local.get_runtime_packages(local.get_runtime("torch-distributed"))
    out = capsys.readouterr().out
    assert out.startswith("Python: 3.")
    assert "Package" in out and "Version" in out
    assert any(p.lower().startswith("pydantic==") for p in packages)
    assert packages == parse_packages(out.splitlines())
    name, version = packages[0].split("==")
    assert any(line.split()[:2] == [name, version] for line in out.splitlines())


def test_kubernetes_runtime_packages_print_the_jobs_output(
    kube: TrainerClient, kube_emulator: KubeEmulator, capsys: pytest.CaptureFixture
) -> None:
    kube_emulator.controller.auto = True
    kube_emulator.controller.auto_log_lines = [
        "Python: 3.12.3 (main) [GCC 13.2.0]",
        "Package Version",
        "------- -------",
        "numpy   2.1.0",
        "torch   2.13.0",
        "",
        "Available GPUs on the single training node",
    ]
    packages = kube.get_runtime_packages(kube.get_runtime("torch-distributed"))
    out = capsys.readouterr().out
    assert packages == ["numpy==2.1.0", "torch==2.13.0"]
    assert "Python: 3.12.3" in out and "torch   2.13.0" in out and "Available GPUs" in out
    assert kube_emulator.list_objects(TRAINER, "TrainJob", "default") == []
