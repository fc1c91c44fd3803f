"""Configuration of the Kubernetes backend."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from kubeflow.core.models import BackendConfig


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
