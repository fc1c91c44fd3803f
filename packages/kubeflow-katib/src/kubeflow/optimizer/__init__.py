"""kubeflow.optimizer: the existing `kubeflow` SDK's optimizer names, served by `kubeflow.katib`.

Code written for `kubeflow.optimizer` (kubeflow 0.5) runs unchanged: `OptimizerClient`, `Search`, `GridSearch`,
`RandomSearch`, `Objective`, `Direction`, `TrialConfig`, `Result`, `Metric`, `Trial`, `OptimizationJob` and
`TrainJobTemplate` are the `kubeflow.katib` objects themselves (one implementation, two faces), and the same
submodule paths work (`kubeflow.optimizer.types.optimization_types`, `kubeflow.optimizer.api.optimizer_client`,
...). It also runs locally: `OptimizerClient()` picks the backend like `TrainerClient()` does.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "OptimizerClient": "kubeflow.optimizer.api.optimizer_client",
    "KubernetesBackendConfig": "kubeflow.core.kubernetes.config",
    "LocalProcessBackendConfig": "kubeflow.core.local.config",
    "TrainJobTemplate": "kubeflow.trainer.types.template",
    "report_metrics": "kubeflow.katib.metrics",
    **dict.fromkeys(("Metric", "OptimizationJob", "Result", "Trial"), "kubeflow.katib.jobs"),
    **dict.fromkeys(("Direction", "Objective", "TrialConfig"), "kubeflow.katib.types"),
    **dict.fromkeys(
        ("Search", "Distribution", "ContinuousSearchSpace", "CategoricalSearchSpace"), "kubeflow.katib.search"
    ),
    **dict.fromkeys(
        (
            "BaseAlgorithm",
            "BayesianOptimization",
            "CMAESSearch",
            "GridSearch",
            "Hyperband",
            "MedianStop",
            "MultivariateTPESearch",
            "RandomSearch",
            "SobolSearch",
            "TPESearch",
        ),
        "kubeflow.katib.algorithms",
    ),
}

if TYPE_CHECKING:
    from kubeflow.core.kubernetes.config import KubernetesBackendConfig
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.katib.algorithms import (
        BaseAlgorithm,
        BayesianOptimization,
        CMAESSearch,
        GridSearch,
        Hyperband,
        MedianStop,
        MultivariateTPESearch,
        RandomSearch,
        SobolSearch,
        TPESearch,
    )
    from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
    from kubeflow.katib.metrics import report_metrics
    from kubeflow.katib.search import CategoricalSearchSpace, ContinuousSearchSpace, Distribution, Search
    from kubeflow.katib.types import Direction, Objective, TrialConfig
    from kubeflow.optimizer.api.optimizer_client import OptimizerClient
    from kubeflow.trainer.types.template import TrainJobTemplate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeflow.optimizer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "BaseAlgorithm",
    "BayesianOptimization",
    "CMAESSearch",
    "CategoricalSearchSpace",
    "ContinuousSearchSpace",
    "Direction",
    "Distribution",
    "GridSearch",
    "Hyperband",
    "KubernetesBackendConfig",
    "LocalProcessBackendConfig",
    "MedianStop",
    "Metric",
    "MultivariateTPESearch",
    "Objective",
    "OptimizationJob",
    "OptimizerClient",
    "RandomSearch",
    "Result",
    "Search",
    "SobolSearch",
    "TPESearch",
    "TrainJobTemplate",
    "Trial",
    "TrialConfig",
    "report_metrics",
]
