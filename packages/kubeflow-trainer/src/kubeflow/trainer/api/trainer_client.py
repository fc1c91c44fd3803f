"""The existing `kubeflow` SDK's module path `kubeflow.trainer.api.trainer_client`: `TrainerClient`, re-exported.

Import `from kubeflow.trainer import TrainerClient` in new code.
"""

from __future__ import annotations

from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.trainer.backends.container.types import ContainerBackendConfig
from kubeflow.trainer.client import TrainerClient

__all__ = ["ContainerBackendConfig", "KubernetesBackendConfig", "LocalProcessBackendConfig", "TrainerClient"]
