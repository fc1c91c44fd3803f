"""The behaviour a user sees, run against BOTH backends (local store, REST on the spec-validating emulator)."""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.local.backend import LocalProcessBackend
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.core.local.models import LocalJobSpec, NodeSpec
from kubeflow.model_registry import (
    DuplicateError,
    MetadataProtoValue,
    MetadataStructValue,
    ModelArtifact,
    ModelRegistryClient,
    ModelVersion,
    RegisteredModel,
)
from kubeflow.model_registry.types import ResourceState

REGISTER: dict[str, Any] = {"version": "v1", "model_format_name": "onnx", "model_format_version": "1"}


def test_register_then_get_model_version_and_artifact(registry: ModelRegistryClient) -> None:
    model = registry.register_model(
        "mnist",
        "s3://models/mnist/v1",
        **REGISTER,
        version_description="first",
        metadata={"accuracy": 0.98, "epochs": 12, "framework": "torch", "quantized": False},
    )
    assert isinstance(model, RegisteredModel)
    assert (model.name, model.owner, model.state) == ("mnist", "alice", "LIVE")
    assert model.id and model.create_time_since_epoch
    fetched = registry.get_model("mnist")
    assert fetched.id == model.id
    version = registry.get_model_version("mnist", "v1")
    assert isinstance(version, ModelVersion)
    assert (version.name, version.author, version.description, version.registered_model_id) == (
        "v1",
        "alice",
        "first",
        model.id,
    )
    assert version.custom_properties == {"accuracy": 0.98, "epochs": 12, "framework": "torch", "quantized": False}
    assert type(version.custom_properties["epochs"]) is int
    artifact = registry.get_model_artifact("mnist", "v1")
    assert isinstance(artifact, ModelArtifact)
    assert (artifact.uri, artifact.model_format_name, artifact.model_format_version) == (
        "s3://models/mnist/v1",
        "onnx",
        "1",
    )


def test_missing_things_raise_value_error(registry: ModelRegistryClient) -> None:
    with pytest.raises(ValueError, match="not found"):
        registry.get_model("nope")
    with pytest.raises(ValueError, match="not found"):
        registry.get_model_version("nope", "v1")
    registry.register_model("mnist", "s3://models/mnist/v1", **REGISTER)
    with pytest.raises(ValueError, match="'v9' not found"):
        registry.get_model_version("mnist", "v9")
    with pytest.raises(ValueError):
        registry.get_model_artifact("mnist", "v9")
    with pytest.raises(ValueError):
        next(registry.list_model_versions("nope"))
    assert registry.find_model("nope") is None


def test_list_models_and_versions_page_lazily_in_order(registry: ModelRegistryClient) -> None:
    for i in range(5):
        registry.register_model(f"model-{i}", f"s3://models/m{i}", **REGISTER)
    for v in range(2, 6):
        registry.register_model("model-0", "s3://models/m0", **{**REGISTER, "version": f"v{v}"})
    names = [m.name for m in registry.list_models(page_size=2)]
    assert names == [f"model-{i}" for i in range(5)]
    assert [m.name for m in registry.list_models(page_size=2, sort_order="DESC")] == names[::-1]
    versions = registry.list_model_versions("model-0", page_size=2)
    assert next(versions).name == "v1"
    assert [v.name for v in versions] == ["v2", "v3", "v4", "v5"]
    newest = next(registry.list_model_versions("model-0", order_by="CREATE_TIME", sort_order="DESC"))
    assert newest.name == "v5"


def test_duplicate_version_is_refused_and_writes_nothing(registry: ModelRegistryClient) -> None:
    registry.register_model("mnist", "s3://models/mnist/v1", **REGISTER)
    with pytest.raises(DuplicateError) as info:
        registry.register_model("mnist", "s3://models/mnist/other", **REGISTER)
    assert info.value.field == "version"
    # bad input like the others: one `except ValueError` / `except InvalidInputError` catches it too
    assert isinstance(info.value, InvalidInputError)
    assert isinstance(info.value, ValueError)
    assert [v.name for v in registry.list_model_versions("mnist")] == ["v1"]
    assert registry.get_model_artifact("mnist", "v1").uri == "s3://models/mnist/v1"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"version": ""}, "version"),
        ({"name": "modèle"}, "name"),  # the API looks names up in printable ASCII only
        ({"version": "v1\n"}, "version"),
        ({"external_id": "ext-\u00e9"}, "external_id"),
        ({"uri": "not a uri"}, "uri"),
        ({"uri": "ftp://host/x"}, "uri"),
        ({"uri": "s3://"}, "uri"),
        ({"uri": "s3://UPPER/x"}, "uri"),
        ({"uri": "file://relative/path"}, "uri"),
        ({"uri": "hf://"}, "uri"),
        ({"uri": "oci://no-registry-host"}, "uri"),
        ({"uri": "oci://ghcr.io/Org/Repo:tag"}, "uri"),
        ({"uri": "oci://ghcr.io/org/repo:bad tag"}, "uri"),
        ({"metadata": {"layers": [1, 2]}}, "metadata['layers']"),
        ({"metadata": {"cfg": {"a": 1}}}, "metadata['cfg']"),
        ({"metadata": {"none": None}}, "metadata['none']"),
        ({"metadata": {"big": 10**12}}, "metadata['big']"),
        ({"metadata": {"nan": float("nan")}}, "metadata['nan']"),
    ],
)
def test_bad_input_is_rejected_before_anything_is_written(
    registry: ModelRegistryClient, kwargs: dict[str, Any], field: str
) -> None:
    args = {"name": "mnist", "uri": "s3://models/mnist/v1", **REGISTER, **kwargs}
    with pytest.raises(InvalidInputError) as info:
        registry.register_model(**args)
    assert info.value.field == field
    assert list(registry.list_models()) == []


