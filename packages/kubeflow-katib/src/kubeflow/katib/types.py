"""What to tune: the trial template, objectives, algorithm and trial budget of an optimization job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib._base import KatibModel
from kubeflow.trainer.types.template import TrainJobTemplate as TrainJobTemplate  # one definition, the trainer's

Direction = Literal["maximize", "minimize"]
"""Whether an objective metric should go up or down."""
AlgorithmName = Literal[
    "random", "grid", "tpe", "multivariate-tpe", "bayesianoptimization", "cmaes", "sobol", "hyperband"
]
"""The Katib hyperparameter search algorithms."""
SettingValue = str | int | float | bool


class Objective(KatibModel):
    """A metric the trials report and the direction to optimise it in.

    The training function reports a metric by printing `<metric>=<value>`, e.g. `loss=0.25`.
    """

    metric: str = Field(default="loss", min_length=1)
    """The metric name."""
    direction: Direction = "minimize"
    """`minimize` or `maximize`."""
    goal: float | None = None
    """Stop the job once the best trial reaches this value; `None` runs every trial."""

    @field_validator("metric")
    @classmethod
    def _metric_name(cls, value: str) -> str:
        if "=" in value or any(char.isspace() for char in value):
            raise InvalidInputError("", f"{value!r} contains '=' or whitespace, which the metrics collector splits on.")
        return value


class Algorithm(KatibModel):
    """The search algorithm and its settings (Katib v1beta1 `AlgorithmSpec`)."""

    name: AlgorithmName = "random"
    """The algorithm, e.g. `random`, `grid`, `tpe`, `bayesianoptimization`."""
    settings: dict[str, SettingValue] = Field(default_factory=dict)
    """Algorithm settings, e.g. `{"random_state": 42}` (sent to Katib as strings)."""

    @field_validator("settings")
    @classmethod
    def _setting_names(cls, value: dict[str, SettingValue]) -> dict[str, SettingValue]:
        if any(not key for key in value):
            raise InvalidInputError("", "setting names must not be empty.")
        return value

    def to_spec(self) -> dict[str, Any]:
        """Return the Katib v1beta1 `AlgorithmSpec` (camelCase) for this algorithm."""
        spec: dict[str, Any] = {"algorithmName": self.name}
        if self.settings:
            spec["algorithmSettings"] = [{"name": key, "value": str(value)} for key, value in self.settings.items()]
        return spec


class TrialConfig(KatibModel):
    """The trial budget of an optimization job."""

    num_trials: int = Field(default=10, ge=1, strict=True)
    """How many trials to run in total."""
    parallel_trials: int = Field(default=1, ge=1, strict=True)
    """How many trials run at the same time (at most `num_trials`)."""
    max_failed_trials: int | None = Field(default=None, ge=0, strict=True)
    """Fail the job after this many failed trials; `None` has no limit."""

    @model_validator(mode="after")
    def _parallel_within_total(self) -> TrialConfig:
        if self.parallel_trials > self.num_trials:
            raise InvalidInputError(
                "parallel_trials",
                f"{self.parallel_trials} is more than num_trials ({self.num_trials}).",
                "Lower parallel_trials or raise num_trials.",
            )
        return self


def objective_spec(objectives: Sequence[Objective]) -> dict[str, Any]:
    """Return the Katib v1beta1 `ObjectiveSpec` (camelCase) for a list of objectives.

    Katib optimises one metric: the first objective. The others are collected as additional metrics, each
    kept at its best value (`max` or `min`) through `metricStrategies`.

    Raises:
        InvalidInputError: The list is empty or names a metric twice.
    """
    if not objectives:
        raise InvalidInputError("objectives", "must name at least one metric.", "e.g. [Objective(metric='loss')]")
    names = [objective.metric for objective in objectives]
    if len(set(names)) != len(names):
        raise InvalidInputError("objectives", f"metric names must be unique, got {names}.")
    primary = objectives[0]
    spec: dict[str, Any] = {"type": primary.direction, "objectiveMetricName": primary.metric}
    if primary.goal is not None:
        spec["goal"] = primary.goal
    if len(objectives) > 1:
        spec["additionalMetricNames"] = names[1:]
    spec["metricStrategies"] = [
        {"name": objective.metric, "value": "max" if objective.direction == "maximize" else "min"}
        for objective in objectives
    ]
    return spec
