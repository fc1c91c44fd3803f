"""Names shared by every Katib backend: statuses, Katib's API group, trial statuses."""

from __future__ import annotations

from typing import Final

from kubeflow.core.models import COMPLETE, CREATED, FAILED, RUNNING

GROUP: Final = "kubeflow.org"
VERSION: Final = "v1beta1"
API_VERSION: Final = f"{GROUP}/{VERSION}"
EXPERIMENT_KIND: Final = "Experiment"
EXPERIMENT_PLURAL: Final = "experiments"
EXPERIMENT_SUCCEEDED: Final = "Succeeded"
EXPERIMENT_LABEL: Final = "katib.kubeflow.org/experiment"
TRIAL_PLURAL: Final = "trials"
TRIAL_KIND: Final = "Trial"
METRICS_COLLECTOR_CONTAINER: Final = "metrics-logger-and-collector"
DOUBLE_PARAMETER: Final = "double"
CATEGORICAL_PARAMETERS: Final = "categorical"

OPTIMIZATION_JOB_KIND: Final = "OptimizationJob"
OPTIMIZATION_JOB_CREATED: Final = CREATED
OPTIMIZATION_JOB_RUNNING: Final = RUNNING
OPTIMIZATION_JOB_COMPLETE: Final = COMPLETE
OPTIMIZATION_JOB_FAILED: Final = FAILED
UNKNOWN: Final = "Unknown"

TRIAL_CREATED: Final = "Created"
TRIAL_RUNNING: Final = "Running"
TRIAL_SUCCEEDED: Final = "Succeeded"
TRIAL_FAILED: Final = "Failed"
TRIAL_EARLY_STOPPED: Final = "EarlyStopped"
TRIAL_METRICS_UNAVAILABLE: Final = "MetricsUnavailable"
TRIAL_KILLED: Final = "Killed"
TRIAL_STATUSES: Final = frozenset(
    {
        TRIAL_CREATED,
        TRIAL_RUNNING,
        TRIAL_SUCCEEDED,
        TRIAL_FAILED,
        TRIAL_EARLY_STOPPED,
        TRIAL_METRICS_UNAVAILABLE,
        TRIAL_KILLED,
    }
)
TRIAL_TERMINAL: Final = frozenset(
    {TRIAL_SUCCEEDED, TRIAL_FAILED, TRIAL_EARLY_STOPPED, TRIAL_METRICS_UNAVAILABLE, TRIAL_KILLED}
)
