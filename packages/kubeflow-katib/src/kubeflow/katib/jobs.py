"""What `KatibClient` will report: optimization jobs, their trials, metrics and best results."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kubeflow.core.models import JobStatus
from kubeflow.katib._base import KatibModel
from kubeflow.katib.search import ParameterSpec
from kubeflow.katib.types import Algorithm, Objective, TrialConfig


class Metric(KatibModel):
    """One metric of a trial (Katib v1beta1 `Metric`): its latest, lowest and highest reported values."""

    name: str
    """The metric name."""
    latest: str
    """The last reported value."""
    min: str | None = None
    """The lowest reported value."""
    max: str | None = None
    """The highest reported value."""


class Trial(KatibModel):
    """One training run of an optimization job, with the parameter values it tried."""

    name: str
    """The trial name (also the name of its TrainJob)."""
    parameters: dict[str, str] = Field(default_factory=dict)
    """The parameter values of this trial."""
    metrics: list[Metric] = Field(default_factory=list)
    """The metrics the trial reported."""
    status: JobStatus = "Created"
    """The trial status."""


class Result(KatibModel):
    """The best trial of an optimization job so far."""

    trial_name: str | None = None
    """The best trial's name; `None` before any trial reported the objective metric."""
    parameters: dict[str, str] = Field(default_factory=dict)
    """The best parameter values."""
    metrics: list[Metric] = Field(default_factory=list)
    """The best trial's metrics."""


class OptimizationJob(KatibModel):
    """An optimization job (a Katib Experiment): what it searches and how far it got."""

    name: str
    """The job name."""
    search_space: list[ParameterSpec]
    """The searched parameters."""
    objectives: list[Objective]
    """The objectives; the first one is optimised."""
    algorithm: Algorithm
    """The search algorithm."""
    trial_config: TrialConfig
    """The trial budget."""
    trials: list[Trial] = Field(default_factory=list)
    """The trials created so far."""
    creation_timestamp: datetime | None = None
    """When the job was created."""
    status: JobStatus = "Created"
    """The job status."""
