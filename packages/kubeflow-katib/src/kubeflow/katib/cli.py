"""`kubeflow optimizer ...`: the commands of kubeflow-katib's `KatibClient`, for the `kubeflow` command line.

Registered in kubeflow-katib's `kubeflow.cli` entry points; needs the `cli` extra. The same backends and configs
as the Python API (`--backend local|kubernetes`, `--namespace`, ...): `jobs`, `get`, `best`, `logs`, `events`,
`wait` and `delete` call `list_jobs`, `get_job`, `get_best_results`, `get_job_logs`, `get_job_events`,
`wait_for_job_status` and `delete_job`. Creating a search needs Python (a training function and a search space):
`KatibClient().optimize(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kubeflow.cli.options import FOREVER, STATUSES, global_options, name_completer, settings
from kubeflow.cli.output import emit, message

if TYPE_CHECKING:
    from kubeflow.katib.client import KatibClient

F = TypeVar("F", bound=Callable[..., Any])


def _client(ctx: click.Context | None = None) -> KatibClient:
    from kubeflow.katib.client import KatibClient

    return KatibClient(settings(ctx).backend_config())


_complete_job_names = name_completer(lambda ctx: [job.name for job in _client(ctx).list_jobs()])
"""Optimization job names for shell completion."""


def _job_argument() -> Callable[[F], F]:
    return click.argument("name", shell_complete=_complete_job_names)


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def _best_text(job: Any) -> str:
    """`lr=0.01 (loss=0.12)` for the best trial of `job` so far, from its trials' metrics."""
    objective = job.objectives[0] if job.objectives else None
    if objective is None:
        return ""
    minimize = getattr(objective.direction, "value", objective.direction) == "minimize"
    best: tuple[float, Any] | None = None
    for trial in job.trials:
        for metric in trial.metrics:
            if metric.name != objective.metric:
                continue
            try:
                value = float(metric.min if minimize else metric.max)
            except (TypeError, ValueError):
                continue
            better = best is None or (value < best[0] if minimize else value > best[0])
            if better:
                best = (value, trial)
    if best is None:
        return ""
    params = " ".join(f"{key}={value}" for key, value in best[1].parameters.items())
    return f"{params} ({objective.metric}={best[0]:.4g})"


def _jobs_table(found: list[Any]) -> Any:
    from rich import box
    from rich.table import Table

    from kubeflow.cli.output import age

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("NAME", "STATUS", "TRIALS", "BEST", "AGE"):
        table.add_column(column)
    for job in found:
        done = sum(1 for trial in job.trials if trial.status in ("Succeeded", "Failed", "EarlyStopped"))
        table.add_row(
            job.name,
            job.status,
            f"{done}/{job.trial_config.num_trials}",
            _best_text(job),
            age(job.creation_timestamp),
        )
    return table


def _job_table(job: Any) -> Any:
    from rich import box
    from rich.console import Group
    from rich.table import Table

    from kubeflow.cli.output import age

    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Name", job.name)
    summary.add_row("Status", job.status)
    summary.add_row("Age", age(job.creation_timestamp))
    summary.add_row(
        "Objective", ", ".join(f"{getattr(o.direction, 'value', o.direction)} {o.metric}" for o in job.objectives)
    )
    summary.add_row("Algorithm", type(job.algorithm).__name__)
    summary.add_row("Best", _best_text(job))
    trials = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("TRIAL", "STATUS", "PARAMETERS", "METRICS"):
        trials.add_column(column)
    for trial in job.trials:
        trials.add_row(
            trial.name,
            trial.status,
            " ".join(f"{key}={value}" for key, value in trial.parameters.items()),
            " ".join(f"{metric.name}={metric.latest}" for metric in trial.metrics),
        )
    return Group(summary, "", trials)


