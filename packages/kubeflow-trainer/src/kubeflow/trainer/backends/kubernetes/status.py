"""A TrainJob's status and steps, from its conditions and its pods.

Status: `Failed` or `Complete` when that condition is `True`; `Created` while `Suspended` is `True`; `Running` when
the trainer node pods running or succeeded number at least `numNodes`; else `Created`. A resumed job
(`Suspended=False`) is judged by its pods like any other, so it never stays at `Created`.

Steps: one per pod of the JobSet: `dataset-initializer`, `model-initializer`, and `node-<i>` where `i` is the
pod's `batch.kubernetes.io/job-completion-index` (in MPI runtimes the `launcher` is `node-0` and node pods are
renumbered from 1). A restarted step has several pods; the newest wins (see `_recency`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from kubeflow.core.kubernetes.events import parse_time
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes import resources as r
from kubeflow.trainer.backends.kubernetes.runtimes import devices, runtime_kind
from kubeflow.trainer.types import Runtime, RuntimeTrainer, Step, TrainerStatus, TrainerType, TrainJob

Obj = dict[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NODE_STEP = re.compile(r"^node-(\d+)$")
_INITIALIZERS = (constants.DATASET_INITIALIZER, constants.MODEL_INITIALIZER)
_INT = re.compile(r"^[-+]?\d+$")


def condition_true(trainjob: Obj, kind: str) -> Obj | None:
    """The condition of type `kind` if its status is `True`."""
    for condition in (trainjob.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind and str(condition.get("status")) == "True":
            return dict(condition)
    return None


def _label(pod: Obj, key: str) -> str | None:
    value = ((pod.get("metadata") or {}).get("labels") or {}).get(key)
    return str(value) if value is not None else None


def _index(pod: Obj) -> int:
    meta = pod.get("metadata") or {}
    for source in (meta.get("labels") or {}, meta.get("annotations") or {}):
        value = source.get(r.COMPLETION_INDEX_LABEL)
        if value is not None and str(value).isdigit():
            return int(value)
    return 0


def is_mpi(trainjob: Obj, pods: Iterable[Obj]) -> bool:
    """Whether the job has an MPI `launcher` (from its pods or its `jobsStatus`)."""
    if any(_label(pod, r.REPLICATED_JOB_LABEL) == constants.LAUNCHER for pod in pods):
        return True
    jobs = (trainjob.get("status") or {}).get("jobsStatus") or []
    return any(job.get("name") == constants.LAUNCHER for job in jobs)


def step_name(pod: Obj, mpi: bool) -> str | None:
    """The step a pod runs, or `None` if it is not a TrainJob step."""
    rjob = _label(pod, r.REPLICATED_JOB_LABEL)
    if rjob in _INITIALIZERS:
        return rjob
    if rjob == constants.LAUNCHER:
        return f"{constants.NODE}-0"
    if rjob == constants.NODE:
        return f"{constants.NODE}-{_index(pod) + (1 if mpi else 0)}"
    return None


def step_container(step: str) -> str:
    """The container that runs a step: the step name without its `-<index>` suffix."""
    return re.sub(r"-\d+$", "", step)


def _created(pod: Obj) -> datetime:
    return parse_time((pod.get("metadata") or {}).get("creationTimestamp")) or _EPOCH


def _exit_code(pod: Obj, container: str) -> int | None:
    for entry in (pod.get("status") or {}).get("containerStatuses") or []:
        if entry.get("name") == container:
            terminated = (entry.get("state") or {}).get("terminated") or {}
            if "exitCode" in terminated:
                return int(terminated["exitCode"])
    return None


def _to_step(name: str, pod: Obj) -> Step:
    container_name = step_container(name)
    containers = ((pod.get("spec") or {}).get("containers")) or []
    container = next((c for c in containers if c.get("name") == container_name), containers[0] if containers else {})
    device, count = devices(container.get("resources"))
    for env in container.get("env") or []:  # torch: processes per node, when set explicitly
        if env.get("name") == "PET_NPROC_PER_NODE" and str(env.get("value", "")).isdigit():
            count = str(env["value"])
    return Step(
        name=name,
        status=(pod.get("status") or {}).get("phase"),
        pod_name=str((pod.get("metadata") or {}).get("name") or ""),
        device=device,
        device_count=count,
        exit_code=_exit_code(pod, container_name),
    )


def _sort_key(step: Step) -> tuple[int, int, str]:
    if step.name in _INITIALIZERS:
        return (0, _INITIALIZERS.index(step.name), step.name)
    match = _NODE_STEP.match(step.name)
    return (1, int(match[1]) if match else 0, step.name)


def newest_pods(trainjob: Obj, pods: list[Obj]) -> dict[str, Obj]:
    """The newest pod of each step (restarted pods are deduplicated)."""
    mpi = is_mpi(trainjob, pods)
    chosen: dict[str, Obj] = {}
    for pod in pods:
        name = step_name(pod, mpi)
        if name is None:
            continue
        current = chosen.get(name)
        if current is None or _recency(pod) > _recency(current):
            chosen[name] = pod
    return chosen


def _recency(pod: Obj) -> tuple[int, datetime, int, int]:
    """Order of the pods of one step, newest last.

    JobSet restart attempt first, then creation time (whole seconds: a replacement made in the same second
    ties), then a pod that has not failed over one that has (the Job controller replaces failed pods), then the
    resourceVersion.
    """
    meta = pod.get("metadata") or {}
    attempt = str((meta.get("labels") or {}).get(r.RESTART_ATTEMPT_LABEL) or "0")
    version = str(meta.get("resourceVersion") or "0")
    failed = (pod.get("status") or {}).get("phase") == "Failed"
    return (
        int(attempt) if attempt.isdigit() else 0,
        _created(pod),
        0 if failed else 1,
        int(version) if version.isdigit() else 0,
    )


def steps(trainjob: Obj, pods: list[Obj]) -> list[Step]:
    """The job's steps, initializers first, then nodes by index."""
    return sorted((_to_step(name, pod) for name, pod in newest_pods(trainjob, pods).items()), key=_sort_key)


