"""Trainer backends, chosen by the type of the backend config passed to `TrainerClient`.

Built-in backends are loaded lazily from the table below; third-party backends register a factory in the
`kubeflow.trainer.backends` entry-point group under the fully qualified name of their config class.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import BackendConfig
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


def _qualname(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def create_backend(config: BackendConfig) -> TrainerBackend:
    """Build the backend that serves `config`."""
    target: str | None = None
    for cls in type(config).__mro__:
        key = _qualname(cls)
        target = _BUILTIN.get(key)
        if target is None:
            found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == key]
            target = found[0].value if found else None
        if target is not None:
            break
    if target is None:
        raise InvalidInputError(
            "backend_config",
            f"no trainer backend serves {type(config).__name__}.",
            "Pass LocalProcessBackendConfig() or KubernetesBackendConfig().",
        )
    module_name, _, attr = target.partition(":")
    factory = getattr(import_module(module_name), attr)
    backend: TrainerBackend = factory(config)
    return backend


__all__ = ["TrainerBackend", "create_backend"]
