"""The container (Docker/Podman) backend: its config types exist, the backend itself is not available yet."""

from __future__ import annotations

from typing import NoReturn

from kubeflow.core.errors import UnsupportedBackendError
from kubeflow.core.models import BackendConfig


def unavailable(config: BackendConfig) -> NoReturn:
    """The factory `TrainerClient` finds for `ContainerBackendConfig`: refuse it, naming the way out.

    Raises:
        UnsupportedBackendError: Always (a `NotImplementedError`), before anything is done.
    """
    raise UnsupportedBackendError(
        f"backend_config: the container backend ({type(config).__name__}) is not available yet in this SDK. "
        "Fix: run jobs as processes on this machine with TrainerClient(LocalProcessBackendConfig()), "
        "or on a cluster with TrainerClient(KubernetesBackendConfig()).",
        reason="NotAvailable",
    )
