"""Where the dataset and the pre-trained model come from (downloaded by initializer steps before training)."""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic import Field, field_validator

from kubeflow.trainer import constants
from kubeflow.trainer.types._model import model


def _check_uri(value: str, scheme: str) -> str:
    if not value.startswith(f"{scheme}://"):
        raise ValueError(f"storage_uri must start with '{scheme}://', e.g. '{scheme}://owner/name'")
    parsed = urlparse(value)
    if not parsed.netloc or (scheme == "hf" and parsed.path.strip("/") == ""):
        raise ValueError(f"storage_uri must name a {scheme} location like '{scheme}://owner/name'")
    return value


@model
class HuggingFaceDatasetInitializer:
    """Download a dataset from the HuggingFace Hub (`hf://owner/name`)."""

    storage_uri: str
    """`hf://<owner>/<dataset>`."""
    ignore_patterns: list[str] | None = None
    """File patterns not to download."""
    access_token: str | None = Field(default=None, repr=False)
    """Token for private datasets. Sent as a Kubernetes Secret, never in the job body or logs."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_uri(value, "hf")


@model
class HuggingFaceModelInitializer:
    """Download a model from the HuggingFace Hub (`hf://owner/name`)."""

    storage_uri: str
    """`hf://<owner>/<model>`."""
    ignore_patterns: list[str] | None = Field(
        default_factory=lambda: list(constants.INITIALIZER_DEFAULT_IGNORE_PATTERNS)
    )
    """File patterns not to download."""
    access_token: str | None = Field(default=None, repr=False)
    """Token for gated or private models. Sent as a Kubernetes Secret, never in the job body or logs."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_uri(value, "hf")


@model
class S3DatasetInitializer:
    """Download a dataset from S3-compatible storage (`s3://bucket/path`)."""

    storage_uri: str
    """`s3://<bucket>/<path>`."""
    ignore_patterns: list[str] | None = None
    """File patterns not to download."""
    endpoint: str | None = None
    """Custom S3 endpoint URL."""
    access_key_id: str | None = Field(default=None, repr=False)
    """Access key id. Sent as a Kubernetes Secret."""
    secret_access_key: str | None = Field(default=None, repr=False)
    """Secret access key. Sent as a Kubernetes Secret."""
    region: str | None = None
    """Region."""
    role_arn: str | None = None
    """Role to assume."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_uri(value, "s3")


@model
class S3ModelInitializer:
    """Download a model from S3-compatible storage (`s3://bucket/path`)."""

    storage_uri: str
    """`s3://<bucket>/<path>`."""
    ignore_patterns: list[str] | None = Field(
        default_factory=lambda: list(constants.INITIALIZER_DEFAULT_IGNORE_PATTERNS)
    )
    """File patterns not to download."""
    endpoint: str | None = None
    """Custom S3 endpoint URL."""
    access_key_id: str | None = Field(default=None, repr=False)
    """Access key id. Sent as a Kubernetes Secret."""
    secret_access_key: str | None = Field(default=None, repr=False)
    """Secret access key. Sent as a Kubernetes Secret."""
    region: str | None = None
    """Region."""
    role_arn: str | None = None
    """Role to assume."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_uri(value, "s3")


DatasetInitializer = HuggingFaceDatasetInitializer | S3DatasetInitializer
ModelInitializer = HuggingFaceModelInitializer | S3ModelInitializer


@model
class Initializer:
    """The dataset and model initializers of a job."""

    dataset: DatasetInitializer | None = None
    """Where the dataset comes from."""
    model: ModelInitializer | None = None
    """Where the pre-trained model comes from."""