@click.group(
    epilog=_examples(
        "kubeflow optimizer jobs",
        "kubeflow optimizer get my-search -o yaml",
        "kubeflow optimizer best my-search",
        "kubeflow optimizer logs my-search -f",
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@global_options
def group() -> None:
    """Hyperparameter search (kubeflow-katib): list, follow, wait for and delete optimization jobs.

    Start a search from Python with KatibClient().optimize(...); these commands work on the jobs it created.
    """


@group.command(epilog=_examples("kubeflow optimizer jobs", "kubeflow optimizer jobs -o json"))
@global_options
def jobs() -> None:
    """List the optimization jobs, oldest first, with their trial count and best result so far."""
    from kubeflow.cli.output import jsonable

    found = _client().list_jobs()
    emit(jsonable(found), settings().output_format(), lambda: _jobs_table(found))


@group.command(epilog=_examples("kubeflow optimizer get my-search", "kubeflow optimizer get my-search -o json"))
@_job_argument()
@global_options
def get(name: str) -> None:
    """Show the optimization job NAME and its trials (parameters, status, metrics)."""
    from kubeflow.cli.output import jsonable

    job = _client().get_job(name)
    emit(jsonable(job), settings().output_format(), lambda: _job_table(job))


@group.command(epilog=_examples("kubeflow optimizer best my-search", "kubeflow optimizer best my-search -o json"))
@_job_argument()
@global_options
def best(name: str) -> None:
    """Show the best trial of the optimization job NAME so far: its parameters and metrics.

    Prints nothing in a table (null in JSON) while no trial has reported the objective yet.
    """
    from kubeflow.cli.output import jsonable

    result = _client().get_best_results(name)
    fmt = settings().output_format()
    if result is None:
        message(f"No trial of {name} has reported the objective yet.")
        if fmt != "table":
            emit(None, fmt)
        return

    def table() -> Any:
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("Trial", result.trial_name or "")
        for key, value in result.parameters.items():
            grid.add_row(key, value)
        for metric in result.metrics:
            grid.add_row(metric.name, f"{metric.latest} (min {metric.min}, max {metric.max})")
        return grid

    emit(jsonable(result), fmt, table)


@group.command(
    epilog=_examples(
        "kubeflow optimizer logs my-search",
        "kubeflow optimizer logs my-search --trial my-search-abc12 -f",
    )
)
@_job_argument()
@click.option("--trial", default=None, help="The trial to show. Default: the best so far, else the first.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing lines as they are written, until the trial ends.")
@global_options
def logs(name: str, trial: str | None, follow: bool) -> None:
    """Print the log of a trial of the optimization job NAME (one JSON object per line with -o json).

    With -f, Ctrl-C stops following and leaves the job running.
    """
    from kubeflow.cli.live import follow as print_lines

    lines = _client().get_job_logs(name, trial_name=trial, follow=follow)
    print_lines(
        lines,
        json_lines=settings().output == "json",
        step=trial,
        on_interrupt=f"Stopped following optimization job {name}; it keeps running.",
    )


@group.command(epilog=_examples("kubeflow optimizer events my-search", "kubeflow optimizer events my-search -o yaml"))
@_job_argument()
@global_options
def events(name: str) -> None:
    """List the events of the optimization job NAME and its trials, oldest first."""
    from kubeflow.cli.output import jsonable
    from kubeflow.trainer.cli import views

    found = _client().get_job_events(name)
    emit(jsonable(found), settings().output_format(), lambda: views.events_table(found))


@group.command(
    epilog=_examples(
        "kubeflow optimizer wait my-search",
        "kubeflow optimizer wait my-search --status Running --timeout 60",
    )
)
@_job_argument()
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES, case_sensitive=False),
    help="A status to wait for (repeat for any of several). Default: Complete.",
)
@click.option("--timeout", type=click.FloatRange(min=0), default=None, help="Seconds to wait at most (exit 5).")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Seconds between looks."
)
@global_options
def wait(name: str, statuses: Sequence[str], timeout: float | None, interval: float) -> None:
    """Wait until the optimization job NAME reaches a status.

    Exits 0 when it does, 4 as soon as it fails (unless Failed is awaited), 5 on --timeout; Ctrl-C stops waiting
    and leaves the job running.
    """
    import sys

    from kubeflow.cli.live import Stopped
    from kubeflow.cli.output import jsonable

    wanted = {status.capitalize() for status in (statuses or ("Complete",))}
    client = _client()
    try:
        job = client.wait_for_job_status(
            name, status=wanted, timeout=FOREVER if timeout is None else timeout, polling_interval=interval
        )
    except KeyboardInterrupt:
        raise Stopped(f"Stopped waiting for optimization job {name}; it keeps running.") from None
    fmt = settings().output_format()
    if fmt == "table":
        sys.stdout.write(f"Optimization job {name}: {job.status}\n")
    else:
        emit(jsonable(job), fmt)


@group.command(epilog=_examples("kubeflow optimizer delete my-search"))
@_job_argument()
@global_options
def delete(name: str) -> None:
    """Stop every running trial of the optimization job NAME and remove it."""
    _client().delete_job(name)
    fmt = settings().output_format()
    if fmt == "table":
        click.echo(f"Deleted optimization job {name}.")
    else:
        emit({"name": name, "deleted": True}, fmt)
