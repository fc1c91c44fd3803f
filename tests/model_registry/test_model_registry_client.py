"""`kubeflow.model_registry` preview: public names, client arguments, honest `NotImplementedError`s."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import kubeflow.model_registry
from kubeflow.core.errors import InvalidInputError
from kubeflow.model_registry import ModelRegistryClient, ModelVersion, RegisteredModel

_REGISTER: dict[str, Any] = {
    "name": "mnist",
    "uri": "s3://models/mnist/v1",
    "version": "v1",
    "model_format_name": "onnx",
    "model_format_version": "1",
}


def test_package_exports_its_names_with_docstrings() -> None:
    assert kubeflow.model_registry.__version__ == "2026.12.0"
    assert "PREVIEW" in (kubeflow.model_registry.__doc__ or "")
    for name in ("ModelRegistryClient", "RegisteredModel", "ModelVersion", "ModelArtifact"):
        assert name in kubeflow.model_registry.__all__
        assert getattr(kubeflow.model_registry, name).__doc__


def test_import_is_light() -> None:
    code = (
        "import sys, kubeflow.model_registry; print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_client_keeps_its_settings_and_hides_the_token() -> None:
    client = ModelRegistryClient("https://registry.example.com", author="alice", user_token="s3cr3t-token")
    assert (client.server_address, client.port, client.author, client.is_secure) == (
        "https://registry.example.com",
        443,
        "alice",
        True,
    )
    assert "s3cr3t-token" not in repr(client)
    assert "s3cr3t-token" not in str(client)
    assert not hasattr(client, "user_token")


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("",), {}, "server_address"),
        (("https://r.example.com",), {"port": 0}, "port"),
        (("https://r.example.com",), {"port": 70000}, "port"),
        (("https://r.example.com",), {"port": "443"}, "port"),
        (("https://r.example.com",), {"author": " "}, "author"),
    ],
)
def test_client_rejects_bad_settings(args: tuple[Any, ...], kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ModelRegistryClient(*args, **kwargs)
    assert info.value.field == field


_OPERATIONS: list[tuple[str, Callable[[ModelRegistryClient], Any]]] = [
    ("register_model", lambda c: c.register_model(**_REGISTER)),
    ("get_registered_model", lambda c: c.get_registered_model("mnist")),
    ("get_model_version", lambda c: c.get_model_version("mnist", "v1")),
    ("get_model_artifact", lambda c: c.get_model_artifact("mnist", "v1")),
    ("list_registered_models", lambda c: c.list_registered_models()),
    ("update", lambda c: c.update(RegisteredModel(name="mnist", state="ARCHIVED"))),
    ("update", lambda c: c.update(ModelVersion(name="v1", registered_model_id="1"))),
]


@pytest.mark.parametrize(("operation", "call"), _OPERATIONS, ids=[f"{op}-{i}" for i, (op, _) in enumerate(_OPERATIONS)])
def test_operations_raise_not_implemented_naming_the_package(
    operation: str, call: Callable[[ModelRegistryClient], Any]
) -> None:
    with pytest.raises(NotImplementedError) as info:
        call(ModelRegistryClient("https://registry.example.com", author="alice"))
    assert str(info.value).startswith(f"kubeflow.model_registry: ModelRegistryClient.{operation} is not available yet")


@pytest.mark.parametrize("missing", ["name", "uri", "version", "model_format_name", "model_format_version"])
def test_register_model_checks_required_arguments_first(missing: str) -> None:
    client = ModelRegistryClient("https://registry.example.com", author="alice")
    with pytest.raises(InvalidInputError) as info:
        client.register_model(**{**_REGISTER, missing: ""})
    assert info.value.field == missing


def test_register_model_needs_an_author_somewhere() -> None:
    client = ModelRegistryClient("https://registry.example.com")
    with pytest.raises(InvalidInputError) as info:
        client.register_model(**_REGISTER)
    assert info.value.field == "author"
    with pytest.raises(NotImplementedError):
        client.register_model(**_REGISTER, author="bob")
