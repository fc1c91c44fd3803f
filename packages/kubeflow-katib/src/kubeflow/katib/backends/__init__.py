"""Katib backends, chosen by the type of the backend config passed to `KatibClient`.

Built-in backends are loaded lazily from the table below (`kubeflow.katib.backends.local` runs trials as local
trainer jobs; `kubeflow.katib.backends.kubernetes` creates Katib Experiments); third-party backends register a
factory in the `kubeflow.katib.backends` entry-point group under the fully qualified name of their config class.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import BackendConfig
from kubeflow.katib.backends.base import KatibBackend

_BUILTIN: dict[str, str] = {
    "kubeflow.core.local.config.LocalProcessBackendConfig": "kubeflow.katib.backends.local:LocalKatibBackend",
    "kubeflow.core.kubernetes.config.KubernetesBackendConfig": (
        "kubeflow.katib.backends.kubernetes:KubernetesKatibBackend"
    ),
}
ENTRY_POINT_GROUP = "kubeflow.katib.backends"


def _qualname(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def create_backend(config: BackendConfig) -> KatibBackend:
    """Build the backend that serves `config` (its module is imported only now).

    Raises:
        InvalidInputError: No backend serves this config type.
    """
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
            f"no Katib backend serves {type(config).__name__}.",
            "Pass LocalProcessBackendConfig() or KubernetesBackendConfig().",
        )
    module_name, _, attr = target.partition(":")
    factory = getattr(import_module(module_name), attr)
    backend: KatibBackend = factory(config)
    return backend


__all__ = ["KatibBackend", "create_backend"]
