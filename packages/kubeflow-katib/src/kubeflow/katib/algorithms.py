"""Search algorithms and early-stopping rules, under Katib's algorithm names.

Each is a dataclass like the existing SDK's `GridSearch` and `RandomSearch`: its fields are Katib's algorithm
settings (sent to Katib as strings; `None` leaves Katib's default). Not every backend runs every algorithm: a
backend rejects one it cannot run before anything starts.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, ClassVar

from kubeflow.core.errors import InvalidInputError


def algorithm_settings(obj: Any) -> dict[str, Any]:
    """The settings of an algorithm dataclass that are set (not `None`), by Katib setting name."""
    return {
        field.name: getattr(obj, field.name)
        for field in dataclasses.fields(obj)
        if getattr(obj, field.name) is not None
    }


def _to_spec(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"algorithmName": name}
    if settings:
        spec["algorithmSettings"] = [{"name": key, "value": str(value)} for key, value in settings.items()]
    return spec


class BaseAlgorithm(abc.ABC):
    """A hyperparameter search algorithm (Katib `AlgorithmSpec`)."""

    @property
    @abc.abstractmethod
    def algorithm_name(self) -> str:
        """Katib's name of the algorithm, e.g. `random`."""

    def _to_katib_spec(self) -> dict[str, Any]:
        """The Katib v1beta1 `AlgorithmSpec` (camelCase dict)."""
        return _to_spec(self.algorithm_name, algorithm_settings(self))

    def to_katib_spec(self) -> dict[str, Any]:
        """The Katib v1beta1 `AlgorithmSpec` (camelCase dict): `algorithmName` and `algorithmSettings`."""
        return self._to_katib_spec()


def _check_seed(value: int | None, field: str = "random_state") -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidInputError(field, f"must be a non-negative int, got {value!r}.")


def _check_positive(value: int | float | None, field: str, *, integer: bool = True) -> None:
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or value <= 0):
        raise InvalidInputError(field, f"must be a positive {'int' if integer else 'number'}, got {value!r}.")


@dataclasses.dataclass
class GridSearch(BaseAlgorithm):
    """Grid search: every combination of the parameters' values (`double` ranges need a step, or are split)."""

    @property
    def algorithm_name(self) -> str:
        """`grid`."""
        return "grid"


@dataclasses.dataclass
class RandomSearch(BaseAlgorithm):
    """Random search.

    Args:
        random_state: Random seed for reproducibility.
    """

    random_state: int | None = None

    def __post_init__(self) -> None:
        _check_seed(self.random_state)

    @property
    def algorithm_name(self) -> str:
        """`random`."""
        return "random"


@dataclasses.dataclass
class TPESearch(BaseAlgorithm):
    """Tree-structured Parzen Estimator (Katib's `tpe`, backed by Optuna): models good and bad regions.

    Args:
        random_state: Random seed for reproducibility.
        n_startup_trials: Random trials before the model is used (default 10; keep it below `num_trials`).
        n_ei_candidates: Candidates scored per suggestion (default 24).
    """

    random_state: int | None = None
    n_startup_trials: int | None = None
    n_ei_candidates: int | None = None

    def __post_init__(self) -> None:
        _check_seed(self.random_state)
        _check_positive(self.n_startup_trials, "n_startup_trials")
        _check_positive(self.n_ei_candidates, "n_ei_candidates")

    @property
    def algorithm_name(self) -> str:
        """`tpe`."""
        return "tpe"


@dataclasses.dataclass
class MultivariateTPESearch(TPESearch):
    """TPE that models the parameters jointly (Katib's `multivariate-tpe`): better when they interact."""

    @property
    def algorithm_name(self) -> str:
        """`multivariate-tpe`."""
        return "multivariate-tpe"


@dataclasses.dataclass
class CMAESSearch(BaseAlgorithm):
    """Covariance Matrix Adaptation Evolution Strategy (Katib's `cmaes`), for numeric parameters.

    Args:
        random_state: Random seed for reproducibility.
        sigma: Initial step size, relative to the search range (default: a third of it).
        restart_strategy: `ipop` or `bipop` to restart with a larger population when stuck; `None` never restarts.
    """

    random_state: int | None = None
    sigma: float | None = None
    restart_strategy: str | None = None

    def __post_init__(self) -> None:
        _check_seed(self.random_state)
        _check_positive(self.sigma, "sigma", integer=False)
        if self.restart_strategy not in (None, "ipop", "bipop"):
            raise InvalidInputError(
                "restart_strategy", f"must be 'ipop', 'bipop' or None, got {self.restart_strategy!r}."
            )

    @property
    def algorithm_name(self) -> str:
        """`cmaes`."""
        return "cmaes"


