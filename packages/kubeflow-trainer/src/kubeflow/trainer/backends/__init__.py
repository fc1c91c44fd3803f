"""Trainer backends, chosen by the type of the backend config passed to `TrainerClient`.

Built-in backends are loaded lazily from the table below; third-party backends register a factory in the
`kubeflow.trainer.backends` entry-point group under the fully qualified name of their config class.
"""

from __future__ import annotations

from kubeflow.core.models import BackendConfig
from kubeflow.core.registry import find_backend_factory
from kubeflow.trainer.backends.base import TrainerBackend

_BUILTIN: dict[str, str] = {
    "kubeflow.core.local.config.LocalProcessBackendConfig": "kubeflow.trainer.backends.local:LocalTrainerBackend",
    "kubeflow.core.kubernetes.config.KubernetesBackendConfig": (
        "kubeflow.trainer.backends.kubernetes:KubernetesTrainerBackend"
    ),
    "kubeflow.trainer.backends.container.types.ContainerBackendConfig": (
        "kubeflow.trainer.backends.container:unavailable"
    ),
}
ENTRY_POINT_GROUP = "kubeflow.trainer.backends"


def create_backend(config: BackendConfig) -> TrainerBackend:
    """Build the backend that serves `config`."""
    factory = find_backend_factory(config, builtin=_BUILTIN, group=ENTRY_POINT_GROUP, label="trainer")
    backend: TrainerBackend = factory(config)
    return backend


__all__ = ["TrainerBackend", "create_backend"]
