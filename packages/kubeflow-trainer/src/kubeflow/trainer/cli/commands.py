"""`kubeflow trainer ...`: the trainer's commands, on the same backends and configs as `TrainerClient`.

Only click is imported at module level; the client, the backends and rich are imported by the command that runs,
so `kubeflow trainer --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kubeflow.cli.options import FOREVER, STATUSES, global_options, name_completer, settings
from kubeflow.cli.output import emit, message

if TYPE_CHECKING:
    from kubeflow.trainer.client import TrainerClient


def _client(ctx: click.Context | None = None) -> TrainerClient:
    from kubeflow.trainer.client import TrainerClient

    return TrainerClient(settings(ctx).backend_config())


_complete_job_names = name_completer(lambda ctx: [job.name for job in _client(ctx).list_jobs()])
"""Job names for shell completion."""


F = TypeVar("F", bound=Callable[..., Any])


def _job_argument() -> Callable[[F], F]:
    return click.argument("name", shell_complete=_complete_job_names)


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    epilog=_examples(
        "kubeflow trainer runtimes",
        "kubeflow trainer train train.py:main --arg lr=0.01 --num-nodes 2 --follow",
        "kubeflow trainer jobs -o json | jq -r '.[].name'",
        "kubeflow trainer logs my-job -f --step all",
    ),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@global_options
def group() -> None:
    """Train models and follow training jobs (kubeflow-trainer)."""


@group.command(epilog=_examples("kubeflow trainer runtimes", "kubeflow trainer runtimes --backend kubernetes -o yaml"))
@global_options
def runtimes() -> None:
    """List the runtimes jobs can be created from."""
    from kubeflow.trainer.cli import views

    found = _client().list_runtimes()
    emit(views.runtimes_data(found), settings().output_format(), lambda: views.runtimes_table(found))


@group.command(
    epilog=_examples(
        "kubeflow trainer train train.py:main",
        "kubeflow trainer train train.py:main --arg epochs=3 --arg lr=0.01 --num-nodes 2 --follow",
        "kubeflow trainer train train.py:main --packages 'torch>=2.3' --packages numpy --env SEED=1",
        "kubeflow trainer train train.py:main --arg 'layers=[64, 32]' --dry-run -o yaml",
    )
)
@click.argument("target", metavar="FILE:FUNCTION")
@click.option(
    "--arg",
    "args",
    multiple=True,
    metavar="KEY=VALUE",
    help="An argument of FUNCTION (repeat). VALUE is parsed as JSON where valid (3, 0.1, true, [1,2]), else a string.",
)
@click.option("--num-nodes", type=click.IntRange(min=1), default=None, help="Training nodes. Default: the runtime's.")
@click.option(
    "--packages",
    multiple=True,
    metavar="REQUIREMENT",
    help="A package to install for the job, e.g. 'torch>=2.3' (repeat for more).",
)
@click.option("--env", multiple=True, metavar="KEY=VALUE", help="An environment variable of every node (repeat).")
@click.option("--runtime", default=None, help="The runtime. Default: torch-distributed.")
@click.option("--name", default=None, help="The job's name. Default: a generated one.")
@click.option("--follow", "-f", is_flag=True, help="Stream the job's logs until it ends; exit 4 if it fails.")
@click.option("--step", default="node-0", show_default=True, help="With --follow: the step to follow, or 'all'.")
@click.option("--dry-run", is_flag=True, help="Validate and print what would be started or sent; create nothing.")
@global_options
def train(
    target: str,
    args: Sequence[str],
    num_nodes: int | None,
    packages: Sequence[str],
    env: Sequence[str],
    runtime: str | None,
    name: str | None,
    follow: bool,
    step: str,
    dry_run: bool,
) -> None:
    """Run FUNCTION from the Python file FILE as a training job.

    The file is imported by its path (its `if __name__ == "__main__":` block does not run); the function's source is
    shipped to every node and called with the --arg values as keyword arguments, checked against its signature.
    Prints the created job (its name on a terminal), or with --follow its logs as they are written: Ctrl-C then stops
    following and leaves the job running.
    """
    if follow and dry_run:
        raise click.UsageError("--follow and --dry-run exclude each other.")
    from kubeflow.trainer.cli.loading import load_function, module_globals_used, parse_args, parse_env

    with _option_names():
        func = load_function(target)
        outside = module_globals_used(func)
        if outside:
            message(
                f"kubeflow: warning: {func.__name__}() uses {', '.join(outside)} from the top of its file, but only "
                "the function's own source travels to the job: import or define them inside the function."
            )
        trainer = _custom_trainer(func, parse_args(func, args), num_nodes, list(packages), parse_env(env))
        options: list[Any] = []
        if name is not None:
            from kubeflow.trainer.options import Name

            options.append(Name(name))
        client = _client()
        fmt = settings().output_format()
        if dry_run:
            emit(client.train(runtime=runtime, trainer=trainer, options=options, dry_run=True), fmt)
            return
    from kubeflow.cli.progress import env_progress

    try:
        with env_progress(), _option_names():
            created = client.train(runtime=runtime, trainer=trainer, options=options)
    except KeyboardInterrupt:
        from kubeflow.cli.live import Stopped

        job = f"job {name}" if name is not None else "the job"
        raise Stopped(
            f"Interrupted while starting {job}: if it was created, it keeps running "
            f"(see: kubeflow trainer jobs; stop it with: kubeflow trainer delete NAME)."
        ) from None
    if follow:
        message(f"Created job {created}; following {step} (Ctrl-C stops following, the job keeps running).")
        _follow_to_the_end(client, created, step)
        return
    if fmt == "table":
        click.echo(f"Created job {created}.")
        message(f"Follow it with: kubeflow trainer logs {created} -f")
    else:
        emit({"name": created}, fmt)


_OPTION_OF_FIELD = {
    "trainer.num_nodes": "--num-nodes",
    "trainer.env": "--env",
    "trainer.packages_to_install": "--packages",
    "packages_to_install": "--packages",
    "trainer.func_args": "--arg",
    "options.Name": "--name",
    "runtime": "--runtime",
}


@contextmanager
def _option_names() -> Iterator[None]:
    """Errors of the Python API name its fields (`trainer.num_nodes`); on the command line, name the option."""
    from kubeflow.core.errors import InvalidInputError

    try:
        yield
    except InvalidInputError as exc:
        field = exc.field
        for prefix, option in _OPTION_OF_FIELD.items():
            if field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "["):
                field = option
        if field.startswith(("Name.", "Name")):
            field = "--name"
        elif field.startswith("CustomTrainer."):
            field = _OPTION_OF_FIELD.get("trainer." + field.split(".")[1], field)
        if field == exc.field:
            raise
        raise InvalidInputError(field, exc.problem, exc.fix) from exc


def _custom_trainer(
    func: Any, func_args: dict[str, Any], num_nodes: int | None, packages: list[str], env: dict[str, str] | None
) -> Any:
    from kubeflow.trainer.types import CustomTrainer

    return CustomTrainer(
        func=func,
        func_args=func_args or None,
        num_nodes=num_nodes,
        packages_to_install=packages or None,
        env=env,
    )


def _follow_to_the_end(client: TrainerClient, name: str, step: str) -> None:
    """Stream a job's logs, then wait for it to end: `JobFailedError` (exit 4) if it failed."""
    from kubeflow.cli.live import Stopped, follow

    stopped = f"Stopped following job {name}; it keeps running (stop it with: kubeflow trainer delete {name})."
    follow(
        client.get_job_logs(name, step=step, follow=True),
        json_lines=settings().output == "json",
        step=step,
        on_interrupt=stopped,
    )
    try:
        job = client.wait_for_job_status(name, status={"Complete"}, timeout=FOREVER, polling_interval=1)
    except KeyboardInterrupt:
        raise Stopped(stopped) from None
    message(f"Job {name}: {job.status}.")


