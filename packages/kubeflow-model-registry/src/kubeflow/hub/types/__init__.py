"""kubeflow 0.5's `kubeflow.hub.types` package."""

from kubeflow.hub.types.types import OCIUploadParams, S3UploadParams, StorageConfig

__all__ = ["OCIUploadParams", "S3UploadParams", "StorageConfig"]
