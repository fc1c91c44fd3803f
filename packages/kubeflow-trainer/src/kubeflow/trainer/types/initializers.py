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


HF_SCHEME = "hf://"


def _check_hf_uri(value: str) -> str:
    """`hf://owner/name`, `hf://name`, or, as the existing SDK accepts, the bare repository id `owner/name`."""
    if "://" in value:
        if not value.startswith(HF_SCHEME) or not urlparse(value).netloc:
            raise ValueError(
                "storage_uri must be a HuggingFace repository: 'hf://owner/name' or 'owner/name', "
                "e.g. 'hf://meta-llama/Llama-3.2-1B-Instruct'"
            )
        return value
    if not value.strip() or value != value.strip() or value.startswith("/") or any(ch.isspace() for ch in value):
        raise ValueError("storage_uri must be a HuggingFace repository id like 'owner/name' (or 'hf://owner/name')")
    return value


def hf_storage_uri(value: str) -> str:
    """The `hf://` form of a HuggingFace `storage_uri`: what the Trainer's initializers and CRD need.

    A bare repository id (`owner/name`, accepted as the existing SDK accepts it) gets the `hf://` prefix: the
    initializer chooses its provider by the URI's scheme, and Trainer v2.2+ rejects a `storageUri` without one.
    """
    return value if value.startswith(HF_SCHEME) else HF_SCHEME + value


@model
class _HuggingFaceInitializer:
    storage_uri: str
    """`hf://<owner>/<name>`, or the bare repository id `<owner>/<name>` (sent as `hf://<owner>/<name>`)."""
    access_token: str | None = Field(default=None, repr=False, kw_only=True)
    """Token for private or gated repositories. Sent as a Kubernetes Secret, never in the job body or logs."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_hf_uri(value)


@model
class HuggingFaceDatasetInitializer(_HuggingFaceInitializer):
    """Download a dataset from the HuggingFace Hub (`hf://owner/name`)."""

    ignore_patterns: list[str] | None = None
    """File patterns not to download."""


@model
class HuggingFaceModelInitializer(_HuggingFaceInitializer):
    """Download a model from the HuggingFace Hub (`hf://owner/name`)."""

    ignore_patterns: list[str] | None = Field(
        default_factory=lambda: list(constants.INITIALIZER_DEFAULT_IGNORE_PATTERNS)
    )
    """File patterns not to download."""


@model
class _S3Initializer:
    storage_uri: str
    """`s3://<bucket>/<path>`."""
    endpoint: str | None = Field(default=None, kw_only=True)
    """Custom S3 endpoint URL."""
    access_key_id: str | None = Field(default=None, repr=False, kw_only=True)
    """Access key id. Sent as a Kubernetes Secret."""
    secret_access_key: str | None = Field(default=None, repr=False, kw_only=True)
    """Secret access key. Sent as a Kubernetes Secret."""
    region: str | None = Field(default=None, kw_only=True)
    """Region."""
    role_arn: str | None = Field(default=None, kw_only=True)
    """Role to assume."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        return _check_uri(value, "s3")


@model
class S3DatasetInitializer(_S3Initializer):
    """Download a dataset from S3-compatible storage (`s3://bucket/path`)."""

    ignore_patterns: list[str] | None = None
    """File patterns not to download."""


@model
class S3ModelInitializer(_S3Initializer):
    """Download a model from S3-compatible storage (`s3://bucket/path`)."""

    ignore_patterns: list[str] | None = Field(
        default_factory=lambda: list(constants.INITIALIZER_DEFAULT_IGNORE_PATTERNS)
    )
    """File patterns not to download."""


@model
class DataCacheInitializer:
    """Serve a dataset from the Kubeflow Trainer distributed data cache (`cache://<schema>/<table>`; Kubernetes only).

    The dataset-initializer step of a data-cache runtime (e.g. `torch-distributed-with-cache`) starts a cache
    cluster of `num_data_nodes` data nodes and one head node that reads the Iceberg table at `metadata_loc`.
    """

    storage_uri: str
    """`cache://<schema>/<table>`."""
    metadata_loc: str
    """Location of the Iceberg table's metadata file."""
    num_data_nodes: int
    """Number of data nodes of the cache cluster (more than 1)."""
    head_cpu: str | None = None
    """CPU of the cache head node, e.g. `"2"`."""
    head_mem: str | None = None
    """Memory of the cache head node, e.g. `"4Gi"`."""
    worker_cpu: str | None = None
    """CPU of each cache data node."""
    worker_mem: str | None = None
    """Memory of each cache data node."""
    iam_role: str | None = None
    """IAM role to read `metadata_loc` with."""

    @field_validator("storage_uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        if not value.startswith("cache://"):
            raise ValueError(f"storage_uri must start with 'cache://', got {value}")
        parts = value[len("cache://") :].split("/")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"storage_uri must be in format 'cache://<SCHEMA_NAME>/<TABLE_NAME>', got {value}")
        return value

    @field_validator("num_data_nodes")
    @classmethod
    def _nodes(cls, value: int) -> int:
        if value <= 1:
            raise ValueError(f"num_data_nodes must be greater than 1, got {value}")
        return value


DatasetInitializer = HuggingFaceDatasetInitializer | S3DatasetInitializer | DataCacheInitializer
ModelInitializer = HuggingFaceModelInitializer | S3ModelInitializer


@model
class Initializer:
    """The dataset and model initializers of a job."""

    dataset: DatasetInitializer | None = None
    """Where the dataset comes from."""
    model: ModelInitializer | None = None
    """Where the pre-trained model comes from."""