@group.command(
    epilog=_examples(
        "kubeflow trainer jobs", "kubeflow trainer jobs --runtime torch-distributed", "kubeflow trainer jobs -o json"
    )
)
@click.option("--runtime", default=None, help="Only the jobs created from this runtime.")
@global_options
def jobs(runtime: str | None) -> None:
    """List the jobs, oldest first, with their training progress where they report it."""
    from kubeflow.trainer.cli import views

    found = _client().list_jobs(runtime=runtime)
    emit(views.jobs_data(found), settings().output_format(), lambda: views.jobs_table(found))


@group.command(epilog=_examples("kubeflow trainer get my-job", "kubeflow trainer get my-job -o json | jq .status"))
@_job_argument()
@global_options
def get(name: str) -> None:
    """Show the job NAME: status, steps, training progress and metrics."""
    from kubeflow.trainer.cli import views

    job = _client().get_job(name)
    emit(views.jobs_data([job])[0], settings().output_format(), lambda: views.job_table(job))


@group.command(
    epilog=_examples(
        "kubeflow trainer logs my-job",
        "kubeflow trainer logs my-job -f",
        "kubeflow trainer logs my-job --step all -f",
        "kubeflow trainer logs my-job --step node-1 -o json",
    )
)
@_job_argument()
@click.option("--follow", "-f", is_flag=True, help="Keep printing lines as they are written, until the step ends.")
@click.option("--step", default="node-0", show_default=True, help="node-0, node-1, ..., or 'all' (lines prefixed).")
@global_options
def logs(name: str, follow: bool, step: str) -> None:
    """Print the log of one step of the job NAME (plain lines; JSON objects per line with -o json).

    With -f, Ctrl-C stops following and leaves the job running.
    """
    from kubeflow.cli.live import follow as print_lines

    lines = _client().get_job_logs(name, step=step, follow=follow)
    print_lines(
        lines,
        json_lines=settings().output == "json",
        step=step,
        on_interrupt=f"Stopped following job {name}; it keeps running.",
    )


