"""`kubeflow models ...`: read-only commands over kubeflow-model-registry's client, for the `kubeflow` command line.

Registered in kubeflow-model-registry's `kubeflow.cli` entry points; needs the `cli` extra. The registry is named
with `--server-address` (or `$KUBEFLOW_MODEL_REGISTRY_ADDRESS`), else the client's default applies; a token is read only from
`$KUBEFLOW_MODEL_REGISTRY_TOKEN`, never from the command line (which other users can see). Where this release's
client cannot do an operation yet, the command says so in one line (exit 7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kubeflow.cli.options import global_options, settings
from kubeflow.cli.output import emit
from kubeflow.cli.unavailable import unless_not_implemented

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def _registry_options(func: F) -> F:
    func = click.option(
        "--server-address",
        envvar="KUBEFLOW_MODEL_REGISTRY_ADDRESS",
        default=None,
        help="The registry, e.g. https://model-registry.example.com ($KUBEFLOW_MODEL_REGISTRY_ADDRESS). "
        "Default: the client's own default, where it has one.",
    )(func)
    func = click.option("--port", type=click.IntRange(1, 65535), default=None, help="Default: from the address.")(func)
    return click.option("--insecure", is_flag=True, help="Plain HTTP instead of TLS.")(func)


def _client(server_address: str | None, port: int | None, insecure: bool) -> Any:
    """The package's client, built with only what was given, so its own defaults apply to the rest."""
    import os

    from kubeflow.model_registry import ModelRegistryClient

    kwargs: dict[str, Any] = {}
    if port is not None:
        kwargs["port"] = port
    if insecure:
        kwargs["is_secure"] = False
    token = os.environ.get("KUBEFLOW_MODEL_REGISTRY_TOKEN") or None
    if token:
        kwargs["user_token"] = token
    if server_address is not None:
        return ModelRegistryClient(server_address, **kwargs)
    try:
        return ModelRegistryClient(**kwargs)
    except TypeError:  # a client without a default registry
        from kubeflow.core.errors import InvalidInputError

        raise InvalidInputError(
            "--server-address",
            "this kubeflow-model-registry needs the registry's address.",
            "Pass --server-address URL, or set $KUBEFLOW_MODEL_REGISTRY_ADDRESS.",
        ) from None


def _method(client: Any, *names: str) -> Any:
    """The first of `names` the client has (the package's API named these differently across releases)."""
    for name in names:
        method = getattr(client, name, None)
        if callable(method):
            return method
    raise NotImplementedError(f"ModelRegistryClient has none of {', '.join(names)}")


def _available(operation: str, call: Callable[[], T]) -> T:
    """Run `call`; a client that cannot do `operation` yet is reported as unavailable, in one line."""
    return unless_not_implemented("kubeflow models", "client of this kubeflow-model-registry", operation, call)


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
def list_models(server_address: str | None, port: int | None, insecure: bool) -> None:
    """List the registered models."""
    from kubeflow.cli.output import jsonable

    def found_models() -> list[Any]:
        client = _client(server_address, port, insecure)
        return list(_method(client, "list_models", "list_registered_models")())

    found = _available("list", found_models)
    emit(jsonable(found), settings().output_format(), lambda: _table(found))


@group.command(
    epilog="\b\nExamples:\n  kubeflow models get my-model --server-address https://registry.example.com\n"
    "  kubeflow models get my-model --version v1 -o yaml"
)
@click.argument("name")
@click.option("--version", "version", default=None, help="Show this version of the model instead.")
@_registry_options
@global_options
def get(name: str, version: str | None, server_address: str | None, port: int | None, insecure: bool) -> None:
    """Show the registered model NAME, or one of its versions."""
    from kubeflow.cli.output import jsonable
    from kubeflow.core.errors import NotFoundError

    def lookup() -> Any:
        client = _client(server_address, port, insecure)
        if version is None:
            return _method(client, "get_model", "get_registered_model")(name)
        return _method(client, "get_model_version")(name, version)

    found = _available("get", lookup)
    if found is None:  # older clients answer None for "not found"
        what = f"Registered model {name!r}" if version is None else f"Version {version!r} of model {name!r}"
        raise NotFoundError(f"{what} not found.", reason="NotFound")
    emit(jsonable(found), settings().output_format(), lambda: _table([found]))
