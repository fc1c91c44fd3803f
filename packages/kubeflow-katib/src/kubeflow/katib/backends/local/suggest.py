"""Suggestions from Optuna under Katib's algorithm names, and the checks that need no Optuna import.

`check_runnable` runs in the client before anything is created; the rest runs in the driver only, so that
`import kubeflow.katib` never imports Optuna.
"""

from __future__ import annotations

import importlib.util
import math
from typing import TYPE_CHECKING, Any, Literal

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib.algorithms import (
    CMAESSearch,
    GridSearch,
    MultivariateTPESearch,
    RandomSearch,
    SobolSearch,
    TPESearch,
)
from kubeflow.katib.search import ParameterSpec
from kubeflow.katib.types import Direction

if TYPE_CHECKING:
    import optuna

    from kubeflow.katib.backends.local.spec import LoadedSpec
    from kubeflow.katib.validation import OptimizationRequest

ALGORITHMS = frozenset({"random", "grid", "tpe", "multivariate-tpe", "cmaes", "sobol"})
"""The Katib algorithm names the local backend runs."""
_NEEDS = {"cmaes": "cmaes", "sobol": "scipy"}
MAX_GRID = 100_000


def _bounds(spec: ParameterSpec) -> tuple[float, float]:
    space = spec.feasible_space
    return float(space.min or 0), float(space.max or 0)


def _is_log(spec: ParameterSpec) -> bool:
    return spec.feasible_space.distribution in ("logUniform", "logNormal")


def grid_values(parameters: list[ParameterSpec], num_trials: int) -> dict[str, list[Any]]:
    """The grid: listed values as they are; numeric ranges by their step, or split evenly when they have none.

    A range without a step is split into as many points as lets the whole grid fit in `num_trials` (at least 2).
    """
    fixed: dict[str, list[Any]] = {}
    open_ranges: list[ParameterSpec] = []
    for spec in parameters:
        assert spec.name is not None
        space = spec.feasible_space
        if spec.parameter_type in ("categorical", "discrete"):
            fixed[spec.name] = list(space.values or [])
        elif space.step is not None and not _is_log(spec):
            low, high = _bounds(spec)
            step = float(space.step)
            count = int(math.floor((high - low) / step + 1e-9)) + 1
            values = [low + index * step for index in range(count)]
            fixed[spec.name] = [int(v) for v in values] if spec.parameter_type == "int" else values
        else:
            open_ranges.append(spec)
    size = math.prod(len(values) for values in fixed.values()) if fixed else 1
    if open_ranges:
        per = max(2, int(math.floor((num_trials / size) ** (1 / len(open_ranges)) + 1e-9)))
        for spec in open_ranges:
            assert spec.name is not None
            low, high = _bounds(spec)
            if _is_log(spec):
                points = [
                    math.exp(math.log(low) + (math.log(high) - math.log(low)) * i / (per - 1)) for i in range(per)
                ]
            else:
                points = [low + (high - low) * i / (per - 1) for i in range(per)]
            points = [min(high, max(low, point)) for point in points]
            if spec.parameter_type == "int":
                points = sorted({int(round(p)) for p in points})
            fixed[spec.name] = points
    return fixed


def grid_size(spec: LoadedSpec) -> int | None:
    """How many points the job's grid has; `None` when its algorithm is not a grid."""
    if not isinstance(spec.algorithm, GridSearch):
        return None
    return math.prod(len(v) for v in grid_values(spec.parameters, spec.trial_config.num_trials).values())


def check_runnable(request: OptimizationRequest) -> None:
    """Reject what the local backend cannot run, before anything is created (imports no Optuna).

    Raises:
        InvalidInputError: Naming `algorithm` (unknown here, or its library missing) or the search space.
    """
    name = request.algorithm.algorithm_name
    module = _NEEDS.get(name)
    if module is not None and importlib.util.find_spec(module) is None:
        raise InvalidInputError(
            "algorithm", f"{name!r} needs the {module!r} package, which is not installed.", f"pip install {module}"
        )
    if name == "cmaes" and all(p.parameter_type == "categorical" for p in request.parameters):
        raise InvalidInputError(
            "algorithm", "cmaes searches numeric parameters; this search space has only choices.", "Use tpe or random."
        )
    if name == "grid":
        sizes = grid_values(request.parameters, request.trial_config.num_trials)
        total = math.prod(len(values) for values in sizes.values())
        if total > MAX_GRID:
            raise InvalidInputError("search_space", f"the grid has {total} points, more than {MAX_GRID}.")


