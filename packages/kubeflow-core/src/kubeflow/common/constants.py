"""`kubeflow.common.constants`: the constants the existing SDK's clients share."""

from __future__ import annotations

from typing import Final

from kubeflow.core.kubernetes.client import DEFAULT_NAMESPACE

DEFAULT_TIMEOUT: Final = 120
"""Seconds a request to the Kubernetes API server may take (the existing SDK's value; `KubernetesBackendConfig`
has `request_timeout` and retries)."""

UNKNOWN: Final = "Unknown"
"""A value that cannot be identified."""

__all__ = ["DEFAULT_NAMESPACE", "DEFAULT_TIMEOUT", "UNKNOWN"]
