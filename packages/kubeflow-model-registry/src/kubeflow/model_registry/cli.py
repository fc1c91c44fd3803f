"""`kubeflow models ...`: the commands of kubeflow-model-registry's `ModelRegistryClient`, for the command line.

Registered in kubeflow-model-registry's `kubeflow.cli` entry points; needs the `cli` extra. `list`, `get`,
`versions` and `register` call `list_models`, `get_model`/`get_model_version`, `list_model_versions` and
`register_model`. Without `--server-address` (or `$KUBEFLOW_MODEL_REGISTRY_ADDRESS`) the client's default applies:
the local store next to the local jobs, as `ModelRegistryClient()`. A token is read only from
`$KUBEFLOW_MODEL_REGISTRY_TOKEN`, never from the command line (which other users can see).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kubeflow.cli.options import global_options, settings
from kubeflow.cli.output import emit

F = TypeVar("F", bound=Callable[..., Any])


def _registry_options(func: F) -> F:
    func = click.option(
        "--server-address",
        envvar="KUBEFLOW_MODEL_REGISTRY_ADDRESS",
        default=None,
        help="The registry, e.g. https://model-registry.example.com ($KUBEFLOW_MODEL_REGISTRY_ADDRESS). "
        "Default: the local store, as ModelRegistryClient().",
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
    return ModelRegistryClient(server_address, **kwargs)


def _table(items: list[Any]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("NAME", "ID", "STATE", "DESCRIPTION"):
        table.add_column(column)
    for item in items:
        table.add_row(*(str(getattr(item, field, None) or "") for field in ("name", "id", "state", "description")))
    return table


def _versions_table(items: list[Any]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("VERSION", "ID", "STATE", "AUTHOR", "DESCRIPTION"):
        table.add_column(column)
    for item in items:
        table.add_row(
            *(str(getattr(item, field, None) or "") for field in ("name", "id", "state", "author", "description"))
        )
    return table


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(
    name="models",
    epilog=_examples(
        "kubeflow models list",
        "kubeflow models register mnist s3://bucket/mnist/v1 --version v1 --format pytorch",
        "kubeflow models get mnist --version v1 -o yaml",
        "kubeflow models list --server-address https://registry.example.com",
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@global_options
def group() -> None:
    """Registered models and their versions (kubeflow-model-registry)."""


@group.command(name="list", epilog=_examples("kubeflow models list", "kubeflow models list -o json"))
@_registry_options
@global_options
def list_models(server_address: str | None, port: int | None, insecure: bool) -> None:
    """List the registered models."""
    from kubeflow.cli.output import jsonable

    found = list(_client(server_address, port, insecure).list_models())
    emit(jsonable(found), settings().output_format(), lambda: _table(found))


@group.command(epilog=_examples("kubeflow models get my-model", "kubeflow models get my-model --version v1 -o yaml"))
@click.argument("name")
@click.option("--version", "version", default=None, help="Show this version of the model instead.")
@_registry_options
@global_options
def get(name: str, version: str | None, server_address: str | None, port: int | None, insecure: bool) -> None:
    """Show the registered model NAME, or one of its versions (with its artifact's URI)."""
    from kubeflow.cli.output import jsonable

    client = _client(server_address, port, insecure)
    if version is None:
        model = client.get_model(name)
        emit(jsonable(model), settings().output_format(), lambda: _table([model]))
        return
    found = client.get_model_version(name, version)
    data = jsonable(found)
    artifacts = list(client.list_model_artifacts(name, version))
    data["artifacts"] = jsonable(artifacts)

    def table() -> Any:
        from rich.console import Group

        uris = [f"URI: {artifact.uri}" for artifact in artifacts if getattr(artifact, "uri", None)]
        return Group(_versions_table([found]), *uris)

    emit(data, settings().output_format(), table)


@group.command(epilog=_examples("kubeflow models versions my-model", "kubeflow models versions my-model -o json"))
@click.argument("name")
@_registry_options
@global_options
def versions(name: str, server_address: str | None, port: int | None, insecure: bool) -> None:
    """List the versions of the registered model NAME."""
    from kubeflow.cli.output import jsonable

    found = list(_client(server_address, port, insecure).list_model_versions(name))
    emit(jsonable(found), settings().output_format(), lambda: _versions_table(found))


@group.command(
    epilog=_examples(
        "kubeflow models register mnist s3://bucket/mnist/v1 --version v1 --format pytorch",
        "kubeflow models register mnist --version v2 --from-job my-job",
        "kubeflow models register mnist file:///models/mnist --version v3 --description 'fine-tuned'",
    )
)
@click.argument("name")
@click.argument("uri", required=False)
@click.option("--version", "version", required=True, help="The version name, unique within the model (e.g. v1).")
@click.option("--format", "model_format_name", default=None, help="The model format, e.g. pytorch or onnx.")
@click.option("--format-version", "model_format_version", default=None, help="The model format's version.")
@click.option("--author", default=None, help="The version's author.")
@click.option("--description", "version_description", default=None, help="The version's description.")
@click.option("--from-job", "from_job", default=None, help="A local trainer job: logged as a run, URI from its output.")
@_registry_options
@global_options
def register(
    name: str,
    uri: str | None,
    version: str,
    model_format_name: str | None,
    model_format_version: str | None,
    author: str | None,
    version_description: str | None,
    from_job: str | None,
    server_address: str | None,
    port: int | None,
    insecure: bool,
) -> None:
    """Register version --version of the model NAME, stored at URI (file://, s3://, hf://, oci://, ...).

    The model is created if it does not exist yet; a version that exists already exits 6.
    """
    from kubeflow.cli.output import jsonable

    client = _client(server_address, port, insecure)
    model = client.register_model(
        name,
        uri,
        version=version,
        model_format_name=model_format_name,
        model_format_version=model_format_version,
        author=author,
        version_description=version_description,
        from_job=from_job,
    )
    fmt = settings().output_format()
    if fmt == "table":
        click.echo(f"Registered {name} version {version}.")
    else:
        emit(jsonable(model), fmt)
