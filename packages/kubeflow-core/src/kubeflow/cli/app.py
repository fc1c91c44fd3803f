"""The root `kubeflow` command: command groups from entry points, loaded on demand; errors as exit codes."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import Any

import click

from kubeflow.cli import exitcodes
from kubeflow.cli.exitcodes import Stopped
from kubeflow.cli.options import global_options
from kubeflow.cli.plugins import Plugin, discover

ENTRY_POINT_GROUP = "kubeflow.cli"
"""Distributions add command groups to `kubeflow` under this entry-point group."""

VERBOSE = False
"""Set by `--verbose` at any level: errors then show their traceback."""

KNOWN_GROUPS: dict[str, tuple[str, str]] = {
    "trainer": ("Train models and follow training jobs.", "kubeflow-trainer"),
    "optimizer": ("Hyperparameter search (optimization jobs).", "kubeflow-katib"),
    "models": ("Registered models and their versions.", "kubeflow-model-registry"),
}
"""Groups the Kubeflow distributions provide: their one-line help, and what to install when one is missing."""

_EXTRA = {"kubeflow-trainer": "trainer", "kubeflow-katib": "katib", "kubeflow-model-registry": "model-registry"}

ROOT_HELP = f"""The Kubeflow SDK on the command line: the same jobs, backends and configs as the Python API.

\b
Examples:
  kubeflow trainer train train.py:main --arg epochs=3 --num-nodes 2 --follow
  kubeflow trainer jobs
  kubeflow trainer logs my-job -f --step all
  kubeflow trainer wait my-job --timeout 3600 && echo done
  kubeflow --backend kubernetes -n team-a trainer jobs -o yaml
  eval "$(kubeflow completion bash)"

\b
Backend: --backend local|kubernetes; --namespace, --context or --kubeconfig
imply kubernetes. With none of them the default is the one TrainerClient()
picks. Global options may come before or after any command.

\b
Output: --output table|json|yaml. Default: a table on a terminal, JSON when
stdout is piped or a file. Log streams (logs, train --follow) print plain
lines unless --output json is given (then one JSON object per line).
Messages (created, deleted, errors) go to stderr; errors are one line
(--verbose adds the traceback).

{exitcodes.HELP}
"""


class KubeflowGroup(click.Group):
    """The root group: its own commands, plus one group per entry point, imported only when invoked."""

    @cached_property
    def plugins(self) -> dict[str, Plugin]:
        """The installed command groups by name (the first distribution to register a name wins)."""
        return discover(ENTRY_POINT_GROUP)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in commands and installed groups, sorted."""
        return sorted({*super().list_commands(ctx), *self.plugins})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command called `cmd_name`, importing its distribution's module only now."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = self.plugins.get(cmd_name)
        if entry is None:
            if cmd_name in KNOWN_GROUPS and not ctx.resilient_parsing:
                dist = KNOWN_GROUPS[cmd_name][1]
                raise click.UsageError(
                    f"'kubeflow {cmd_name}' needs {dist}: pip install \"kubeflow[{_EXTRA[dist]}]\" "
                    f'(and "kubeflow[cli]").'
                )
            return None
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plug-in must not break the other groups
            raise click.ClickException(
                f"the '{cmd_name}' commands ({entry.value}) failed to load: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(loaded, click.Command):
            raise click.ClickException(f"entry point {entry.value} is not a click command or group.")
        return loaded

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the groups from their entry points' names and distributions, without importing them."""
        rows = [(name, self._summary(ctx, name)) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
        missing = [name for name in KNOWN_GROUPS if name not in self.plugins]
        if missing:
            with formatter.section("Not installed"):
                formatter.write_dl(
                    [
                        (name, f'pip install "kubeflow[{_EXTRA[KNOWN_GROUPS[name][1]]}]"  ({KNOWN_GROUPS[name][0]})')
                        for name in missing
                    ]
                )

    def _summary(self, ctx: click.Context, name: str) -> str:
        builtin = super().get_command(ctx, name)
        if builtin is not None:
            return builtin.get_short_help_str(limit=70)
        if name in KNOWN_GROUPS:
            return KNOWN_GROUPS[name][0]
        entry = self.plugins[name]
        return entry.summary() or f"(from {entry.dist})"


def _version() -> str:
    from kubeflow.core import __version__

    return __version__


@click.group(
    cls=KubeflowGroup,
    help=ROOT_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(_version(), "--version", prog_name="kubeflow", message="%(prog)s %(version)s")
@global_options
def cli() -> None:
    """The Kubeflow SDK on the command line."""


@cli.command(
    epilog="""\b
Examples:
  eval "$(kubeflow completion bash)"      # in ~/.bashrc
  eval "$(kubeflow completion zsh)"       # in ~/.zshrc
  kubeflow completion fish > ~/.config/fish/completions/kubeflow.fish"""
)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (commands, options, job names)."""
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"no completion for {shell}")
    click.echo(completer(cli, {}, "kubeflow", "_KUBEFLOW_COMPLETE").source())


def _configure_logging() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kubeflow: %(name)s: %(message)s"))
    logger = logging.getLogger("kubeflow")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _report(error: BaseException, code: int) -> int:
    import traceback

    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0]
    if VERBOSE:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
        sys.stderr.write(f"kubeflow: error: {text}\n")
    else:
        sys.stderr.write(f"kubeflow: error: {first}\n")
    sys.stderr.flush()
    return code


def _untyped(error: BaseException) -> int:
    import traceback

    text = f"{type(error).__name__}: {error}".splitlines()[0]
    if VERBOSE:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
        sys.stderr.write(f"kubeflow: error: {text}\n")
    else:
        sys.stderr.write(f"kubeflow: error: {text} (run with --verbose for the traceback)\n")
    return exitcodes.ERROR


def run(argv: list[str]) -> int:
    """Run the command line with `argv`; return the exit code (errors reported on stderr, one line each)."""
    global VERBOSE
    VERBOSE = "--verbose" in argv or "-v" in argv
    if VERBOSE:
        _configure_logging()
    from kubeflow.core.errors import KubeflowError

    try:
        result: Any = cli.main(args=argv, prog_name="kubeflow", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Stopped as exc:
        sys.stderr.write(f"kubeflow: {exc}\n")
        return exitcodes.INTERRUPTED
    except click.Abort:
        sys.stderr.write("kubeflow: interrupted.\n")
        return exitcodes.INTERRUPTED
    except click.exceptions.NoArgsIsHelpError as exc:  # `kubeflow`, `kubeflow trainer`: the help, not an error
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        return exitcodes.OK
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "kubeflow"
        sys.stderr.write(f"kubeflow: error: {exc.format_message()} (see '{where} --help')\n")
        return exitcodes.INVALID_INPUT
    except click.ClickException as exc:
        sys.stderr.write(f"kubeflow: error: {exc.format_message()}\n")
        return exc.exit_code
    except KubeflowError as exc:
        return _report(exc, exitcodes.exit_code_for(exc))
    except BrokenPipeError:
        _silence_stdout()
        return exitcodes.OK
    except KeyboardInterrupt:
        sys.stderr.write("kubeflow: interrupted.\n")
        return exitcodes.INTERRUPTED
    except Exception as exc:
        return _untyped(exc)
    return result if isinstance(result, int) else exitcodes.OK


def _silence_stdout() -> None:
    """After the reader of a pipe went away (`| head`), keep Python from complaining while it flushes stdout."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
