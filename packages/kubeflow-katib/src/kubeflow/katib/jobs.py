"""What `KatibClient` reports: optimization jobs, their trials, metrics and best results."""

from __future__ import annotations

from dataclasses import field
from datetime import datetime

from kubeflow.katib import constants
from kubeflow.katib.algorithms import BaseAlgorithm
from kubeflow.katib.search import CategoricalSearchSpace, ContinuousSearchSpace
from kubeflow.katib.types import Objective, TrialConfig
from kubeflow.trainer.types._model import model
from kubeflow.trainer.types.jobs import TrainJob


@model
class Metric:
    """One metric of a trial (Katib `Metric`): its lowest, highest and latest reported values, as strings."""

    name: str
    """The metric name."""
    min: str
    """The lowest reported value."""
    max: str
    """The highest reported value."""
    latest: str
    """The last reported value."""


@model
class Result:
    """The best trial of an optimization job so far: its parameters and metrics."""

    parameters: dict[str, str]
    """The best parameter values (as Katib keeps them: strings)."""
    metrics: list[Metric]
    """The best trial's metrics."""
    trial_name: str | None = None
    """The best trial's name (also its TrainJob's name)."""


@model
class Trial:
    """One training run of an optimization job, with the parameter values it tried."""

    name: str
    """The trial name, which is also the name of its TrainJob."""
    parameters: dict[str, str]
    """The parameter values of this trial (as strings)."""
    trainjob: TrainJob | None = None
    """The trial's TrainJob; `None` once it was removed (or before it is created)."""
    metrics: list[Metric] = field(default_factory=list)
    """The metrics the trial reported."""
    status: str = constants.TRIAL_CREATED
    """`Created`, `Running`, `Succeeded`, `Failed`, `EarlyStopped` or `MetricsUnavailable`."""


@model
class OptimizationJob:
    """An optimization job (a Katib Experiment): what it searches and how far it got."""

    name: str
    """The job name."""
    search_space: dict[str, ContinuousSearchSpace | CategoricalSearchSpace]
    """The searched parameters."""
    objectives: list[Objective]
    """The objectives; the first one is optimised, the others collected."""
    algorithm: BaseAlgorithm
    """The search algorithm."""
    trial_config: TrialConfig
    """The trial budget."""
    trials: list[Trial]
    """The trials created so far, oldest first."""
    creation_timestamp: datetime
    """When the job was created."""
    status: str = constants.UNKNOWN
    """`Created`, `Running`, `Complete` or `Failed`."""


__all__ = ["Metric", "OptimizationJob", "Result", "Trial"]