def num_nodes(trainjob: Obj, runtime: Runtime | None, found: list[Step]) -> int:
    """Nodes of the job: `spec.trainer.numNodes`, else the runtime's, else the node steps seen (at least 1)."""
    value = ((trainjob.get("spec") or {}).get("trainer") or {}).get("numNodes")
    if isinstance(value, int) and value > 0:
        return value
    if runtime is not None:
        return runtime.trainer.num_nodes
    return max(1, sum(1 for step in found if _NODE_STEP.match(step.name)))


def status(trainjob: Obj, found: list[Step], nodes: int) -> str:
    """The SDK status of a TrainJob."""
    if condition_true(trainjob, constants.TRAINJOB_FAILED):
        return constants.TRAINJOB_FAILED
    if condition_true(trainjob, constants.TRAINJOB_COMPLETE):
        return constants.TRAINJOB_COMPLETE
    if condition_true(trainjob, "Suspended"):
        return constants.TRAINJOB_CREATED
    active = sum(1 for step in found if _NODE_STEP.match(step.name) and step.status in ("Running", "Succeeded"))
    if active >= nodes > 0:
        return constants.TRAINJOB_RUNNING
    return constants.TRAINJOB_CREATED


def fallback_runtime(trainjob: Obj, found: list[Step], pods: dict[str, Obj]) -> Runtime:
    """A `Runtime` described from the job itself when the runtime object is not read (or is gone)."""
    ref = (trainjob.get("spec") or {}).get("runtimeRef") or {}
    node = pods.get(f"{constants.NODE}-0")
    image = ((trainjob.get("spec") or {}).get("trainer") or {}).get("image")
    if image is None and node is not None:
        containers = (node.get("spec") or {}).get("containers") or []
        match = next((c for c in containers if c.get("name") == constants.NODE), None)
        image = (match or {}).get("image")
    first = next((step for step in found if _NODE_STEP.match(step.name)), None)
    trainer = RuntimeTrainer(
        trainer_type=TrainerType.CUSTOM_TRAINER,
        framework=constants.UNKNOWN,
        image=image,
        num_nodes=num_nodes(trainjob, None, found),
        device=first.device if first else constants.UNKNOWN,
        device_count=first.device_count if first else constants.UNKNOWN,
    )
    return Runtime(name=str(ref.get("name") or constants.UNKNOWN), trainer=trainer, kind=runtime_kind(ref.get("kind")))


def metric_value(value: object) -> float | int | str:
    """A metric value as stored (a string in `status.trainerStatus`) parsed back: an int, a finite float, else str."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if _INT.match(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return str(value)
    return number if math.isfinite(number) else str(value)


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value)
    return None


def trainer_status(trainjob: Obj) -> TrainerStatus | None:
    """The `TrainerStatus` from the TrainJob's `status.trainerStatus` (Trainer v2.2+); `None` when absent."""
    raw = (trainjob.get("status") or {}).get("trainerStatus")
    if not isinstance(raw, dict) or not raw:
        return None
    metrics: dict[str, float | int | str] = {}
    for entry in raw.get("metrics") or []:
        if isinstance(entry, dict) and entry.get("name") is not None:
            metrics[str(entry["name"])] = metric_value(entry.get("value", ""))
    return TrainerStatus(
        progress_percent=_int_or_none(raw.get("progressPercentage")),
        estimated_remaining_seconds=_int_or_none(raw.get("estimatedRemainingSeconds")),
        metrics=metrics,
        last_updated_time=parse_time(raw.get("lastUpdatedTime")),
    )


def to_trainjob(trainjob: Obj, pods: list[Obj], runtime: Runtime | None) -> TrainJob:
    """Build the client's `TrainJob` from the TrainJob object, its pods and (when known) its runtime."""
    chosen = newest_pods(trainjob, pods)
    found = sorted((_to_step(name, pod) for name, pod in chosen.items()), key=_sort_key)
    resolved = runtime or fallback_runtime(trainjob, found, chosen)
    nodes = num_nodes(trainjob, resolved if runtime is not None else None, found)
    meta = trainjob.get("metadata") or {}
    return TrainJob(
        name=str(meta.get("name") or ""),
        runtime=resolved,
        steps=found,
        num_nodes=nodes,
        creation_timestamp=parse_time(meta.get("creationTimestamp")) or _EPOCH,
        status=status(trainjob, found, nodes),
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        trainer_status=trainer_status(trainjob),
    )


__all__ = [
    "condition_true",
    "newest_pods",
    "num_nodes",
    "status",
    "step_container",
    "step_name",
    "steps",
    "to_trainjob",
    "trainer_status",
]
