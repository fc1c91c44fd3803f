"""`ModelRegistryClient`: register and find models. A preview: its operations are not available yet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn, TypeVar

from kubeflow.core.errors import InvalidInputError

if TYPE_CHECKING:
    from kubeflow.model_registry.types import ModelArtifact, ModelVersion, RegisteredModel

RegistryObject = TypeVar("RegistryObject", "RegisteredModel", "ModelVersion", "ModelArtifact")
"""A registered model, model version or model artifact."""


def _not_available(operation: str) -> NoReturn:
    raise NotImplementedError(
        f"kubeflow.model_registry: ModelRegistryClient.{operation} is not available yet. This release of "
        "kubeflow-model-registry is a preview: its types (RegisteredModel, ModelVersion, ModelArtifact) read and "
        "write the Model Registry REST API's JSON, but no operation talks to a server. Use the `model-registry` "
        "package meanwhile."
    )


def _require_text(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, f"must be a non-empty string, got {value!r}.")


class ModelRegistryClient:
    """Register models and find their versions and artifacts in a Kubeflow Model Registry (planned).

    Preview: the constructor and the argument checks of `register_model` work; every operation raises
    `NotImplementedError`.
    """

    def __init__(
        self,
        server_address: str,
        port: int = 443,
        author: str | None = None,
        *,
        is_secure: bool = True,
        user_token: str | None = None,
        custom_ca: str | None = None,
    ) -> None:
        """Keep the connection settings (nothing is contacted).

        Args:
            server_address: The registry's address, e.g. `https://model-registry.example.com`.
            port: The server port.
            author: The default author of the versions this client registers.
            is_secure: Whether to use TLS.
            user_token: A bearer token for the server; kept private and never shown in `repr`.
            custom_ca: Path of a CA bundle that signs the server's certificate.

        Raises:
            InvalidInputError: The address is empty or the port is out of range.
        """
        _require_text("server_address", server_address)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise InvalidInputError("port", f"must be an integer from 1 to 65535, got {port!r}.")
        if author is not None:
            _require_text("author", author)
        self.server_address = server_address
        self.port = port
        self.author = author
        self.is_secure = is_secure
        self.custom_ca = custom_ca
        self._user_token = user_token

    def __repr__(self) -> str:
        return f"ModelRegistryClient(server_address={self.server_address!r}, port={self.port})"

    def register_model(
        self,
        name: str,
        uri: str,
        *,
        version: str,
        model_format_name: str,
        model_format_version: str,
        author: str | None = None,
        owner: str | None = None,
        description: str | None = None,
        storage_key: str | None = None,
        storage_path: str | None = None,
        service_account_name: str | None = None,
        metadata: Mapping[str, str | int | float | bool] | None = None,
    ) -> RegisteredModel:
        """Register a model version and its artifact, creating the registered model if needed (planned).

        The arguments are checked first, so a preview user learns about mistakes before the operation exists.

        Args:
            name: The registered model's name.
            uri: Where the model files are, e.g. `s3://bucket/models/mnist/v1`.
            version: The version name, e.g. `v1`.
            model_format_name: The model format, e.g. `onnx`.
            model_format_version: The format's version, e.g. `1`.
            author: The version's author; defaults to the client's `author`.
            owner: The registered model's owner.
            description: The version's description.
            storage_key: Name of the storage secret.
            storage_path: Path of the model within that storage.
            service_account_name: Service account holding the storage secret.
            metadata: Custom properties of the version.

        Raises:
            InvalidInputError: A required argument is empty, or no author is given here or on the client.
            NotImplementedError: Always, after the checks: not available yet.
        """
        for field, value in (
            ("name", name),
            ("uri", uri),
            ("version", version),
            ("model_format_name", model_format_name),
            ("model_format_version", model_format_version),
        ):
            _require_text(field, value)
        if author is None and self.author is None:
            raise InvalidInputError(
                "author", "no author given.", "Pass author= here or to ModelRegistryClient(author=...)."
            )
        _not_available("register_model")

    def get_registered_model(self, name: str) -> RegisteredModel | None:
        """Return the registered model called `name`, or `None` (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_registered_model")

    def get_model_version(self, name: str, version: str) -> ModelVersion | None:
        """Return version `version` of the model called `name`, or `None` (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_model_version")

    def get_model_artifact(self, name: str, version: str) -> ModelArtifact | None:
        """Return the artifact of version `version` of the model called `name`, or `None` (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_model_artifact")

    def list_registered_models(self) -> list[RegisteredModel]:
        """Return every registered model (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("list_registered_models")

    def update(self, model: RegistryObject) -> RegistryObject:
        """Send the changed fields of a registered model, version or artifact and return the stored one (planned).

        The API has no delete: archive with `model.state = "ARCHIVED"` and `update(model)`.

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("update")
