"""What the client reports: runtimes, jobs, their steps and events."""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from enum import Enum

from kubeflow.core.models import Event
from kubeflow.trainer import constants
from kubeflow.trainer.types._model import model
from kubeflow.trainer.types.trainers import TrainerType


@model
class RuntimeTrainer:
    """The trainer a runtime runs: its kind, framework, image and default size."""

    trainer_type: TrainerType
    """Custom (your function) or built-in (e.g. TorchTune)."""
    framework: str
    """Framework label of the runtime, e.g. `torch`, `torchtune`, `python`."""
    image: str | None = None
    """Container image of the trainer nodes (Kubernetes); `None` on the local backend."""
    num_nodes: int = 1
    """Default number of nodes."""
    device: str = constants.UNKNOWN
    """Device kind per node: `cpu`, `gpu`, `tpu` or `Unknown`."""
    device_count: str = constants.UNKNOWN
    """Devices per node, as a string (`"1"`, `"Unknown"`)."""
    command: tuple[str, ...] = ()
    """The trainer's entrypoint command."""

    def set_command(self, command: tuple[str, ...]) -> None:
        """Set the entrypoint command (kept for compatibility with the existing SDK)."""
        self.command = tuple(command)


class RuntimeKind(Enum):
    """The kind of Kubernetes object a runtime is."""

    CLUSTER_TRAINING_RUNTIME = "ClusterTrainingRuntime"
    """A cluster-scoped `ClusterTrainingRuntime`."""
    TRAINING_RUNTIME = "TrainingRuntime"
    """A namespaced `TrainingRuntime` (and every runtime of the local-process backend, as in the existing SDK)."""


@model
class Runtime:
    """A training runtime: a named template that jobs are created from."""

    name: str
    """Runtime name, e.g. `torch-distributed`."""
    trainer: RuntimeTrainer
    """The runtime's trainer."""
    kind: RuntimeKind = RuntimeKind.CLUSTER_TRAINING_RUNTIME
    """`CLUSTER_TRAINING_RUNTIME` or `TRAINING_RUNTIME` (what `train(runtime=...)` refers to on Kubernetes).
    Local runtimes are `TRAINING_RUNTIME`."""
    pretrained_model: str | None = None
    """The model a built-in runtime fine-tunes, when it names one."""

    def _repr_html_(self) -> str:
        from kubeflow.trainer.types.display import RUNTIME_HEADERS, html_table, runtime_row

        return html_table(RUNTIME_HEADERS, [runtime_row(self)])


@model
class Step:
    """One step of a job: an initializer or a training node (`node-0` ... `node-N-1`)."""

    name: str
    """`dataset-initializer`, `model-initializer` or `node-<i>`."""
    status: str | None
    """Phase of the step: `Pending`, `Running`, `Succeeded`, `Failed`, or `None` if unknown."""
    pod_name: str
    """The pod (Kubernetes) or process id (local, as `pid-<n>`) running the step."""
    device: str = constants.UNKNOWN
    """Device kind of the step."""
    device_count: str = constants.UNKNOWN
    """Number of devices of the step."""
    exit_code: int | None = None
    """Exit code once the step has ended, when known."""


@model
class TrainerStatus:
    """What the training code last reported about itself (with `update_trainjob_status`).

    Shaped after the TrainJob's `status.trainerStatus` (Kubeflow Trainer v2.2+). On the local backend it summarises
    the job's recorded history: the latest value of each field, metrics merged by name (latest wins).
    """

    progress_percent: int | None = None
    """How complete the job is, 0-100."""
    estimated_remaining_seconds: int | None = None
    """Estimated seconds until the job completes."""
    metrics: dict[str, float | int | str] = field(default_factory=dict)
    """Latest value of each metric. Numbers are numbers on both backends (Kubernetes stores them as strings; they
    are parsed back), other values are strings."""
    last_updated_time: datetime | None = None
    """When the last report was made (UTC)."""


@model
class TrainJob:
    """A training job as the client sees it."""

    name: str
    """Job name."""
    runtime: Runtime
    """The runtime the job was created from."""
    steps: list[Step]
    """Its steps, initializers first, then nodes in order."""
    num_nodes: int
    """Number of training nodes."""
    creation_timestamp: datetime
    """When the job was created."""
    status: str = constants.UNKNOWN
    """`Created`, `Running`, `Complete` or `Failed`."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels of the job (Kubernetes metadata labels, or recorded ones locally)."""
    trainer_status: TrainerStatus | None = None
    """The latest progress and metrics the training code reported (`update_trainjob_status`); `None` if none."""

    def _repr_html_(self) -> str:
        from kubeflow.trainer.types.display import JOB_HEADERS, html_table, job_row

        return html_table(JOB_HEADERS, [job_row(self)])


__all__ = ["Event", "Runtime", "RuntimeKind", "RuntimeTrainer", "Step", "TrainJob", "TrainerStatus"]
