"""Katib backends, chosen by the type of the backend config passed to `KatibClient`.

Built-in backends are loaded lazily from the table below (`kubeflow.katib.backends.local` runs trials as local
trainer jobs; `kubeflow.katib.backends.kubernetes` creates Katib Experiments); third-party backends register a
factory in the `kubeflow.katib.backends` entry-point group under the fully qualified name of their config class.
"""

from __future__ import annotations

from kubeflow.core.models import BackendConfig
from kubeflow.core.registry import find_backend_factory
from kubeflow.katib.backends.base import KatibBackend

_BUILTIN: dict[str, str] = {
    "kubeflow.core.local.config.LocalProcessBackendConfig": "kubeflow.katib.backends.local:LocalKatibBackend",
    "kubeflow.core.kubernetes.config.KubernetesBackendConfig": (
        "kubeflow.katib.backends.kubernetes:KubernetesKatibBackend"
    ),
}
ENTRY_POINT_GROUP = "kubeflow.katib.backends"


def create_backend(config: BackendConfig) -> KatibBackend:
    """Build the backend that serves `config` (its module is imported only now).

    Raises:
        InvalidInputError: No backend serves this config type.
    """
    factory = find_backend_factory(config, builtin=_BUILTIN, group=ENTRY_POINT_GROUP, label="Katib")
    backend: KatibBackend = factory(config)
    return backend


__all__ = ["KatibBackend", "create_backend"]
