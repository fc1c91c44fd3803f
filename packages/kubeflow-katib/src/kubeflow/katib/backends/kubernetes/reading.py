"""Katib objects -> the client's types: `OptimizationJob`, `Trial`, `Metric`, `Result`. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib import constants
from kubeflow.katib.algorithms import RandomSearch, algorithm_from_spec
from kubeflow.katib.backends.kubernetes.body import PARAMETER_TYPES_ANNOTATION
from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
from kubeflow.katib.search import ParameterSpec, search_space_view
from kubeflow.katib.types import Objective, TrialConfig, objectives_from_spec
from kubeflow.trainer.types import TrainJob

Obj = dict[str, Any]
TRIAL_ORDER = (
    constants.TRIAL_SUCCEEDED,
    constants.TRIAL_FAILED,
    constants.TRIAL_EARLY_STOPPED,
    constants.TRIAL_METRICS_UNAVAILABLE,
    constants.TRIAL_KILLED,
    constants.TRIAL_RUNNING,
)
"""Trial conditions from the most to the least final: the first one `True` is the trial's status."""


def true_condition(obj: Obj, kind: str) -> Obj | None:
    """The condition of type `kind` if its status is `True`."""
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind and str(condition.get("status")) == "True":
            return dict(condition)
    return None


def metrics_of(observation: Obj | None) -> list[Metric]:
    """The metrics of a Katib `Observation` (entries missing a value are skipped, as the existing SDK does)."""
    found = []
    for item in (observation or {}).get("metrics") or []:
        values = [item.get(key) for key in ("name", "min", "max", "latest")]
        if all(value is not None for value in values):
            found.append(Metric(name=str(values[0]), min=str(values[1]), max=str(values[2]), latest=str(values[3])))
    return found


def assignments(items: list[Obj] | None) -> dict[str, str]:
    """Katib `ParameterAssignment`s as a dict of name to value (text, as Katib keeps it)."""
    return {str(a["name"]): str(a["value"]) for a in items or [] if a.get("name") is not None and "value" in a}


def trial_status(trial: Obj) -> str:
    """The trial's status from its conditions (`Created` until one of the others is `True`)."""
    for kind in TRIAL_ORDER:
        if true_condition(trial, kind):
            return kind
    return constants.TRIAL_CREATED


def to_trial(trial: Obj, trainjob: TrainJob | None) -> Trial:
    """A Katib Trial (and its TrainJob, if read) as the client's `Trial`."""
    return Trial(
        name=str(trial["metadata"]["name"]),
        parameters=assignments((trial.get("spec") or {}).get("parameterAssignments")),
        trainjob=trainjob,
        metrics=metrics_of((trial.get("status") or {}).get("observation")),
        status=trial_status(trial),
    )


def experiment_status(experiment: Obj) -> str:
    """`Complete` (Succeeded), `Failed`, `Running` or `Created`, from the Experiment's conditions."""
    if true_condition(experiment, constants.EXPERIMENT_SUCCEEDED):
        return constants.OPTIMIZATION_JOB_COMPLETE
    if true_condition(experiment, "Failed"):
        return constants.OPTIMIZATION_JOB_FAILED
    if true_condition(experiment, "Running"):
        return constants.OPTIMIZATION_JOB_RUNNING
    return constants.OPTIMIZATION_JOB_CREATED


def _parameter_types(experiment: Obj) -> Mapping[str, str]:
    text = ((experiment.get("metadata") or {}).get("annotations") or {}).get(PARAMETER_TYPES_ANNOTATION)
    try:
        types = json.loads(text) if text else {}
    except ValueError:
        return {}
    return types if isinstance(types, dict) else {}


def _created(experiment: Obj) -> datetime:
    stamp = (experiment.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return datetime.now(timezone.utc)
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))


def to_job(experiment: Obj, trials: list[Trial]) -> OptimizationJob:
    """An Experiment and its trials as the client's `OptimizationJob` (also Experiments made by other clients)."""
    spec = experiment.get("spec") or {}
    types = _parameter_types(experiment)
    search_space = {}
    for raw in spec.get("parameters") or []:
        kind = types.get(str(raw.get("name")))
        try:
            parameter = ParameterSpec.model_validate(
                {**raw, "valueType": kind if kind in ("bool", "int", "float", "str") else None}
            )
            search_space[str(raw["name"])] = search_space_view(parameter)
        except (ValueError, KeyError):
            continue  # a parameter this SDK cannot describe (e.g. written by hand) is left out, not fatal
    try:
        objectives = objectives_from_spec(spec["objective"]) if spec.get("objective") else [Objective()]
    except (ValueError, KeyError):
        objectives = [Objective()]
    try:
        algorithm = algorithm_from_spec(spec.get("algorithm") or {"algorithmName": "random"})
    except (InvalidInputError, ValueError, TypeError):
        algorithm = RandomSearch()
    max_trials = int(spec.get("maxTrialCount") or 1)
    parallel = min(int(spec.get("parallelTrialCount") or 3), max_trials)
    failed = spec.get("maxFailedTrialCount")
    return OptimizationJob(
        name=str(experiment["metadata"]["name"]),
        search_space=search_space,
        objectives=objectives,
        algorithm=algorithm,
        trial_config=TrialConfig(
            num_trials=max_trials,
            parallel_trials=parallel,
            max_failed_trials=int(failed) if failed is not None else None,
        ),
        trials=trials,
        creation_timestamp=_created(experiment),
        status=experiment_status(experiment),
    )


def best_result(experiment: Obj) -> Result | None:
    """The Experiment's `currentOptimalTrial` as a `Result`; `None` while there is none."""
    optimal = (experiment.get("status") or {}).get("currentOptimalTrial") or {}
    name = optimal.get("bestTrialName")
    if not name:
        return None
    return Result(
        parameters=assignments(optimal.get("parameterAssignments")),
        metrics=metrics_of(optimal.get("observation")),
        trial_name=str(name),
    )


__all__ = ["best_result", "experiment_status", "metrics_of", "to_job", "to_trial", "trial_status", "true_condition"]
