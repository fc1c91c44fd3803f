"""`kubeflow models ...`: read-only commands over kubeflow-model-registry's client, for the `kubeflow` command line.

Registered in kubeflow-model-registry's `kubeflow.cli` entry points; needs the `cli` extra. The registry is named
with `--server-address` (or `$KUBEFLOW_MODEL_REGISTRY_ADDRESS`); a token is read only from
`$KUBEFLOW_MODEL_REGISTRY_TOKEN`, never from the command line (which other users can see). Where this release's
client cannot do an operation yet, the command says so in one line (exit 7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kubeflow.cli.options import global_options, settings
from kubeflow.cli.output import emit

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _registry_options(func: F) -> F:
    func = click.option(
        "--server-address",
        envvar="KUBEFLOW_MODEL_REGISTRY_ADDRESS",
        required=True,
        help="The registry, e.g. https://model-registry.example.com ($KUBEFLOW_MODEL_REGISTRY_ADDRESS).",
    )(func)
    func = click.option("--port", type=click.IntRange(1, 65535), default=443, show_default=True)(func)
    return click.option("--insecure", is_flag=True, help="Plain HTTP instead of TLS.")(func)


def _client(server_address: str, port: int, insecure: bool) -> Any:
    import os

    from kubeflow.model_registry import ModelRegistryClient

    token = os.environ.get("KUBEFLOW_MODEL_REGISTRY_TOKEN") or None
    return ModelRegistryClient(server_address, port, is_secure=not insecure, user_token=token)


def _available(operation: str, call: Callable[[], T]) -> T:
    """Run `call`; a client that cannot do `operation` yet is reported as unavailable, in one line."""
    from kubeflow.core.errors import BackendUnavailableError

    try:
        return call()
    except NotImplementedError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "not implemented"
        raise BackendUnavailableError(
            f"kubeflow models {operation}: the client of this kubeflow-model-registry cannot do this yet ({detail})",
            reason="NotAvailable",
        ) from None


def _table(items: list[Any]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("NAME", "ID", "STATE", "DESCRIPTION"):
        table.add_column(column)
    for item in items:
        table.add_row(*(str(getattr(item, field, None) or "") for field in ("name", "id", "state", "description")))
    return table


@click.group(
    name="models",
    epilog="\b\nExamples:\n  kubeflow models list --server-address https://registry.example.com\n"
    "  KUBEFLOW_MODEL_REGISTRY_ADDRESS=https://registry.example.com kubeflow models get my-model --version v1",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@global_options
def group() -> None:
    """Registered models and their versions (kubeflow-model-registry)."""


@group.command(
    name="list", epilog="\b\nExamples:\n  kubeflow models list --server-address https://registry.example.com"
)
@_registry_options
@global_options
def list_models(server_address: str, port: int, insecure: bool) -> None:
    """List the registered models."""
    from kubeflow.cli.output import jsonable

    found = _available("list", lambda: list(_client(server_address, port, insecure).list_registered_models()))
    emit(jsonable(found), settings().output_format(), lambda: _table(found))


@group.command(
    epilog="\b\nExamples:\n  kubeflow models get my-model --server-address https://registry.example.com\n"
    "  kubeflow models get my-model --version v1 -o yaml"
)
@click.argument("name")
@click.option("--version", "version", default=None, help="Show this version of the model instead.")
@_registry_options
@global_options
def get(name: str, version: str | None, server_address: str, port: int, insecure: bool) -> None:
    """Show the registered model NAME, or one of its versions."""
    from kubeflow.cli.output import jsonable
    from kubeflow.core.errors import NotFoundError

    client = _client(server_address, port, insecure)
    if version is None:
        found = _available("get", lambda: client.get_registered_model(name))
        missing = f"Registered model {name!r} not found."
    else:
        found = _available("get", lambda: client.get_model_version(name, version))
        missing = f"Version {version!r} of model {name!r} not found."
    if found is None:
        raise NotFoundError(missing, reason="NotFound")
    emit(jsonable(found), settings().output_format(), lambda: _table([found]))
