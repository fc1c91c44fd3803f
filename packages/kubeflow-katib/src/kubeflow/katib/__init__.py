"""kubeflow.katib: hyperparameter optimization over Kubeflow Trainer jobs, on this machine or on Katib.

```python
from kubeflow.katib import KatibClient, Search, TrialConfig, report_metrics
```

`KatibClient(backend_config=None)` takes the trainer's backend configs: locally each trial is a trainer job on the
local-process backend and suggestions come from Optuna; on Kubernetes an optimization is a Katib Experiment.
`kubeflow.optimizer` is the same implementation under the existing SDK's names.

Names are loaded on first use: `from kubeflow.katib import report_metrics` inside a training function imports the
standard library only.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "2026.12.0"

_EXPORTS: dict[str, str] = {
    "KatibClient": "kubeflow.katib.client",
    "report_metrics": "kubeflow.katib.metrics",
    "TrainJobTemplate": "kubeflow.trainer.types.template",
    "LocalProcessBackendConfig": "kubeflow.core.local.config",
    "KubernetesBackendConfig": "kubeflow.core.kubernetes.config",
    **dict.fromkeys(("Metric", "OptimizationJob", "Result", "Trial"), "kubeflow.katib.jobs"),
    **dict.fromkeys(
        (
            "CategoricalSearchSpace",
            "ContinuousSearchSpace",
            "Distribution",
            "FeasibleSpace",
            "ParameterSpec",
            "ParameterType",
            "Search",
        ),
        "kubeflow.katib.search",
    ),
    **dict.fromkeys(("Direction", "Objective", "TrialConfig"), "kubeflow.katib.types"),
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
    from kubeflow.katib.client import KatibClient
    from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
    from kubeflow.katib.metrics import report_metrics
    from kubeflow.katib.search import (
        CategoricalSearchSpace,
        ContinuousSearchSpace,
        Distribution,
        FeasibleSpace,
        ParameterSpec,
        ParameterType,
        Search,
    )
    from kubeflow.katib.types import Direction, Objective, TrialConfig
    from kubeflow.trainer.types.template import TrainJobTemplate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeflow.katib' has no attribute {name!r}")
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
    "FeasibleSpace",
    "GridSearch",
    "Hyperband",
    "KatibClient",
    "KubernetesBackendConfig",
    "LocalProcessBackendConfig",
    "MedianStop",
    "Metric",
    "MultivariateTPESearch",
    "Objective",
    "OptimizationJob",
    "ParameterSpec",
    "ParameterType",
    "RandomSearch",
    "Result",
    "Search",
    "SobolSearch",
    "TPESearch",
    "TrainJobTemplate",
    "Trial",
    "TrialConfig",
    "__version__",
    "report_metrics",
]