@pytest.mark.parametrize(
    "uri",
    [
        "file:///home/me/models/mnist",
        "s3://my-bucket/models/mnist/v1",
        "hf://ibm-granite/granite-3.1-8b-instruct",
        "hf://gpt2",
        "oci://quay.io/org/mnist:1.0",
        "oci://registry.example.com:5000/team/models/mnist@sha256:" + "a" * 64,
        "https://example.com/model.onnx",
    ],
)
def test_valid_uris_are_stored_as_given(registry: ModelRegistryClient, uri: str) -> None:
    registry.register_model("m", uri, **REGISTER)
    assert registry.get_model_artifact("m", "v1").uri == uri


def test_updates_archive_and_typed_custom_properties(registry: ModelRegistryClient) -> None:
    registry.register_model("mnist", "s3://models/mnist/v1", **REGISTER)
    model = registry.get_model("mnist")
    model.description = "digits"
    struct = MetadataStructValue(struct_value=base64.b64encode(b'{"a": 1}').decode())
    proto = MetadataProtoValue(type="type.googleapis.com/x.Card", proto_value="AAE=")
    model.custom_properties = {"card": proto, "config": struct, "n": 3, "lr": 0.5, "ok": True, "s": "x"}
    updated = registry.update_model(model)
    assert updated.description == "digits"
    assert updated.custom_properties == model.custom_properties
    assert registry.get_model("mnist").custom_properties == model.custom_properties
    assert int(updated.last_update_time_since_epoch or 0) >= int(model.create_time_since_epoch or 0)

    version = registry.get_model_version("mnist", "v1")
    version.description = "better"
    assert registry.update_model_version(version).description == "better"
    version.custom_properties = {"ok": 1}
    assert version.custom_properties is not None
    version.custom_properties["nested"] = [1, 2]  # put in place: no validation on assignment saw it
    with pytest.raises(InvalidInputError) as info:
        registry.update_model_version(version)
    assert info.value.field == "model_version.custom_properties['nested']"
    assert registry.get_model_version("mnist", "v1").custom_properties is None
    artifact = registry.get_model_artifact("mnist", "v1")
    artifact.uri = "s3://models/mnist/v1-fixed"
    assert registry.update_model_artifact(artifact).uri == "s3://models/mnist/v1-fixed"
    assert registry.get_model_artifact("mnist", "v1").uri == "s3://models/mnist/v1-fixed"
    artifact.uri = "nonsense"
    with pytest.raises(InvalidInputError) as info:
        registry.update_model_artifact(artifact)
    assert info.value.field == "model_artifact.uri"

    assert registry.archive_model_version("mnist", "v1").state == ResourceState.ARCHIVED
    assert registry.get_model_version("mnist", "v1").state == "ARCHIVED"
    assert registry.archive_model("mnist").state == "ARCHIVED"
    assert registry.get_model("mnist").state == "ARCHIVED"

    with pytest.raises(TypeError):
        registry.update_model(version)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError) as info:
        registry.update_model(RegisteredModel(name="unsaved"))
    assert info.value.field == "model.id"


def test_find_by_name_and_external_id(registry: ModelRegistryClient) -> None:
    registry.register_model("mnist", "s3://models/mnist/v1", **REGISTER, external_id="ext-mnist-v1")
    model = registry.get_model("mnist")
    model.external_id = "ext-mnist"
    registry.update_model(model)
    found = registry.find_model(external_id="ext-mnist")
    assert found is not None and found.name == "mnist"
    assert registry.find_model("mnist") == found
    version = registry.find_model_version(external_id="ext-mnist-v1")
    assert version is not None and version.name == "v1"
    assert registry.find_model_version("mnist", "v1") == version
    assert registry.find_model(external_id="unknown") is None
    with pytest.raises(DuplicateError) as info:
        registry.register_model("other", "s3://models/o", **REGISTER, external_id="ext-mnist-v1")
    assert info.value.field == "external_id"


