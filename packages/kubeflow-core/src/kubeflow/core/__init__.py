"""kubeflow.core: the backend protocol, the Kubernetes and local-process backends, common models and errors.

This package knows nothing of training; the trainer and the other projects build on it.
Imports are lazy: `import kubeflow.core` costs almost nothing, and `kubernetes` is imported only when a
Kubernetes backend is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "2026.12.0"

_EXPORTS = {
    "JobBackend": "kubeflow.core.backend",
    "BackendConfig": "kubeflow.core.models",
    "Event": "kubeflow.core.models",
    "JobRef": "kubeflow.core.models",
    "JobStatus": "kubeflow.core.models",
    "LocalProcessBackendConfig": "kubeflow.core.local.config",
    "KubernetesBackendConfig": "kubeflow.core.kubernetes.config",
}

if TYPE_CHECKING:
    from kubeflow.core.backend import JobBackend
    from kubeflow.core.kubernetes.config import KubernetesBackendConfig
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.core.models import BackendConfig, Event, JobRef, JobStatus


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeflow.core' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "BackendConfig",
    "Event",
    "JobBackend",
    "JobRef",
    "JobStatus",
    "KubernetesBackendConfig",
    "LocalProcessBackendConfig",
    "__version__",
]
