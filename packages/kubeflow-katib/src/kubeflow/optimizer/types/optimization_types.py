"""The existing SDK's `kubeflow.optimizer.types.optimization_types`: the types of `kubeflow.katib`."""

from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
from kubeflow.katib.types import Direction, Objective, TrialConfig

__all__ = ["Direction", "Metric", "Objective", "OptimizationJob", "Result", "Trial", "TrialConfig"]
