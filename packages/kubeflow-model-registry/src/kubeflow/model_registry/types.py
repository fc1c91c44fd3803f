"""Registered models, versions, artifacts and experiments, shaped like the Model Registry REST API (v1alpha3).

The attribute names and behaviour are those of the upstream `model_registry.types` objects that kubeflow 0.5's
`kubeflow.hub` returned (`model.id`, `model.name`, `version.author`, `artifact.uri`, `model.state`,
`model.custom_properties == {"accuracy": 0.98}`, ...), so code written against 0.5 reads them unchanged; they are
our own pydantic models, so `model-registry` is not needed. Fields are snake_case in Python and the API's camelCase
in JSON: `RegisteredModel.model_validate(payload)` reads a server answer, `model.to_api()` writes one.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from kubeflow.model_registry.metadata import CustomValue, check_custom_value, to_api_value


class ResourceState(str, enum.Enum):
    """The state of a registered model, version, experiment or run; there is no delete, only `ARCHIVED`."""

    LIVE = "LIVE"
    ARCHIVED = "ARCHIVED"

    def __str__(self) -> str:
        return self.value


RegisteredModelState = ResourceState
"""The state of a registered model (the upstream name)."""
ModelVersionState = ResourceState
"""The state of a model version (the upstream name)."""


class ArtifactState(str, enum.Enum):
    """The state of an artifact (`ArtifactState` in the spec)."""

    UNKNOWN = "UNKNOWN"
    PENDING = "PENDING"
    LIVE = "LIVE"
    MARKED_FOR_DELETION = "MARKED_FOR_DELETION"
    DELETED = "DELETED"
    ABANDONED = "ABANDONED"
    REFERENCE = "REFERENCE"

    def __str__(self) -> str:
        return self.value


class ExperimentRunStatus(str, enum.Enum):
    """How an experiment run went (`ExperimentRunStatus` in the spec)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    def __str__(self) -> str:
        return self.value


_ID_PATTERN = r"^[1-9][0-9]{0,8}$"
_READ_ONLY = ("id", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch")


class RegistryModel(BaseModel):
    """Fields every Model Registry resource has (`BaseResource`).

    Unknown fields in a server answer are ignored, so newer servers stay readable.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        validate_assignment=True,
        protected_namespaces=(),
        defer_build=True,
    )

    _immutable_on_update: ClassVar[tuple[str, ...]] = ("name",)
    _kind: ClassVar[str] = ""

    id: str | None = None
    """The server-generated id (output only)."""
    name: str | None = Field(default=None, min_length=1)
    """The client-provided name; unique within its kind (and parent) and immutable once set."""
    description: str | None = None
    """A human description."""
    external_id: str | None = None
    """An id from the client's own system, unique within its kind in the registry if set."""
    create_time_since_epoch: str | None = None
    """Creation time in milliseconds since the epoch, as a string (output only)."""
    last_update_time_since_epoch: str | None = None
    """Last update time in milliseconds since the epoch, as a string (output only)."""
    custom_properties: dict[str, CustomValue] | None = None
    """User-defined properties: plain `str`/`int`/`float`/`bool` values, or `MetadataStructValue` /
    `MetadataProtoValue`. API `Metadata*Value` objects are accepted and unwrapped."""

    @field_validator("custom_properties", mode="before")
    @classmethod
    def _check_custom(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: check_custom_value(f"custom_properties[{key!r}]", item) for key, item in value.items()}
        return value

    def to_api(self) -> dict[str, Any]:
        """The JSON of the resource as the REST API returns it (camelCase keys, unset fields left out)."""
        body = self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"custom_properties"})
        if self.custom_properties is not None:
            body["customProperties"] = {key: to_api_value(value) for key, value in self.custom_properties.items()}
        return body

    def create_body(self) -> dict[str, Any]:
        """The JSON body of a create request (output-only fields left out)."""
        return {key: value for key, value in self.to_api().items() if key not in _READ_ONLY}

    def update_body(self) -> dict[str, Any]:
        """The JSON body of a PATCH request (output-only and immutable fields left out)."""
        skip = {to_camel(name) for name in self._immutable_on_update}
        return {key: value for key, value in self.create_body().items() if key not in skip}


