"""`OptimizerClient`: the existing SDK's name for `kubeflow.katib.KatibClient`."""

from __future__ import annotations

from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.katib.algorithms import BaseAlgorithm
from kubeflow.katib.client import KatibClient
from kubeflow.katib.jobs import OptimizationJob, Result
from kubeflow.katib.types import Objective, TrialConfig
from kubeflow.trainer.types.template import TrainJobTemplate


class OptimizerClient(KatibClient):
    """Create and follow hyperparameter optimization jobs (the existing SDK's name of `KatibClient`).

    Every method is `KatibClient`'s: `optimize`, `list_jobs`, `get_job`, `get_job_logs`, `get_best_results`,
    `wait_for_job_status`, `get_job_events`, `delete_job`. `OptimizerClient()` picks the backend like
    `TrainerClient()`: Kubernetes when a cluster is configured, else local processes.
    """


__all__ = [
    "BaseAlgorithm",
    "KubernetesBackendConfig",
    "Objective",
    "OptimizationJob",
    "OptimizerClient",
    "Result",
    "TrainJobTemplate",
    "TrialConfig",
]
