"""Common pydantic models shared by every backend: job statuses, job references, events, backend configs."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kubeflow.core.statuses import (
    COMPLETE,
    CREATED,
    FAILED,
    JOB_STATUSES,
    RUNNING,
    TERMINAL_STATUSES,
    JobStatus,
)

logger = logging.getLogger(__name__)

__all__ = [
    "COMPLETE",
    "CREATED",
    "FAILED",
    "JOB_STATUSES",
    "RUNNING",
    "TERMINAL_STATUSES",
    "BackendConfig",
    "Event",
    "JobRef",
    "JobStatus",
    "resolve_backend_config",
]


class BackendConfig(BaseModel):
    """Base class of every backend's configuration: one validated, immutable model per backend."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class JobRef(BaseModel):
    """A typed reference to a submitted job (instead of a `"namespace:name"` string)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    backend: str
    """The backend kind, e.g. `local-process` or `kubernetes`."""
    name: str
    """The job name, unique within its namespace (or state directory)."""
    namespace: str | None = None
    """The Kubernetes namespace; `None` for backends without namespaces."""


class Event(BaseModel):
    """Something that happened to a job or to one of its parts (a Kubernetes Event, or a local lifecycle event)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    involved_object_kind: str
    """The kind of object the event is about, e.g. `TrainJob`, `Pod` or `Node` (a local node process)."""
    involved_object_name: str
    """The name of that object."""
    message: str
    """Human-readable description."""
    reason: str
    """Short machine-readable reason, e.g. `Created`, `NodeExited`."""
    event_time: datetime
    """When the event happened (timezone-aware)."""
    type: Literal["Normal", "Warning"] = "Normal"
    """`Warning` for failures, `Normal` otherwise."""


def resolve_backend_config(backend_config: object | None) -> BackendConfig:
    """The backend config a client was given, or the default one.

    An explicit config always wins. With none, the default is Kubernetes when Kubernetes is configured (a kubeconfig
    at `$KUBECONFIG` or `~/.kube/config`, or the in-cluster service account), as in the existing `kubeflow` SDK,
    else local processes on this machine. The choice is logged at INFO. Nothing here imports `kubernetes`.

    Raises:
        InvalidInputError: The value is not a backend config.
    """
    if backend_config is None:
        from kubeflow.core.kubernetes.config import KubernetesBackendConfig, kubernetes_config_source
        from kubeflow.core.local.config import LocalProcessBackendConfig

        source = kubernetes_config_source()
        if source is not None:
            logger.info(
                "No backend_config given: using the Kubernetes backend (%s). "
                "Pass LocalProcessBackendConfig() to run jobs on this machine instead.",
                source,
            )
            return KubernetesBackendConfig()
        logger.info(
            "No backend_config given and no Kubernetes configuration found (no kubeconfig at $KUBECONFIG or "
            "~/.kube/config, not in a cluster): using the local-process backend, jobs run on this machine."
        )
        return LocalProcessBackendConfig()
    if not isinstance(backend_config, BackendConfig):
        from kubeflow.core.errors import InvalidInputError

        raise InvalidInputError(
            "backend_config",
            f"{backend_config!r} is not a backend config.",
            "Pass LocalProcessBackendConfig() or KubernetesBackendConfig().",
        )
    return backend_config