@dataclasses.dataclass
class SobolSearch(BaseAlgorithm):
    """Quasi-random search along a Sobol sequence (Katib's `sobol`): covers the space more evenly than random.

    Args:
        random_state: Seed of the sequence's scrambling.
    """

    random_state: int | None = None

    def __post_init__(self) -> None:
        _check_seed(self.random_state)

    @property
    def algorithm_name(self) -> str:
        """`sobol`."""
        return "sobol"


@dataclasses.dataclass
class BayesianOptimization(BaseAlgorithm):
    """Gaussian-process Bayesian optimization (Katib's `bayesianoptimization`, scikit-optimize). Kubernetes only.

    Args:
        random_state: Random seed for reproducibility.
        n_initial_points: Random points before the model is used.
    """

    random_state: int | None = None
    n_initial_points: int | None = None

    def __post_init__(self) -> None:
        _check_seed(self.random_state)
        _check_positive(self.n_initial_points, "n_initial_points")

    @property
    def algorithm_name(self) -> str:
        """`bayesianoptimization`."""
        return "bayesianoptimization"


@dataclasses.dataclass
class Hyperband(BaseAlgorithm):
    """Hyperband (Katib's `hyperband`): successive halving over a resource parameter. Kubernetes only.

    Args:
        resource_name: The parameter that holds the resource (e.g. epochs).
        eta: The halving rate.
        r_l: The largest resource given to one trial.
    """

    resource_name: str | None = None
    eta: int | None = None
    r_l: int | None = None

    @property
    def algorithm_name(self) -> str:
        """`hyperband`."""
        return "hyperband"


@dataclasses.dataclass
class MedianStop:
    """Early stopping (Katib's `medianstop`): stop trials that do worse than the median of the others.

    A trial is stopped when its best objective so far is worse than the median of the other trials' running
    averages at the same step.

    Args:
        min_trials_required: Trials that must have reported at a step before a trial is judged there (default 3).
        start_step: The first step (`epoch` of `report_metrics`) at which trials are judged (default 4).
    """

    min_trials_required: int | None = None
    start_step: int | None = None

    algorithm_name: ClassVar[str] = "medianstop"

    def __post_init__(self) -> None:
        _check_positive(self.min_trials_required, "min_trials_required")
        _check_positive(self.start_step, "start_step")

    def to_katib_spec(self) -> dict[str, Any]:
        """The Katib v1beta1 `EarlyStoppingSpec` (camelCase dict)."""
        return _to_spec(self.algorithm_name, algorithm_settings(self))


ALGORITHMS: dict[str, type[BaseAlgorithm]] = {
    "grid": GridSearch,
    "random": RandomSearch,
    "tpe": TPESearch,
    "multivariate-tpe": MultivariateTPESearch,
    "cmaes": CMAESSearch,
    "sobol": SobolSearch,
    "bayesianoptimization": BayesianOptimization,
    "hyperband": Hyperband,
}
"""Algorithm classes by Katib algorithm name."""

ALGORITHM_REGISTRY = {"grid": GridSearch, "random": RandomSearch}
"""The existing SDK's registry (its two algorithms), kept for code that reads it."""

EarlyStopping = MedianStop
"""The early-stopping rules (Katib's `medianstop` is the one Katib ships)."""


def _convert(raw: str, annotation: Any) -> Any:
    text = str(annotation)
    if "int" in text:
        return int(raw)
    if "float" in text:
        return float(raw)
    return raw


def algorithm_from_spec(spec: dict[str, Any]) -> BaseAlgorithm:
    """Rebuild an algorithm from a Katib `AlgorithmSpec` dict (as stored or read back from the cluster).

    Raises:
        InvalidInputError: The algorithm name is not one of Katib's.
    """
    name = str(spec.get("algorithmName") or spec.get("algorithm_name") or "")
    cls = ALGORITHMS.get(name)
    if cls is None:
        raise InvalidInputError("algorithm", f"{name!r} is not a Katib algorithm.", f"Use one of {sorted(ALGORITHMS)}.")
    settings = {item["name"]: item["value"] for item in spec.get("algorithmSettings") or [] if "name" in item}
    kwargs = {
        field.name: _convert(str(settings[field.name]), field.type)
        for field in dataclasses.fields(cls)  # type: ignore[arg-type]
        if field.name in settings and settings[field.name] is not None
    }
    return cls(**kwargs)


def early_stopping_from_spec(spec: dict[str, Any] | None) -> MedianStop | None:
    """Rebuild an early-stopping rule from a Katib `EarlyStoppingSpec` dict; `None` for none."""
    if not spec:
        return None
    settings = {item["name"]: item["value"] for item in spec.get("algorithmSettings") or [] if "name" in item}
    return MedianStop(
        **{key: int(value) for key, value in settings.items() if key in ("min_trials_required", "start_step")}
    )
