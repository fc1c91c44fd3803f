"""kubeflow 0.5's `kubeflow.hub.storage` module."""

from kubeflow.model_registry.storage import upload_artifact

__all__ = ["upload_artifact"]
