"""Configuration of the Kubernetes backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field

from kubeflow.core.models import BackendConfig

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
"""Where a pod's service account token, CA and namespace are mounted."""


def default_kubeconfig() -> str:
    """The kubeconfig path(s) used when the config names none: `$KUBECONFIG`, else `~/.kube/config`."""
    return os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())


def existing_kubeconfig(paths: str) -> bool:
    """Whether any file of a `KUBECONFIG`-style path list exists."""
    return any(Path(part).expanduser().is_file() for part in paths.split(os.pathsep) if part)


def kubernetes_config_source(service_account_dir: Path | None = None) -> str | None:
    """Where a default `KubernetesBackendConfig()` would connect from, or `None` when nothing is configured.

    A kubeconfig (`$KUBECONFIG`, else `~/.kube/config`) that exists, else the in-cluster service account
    (`$KUBERNETES_SERVICE_HOST` set and a token mounted). Reads only the environment and the file system: neither
    the `kubernetes` package nor the network is touched.
    """
    paths = default_kubeconfig()
    if existing_kubeconfig(paths):
        return f"kubeconfig {paths}"
    token = (service_account_dir or SERVICE_ACCOUNT_DIR) / "token"
    if os.environ.get("KUBERNETES_SERVICE_HOST") and token.is_file():
        return "in-cluster service account"
    return None


class KubernetesBackendConfig(BackendConfig):
    """Talk to a Kubernetes cluster through the official `kubernetes` client.

    With no arguments: the kubeconfig's current context (or the in-cluster service account), and the namespace of
    that context, else of the service account, else `default`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, arbitrary_types_allowed=True)

    namespace: str | None = None
    """Namespace for jobs and namespaced runtimes; `None` means: from the context, then the service account."""
    config_file: str | None = None
    """Path of a kubeconfig file; `None` means `$KUBECONFIG` or `~/.kube/config`, then in-cluster config."""
    context: str | None = None
    """Kubeconfig context to use; `None` means the current context."""
    client_configuration: Any = None
    """A ready `kubernetes.client.Configuration`; when given, no kubeconfig is read."""
    request_timeout: float = Field(default=30.0, gt=0)
    """Seconds one API request may take before it is retried."""
    max_retries: int = Field(default=5, ge=0)
    """How many times a transient failure (429, 5xx, reset connection, timeout) is retried, with backoff."""
    retry_backoff: float = Field(default=0.2, gt=0)
    """First backoff delay in seconds; doubled after each retry, with jitter."""
    retry_backoff_max: float = Field(default=5.0, gt=0)
    """Longest backoff delay in seconds (a server's `Retry-After` may ask for more, up to 60 s)."""
