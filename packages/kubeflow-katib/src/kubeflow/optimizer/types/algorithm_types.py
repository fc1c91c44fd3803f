"""The existing SDK's `kubeflow.optimizer.types.algorithm_types`: the algorithms of `kubeflow.katib.algorithms`."""

from kubeflow.katib.algorithms import (
    ALGORITHM_REGISTRY,
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

__all__ = [
    "ALGORITHM_REGISTRY",
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
]
