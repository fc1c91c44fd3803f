"""The options every `kubeflow` command accepts, at any level, and what they select.

`--backend`, `--namespace`, `--context`, `--kubeconfig`, `--output` and `--verbose` may be given before the group
(`kubeflow --backend local trainer jobs`), after it, or after the command (`kubeflow trainer jobs --backend local`);
the one closest to the command wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

if TYPE_CHECKING:
    from kubeflow.core.models import BackendConfig

F = TypeVar("F", bound=Callable[..., Any])
OutputFormat = Literal["table", "json", "yaml"]
BACKENDS = ("local", "kubernetes")
OUTPUTS = ("table", "json", "yaml")
_META_KEY = "kubeflow.cli.settings"
_KUBERNETES_ONLY = ("namespace", "context", "kubeconfig")


class Settings:
    """The global options of one invocation, merged over every level of the command line."""

    def __init__(self) -> None:
        self.backend: str | None = None
        self.namespace: str | None = None
        self.context: str | None = None
        self.kubeconfig: str | None = None
        self.output: str | None = None
        self.verbose = False
        self.given: set[str] = set()
        """The options that were given explicitly."""

    def output_format(self, *, piped_default: OutputFormat = "json") -> OutputFormat:
        """`--output` if given, else `table` on a terminal and `piped_default` when stdout is piped or a file."""
        if self.output is not None:
            return cast(OutputFormat, self.output)
        return "table" if sys.stdout.isatty() else piped_default

    def backend_config(self) -> BackendConfig:
        """The backend config these options select, by the same rule as `TrainerClient()` when none is given.

        `--backend kubernetes`, or any of `--namespace`/`--context`/`--kubeconfig`, selects Kubernetes; `--backend
        local` the local processes; with none of them, `kubeflow.core.models.resolve_backend_config(None)` decides.

        Raises:
            InvalidInputError: A Kubernetes option was given with `--backend local`.
        """
        from kubeflow.core.models import resolve_backend_config

        kube_options = {name: getattr(self, name) for name in _KUBERNETES_ONLY if getattr(self, name) is not None}
        backend = self.backend or ("kubernetes" if kube_options else None)
        if backend == "local":
            if kube_options:
                from kubeflow.core.errors import InvalidInputError

                first = next(iter(kube_options))
                raise InvalidInputError(
                    f"--{first}",
                    "applies to the Kubernetes backend only, but --backend local was given.",
                    f"Drop --{first}, or use --backend kubernetes.",
                )
            from kubeflow.core.local.config import LocalProcessBackendConfig

            return LocalProcessBackendConfig()
        if backend == "kubernetes":
            from kubeflow.core.kubernetes.config import KubernetesBackendConfig

            return KubernetesBackendConfig(
                namespace=self.namespace,
                context=self.context,
                config_file=os.path.expanduser(self.kubeconfig) if self.kubeconfig else None,
            )
        return resolve_backend_config(None)


def settings(ctx: click.Context | None = None) -> Settings:
    """The merged global options of the current invocation."""
    ctx = ctx or click.get_current_context()
    found = ctx.meta.get(_META_KEY)
    if not isinstance(found, Settings):
        found = Settings()
        ctx.meta[_META_KEY] = found
    return found


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False or param.name is None:
        return
    current = settings(ctx)
    setattr(current, param.name, value)
    current.given.add(param.name)
    if param.name == "verbose":
        from kubeflow.cli import app

        app.VERBOSE = True


def global_options(func: F) -> F:
    """Add the global options to a command or group; their values are read with `settings()`."""
    decorators = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=None,
            expose_value=False,
            callback=_store,
            help="Where jobs run. Default: as TrainerClient() decides (see `kubeflow --help`).",
        ),
        click.option(
            "--namespace",
            "-n",
            default=None,
            expose_value=False,
            callback=_store,
            help="Kubernetes namespace (implies --backend kubernetes). Default: the context's.",
        ),
        click.option(
            "--context",
            default=None,
            expose_value=False,
            callback=_store,
            help="Kubeconfig context (implies --backend kubernetes). Default: the current context.",
        ),
        click.option(
            "--kubeconfig",
            default=None,
            expose_value=False,
            callback=_store,
            type=click.Path(dir_okay=False),
            help="Kubeconfig file (implies --backend kubernetes). Default: $KUBECONFIG or ~/.kube/config.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Choice(OUTPUTS),
            default=None,
            expose_value=False,
            callback=_store,
            help="Output format. Default: table on a terminal, json when piped.",
        ),
        click.option(
            "--verbose",
            "-v",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store,
            is_eager=True,
            help="Log what the SDK does, and show the traceback of an error.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


STATUSES = ("Created", "Running", "Complete", "Failed")
"""The job statuses `wait --status` accepts (every group's jobs report these)."""
FOREVER = 30 * 24 * 3600.0
"""`wait` without `--timeout` waits this long (30 days): until the job ends, in practice."""


def name_completer(
    names: Callable[[click.Context], list[str]],
) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """A shell-completion callback offering the `names(ctx)` that start with what was typed.

    None are offered when the backend cannot be read: completion must never print an error into the shell.
    """

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        try:
            found = names(ctx)
        except Exception:
            return []
        return [CompletionItem(name) for name in found if name.startswith(incomplete)]

    return complete
