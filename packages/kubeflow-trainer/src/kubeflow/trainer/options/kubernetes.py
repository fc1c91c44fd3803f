"""Options that only the Kubernetes backend understands; the local backend rejects them with a clear error."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from kubeflow.trainer import constants
from kubeflow.trainer.types._model import model

K8S_ONLY: frozenset[str] = frozenset({"kubernetes"})


@model
class Labels:
    """Add labels to the TrainJob's metadata (`.metadata.labels`)."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    labels: dict[str, str]
    """Label keys and values."""


@model
class Annotations:
    """Add annotations to the TrainJob's metadata (`.metadata.annotations`)."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    annotations: dict[str, str]
    """Annotation keys and values."""


@model
class TrainerCommand:
    """Override the trainer container's command (`.spec.trainer.command`); only with `CustomTrainerContainer`."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    command: list[str]
    """The command, one argument per item (no shell)."""


@model
class TrainerArgs:
    """Override the trainer container's arguments (`.spec.trainer.args`); only with `CustomTrainerContainer`."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    args: list[str]
    """The arguments, one per item (no shell)."""


@model
class ActiveDeadlineSeconds:
    """Fail the TrainJob if it runs longer than this (`.spec.activeDeadlineSeconds`, Trainer v2.2+)."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    seconds: int = Field(ge=1)
    """Seconds from start; at least 1."""


@model
class ContainerPatch:
    """Patch one container of the runtime's pods: env, volume mounts, security context."""

    name: str = Field(min_length=1)
    """Container name (must exist in the runtime)."""
    env: list[dict[str, Any]] | None = None
    """Env entries (`{"name": ..., "value": ...}` or `valueFrom`)."""
    volume_mounts: list[dict[str, Any]] | None = None
    """Volume mounts (`{"name": ..., "mountPath": "/abs"}`)."""
    security_context: dict[str, Any] | None = None
    """Container security context."""


@model
class PodSpecPatch:
    """Patch the fields of a pod spec that a manager may set."""

    service_account_name: str | None = None
    volumes: list[dict[str, Any]] | None = None
    init_containers: list[ContainerPatch] | None = None
    containers: list[ContainerPatch] | None = None
    image_pull_secrets: list[dict[str, Any]] | None = None
    security_context: dict[str, Any] | None = None
    node_selector: dict[str, str] | None = None
    affinity: dict[str, Any] | None = None
    tolerations: list[dict[str, Any]] | None = None
    scheduling_gates: list[dict[str, Any]] | None = None


@model
class PodTemplatePatch:
    """Patch a pod template: metadata (labels, annotations) and spec."""

    metadata: dict[str, Any] | None = None
    spec: PodSpecPatch | None = None


@model
class JobSpecPatch:
    """Patch a Job spec."""

    template: PodTemplatePatch | None = None


@model
class JobTemplatePatch:
    """Patch a Job template: metadata and spec."""

    metadata: dict[str, Any] | None = None
    spec: JobSpecPatch | None = None


@model
class ReplicatedJobPatch:
    """Patch one replicated job of the runtime's JobSet (e.g. `node`)."""

    name: str = Field(min_length=1)
    template: JobTemplatePatch | None = None


@model
class JobSetSpecPatch:
    """Patch the JobSet spec."""

    replicated_jobs: list[ReplicatedJobPatch] | None = None


@model
class JobSetTemplatePatch:
    """Patch the JobSet template: metadata and spec."""

    metadata: dict[str, Any] | None = None
    spec: JobSetSpecPatch | None = None


@model
class TrainingRuntimeSpecPatch:
    """Patch the training runtime spec."""

    template: JobSetTemplatePatch | None = None


@model
class RuntimePatch:
    """Add a runtime patch to the TrainJob (`.spec.runtimePatches`, Trainer v2.2+), keyed by the SDK's manager."""

    backends: ClassVar[frozenset[str]] = K8S_ONLY
    training_runtime_spec: TrainingRuntimeSpecPatch | None = None
    manager: str = constants.SDK_MANAGER
    """The patch's manager key."""
