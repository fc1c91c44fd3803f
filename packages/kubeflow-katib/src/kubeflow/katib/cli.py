"""`kubeflow optimizer ...`: read-only commands over kubeflow-katib's client, for the `kubeflow` command line.

Registered in kubeflow-katib's `kubeflow.cli` entry points; needs the `cli` extra. Where this release's client
cannot do an operation yet, the command says so in one line (exit 7) instead of failing with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kubeflow.cli.options import global_options, settings
from kubeflow.cli.output import emit
from kubeflow.cli.unavailable import unless_not_implemented

T = TypeVar("T")


def _client() -> Any:
    import kubeflow.katib as katib

    client_class = getattr(katib, "OptimizerClient", None) or katib.KatibClient
    return client_class(settings().backend_config())


def _available(operation: str, call: Callable[[], T]) -> T:
    """Run `call`; a client that cannot do `operation` yet is reported as unavailable, in one line."""
    return unless_not_implemented("kubeflow optimizer", "optimizer client of this kubeflow-katib", operation, call)


def _table(jobs: list[Any]) -> Any:
    from rich import box
    from rich.table import Table

    from kubeflow.cli.output import age

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("NAME", "STATUS", "AGE"):
        table.add_column(column)
    for job in jobs:
        table.add_row(
            str(getattr(job, "name", "")),
            str(getattr(job, "status", "")),
            age(getattr(job, "creation_timestamp", None)),
        )
    return table


@click.group(
    epilog="\b\nExamples:\n  kubeflow optimizer jobs\n  kubeflow optimizer get my-search -o yaml",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@global_options
def group() -> None:
    """Hyperparameter search: list and show optimization jobs (kubeflow-katib)."""


@group.command(epilog="\b\nExamples:\n  kubeflow optimizer jobs\n  kubeflow optimizer jobs -o json")
@global_options
def jobs() -> None:
    """List the optimization jobs."""
    from kubeflow.cli.output import jsonable

    found = _available("jobs", lambda: list(_client().list_jobs()))
    emit(jsonable(found), settings().output_format(), lambda: _table(found))


@group.command(epilog="\b\nExamples:\n  kubeflow optimizer get my-search\n  kubeflow optimizer get my-search -o json")
@click.argument("name")
@global_options
def get(name: str) -> None:
    """Show the optimization job NAME."""
    from kubeflow.cli.output import jsonable

    job = _available("get", lambda: _client().get_job(name))
    emit(jsonable(job), settings().output_format(), lambda: _table([job]))
