"""kubeflow 0.5's `kubeflow.hub.types.types` module."""

from kubeflow.model_registry.storage import OCIUploadParams, S3UploadParams, StorageConfig

__all__ = ["OCIUploadParams", "S3UploadParams", "StorageConfig"]
