"""Model Registry types against the REST API's OpenAPI spec: field names, JSON round trips, validation."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from kubeflow.model_registry import (
    MetadataBoolValue,
    MetadataProtoValue,
    MetadataStringValue,
    ModelArtifact,
    ModelVersion,
    RegisteredModel,
)
from reference import reference_path


@functools.cache
def _spec() -> dict[str, Any]:
    path = reference_path("model-registry", "model-registry.yaml")
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def _properties(schema: dict[str, Any]) -> set[str]:
    """Every property name of a schema, following `$ref` and `allOf`."""
    if "$ref" in schema:
        return _properties(_spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _properties(part)
    return names


def _validate(payload: dict[str, Any], schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _spec()["components"]}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(payload)
    unknown = set(payload) - _properties({"$ref": f"#/components/schemas/{schema_name}"})
    assert not unknown, f"{schema_name} has no properties {unknown}"


_CUSTOM = {
    "accuracy": {"double_value": 0.98, "metadataType": "MetadataDoubleValue"},
    "epochs": {"int_value": "12", "metadataType": "MetadataIntValue"},
    "framework": {"string_value": "torch", "metadataType": "MetadataStringValue"},
    "quantized": {"bool_value": False, "metadataType": "MetadataBoolValue"},
    "config": {"struct_value": "e30=", "metadataType": "MetadataStructValue"},
    "card": {"type": "type.googleapis.com/x.Card", "proto_value": "AAE=", "metadataType": "MetadataProtoValue"},
}
_DATES = {"createTimeSinceEpoch": "1714000000000", "lastUpdateTimeSinceEpoch": "1714000001000"}

SAMPLES: dict[str, tuple[type[BaseModel], dict[str, Any]]] = {
    "RegisteredModel": (
        RegisteredModel,
        {
            "id": "1",
            "name": "mnist",
            "externalId": "ext-mnist",
            "description": "Digits classifier",
            "customProperties": _CUSTOM,
            **_DATES,
            "owner": "team-a",
            "state": "LIVE",
            "readme": "# MNIST",
            "maturity": "Generally Available",
            "language": ["en"],
            "tasks": ["image-classification"],
            "provider": "Kubeflow",
            "logo": "https://example.com/logo.png",
            "license": "apache-2.0",
            "licenseLink": "https://www.apache.org/licenses/LICENSE-2.0",
            "libraryName": "transformers",
        },
    ),
    "ModelVersion": (
        ModelVersion,
        {
            "id": "2",
            "name": "v1",
            "registeredModelId": "1",
            "externalId": "ext-mnist-v1",
            "description": "First version",
            "customProperties": {"epochs": _CUSTOM["epochs"]},
            **_DATES,
            "state": "ARCHIVED",
            "author": "alice",
        },
    ),
    "ModelArtifact": (
        ModelArtifact,
        {
            "id": "3",
            "name": "mnist-onnx",
            "externalId": "ext-mnist-v1-onnx",
            "description": "ONNX export",
            "customProperties": {},
            **_DATES,
            "artifactType": "model-artifact",
            "uri": "s3://models/mnist/v1/model.onnx",
            "state": "LIVE",
            "modelFormatName": "onnx",
            "modelFormatVersion": "1",
            "storageKey": "aws-connection-models",
            "storagePath": "mnist/v1",
            "serviceAccountName": "model-reader",
            "modelSourceKind": "pipelines",
            "modelSourceClass": "pipelinerun",
            "modelSourceGroup": "team-a",
            "modelSourceId": "run-42",
            "modelSourceName": "mnist-train/42",
            "experimentId": "7",
            "experimentRunId": "8",
        },
    ),
}


@pytest.mark.parametrize("schema_name", sorted(SAMPLES))
def test_model_fields_are_exactly_the_spec_properties(schema_name: str) -> None:
    model, _ = SAMPLES[schema_name]
    aliases = {field.alias or name for name, field in model.model_fields.items()}
    assert aliases == _properties({"$ref": f"#/components/schemas/{schema_name}"})


@pytest.mark.parametrize("schema_name", sorted(SAMPLES))
def test_samples_are_valid_against_the_spec(schema_name: str) -> None:
    _, sample = SAMPLES[schema_name]
    _validate(sample, schema_name)


def test_the_spec_check_rejects_what_the_spec_forbids() -> None:
    with pytest.raises(jsonschema.ValidationError, match="01"):
        _validate({"name": "v1", "registeredModelId": "01"}, "ModelVersion")
    with pytest.raises(jsonschema.ValidationError):
        _validate({"name": "m", "state": "GONE"}, "RegisteredModel")
    with pytest.raises(AssertionError, match="registered_model_id"):
        _validate({"name": "v1", "registeredModelId": "1", "registered_model_id": "1"}, "ModelVersion")


@pytest.mark.parametrize("schema_name", sorted(SAMPLES))
def test_spec_shaped_json_round_trips(schema_name: str) -> None:
    model, sample = SAMPLES[schema_name]
    parsed = model.model_validate(sample)
    payload = parsed.to_api()  # type: ignore[attr-defined]
    assert payload == sample
    _validate(payload, schema_name)


def test_snake_case_fields_hold_the_camel_case_values() -> None:
    version = ModelVersion.model_validate(SAMPLES["ModelVersion"][1])
    assert version.registered_model_id == "1"
    assert version.create_time_since_epoch == "1714000000000"
    assert isinstance(version.custom_properties, dict)
    assert version.custom_properties["epochs"] == 12  # plain values, as 0.5's model_registry.types showed them
    assert type(version.custom_properties["epochs"]) is int
    artifact = ModelArtifact.model_validate(SAMPLES["ModelArtifact"][1])
    assert artifact.model_format_name == "onnx"
    assert artifact.custom_properties == {}
    model = RegisteredModel.model_validate(SAMPLES["RegisteredModel"][1])
    assert isinstance(model.custom_properties, dict)
    assert isinstance(model.custom_properties["card"], MetadataProtoValue)


def test_plain_custom_property_values_stay_plain_and_serialise_valid() -> None:
    model = RegisteredModel(name="mnist", custom_properties={"a": 1, "b": True, "c": "x", "d": 0.5})
    assert model.custom_properties == {"a": 1, "b": True, "c": "x", "d": 0.5}
    wrapped = RegisteredModel(
        name="m",
        custom_properties={"b": MetadataBoolValue(bool_value=True), "c": MetadataStringValue(string_value="x")},
    )
    assert wrapped.custom_properties == {"b": True, "c": "x"}
    payload = model.to_api()
    assert payload["customProperties"]["a"] == {"int_value": "1", "metadataType": "MetadataIntValue"}
    _validate(payload, "RegisteredModel")


def test_new_objects_serialise_to_valid_create_bodies() -> None:
    _validate(RegisteredModel(name="mnist", owner="team-a").to_api(), "RegisteredModelCreate")
    _validate(ModelVersion(name="v1", registered_model_id="1", author="alice").to_api(), "ModelVersionCreate")
    artifact = ModelArtifact(uri="s3://models/mnist", model_format_name="onnx", model_format_version="1")
    assert artifact.to_api() == {
        "artifactType": "model-artifact",
        "state": "UNKNOWN",
        "uri": "s3://models/mnist",
        "modelFormatName": "onnx",
        "modelFormatVersion": "1",
    }
    _validate(artifact.to_api(), "ModelArtifactCreate")


def test_unknown_server_fields_are_ignored() -> None:
    model = RegisteredModel.model_validate({"name": "mnist", "addedInV2": True})
    assert model.to_api() == {"name": "mnist", "state": "LIVE"}


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (RegisteredModel, {}, "name"),
        (RegisteredModel, {"name": ""}, "name"),
        (RegisteredModel, {"name": "m", "state": "DELETED"}, "state"),
        (ModelVersion, {"name": "v1", "registeredModelId": "01"}, "registeredModelId"),
        (ModelArtifact, {"state": "GONE"}, "state"),
        (ModelArtifact, {"artifactType": "doc-artifact"}, "artifactType"),
        (ModelArtifact, {"experimentId": "abc"}, "experimentId"),
        (
            RegisteredModel,
            {"name": "m", "customProperties": {"x": {"int_value": "1e3", "metadataType": "MetadataIntValue"}}},
            "customProperties",
        ),
        (
            RegisteredModel,
            {"name": "m", "customProperties": {"x": {"metadataType": "MetadataNope"}}},
            "customProperties",
        ),
    ],
)
def test_invalid_payloads_raise_naming_the_field(model: type[BaseModel], payload: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        model.model_validate(payload)
    assert info.value.errors()[0]["loc"][0] == field


def test_assignment_is_validated() -> None:
    version = ModelVersion(name="v1", registered_model_id="1")
    version.state = "ARCHIVED"
    assert version.to_api()["state"] == "ARCHIVED"
    with pytest.raises(ValidationError, match="state"):
        version.state = "REMOVED"  # type: ignore[assignment]
