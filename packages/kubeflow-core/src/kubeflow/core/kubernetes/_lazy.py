"""Lazy import of the official `kubernetes` client, with a helpful error when it is not installed."""

from __future__ import annotations

from types import ModuleType

from kubeflow.core.errors import BackendUnavailableError

INSTALL_HINT = 'pip install "kubeflow-core[kubernetes]"'


def require_kubernetes() -> ModuleType:
    """Import and return the `kubernetes` package.

    Raises:
        BackendUnavailableError: The client is not installed; the message says how to install it.
    """
    try:
        import kubernetes
        import kubernetes.client
        import kubernetes.config
    except ImportError as exc:
        raise BackendUnavailableError(
            f"The Kubernetes backend needs the official `kubernetes` Python client, which is not installed. "
            f"Fix: {INSTALL_HINT}",
            reason="MissingDependency",
        ) from exc
    return kubernetes
