"""What to tune: objectives, their direction and the trial budget (the trial template is the trainer's)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from kubeflow.core.errors import InvalidInputError
from kubeflow.trainer.types._model import model
from kubeflow.trainer.types.template import TrainJobTemplate


class Direction(Enum):
    """Whether an objective metric should go up or down."""

    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"


@model
class Objective:
    """A metric the trials report and the direction to optimise it in.

    The training function reports a metric with `report_metrics({"loss": 0.25})`, or by printing `loss=0.25`.
    """

    metric: str = Field(default="loss", min_length=1)
    """The metric name."""
    direction: Direction = Direction.MINIMIZE
    """`Direction.MINIMIZE` (or `"minimize"`) or `Direction.MAXIMIZE`."""
    goal: float | None = None
    """Stop the job once the best trial reaches this value; `None` runs every trial."""

    @field_validator("metric")
    @classmethod
    def _metric_name(cls, value: str) -> str:
        if "=" in value or any(char.isspace() for char in value):
            raise InvalidInputError("", f"{value!r} contains '=' or whitespace, which the metrics collector splits on.")
        return value


@model
class TrialConfig:
    """The trial budget of an optimization job."""

    num_trials: int = Field(default=10, ge=1, strict=True)
    """How many trials to run in total."""
    parallel_trials: int = Field(default=1, ge=1, strict=True)
    """How many trials run at the same time (at most `num_trials`)."""
    max_failed_trials: int | None = Field(default=None, ge=0, strict=True)
    """Fail the job once more than this many trials failed; `None` has no limit."""

    @field_validator("parallel_trials")
    @classmethod
    def _parallel_within_total(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("num_trials")
        if isinstance(total, int) and value > total:
            raise InvalidInputError(
                "", f"{value} is more than num_trials ({total}).", "Lower parallel_trials or raise num_trials."
            )
        return value


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
    spec: dict[str, Any] = {"type": primary.direction.value, "objectiveMetricName": primary.metric}
    if primary.goal is not None:
        spec["goal"] = primary.goal
    if len(objectives) > 1:
        spec["additionalMetricNames"] = names[1:]
    spec["metricStrategies"] = [
        {"name": objective.metric, "value": "max" if objective.direction is Direction.MAXIMIZE else "min"}
        for objective in objectives
    ]
    return spec


def objectives_from_spec(spec: dict[str, Any]) -> list[Objective]:
    """Rebuild the objectives from a Katib `ObjectiveSpec` dict (the first is optimised, the others collected)."""
    direction = Direction(spec.get("type", "minimize"))
    names = [spec["objectiveMetricName"], *(spec.get("additionalMetricNames") or [])]
    strategies = {item.get("name"): item.get("value") for item in spec.get("metricStrategies") or []}
    objectives = []
    for index, name in enumerate(names):
        if index == 0:
            objectives.append(Objective(metric=name, direction=direction, goal=spec.get("goal")))
        else:
            kind = Direction.MAXIMIZE if strategies.get(name) == "max" else Direction.MINIMIZE
            objectives.append(Objective(metric=name, direction=kind if name in strategies else direction))
    return objectives


__all__ = ["Direction", "Objective", "TrainJobTemplate", "TrialConfig", "objective_spec", "objectives_from_spec"]
