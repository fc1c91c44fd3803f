"""Runtimes: read `TrainingRuntime` and `ClusterTrainingRuntime` objects into `Runtime`s.

`list_runtimes` merges both kinds; a namespaced runtime hides a cluster runtime of the same name. Runtimes without
the `trainer.kubeflow.org/framework` label are skipped with a warning (the SDK cannot tell how to run them), and
`get_runtime` refuses them with an error that names the missing label.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubeflow.core.errors import InvalidInputError, NotFoundError
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.quantity import parse_quantity
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes import resources as r
from kubeflow.trainer.types import Runtime, RuntimeKind, RuntimeTrainer, TrainerType

log = logging.getLogger(__name__)

Obj = dict[str, Any]
TORCHTUNE = "torchtune"


@dataclass(frozen=True)
class RuntimeRecord:
    """A runtime as read from the cluster: its kind (`TrainingRuntime` / `ClusterTrainingRuntime`) and object."""

    name: str
    kind: str
    obj: Obj


def framework_of(obj: Obj) -> str | None:
    """The runtime's `trainer.kubeflow.org/framework` label, or `None`."""
    value = ((obj.get("metadata") or {}).get("labels") or {}).get(constants.FRAMEWORK_LABEL)
    return str(value) if value else None


def replicated_jobs(obj: Obj) -> list[Obj]:
    """The runtime's JobSet replicated jobs."""
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    jobs = spec.get("replicatedJobs") or []
    return [job for job in jobs if isinstance(job, dict)]


