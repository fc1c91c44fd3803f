"""`kubeflow.common.types`: `KubernetesBackendConfig`, the config of the Kubernetes backend."""

from __future__ import annotations

from kubeflow.core.kubernetes.config import KubernetesBackendConfig

__all__ = ["KubernetesBackendConfig"]
