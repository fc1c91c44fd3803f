"""kubeflow 0.5's `kubeflow.hub` surface: names, module paths, signatures, return types and the errors it caught."""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import kubeflow.hub
import kubeflow.model_registry
from kubeflow.hub import ModelRegistryClient, OCIUploadParams, S3UploadParams, StorageConfig, upload_artifact
from kubeflow.hub.api.model_registry_client import ModelRegistryClient as DeepClient
from kubeflow.hub.types.types import StorageConfig as DeepStorageConfig

REGISTER = {"version": "v1", "model_format_name": "onnx", "model_format_version": "1"}


def test_one_implementation_under_both_names() -> None:
    assert ModelRegistryClient is DeepClient is kubeflow.model_registry.ModelRegistryClient
    assert StorageConfig is DeepStorageConfig is kubeflow.model_registry.StorageConfig
    assert set(kubeflow.hub.__all__) == {
        "ModelRegistryClient",
        "StorageConfig",
        "S3UploadParams",
        "OCIUploadParams",
        "upload_artifact",
    }
    assert callable(upload_artifact) and OCIUploadParams and S3UploadParams


def _params(fn: object) -> list[tuple[str, str, bool]]:
    signature = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind.name, p.default is inspect.Parameter.empty) for p in signature.parameters.values()]


def test_signatures_accept_every_0_5_call() -> None:
    # kubeflow 0.5 (kubeflow/hub/api/model_registry_client.py): the parameters, kinds and required-ness it had.
    init = _params(ModelRegistryClient.__init__)
    assert init[:7] == [
        ("self", "POSITIONAL_OR_KEYWORD", True),
        ("base_url", "POSITIONAL_OR_KEYWORD", False),
        ("port", "POSITIONAL_OR_KEYWORD", False),
        ("author", "KEYWORD_ONLY", False),
        ("is_secure", "KEYWORD_ONLY", False),
        ("user_token", "KEYWORD_ONLY", False),
        ("custom_ca", "KEYWORD_ONLY", False),
    ]
    register = dict((n, (k, r)) for n, k, r in _params(ModelRegistryClient.register_model))
    assert register["name"] == ("POSITIONAL_OR_KEYWORD", True) and register["uri"][0] == "POSITIONAL_OR_KEYWORD"
    assert register["version"] == ("KEYWORD_ONLY", True)
    for name in (
        "model_format_name",
        "model_format_version",
        "author",
        "owner",
        "version_description",
        "metadata",
        "storage_config",
    ):
        assert register[name] == ("KEYWORD_ONLY", False), name
    for method in (
        "update_model",
        "update_model_version",
        "update_model_artifact",
        "get_model",
        "get_model_version",
        "get_model_artifact",
        "list_models",
        "list_model_versions",
    ):
        assert callable(getattr(ModelRegistryClient, method))


def test_a_0_5_program_runs_unchanged_on_the_local_store(tmp_path: Path) -> None:
    client = ModelRegistryClient(f"file://{tmp_path / 'r.sqlite3'}", author="alice")
    model = client.register_model(
        name="my-model",
        uri="s3://my-bucket/models/my-model",
        version="v1.0.0",
        model_format_name="pytorch",
        model_format_version="2.0",
        version_description="Initial model registration",
        storage_config=StorageConfig(storage_key="my-s3-secret", storage_path="models/v1"),
    )
    assert model.name == "my-model" and model.id
    version = client.get_model_version("my-model", "v1.0.0")
    version.description = "Updated version description"
    assert client.update_model_version(version).description == "Updated version description"
    artifact = client.get_model_artifact("my-model", "v1.0.0")
    assert (artifact.storage_key, artifact.storage_path) == ("my-s3-secret", "models/v1")
    listed = client.list_models()
    assert isinstance(listed, Iterator)
    assert [m.name for m in listed] == ["my-model"]
    for wrong, method in (
        (version, client.update_model),
        (model, client.update_model_version),
        (model, client.update_model_artifact),
    ):
        with pytest.raises(TypeError):
            method(wrong)  # type: ignore[arg-type]


@pytest.fixture
def upstream_store_error(monkeypatch: pytest.MonkeyPatch) -> type[Exception]:
    """A stand-in for `model_registry.exceptions` as a 0.5 user's program has it imported."""
    package = types.ModuleType("model_registry")
    module = types.ModuleType("model_registry.exceptions")

    class StoreError(Exception):
        pass

    module.StoreError = StoreError  # type: ignore[attr-defined]
    package.exceptions = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "model_registry", package)
    monkeypatch.setitem(sys.modules, "model_registry.exceptions", module)
    return StoreError


def test_0_5_except_clauses_still_catch(tmp_path: Path, upstream_store_error: type[Exception]) -> None:
    client = ModelRegistryClient(f"file://{tmp_path / 'r.sqlite3'}", author="alice")
    client.register_model("m", "s3://bucket/m", **REGISTER)
    with pytest.raises(upstream_store_error, match="already has a version"):
        client.register_model("m", "s3://bucket/m", **REGISTER)
    with pytest.raises(upstream_store_error):  # 0.5: StoreError when the model does not exist
        client.get_model_version("missing", "v1")
    with pytest.raises(ValueError):  # 0.5: ValueError when the version does not exist
        client.get_model_version("m", "v9")
    with pytest.raises(ValueError):
        client.get_model("missing")


def test_upload_is_optional_and_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubeflow.core.errors import InvalidInputError

    params = S3UploadParams(bucket_name="models", s3_prefix="mnist/v1")
    with pytest.raises(InvalidInputError) as info:
        upload_artifact(str(tmp_path / "missing"), upload_params=params)
    assert info.value.field == "model_files_path"
    (tmp_path / "model.bin").write_bytes(b"\0")
    monkeypatch.setitem(sys.modules, "boto3", None)  # not installed
    with pytest.raises(ImportError, match="pip install boto3"):
        upload_artifact(str(tmp_path / "model.bin"), upload_params=params)
    with pytest.raises(TypeError):
        upload_artifact(str(tmp_path / "model.bin"), upload_params=object())  # type: ignore[arg-type]
