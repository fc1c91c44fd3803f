"""A local trainer job as an experiment run: its parameters, its metric history and its output URI.

Everything comes from the local-process backend's records (`kubeflow.core.local`): the job's recorded settings
(`meta`) and the training function's `func_args` (except credential-like names such as `hf_token`) become
parameters, and what the job reported about itself through `kubeflow.core.local.progress.report`
(e.g. from `update_trainjob_status` or `report_metrics`) becomes the metric history: every numeric metric of every
record, at its `step`. A job names its output by reporting the string metric `output_uri` (or `model_uri`), e.g.
`progress.report(metrics={"output_uri": "file:///home/me/out/mnist"})`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from kubeflow.core.errors import InvalidInputError

if TYPE_CHECKING:
    from kubeflow.core.local.config import LocalProcessBackendConfig

OUTPUT_METRICS = ("output_uri", "model_uri")
"""String metrics a job reports to name its output."""
SOURCE_KIND = "kubeflow-trainer"
"""`model_source_kind` of artifacts registered from a job."""
_PARAMETERS = (
    "runtime",
    "framework",
    "trainer",
    "function",
    "num_nodes",
    "nproc_per_node",
    "device",
    "packages_to_install",
)
_SECRET = re.compile(r"token|secret|passw|credential|api_?key|access_?key|private", re.IGNORECASE)
"""Arguments whose names look like credentials are not logged as parameters (they may leave the machine)."""
_STATUS = {"Complete": "FINISHED", "Failed": "FAILED", "Running": "RUNNING", "Created": "SCHEDULED"}


@dataclass(frozen=True)
class MetricPoint:
    """One numeric value a job reported."""

    name: str
    value: float
    step: int | None
    timestamp_ms: int


@dataclass(frozen=True)
class JobRecord:
    """What the registry logs of a local job."""

    name: str
    status: str
    started_ms: int | None
    finished_ms: int | None
    created_ms: int
    state_dir: str
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name -> (value as text, `parameterType`)."""
    metrics: list[MetricPoint] = field(default_factory=list)
    output_uri: str | None = None


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _parameter(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("true" if value else "false", "boolean")
    if isinstance(value, (int, float)):
        return (repr(value), "number")
    if isinstance(value, str):
        return (value, "string")
    return (json.dumps(value, sort_keys=True, default=str), "object")


def read_job(job: object, config: LocalProcessBackendConfig | None = None) -> JobRecord:
    """The record of local job `job` (a name, or anything with a `.name`): status, parameters, metrics, output.

    Raises:
        InvalidInputError: There is no such local job (field `from_job`).
    """
    from kubeflow.core.local.backend import LocalProcessBackend

    name = getattr(job, "name", job)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("from_job", f"must be a job name (or a TrainJob), got {job!r}.")
    job = name
    backend = LocalProcessBackend(config)
    info = backend.describe(job)
    if info is None:
        raise InvalidInputError(
            "from_job",
            f"there is no local job {job!r} in {backend.state.root}.",
            "Give the name TrainerClient().train() returned (see TrainerClient().list_jobs()).",
        )
    parameters = {key: _parameter(info.meta[key]) for key in _PARAMETERS if info.meta.get(key) is not None}
    arguments = info.meta.get("func_args")
    if isinstance(arguments, dict):  # the training function's arguments: the run's hyperparameters
        for key, value in arguments.items():
            if value is not None and not _SECRET.search(str(key)):
                parameters[str(key)] = _parameter(value)
    metrics: list[MetricPoint] = []
    output: str | None = None
    for record in backend.progress(job):
        stamp = _ms(record.time) or 0
        for name, value in record.metrics.items():
            if isinstance(value, str):
                if name in OUTPUT_METRICS:
                    output = value
                continue
            metrics.append(MetricPoint(name, float(value), record.step, stamp))
    return JobRecord(
        name=info.name,
        status=_STATUS.get(info.status, "RUNNING"),
        started_ms=_ms(info.started),
        finished_ms=_ms(info.finished),
        created_ms=_ms(info.created) or 0,
        state_dir=str(backend.state.root),
        parameters=parameters,
        metrics=metrics,
        output_uri=output,
    )


__all__ = ["OUTPUT_METRICS", "SOURCE_KIND", "JobRecord", "MetricPoint", "read_job"]