@group.command(epilog=_examples("kubeflow trainer events my-job", "kubeflow trainer events my-job -o yaml"))
@_job_argument()
@global_options
def events(name: str) -> None:
    """List the events of the job NAME, oldest first."""
    from kubeflow.trainer.cli import views

    client = _client()
    client.get_job(name)  # a missing job is "not found", not an empty list
    found = client.get_job_events(name)
    emit(views.events_data(found), settings().output_format(), lambda: views.events_table(found))


@group.command(
    epilog=_examples(
        "kubeflow trainer wait my-job",
        "kubeflow trainer wait my-job --status Running --timeout 60",
        "kubeflow trainer wait my-job --status Complete --status Failed -o json",
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
    "--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True, help="Seconds between looks."
)
@global_options
def wait(name: str, statuses: Sequence[str], timeout: float | None, interval: float) -> None:
    """Wait until the job NAME reaches a status, with a live progress bar on a terminal.

    Exits 0 when it does, 4 as soon as the job fails (unless Failed is awaited), 5 on --timeout; Ctrl-C stops
    waiting and leaves the job running.
    """
    import sys

    from kubeflow.cli.live import Poller, ProgressDisplay, Stopped
    from kubeflow.trainer.cli import views

    wanted = set(statuses or ("Complete",))
    client = _client()
    client.get_job(name)  # not found: exit 3 before anything is shown
    try:
        with ProgressDisplay(name) as display:
            watcher = _client() if display.enabled else client  # the bar's looks run on their own client

            def show(job: Any) -> None:
                percent, eta, metrics = views.progress_fields(job)
                if job.status == "Complete":  # done is done, whatever the last report said
                    percent, eta = 100, None
                display.update(job.status, percent, eta, metrics)

            with Poller(lambda: show(watcher.get_job(name)), interval) if display.enabled else _nothing():
                if not display.enabled and settings().verbose:
                    message(
                        f"Waiting for job {name} to be {' or '.join(sorted(wanted))} "
                        "(Ctrl-C stops waiting, the job keeps running)."
                    )
                job = client.wait_for_job_status(
                    name, status=wanted, timeout=FOREVER if timeout is None else timeout, polling_interval=interval
                )
            show(job)
    except KeyboardInterrupt:
        raise Stopped(f"Stopped waiting for job {name}; it keeps running.") from None
    fmt = settings().output_format()
    if fmt == "table" and not display.enabled:
        sys.stdout.write(f"Job {name}: {job.status}\n")
    elif fmt != "table":
        emit(views.jobs_data([job])[0], fmt)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@group.command(epilog=_examples("kubeflow trainer delete my-job"))
@_job_argument()
@global_options
def delete(name: str) -> None:
    """Stop the job NAME (all its processes or pods) and remove it."""
    _client().delete_job(name)
    fmt = settings().output_format()
    if fmt == "table":
        click.echo(f"Deleted job {name}.")
    else:
        emit({"name": name, "deleted": True}, fmt)
