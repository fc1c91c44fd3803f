"""Common pydantic models shared by every backend: job statuses, job references, events, backend configs."""

from __future__ import annotations

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
    """The backend config a client was given, or the default one (local processes).

    Raises:
        InvalidInputError: The value is not a backend config.
    """
    if backend_config is None:
        from kubeflow.core.local.config import LocalProcessBackendConfig

        return LocalProcessBackendConfig()
    if not isinstance(backend_config, BackendConfig):
        from kubeflow.core.errors import InvalidInputError

        raise InvalidInputError(
            "backend_config",
            f"{backend_config!r} is not a backend config.",
            "Pass LocalProcessBackendConfig() or KubernetesBackendConfig().",
        )
    return backend_config
