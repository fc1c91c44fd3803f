"""What the body builder needs to know about a runtime, read from the runtime object as the controller reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.body.request import RuntimeObject

ANCESTOR_LABEL: Final = "trainer.kubeflow.org/trainjob-ancestor-step"
ANCESTOR_TRAINER: Final = "trainer"
TORCHTUNE_FRAMEWORK: Final = "torchtune"
ML_POLICIES: Final = ("torch", "mpi", "jax", "xgboost", "flux")

RESERVED_ENV: Final[dict[str, frozenset[str]]] = {
    "torch": frozenset({"PET_NNODES", "PET_NPROC_PER_NODE", "PET_NODE_RANK", "PET_MASTER_ADDR", "PET_MASTER_PORT"}),
    "mpi": frozenset(
        {
            "OMPI_MCA_orte_default_hostfile",
            "OMPI_MCA_orte_keep_fqdn_hostnames",
            "OMPI_MCA_orte_set_default_slots",
            "OMPI_MCA_plm_rsh_args",
        }
    ),
    "jax": frozenset({"JAX_NUM_PROCESSES", "JAX_PROCESS_ID", "JAX_COORDINATOR_ADDRESS"}),
    "xgboost": frozenset({"DMLC_TRACKER_URI", "DMLC_TRACKER_PORT", "DMLC_TASK_ID", "DMLC_NUM_WORKER"}),
}
"""Environment variables each ML policy injects into the trainer container; a user value would clash with them."""


@dataclass(frozen=True)
class RuntimeInfo:
    """Facts about one runtime that decide how a TrainJob against it is written."""

    name: str
    kind: str
    namespace: str | None
    framework: str | None
    """The `trainer.kubeflow.org/framework` label, if any."""
    policy: str | None
    """The ML policy source: `torch`, `mpi`, `jax`, `xgboost`, `flux`, or `None` (plain)."""
    steps: frozenset[str]
    """Ancestor steps present: `trainer`, `dataset-initializer`, `model-initializer`."""
    trainer_command: tuple[str, ...]
    """The runtime's trainer container command."""
    containers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Replicated job name -> names of its containers and init containers (what runtime patches may target)."""

    @property
    def is_torchtune(self) -> bool:
        """Whether the runtime runs the built-in TorchTune trainer."""
        return self.framework == TORCHTUNE_FRAMEWORK or self.trainer_command[:2] == ("tune", "run")

    @property
    def reserved_env(self) -> frozenset[str]:
        """Environment variable names the runtime's ML policy injects into the trainer."""
        return RESERVED_ENV.get(self.policy or "", frozenset())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _malformed(runtime: RuntimeObject, what: str) -> InvalidInputError:
    return InvalidInputError(
        "runtime",
        f"the {runtime.kind} {runtime.name!r} is malformed: {what}.",
        "Fix the runtime object on the cluster, or choose another runtime.",
    )


def read_runtime(runtime: RuntimeObject) -> RuntimeInfo:
    """Read the facts the body builder needs from a runtime object.

    Raises:
        InvalidInputError: The object is not a runtime of the stated kind and name, or has no replicated jobs.
    """
    obj = runtime.obj
    metadata = _dict(obj.get("metadata"))
    if obj.get("kind", runtime.kind) != runtime.kind:
        raise _malformed(runtime, f"its kind is {obj.get('kind')!r}, not {runtime.kind!r}")
    if metadata.get("name", runtime.name) != runtime.name:
        raise _malformed(runtime, f"its metadata.name is {metadata.get('name')!r}")
    spec = _dict(obj.get("spec"))
    policy_spec = _dict(spec.get("mlPolicy"))
    policies = [key for key in ML_POLICIES if policy_spec.get(key) is not None]
    jobs = _dict(_dict(spec.get("template")).get("spec")).get("replicatedJobs")
    if not isinstance(jobs, list) or not jobs:
        raise _malformed(runtime, "spec.template.spec.replicatedJobs is empty")
    steps: set[str] = set()
    command: tuple[str, ...] = ()
    containers: dict[str, frozenset[str]] = {}
    for job in jobs:
        template = _dict(_dict(job).get("template"))
        pod_spec = _dict(_dict(_dict(template.get("spec")).get("template")).get("spec"))
        pod_containers = [
            _dict(c) for c in [*(pod_spec.get("containers") or []), *(pod_spec.get("initContainers") or [])]
        ]
        containers[str(_dict(job).get("name"))] = frozenset(str(c.get("name")) for c in pod_containers)
        ancestor = _dict(_dict(template.get("metadata")).get("labels")).get(ANCESTOR_LABEL)
        if not isinstance(ancestor, str):
            continue
        steps.add(ancestor)
        if ancestor == ANCESTOR_TRAINER:
            for container in pod_spec.get("containers") or []:
                if _dict(container).get("name") == constants.NODE:
                    command = tuple(str(part) for part in container.get("command") or ())
    labels = _dict(metadata.get("labels"))
    framework = labels.get(constants.FRAMEWORK_LABEL)
    namespace = metadata.get("namespace")
    return RuntimeInfo(
        name=runtime.name,
        kind=runtime.kind,
        namespace=namespace if isinstance(namespace, str) else None,
        framework=framework if isinstance(framework, str) else None,
        policy=policies[0] if policies else None,
        steps=frozenset(steps),
        trainer_command=command,
        containers=containers,
    )
