"""The Kubeflow Trainer resources, labels and step names the Kubernetes backend uses."""

from __future__ import annotations

from typing import Final

from kubeflow.core.kubernetes.resources import Resource
from kubeflow.trainer import constants
from kubeflow.trainer.constants import environment

TRAINJOBS = Resource(constants.GROUP, constants.VERSION, constants.TRAINJOB_PLURAL, constants.TRAINJOB_KIND)
TRAINING_RUNTIMES = Resource(
    constants.GROUP, constants.VERSION, constants.TRAINING_RUNTIME_PLURAL, constants.TRAINING_RUNTIME_KIND
)
CLUSTER_TRAINING_RUNTIMES = Resource(
    constants.GROUP,
    constants.VERSION,
    constants.CLUSTER_TRAINING_RUNTIME_PLURAL,
    constants.CLUSTER_TRAINING_RUNTIME_KIND,
    namespaced=False,
)
RUNTIME_RESOURCES: Final = {
    constants.TRAINING_RUNTIME_KIND: TRAINING_RUNTIMES,
    constants.CLUSTER_TRAINING_RUNTIME_KIND: CLUSTER_TRAINING_RUNTIMES,
}

JOBSET_NAME_LABEL: Final = "jobset.sigs.k8s.io/jobset-name"
REPLICATED_JOB_LABEL: Final = "jobset.sigs.k8s.io/replicatedjob-name"
JOB_INDEX_LABEL: Final = "jobset.sigs.k8s.io/job-index"
RESTART_ATTEMPT_LABEL: Final = "jobset.sigs.k8s.io/restart-attempt"
COMPLETION_INDEX_LABEL: Final = "batch.kubernetes.io/job-completion-index"
ANCESTOR_LABEL: Final = "trainer.kubeflow.org/trainjob-ancestor-step"
ANCESTOR_TRAINER: Final = "trainer"

TRAINJOB_CRD: Final = "trainjobs.trainer.kubeflow.org"
VERSION_CONFIG_MAP: Final = "kubeflow-trainer-public"
VERSION_KEY: Final = "kubeflow_trainer_version"

STEP_REPLICATED_JOBS: Final = (
    constants.DATASET_INITIALIZER,
    constants.MODEL_INITIALIZER,
    constants.LAUNCHER,
    constants.NODE,
)
MIG_PREFIX: Final = "nvidia.com/mig-"


def __getattr__(name: str) -> str:
    """`VERSION_NAMESPACE`: the Trainer control plane's namespace, read at each use (PEP 562).

    `$KUBEFLOW_SYSTEM_NAMESPACE`, else `kubeflow-system`, as in the existing SDK (`constants.environment.system_namespace`).
    """
    if name == "VERSION_NAMESPACE":
        return environment.system_namespace()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
