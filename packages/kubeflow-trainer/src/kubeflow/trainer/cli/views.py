"""What the trainer commands print: JSON data and rich tables for runtimes, jobs, events and training progress.

JSON and YAML carry the fields of the Python API's types (`Runtime`, `TrainJob`, `Event`), so a script reads the
same names it would in Python. Training progress is `TrainJob.trainer_status` (percent, ETA, metrics) where the
SDK provides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kubeflow.cli.output import age, compact_metrics, human_duration, jsonable

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from kubeflow.core.models import Event
    from kubeflow.trainer.types import Runtime, TrainJob


def trainer_status(job: Any) -> Any:
    """The job's latest reported training progress (`TrainJob.trainer_status`), or `None`."""
    return getattr(job, "trainer_status", None)


def progress_fields(job: Any) -> tuple[int | None, int | None, dict[str, Any]]:
    """`(percent, eta_seconds, metrics)` of a job; `(None, None, {})` when it reported none."""
    status = trainer_status(job)
    if status is None:
        return None, None, {}
    return (
        getattr(status, "progress_percent", None),
        getattr(status, "estimated_remaining_seconds", None),
        dict(getattr(status, "metrics", None) or {}),
    )


def progress_text(job: Any) -> str:
    """`42% ETA 1m05s`, or `""` when the job reported no progress."""
    percent, eta, _ = progress_fields(job)
    parts = []
    if percent is not None:
        parts.append(f"{percent}%")
    if eta is not None and job.status not in ("Complete", "Failed"):
        parts.append(f"ETA {human_duration(eta)}")
    return " ".join(parts)


_STATUS_STYLE = {"Complete": "green", "Failed": "red", "Running": "cyan", "Created": "yellow"}


def _status(status: str) -> str:
    style = _STATUS_STYLE.get(status)
    return f"[{style}]{status}[/{style}]" if style else status


def _table(*columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def runtimes_data(runtimes: Sequence[Runtime]) -> list[Any]:
    """Runtimes as JSON data."""
    return [jsonable(runtime) for runtime in runtimes]


def runtimes_table(runtimes: Sequence[Runtime]) -> RenderableType:
    """One row per runtime."""
    table = _table("NAME", "TRAINER", "FRAMEWORK", "NODES", "DEVICE", "IMAGE")
    for runtime in runtimes:
        trainer = runtime.trainer
        device = f"{trainer.device} x{trainer.device_count}" if trainer.device_count not in ("", "Unknown") else ""
        table.add_row(
            runtime.name,
            trainer.trainer_type.value,
            trainer.framework,
            str(trainer.num_nodes),
            device or trainer.device,
            trainer.image or "",
        )
    return table


def jobs_data(jobs: Sequence[TrainJob]) -> list[Any]:
    """Jobs as JSON data (every field of `TrainJob`)."""
    return [jsonable(job) for job in jobs]


def jobs_table(jobs: Sequence[TrainJob]) -> RenderableType:
    """One row per job; PROGRESS and METRICS columns when some job reported progress."""
    with_progress = any(trainer_status(job) is not None for job in jobs)
    columns = ["NAME", "STATUS", "RUNTIME", "NODES", "AGE"]
    if with_progress:
        columns += ["PROGRESS", "METRICS"]
    table = _table(*columns)
    for job in jobs:
        row = [job.name, _status(job.status), job.runtime.name, str(job.num_nodes), age(job.creation_timestamp)]
        if with_progress:
            row += [progress_text(job), compact_metrics(progress_fields(job)[2], limit=3)]
        table.add_row(*row)
    return table


def job_table(job: TrainJob) -> RenderableType:
    """A job: its fields, its training progress and metrics, and its steps."""
    from rich.console import Group
    from rich.table import Table

    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold")
    fields.add_column()
    fields.add_row("Name", job.name)
    fields.add_row("Status", _status(job.status))
    fields.add_row("Runtime", job.runtime.name)
    fields.add_row("Nodes", str(job.num_nodes))
    fields.add_row("Created", f"{job.creation_timestamp.isoformat()} ({age(job.creation_timestamp)} ago)")
    if job.labels:
        fields.add_row("Labels", ", ".join(f"{k}={v}" for k, v in job.labels.items()))
    percent, eta, metrics = progress_fields(job)
    if percent is not None or eta is not None:
        fields.add_row("Progress", progress_text(job) or "")
    if metrics:
        fields.add_row("Metrics", compact_metrics(metrics, limit=len(metrics)))
    updated = getattr(trainer_status(job), "last_updated_time", None)
    if updated is not None:
        fields.add_row("Reported", f"{age(updated)} ago")
    steps = _table("STEP", "STATUS", "POD/PROCESS", "DEVICE", "EXIT CODE")
    for step in job.steps:
        device = f"{step.device} x{step.device_count}" if step.device_count not in ("", "Unknown") else step.device
        steps.add_row(
            step.name,
            step.status or "",
            step.pod_name,
            device,
            "" if step.exit_code is None else str(step.exit_code),
        )
    return Group(fields, "", steps) if job.steps else fields


def events_data(events: Sequence[Event]) -> list[Any]:
    """Events as JSON data."""
    return [jsonable(event) for event in events]


def events_table(events: Sequence[Event]) -> RenderableType:
    """One row per event, oldest first."""
    table = _table("TIME", "TYPE", "REASON", "OBJECT", "MESSAGE")
    for event in events:
        kind = "[yellow]Warning[/yellow]" if event.type == "Warning" else event.type
        table.add_row(
            event.event_time.isoformat(timespec="seconds"),
            kind,
            event.reason,
            f"{event.involved_object_kind}/{event.involved_object_name}",
            event.message,
        )
    return table