def _run_job(state: Path, name: str, script: str) -> None:
    backend = LocalProcessBackend(LocalProcessBackendConfig(state_dir=state))
    spec = LocalJobSpec(
        name=name,
        nodes=[NodeSpec(name="node-0", argv=[sys.executable, "-c", script])],
        kind="TrainJob",
        meta={"runtime": "torch-distributed", "num_nodes": 1, "function": "train"},
    )
    backend.submit(spec)
    deadline = time.monotonic() + 120
    while (info := backend.describe(name)) is not None and info.status not in ("Complete", "Failed"):
        assert time.monotonic() < deadline, "job did not finish"
        backend.wait_for_change(name, timeout=5, since=info.revision)
    assert info is not None and info.status == "Complete"


JOB_SCRIPT = """
from kubeflow.core.local import progress
for epoch in range(3):
    metrics = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + epoch / 10}
    progress.report(progress_percent=(epoch + 1) * 33, metrics=metrics, step=epoch)
progress.report(metrics={"output_uri": "file:///tmp/out/mnist"})
"""


def test_register_from_a_local_job_links_its_run_metrics_and_output(
    registry: ModelRegistryClient, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    _run_job(state, "train-mnist", JOB_SCRIPT)
    registry.register_model("mnist", version="v1", model_format_name="pytorch", from_job="train-mnist")
    artifact = registry.get_model_artifact("mnist", "v1")
    assert artifact.uri == "file:///tmp/out/mnist"
    assert (artifact.model_source_kind, artifact.model_source_id) == ("kubeflow-trainer", "train-mnist")
    run = registry.get_experiment_run("train-mnist")
    assert artifact.experiment_run_id == run.id and artifact.experiment_id == run.experiment_id
    assert run.status == "FINISHED" and run.end_time_since_epoch
    history = registry.get_metric_history(run)
    assert [(m.name, m.step, round(m.value, 3)) for m in history if m.name == "loss"] == [
        ("loss", 0, 1.0),
        ("loss", 1, 0.5),
        ("loss", 2, 0.333),
    ]
    assert [m.value for m in registry.get_metric_history(run, "accuracy")] == [0.5, 0.6, 0.7]
    params = registry.get_run_parameters(run)
    assert params["runtime"].value == "torch-distributed" and params["num_nodes"].parameter_type == "number"
    again = registry.log_job("train-mnist")
    assert again.id == run.id
    assert len(registry.get_metric_history(run)) == len(history)  # nothing logged twice


def test_from_job_needs_an_existing_job_and_writes_nothing(registry: ModelRegistryClient) -> None:
    with pytest.raises(InvalidInputError) as info:
        registry.register_model("mnist", version="v1", from_job="no-such-job")
    assert info.value.field == "from_job"
    with pytest.raises(InvalidInputError) as info:
        registry.register_model("mnist", version="v1")
    assert info.value.field == "uri"
    assert list(registry.list_models()) == []


def _train_fn(out_dir: str, lr: float, epochs: int, hf_token: str, sizes: list[int], big: list[int]) -> None:
    from kubeflow.trainer import update_trainjob_status

    for epoch in range(epochs):
        update_trainjob_status(metrics={"loss": lr / (epoch + 1)})
    update_trainjob_status(metrics={"output_uri": f"file://{out_dir}"})


def test_a_trainer_job_is_logged_with_its_function_arguments_as_parameters(
    registry: ModelRegistryClient, tmp_path: Path
) -> None:
    from kubeflow.trainer import CustomTrainer, TrainerClient

    trainer = TrainerClient(LocalProcessBackendConfig(state_dir=tmp_path / "state"))
    args = {"out_dir": str(tmp_path / "out"), "lr": 0.5, "epochs": 2, "hf_token": "hf_not_for_the_registry"}
    args |= {"sizes": [64, 32], "big": list(range(1000))}
    job = trainer.train(runtime="python", trainer=CustomTrainer(func=_train_fn, func_args=args))
    trainer.wait_for_job_status(job, timeout=120)
    registry.register_model("linear", version="v1", from_job=job)
    assert registry.get_model_artifact("linear", "v1").uri == f"file://{tmp_path / 'out'}"
    run = registry.get_experiment_run(job)
    params = registry.get_run_parameters(run)
    assert (params["lr"].value, params["lr"].parameter_type) == ("0.5", "number")
    assert params["epochs"].value == "2" and params["out_dir"].value == str(tmp_path / "out")
    assert "hf_token" not in params  # credentials never leave the machine as parameters
    assert (params["sizes"].value, params["sizes"].parameter_type) == ("[64, 32]", "object")
    assert params["big"].value.startswith("[0, 1, 2") and len(params["big"].value) <= 500  # kept short
    assert [m.value for m in registry.get_metric_history(run, "loss")] == [0.5, 0.25]
