"""The existing SDK's `kubeflow.optimizer.types.optimization_types`: the types of `kubeflow.katib`."""

from kubeflow.katib.algorithms import GridSearch, RandomSearch
from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
from kubeflow.katib.search import CategoricalSearchSpace, ContinuousSearchSpace
from kubeflow.katib.types import Direction, Objective, TrialConfig
from kubeflow.trainer.types.jobs import TrainJob

__all__ = [
    "CategoricalSearchSpace",
    "ContinuousSearchSpace",
    "Direction",
    "GridSearch",
    "Metric",
    "Objective",
    "OptimizationJob",
    "RandomSearch",
    "Result",
    "TrainJob",
    "Trial",
    "TrialConfig",
]
