"""`kubeflow.common.utils`: the existing SDK's shared helpers (in-cluster check, default namespace, wait checks)."""

from __future__ import annotations

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.client import DEFAULT_NAMESPACE, context_namespace, read_namespace_file
from kubeflow.core.kubernetes.config import SERVICE_ACCOUNT_DIR, default_kubeconfig, existing_kubeconfig


def is_running_in_k8s() -> bool:
    """Whether this process runs in a Kubernetes pod (a service account directory is mounted)."""
    return SERVICE_ACCOUNT_DIR.parent.is_dir()


def get_default_target_namespace(context: str | None = None) -> str:
    """The namespace jobs go to by default.

    In a pod, the service account's namespace; else the namespace of the kubeconfig `context` (the current
    context when `None`); else `default`. `kubernetes` is imported only when a kubeconfig exists.
    """
    if is_running_in_k8s():
        return read_namespace_file(SERVICE_ACCOUNT_DIR) or DEFAULT_NAMESPACE
    paths = default_kubeconfig()
    if not existing_kubeconfig(paths):
        return DEFAULT_NAMESPACE
    from kubeflow.core.kubernetes._lazy import require_kubernetes

    try:
        return context_namespace(require_kubernetes(), paths, context) or DEFAULT_NAMESPACE
    except Exception:  # an unreadable kubeconfig means: no namespace from it, as in the existing SDK
        return DEFAULT_NAMESPACE


def validate_wait_for_job_status(polling_interval: float, timeout: float) -> None:
    """Check the arguments of a `wait_for_job_status` call as the existing SDK did.

    Raises:
        InvalidInputError: (a `ValueError`) `timeout` or `polling_interval` is not positive, or `polling_interval`
            is not strictly less than `timeout`.
    """
    if timeout <= 0:
        raise InvalidInputError("timeout", f"Timeout must be a positive number, got timeout={timeout}.")
    if polling_interval <= 0:
        raise InvalidInputError(
            "polling_interval", f"Polling interval must be a positive number, got polling_interval={polling_interval}."
        )
    if polling_interval >= timeout:
        raise InvalidInputError(
            "polling_interval",
            "Polling interval must be strictly less than timeout. "
            f"Received polling_interval={polling_interval}, timeout={timeout}.",
        )


__all__ = ["get_default_target_namespace", "is_running_in_k8s", "validate_wait_for_job_status"]