class RegisteredModel(RegistryModel):
    """A registered model: the parent of its `ModelVersion`s (OpenAPI schema `RegisteredModel`)."""

    _kind: ClassVar[str] = "registered_model"

    name: str = Field(min_length=1)
    """The model name, unique in the registry and immutable once set."""
    owner: str | None = None
    """Who owns the model."""
    state: ResourceState = ResourceState.LIVE
    """`LIVE` or `ARCHIVED`."""
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

    _kind: ClassVar[str] = "model_version"
    _immutable_on_update: ClassVar[tuple[str, ...]] = ("name", "registered_model_id")

    name: str = Field(min_length=1)
    """The version name, e.g. `v1`, unique within its model and immutable once set."""
    registered_model_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The id of the `RegisteredModel` this version belongs to."""
    state: ResourceState = ResourceState.LIVE
    """`LIVE` or `ARCHIVED`."""
    author: str | None = None
    """Who created this version."""


class ModelArtifact(RegistryModel):
    """The stored model files of a version, and how to serve them (OpenAPI schema `ModelArtifact`)."""

    _kind: ClassVar[str] = "model_artifact"

    artifact_type: Literal["model-artifact"] = "model-artifact"
    """The artifact kind; always `model-artifact`."""
    uri: str | None = None
    """Where the model files are, e.g. `s3://bucket/models/mnist/v1`."""
    state: ArtifactState = ArtifactState.UNKNOWN
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
    """What produced the model, e.g. `kubeflow-trainer`."""
    model_source_class: str | None = None
    """A sub-kind of the source, e.g. `trainjob`."""
    model_source_group: str | None = None
    """A group of sources, e.g. the namespace or state directory of the job."""
    model_source_id: str | None = None
    """The source's id within kind, class and group, e.g. a job name."""
    model_source_name: str | None = None
    """A human name for the source."""
    experiment_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment that produced the artifact, if any."""
    experiment_run_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment run that produced the artifact, if any."""


class Experiment(RegistryModel):
    """An experiment: the parent of its `ExperimentRun`s (OpenAPI schema `Experiment`)."""

    _kind: ClassVar[str] = "experiment"

    name: str = Field(min_length=1)
    """The experiment name, unique in the registry."""
    owner: str | None = None
    """Who owns the experiment."""
    state: ResourceState = ResourceState.LIVE
    """`LIVE` or `ARCHIVED`."""


class ExperimentRun(RegistryModel):
    """One run of an experiment, e.g. a trainer job (OpenAPI schema `ExperimentRun`)."""

    _kind: ClassVar[str] = "experiment_run"
    _immutable_on_update: ClassVar[tuple[str, ...]] = ("name", "experiment_id", "start_time_since_epoch")

    experiment_id: str = Field(pattern=_ID_PATTERN)
    """The experiment this run belongs to."""
    owner: str | None = None
    """Who ran it."""
    state: ResourceState = ResourceState.LIVE
    """`LIVE` or `ARCHIVED`."""
    status: ExperimentRunStatus = ExperimentRunStatus.RUNNING
    """How the run went."""
    start_time_since_epoch: str | None = None
    """When the run started, milliseconds since the epoch."""
    end_time_since_epoch: str | None = None
    """When the run ended, milliseconds since the epoch."""


class Metric(RegistryModel):
    """One value of a metric of a run, at a step (OpenAPI schema `Metric`); the run's history holds every value."""

    _kind: ClassVar[str] = "metric"

    artifact_type: Literal["metric"] = "metric"
    """The artifact kind; always `metric`."""
    name: str = Field(min_length=1)
    """The metric's name, e.g. `loss`."""
    value: float
    """The value."""
    step: int | None = None
    """The step or epoch it was measured at."""
    timestamp: str | None = None
    """When it was measured, milliseconds since the epoch."""
    experiment_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment of the run."""
    experiment_run_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The run."""


class Parameter(RegistryModel):
    """One parameter of a run (OpenAPI schema `Parameter`)."""

    _kind: ClassVar[str] = "parameter"

    artifact_type: Literal["parameter"] = "parameter"
    """The artifact kind; always `parameter`."""
    name: str = Field(min_length=1)
    """The parameter's name, e.g. `learning_rate`."""
    value: str
    """The value, as text."""
    parameter_type: Literal["string", "number", "boolean", "object"] = "string"
    """What the text holds."""
    experiment_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The experiment of the run."""
    experiment_run_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    """The run."""


__all__ = [
    "ArtifactState",
    "Experiment",
    "ExperimentRun",
    "ExperimentRunStatus",
    "Metric",
    "ModelArtifact",
    "ModelVersion",
    "ModelVersionState",
    "Parameter",
    "RegisteredModel",
    "RegisteredModelState",
    "RegistryModel",
    "ResourceState",
]
