"""Where model files are and how serving fetches them; optional upload of files to object storage.

Registering never uploads anything: `register_model` takes a URI. `upload_artifact` is a convenience for S3 (it
needs `boto3`, which this package does not depend on: `pip install boto3`) and OCI (it needs the `model-registry`
package's OCI helpers); without them it raises `ImportError` naming what to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from kubeflow.core.errors import InvalidInputError


@dataclass
class StorageConfig:
    """Storage credentials KServe's storage initializer uses to pull a model (as in kubeflow 0.5).

    Args:
        storage_key: Name of the Kubernetes Secret holding the storage credentials.
        storage_path: Sub-path within the storage where the model is.
        service_account_name: ServiceAccount annotated for IRSA / Workload Identity.
    """

    storage_key: str | None = None
    storage_path: str | None = None
    service_account_name: str | None = None


class S3UploadParams(BaseModel):
    """Where and how to upload model files to S3-compatible storage."""

    bucket_name: str
    s3_prefix: str
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None
    multipart_threshold: int = 1024 * 1024
    multipart_chunksize: int = 1024 * 1024
    max_pool_connections: int = 10


class OCIUploadParams(BaseModel):
    """Where to push model files as an OCI image."""

    base_image: str
    oci_ref: str


def _upload_to_s3(path: Path, params: S3UploadParams) -> str:
    try:
        import boto3  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ImportError("Uploading to S3 needs boto3: pip install boto3") from exc
    client = boto3.client(
        "s3",
        endpoint_url=params.endpoint_url,
        aws_access_key_id=params.access_key_id,
        aws_secret_access_key=params.secret_access_key,
        region_name=params.region,
    )
    prefix = params.s3_prefix.strip("/")
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        key = f"{prefix}/{file.name if path.is_file() else file.relative_to(path).as_posix()}"
        client.upload_file(str(file), params.bucket_name, key)
    return f"s3://{params.bucket_name}/{prefix}"


def upload_artifact(model_files_path: str, *, upload_params: S3UploadParams | OCIUploadParams) -> str:
    """Upload model files to object storage and return their URI (for `register_model`).

    Raises:
        InvalidInputError: The path does not exist.
        ImportError: The storage library is not installed (the message says what to install).
        TypeError: `upload_params` is neither `S3UploadParams` nor `OCIUploadParams`.
    """
    path = Path(model_files_path).expanduser()
    if not path.exists():
        raise InvalidInputError("model_files_path", f"{model_files_path!r} does not exist.")
    if isinstance(upload_params, S3UploadParams):
        return _upload_to_s3(path, upload_params)
    if isinstance(upload_params, OCIUploadParams):
        try:
            from model_registry.utils import save_to_oci_registry  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ImportError(
                "Uploading to an OCI registry needs the model-registry package: pip install model-registry"
            ) from exc
        uri: str = save_to_oci_registry(
            base_image=upload_params.base_image, oci_ref=upload_params.oci_ref, model_files_path=str(path)
        )
        return uri
    raise TypeError(f"upload_params must be S3UploadParams or OCIUploadParams, got {type(upload_params).__name__}")


__all__ = ["OCIUploadParams", "S3UploadParams", "StorageConfig", "upload_artifact"]
