"""Registered models, their versions and artifacts, shaped like the Model Registry REST API (v1alpha3) schemas.

Fields are snake_case in Python and use the API's camelCase names in JSON: read a server answer with
`RegisteredModel.model_validate(payload)` and write one with `model.to_api()`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from kubeflow.model_registry.metadata import MetadataValue, metadata_value

ResourceState = Literal["LIVE", "ARCHIVED"]
"""The state of a registered model or model version (`RegisteredModelState`, `ModelVersionState`)."""
ArtifactState = Literal["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"]
"""The state of an artifact (`ArtifactState`)."""

_ID_PATTERN = r"^[1-9][0-9]{0,8}$"


class RegistryModel(BaseModel):
    """Fields every Model Registry resource has (`BaseResource`).

    Unknown fields in a server answer are ignored, so newer servers stay readable.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        validate_assignment=True,
        defer_build=True,
    )

    id: str | None = None
    """The server-generated id (output only)."""
    name: str | None = Field(default=None, min_length=1)
    """The client-provided name; unique within its kind and immutable once set."""
    external_id: str | None = None
    """An id from the client's own system, unique within the registry if set."""
    description: str | None = None
    """A human description."""
    custom_properties: dict[str, MetadataValue] | None = None
    """User-defined properties. Plain `str`, `int`, `float` and `bool` values are wrapped for you."""
    create_time_since_epoch: str | None = None
    """Creation time in milliseconds since the epoch, as a string (output only)."""
    last_update_time_since_epoch: str | None = None
    """Last update time in milliseconds since the epoch, as a string (output only)."""

    @field_validator("custom_properties", mode="before")
    @classmethod
    def _wrap_plain_values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: metadata_value(item) if isinstance(item, (str, int, float, bool)) else item
                for key, item in value.items()
            }
        return value

    def to_api(self) -> dict[str, Any]:
        """Return the JSON body the REST API takes and returns (camelCase keys, unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class RegisteredModel(RegistryModel):
    """A registered model: the parent of its `ModelVersion`s (OpenAPI schema `RegisteredModel`)."""

    name: str = Field(min_length=1)
    """The model name, unique in the registry and immutable once set."""
    owner: str | None = None
    """Who owns the model."""
    state: ResourceState | None = None
    """`LIVE` or `ARCHIVED` (the server defaults it to `LIVE`)."""
    readme: str | None = None
    """Model documentation in Markdown."""
    maturity: str | None = None
    """Maturity level, e.g. `Generally Available`."""
    language: list[str] | None = None
    """Supported languages as ISO 639 codes, e.g. `["en", "es"]`."""
    tasks: list[str] | None = None
    """Tasks the model is designed for, e.g. `["text-generation"]`."""
    provider: str | None = None
    """The organisation that provides the model."""
    logo: str | None = None
    """URL of the model's logo (a data URL is recommended)."""
    license: str | None = None
    """Short name of the model's license, e.g. `apache-2.0`."""
    license_link: str | None = None
    """URL of the license text."""
    library_name: str | None = None
    """The library the model is for, e.g. `transformers`."""


class ModelVersion(RegistryModel):
    """One version of a registered model (OpenAPI schema `ModelVersion`)."""

    name: str = Field(min_length=1)
    """The version name, e.g. `v1`, immutable once set."""
    registered_model_id: str = Field(pattern=_ID_PATTERN)
    """The id of the `RegisteredModel` this version belongs to."""
    state: ResourceState | None = None
    """`LIVE` or `ARCHIVED` (the server defaults it to `LIVE`)."""
    author: str | None = None
    """Who created this version."""


class ModelArtifact(RegistryModel):
    """The stored model files of a version, and how to serve them (OpenAPI schema `ModelArtifact`)."""

    artifact_type: Literal["model-artifact"] = "model-artifact"
    """The artifact kind; always `model-artifact`."""
    uri: str | None = None
    """Where the model files are, e.g. `s3://bucket/models/mnist/v1`."""
    state: ArtifactState | None = None
    """The artifact state, e.g. `LIVE`."""
    model_format_name: str | None = None
    """The model format, e.g. `onnx`."""
    model_format_version: str | None = None
    """The version of the model format, e.g. `1`."""
    storage_key: str | None = None
    """Name of the storage secret."""
    storage_path: str | None = None
    """Path of the model within the storage named by `storage_key`."""
    service_account_name: str | None = None
    """Name of the service account holding the storage secret."""
    model_source_kind: str | None = None
    """What produced the model, e.g. `pipelines`."""
    model_source_class: str | None = None
    """A sub-kind of the source, e.g. `pipelinerun`."""
    model_source_group: str | None = None
    """A group of sources, e.g. the namespace of the pipeline run."""
    model_source_id: str | None = None
    """The source's id within kind, class and group, e.g. a pipeline run id."""
    model_source_name: str | None = None
    """A human name for the source, e.g. `my-project/1`."""
    experiment_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment that produced the artifact, if any."""
    experiment_run_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment run that produced the artifact, if any."""