def pod_spec(job: Obj) -> Obj:
    """The pod spec of a replicated job."""
    return (((job.get("template") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}


def trainer_job(obj: Obj) -> Obj | None:
    """The replicated job that runs the trainer: the one labelled ancestor `trainer`, else the one named `node`."""
    jobs = replicated_jobs(obj)
    for job in jobs:
        labels = ((job.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if labels.get(r.ANCESTOR_LABEL) == r.ANCESTOR_TRAINER:
            return job
    return next((job for job in jobs if job.get("name") == constants.NODE), None)


def trainer_container(obj: Obj) -> Obj | None:
    """The trainer container (`node`) of the runtime's trainer job."""
    job = trainer_job(obj)
    if job is None:
        return None
    containers = [c for c in pod_spec(job).get("containers") or [] if isinstance(c, dict)]
    return next((c for c in containers if c.get("name") == constants.NODE), containers[0] if containers else None)


def _count(value: Any) -> str:
    try:
        amount = parse_quantity(value)
    except ValueError:
        return str(value)
    if amount == amount.to_integral_value():
        return str(int(amount))
    return str(amount.normalize() if isinstance(amount, Decimal) else amount)


def devices(resources: Obj | None) -> tuple[str, str]:
    """`(device, count)` from container resources: GPU (incl. MIG), TPU, then CPU; limits before requests."""
    for section in ("limits", "requests"):
        values = (resources or {}).get(section) or {}
        if not values:
            continue
        if constants.GPU_RESOURCE in values:
            return "gpu", _count(values[constants.GPU_RESOURCE])
        if constants.TPU_RESOURCE in values:
            return "tpu", _count(values[constants.TPU_RESOURCE])
        mig = [key for key in values if str(key).startswith(r.MIG_PREFIX)]
        if mig:
            return "gpu", _count(values[mig[0]])
        if "cpu" in values:
            return "cpu", _count(values["cpu"])
    return constants.UNKNOWN, constants.UNKNOWN


def entrypoint(framework: str, ml_policy: Obj, container: Obj | None) -> tuple[str, ...]:
    """The trainer's entrypoint as the SDK reports it: `tune run`, `torchrun`, `mpirun ...`, or the container's."""
    if framework == TORCHTUNE:
        return ("tune", "run")
    if "mpi" in ml_policy:
        return ("mpirun", "--hostfile", "/etc/mpi/hostfile")
    if "torch" in ml_policy:
        return ("torchrun",)
    declared = (container or {}).get("command")
    if isinstance(declared, list) and declared:
        return tuple(str(part) for part in declared)
    return ("python",)


def to_runtime(obj: Obj) -> Runtime:
    """Build a `Runtime` from a runtime object.

    Raises:
        InvalidInputError: The runtime has no framework label or no trainer container.
    """
    name = str((obj.get("metadata") or {}).get("name") or "")
    framework = framework_of(obj)
    if framework is None:
        raise InvalidInputError(
            "runtime",
            f"runtime {name!r} has no {constants.FRAMEWORK_LABEL!r} label, so the SDK cannot tell how to run it.",
            f"Ask the cluster administrator to label it, e.g. {constants.FRAMEWORK_LABEL}=torch.",
        )
    ml_policy = (obj.get("spec") or {}).get("mlPolicy") or {}
    container = trainer_container(obj)
    device, count = devices((container or {}).get("resources"))
    mpi = ml_policy.get("mpi") or {}
    if mpi.get("numProcPerNode"):
        count = str(mpi["numProcPerNode"])
    trainer = RuntimeTrainer(
        trainer_type=TrainerType.BUILTIN_TRAINER if framework == TORCHTUNE else TrainerType.CUSTOM_TRAINER,
        framework=framework,
        image=(container or {}).get("image"),
        num_nodes=int(ml_policy.get("numNodes") or 1),
        device=device,
        device_count=count,
        command=entrypoint(framework, ml_policy, container),
    )
    return Runtime(
        name=name, trainer=trainer, kind=runtime_kind(obj.get("kind")), pretrained_model=pretrained_model(obj)
    )


def runtime_kind(kind: object) -> RuntimeKind:
    """The `RuntimeKind` of a runtime object's (or a `runtimeRef`'s) `kind`; cluster-scoped when absent."""
    return (
        RuntimeKind.TRAINING_RUNTIME
        if kind == RuntimeKind.TRAINING_RUNTIME.value
        else RuntimeKind.CLUSTER_TRAINING_RUNTIME
    )


def pretrained_model(obj: Obj) -> str | None:
    """The model a built-in runtime fine-tunes: the model initializer's `STORAGE_URI`, when it names one."""
    for job in replicated_jobs(obj):
        if job.get("name") != constants.MODEL_INITIALIZER:
            continue
        for container in pod_spec(job).get("containers") or []:
            for env in container.get("env") or []:
                if env.get("name") == "STORAGE_URI" and env.get("value"):
                    return str(env["value"])
    return None


class RuntimeReader:
    """Reads runtimes from the cluster, merging namespaced and cluster-scoped ones."""

    def __init__(self, objects: ObjectClient, namespace: str) -> None:
        self.objects = objects
        self.namespace = namespace

    def records(self) -> list[RuntimeRecord]:
        """Every runtime object, namespaced ones hiding cluster ones of the same name, sorted by name."""
        merged: dict[str, RuntimeRecord] = {}
        for item in self.objects.list(r.CLUSTER_TRAINING_RUNTIMES).items:
            name = item["metadata"]["name"]
            merged[name] = RuntimeRecord(name, constants.CLUSTER_TRAINING_RUNTIME_KIND, item)
        for item in self.objects.list(r.TRAINING_RUNTIMES, self.namespace).items:
            name = item["metadata"]["name"]
            merged[name] = RuntimeRecord(name, constants.TRAINING_RUNTIME_KIND, item)
        return [merged[name] for name in sorted(merged)]

    def list_records(self) -> list[tuple[RuntimeRecord, Runtime]]:
        """Every usable runtime with the object it was read from."""
        found: list[tuple[RuntimeRecord, Runtime]] = []
        for record in self.records():
            if framework_of(record.obj) is None:
                log.warning(
                    "Skipping %s %r: it has no %r label, so the SDK cannot tell how to run it.",
                    record.kind,
                    record.name,
                    constants.FRAMEWORK_LABEL,
                )
                continue
            found.append((record, to_runtime(record.obj)))
        return found

    def record(self, name: str, kind: str | None = None) -> RuntimeRecord:
        """One runtime object: the namespaced `TrainingRuntime` if there is one, else the cluster one.

        Args:
            name: The runtime name.
            kind: Read only this kind (as a TrainJob's `runtimeRef.kind` says).

        Raises:
            NotFoundError: There is no runtime of that name.
        """
        kinds = [kind] if kind else [constants.TRAINING_RUNTIME_KIND, constants.CLUSTER_TRAINING_RUNTIME_KIND]
        for each in kinds:
            resource = r.RUNTIME_RESOURCES.get(each)
            if resource is None:
                continue
            obj = self.objects.get_or_none(resource, name, self.namespace)
            if obj is not None:
                return RuntimeRecord(name, each, obj)
        raise NotFoundError(
            f"Runtime {name!r} not found (neither a TrainingRuntime in namespace {self.namespace!r} nor a "
            "ClusterTrainingRuntime). Use list_runtimes() to see the available ones.",
            reason="NotFound",
            status=404,
        )

    def get(self, name: str) -> Runtime:
        """One runtime by name (namespaced first).

        Raises:
            NotFoundError: There is no such runtime.
            InvalidInputError: It has no framework label.
        """
        return to_runtime(self.record(name).obj)


__all__ = [
    "RuntimeReader",
    "RuntimeRecord",
    "devices",
    "framework_of",
    "to_runtime",
    "trainer_container",
    "trainer_job",
]
