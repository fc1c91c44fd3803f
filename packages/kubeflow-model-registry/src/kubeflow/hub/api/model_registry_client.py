"""kubeflow 0.5's `kubeflow.hub.api.model_registry_client` module: the client of `kubeflow.model_registry`."""

from kubeflow.model_registry.client import ModelRegistryClient
from kubeflow.model_registry.storage import StorageConfig

__all__ = ["ModelRegistryClient", "StorageConfig"]