def distributions(
    parameters: list[ParameterSpec], *, grid: bool = False
) -> dict[str, optuna.distributions.BaseDistribution]:
    """The Optuna distribution of each parameter (choices as their Katib strings); for a grid, ranges stepless."""
    import optuna

    found: dict[str, optuna.distributions.BaseDistribution] = {}
    for spec in parameters:
        assert spec.name is not None
        space = spec.feasible_space
        if spec.parameter_type in ("categorical", "discrete"):
            found[spec.name] = optuna.distributions.CategoricalDistribution(list(space.values or []))
            continue
        low, high = _bounds(spec)
        log = _is_log(spec)
        step = None if log or space.step is None else float(space.step)
        if grid and spec.parameter_type == "double":
            step = None
        if spec.parameter_type == "int":
            found[spec.name] = optuna.distributions.IntDistribution(
                int(low), int(high), log=log, step=int(step) if step else 1
            )
        else:
            if step is not None:
                high = low + math.floor((high - low) / step + 1e-9) * step
            found[spec.name] = optuna.distributions.FloatDistribution(low, high, log=log, step=step)
    return found


def sampler(spec: LoadedSpec, resumed_at: int = 0) -> optuna.samplers.BaseSampler:
    """The Optuna sampler of the job's algorithm, with its settings.

    Args:
        spec: The job.
        resumed_at: How many trials the study already holds when a new driver takes it up. A seeded random, TPE
            or CMA-ES sampler then starts from `random_state + resumed_at`: the same seed would replay the
            suggestions of the first trials (grid and Sobol keep their place in the study itself).
    """
    import optuna

    algorithm = spec.algorithm
    seed = getattr(algorithm, "random_state", None)
    if seed is not None and resumed_at and not isinstance(algorithm, (GridSearch, SobolSearch)):
        seed = (seed + resumed_at) % 2**32
    if isinstance(algorithm, GridSearch):

        class Grid(optuna.samplers.GridSampler):
            def after_trial(self, *args: Any, **kwargs: Any) -> None:
                """Nothing: the driver ends the job itself (Optuna's `study.stop` works only inside `optimize`)."""

        return Grid(grid_values(spec.parameters, spec.trial_config.num_trials), seed=seed)
    if isinstance(algorithm, (TPESearch, MultivariateTPESearch)):
        kwargs: dict[str, Any] = {"seed": seed, "multivariate": isinstance(algorithm, MultivariateTPESearch)}
        if algorithm.n_startup_trials is not None:
            kwargs["n_startup_trials"] = algorithm.n_startup_trials
        if algorithm.n_ei_candidates is not None:
            kwargs["n_ei_candidates"] = algorithm.n_ei_candidates
        if spec.trial_config.parallel_trials > 1:
            kwargs["constant_liar"] = True  # running trials count as bad, so parallel suggestions spread out
        return optuna.samplers.TPESampler(**kwargs)
    if isinstance(algorithm, CMAESSearch):
        return optuna.samplers.CmaEsSampler(
            seed=seed,
            sigma0=algorithm.sigma,
            restart_strategy=algorithm.restart_strategy,
            warn_independent_sampling=False,
        )
    if isinstance(algorithm, SobolSearch):
        return optuna.samplers.QMCSampler(
            qmc_type="sobol",
            scramble=True,
            seed=seed if seed is not None else 0,
            warn_independent_sampling=False,
            warn_asynchronous_seeding=False,
        )
    if isinstance(algorithm, RandomSearch):
        return optuna.samplers.RandomSampler(seed=seed)
    raise InvalidInputError("algorithm", f"the local backend cannot run {algorithm.algorithm_name!r}.")


def pruner(spec: LoadedSpec) -> optuna.pruners.BasePruner:
    """Median stopping when the job asks for early stopping, else none."""
    import optuna

    rule = spec.early_stopping
    if rule is None:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(
        n_startup_trials=rule.min_trials_required if rule.min_trials_required is not None else 3,
        n_warmup_steps=rule.start_step if rule.start_step is not None else 4,
    )


def direction(spec: LoadedSpec) -> Literal["minimize", "maximize"]:
    """The Optuna study direction."""
    return "maximize" if spec.objective.direction is Direction.MAXIMIZE else "minimize"


def as_text(value: Any) -> str:
    """A suggested value as Katib keeps it: a string (whole-number floats keep their `.0`)."""
    return str(value)
