"""Notebook display: jobs and runtimes, one or a list, render as compact HTML tables in Jupyter.

Jupyter calls `_repr_html_`; everywhere else the plain dataclass `repr` is shown. `TrainerClient.list_jobs` and
`list_runtimes` return a `DisplayList`, a `list` that renders as one table.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from kubeflow.trainer.types.jobs import Runtime, TrainJob

T = TypeVar("T")

JOB_HEADERS = ("name", "status", "runtime", "nodes", "steps", "progress", "created")
RUNTIME_HEADERS = ("name", "kind", "trainer", "framework", "nodes", "devices per node")


def html_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A compact HTML table; every cell is escaped."""
    head = "".join(f"<th style='text-align:left'>{escape(title)}</th>" for title in headers)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table class='kubeflow'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def progress_text(job: TrainJob) -> str:
    """Training progress reported from inside the job (`update_trainjob_status`), or an empty string."""
    status: Any = getattr(job, "trainer_status", None)
    if status is None:
        return ""
    parts = []
    if (percent := getattr(status, "progress_percent", None)) is not None:
        parts.append(f"{percent}%")
    if (seconds := getattr(status, "estimated_remaining_seconds", None)) is not None:
        parts.append(f"ETA {seconds} s")
    metrics = getattr(status, "metrics", None) or {}
    parts.extend(f"{name}={value}" for name, value in list(metrics.items())[:4])
    return ", ".join(parts)


def job_row(job: TrainJob) -> tuple[str, ...]:
    """One table row for a job."""
    steps = ", ".join(f"{step.name}: {step.status or '?'}" for step in job.steps)
    created = job.creation_timestamp.isoformat(timespec="seconds")
    return (job.name, job.status, job.runtime.name, str(job.num_nodes), steps, progress_text(job), created)


def runtime_row(runtime: Runtime) -> tuple[str, ...]:
    """One table row for a runtime."""
    trainer = runtime.trainer
    kind = getattr(runtime, "kind", None)
    kind_text = str(getattr(kind, "value", kind) or "")
    devices = f"{trainer.device_count} x {trainer.device}"
    return (runtime.name, kind_text, trainer.trainer_type.value, trainer.framework, str(trainer.num_nodes), devices)


def render(items: list[Any]) -> str | None:
    """The HTML table of a list of jobs or runtimes; `None` (Jupyter then shows the text) for anything else."""
    from kubeflow.trainer.types.jobs import Runtime, TrainJob

    if items and all(isinstance(item, TrainJob) for item in items):
        return html_table(JOB_HEADERS, [job_row(item) for item in items])
    if items and all(isinstance(item, Runtime) for item in items):
        return html_table(RUNTIME_HEADERS, [runtime_row(item) for item in items])
    return None


class DisplayList(list[T]):
    """A plain `list` that Jupyter shows as one table when it holds jobs or runtimes."""

    def _repr_html_(self) -> str | None:
        return render(list(self))
