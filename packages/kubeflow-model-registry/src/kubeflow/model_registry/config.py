"""The two registry backends' configs: the embedded local store (the default) and a Model Registry server."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from kubeflow.core.local.config import default_state_dir
from kubeflow.core.models import BackendConfig

DATABASE_FILE = ".model-registry.sqlite3"
"""The local store's file name in the per-user state directory."""


def default_registry_path() -> Path:
    """The local store: `$KUBEFLOW_MODEL_REGISTRY_DB`, else `.model-registry.sqlite3` in the local state directory.

    The state directory is the local-process backend's (`$KUBEFLOW_LOCAL_STATE_DIR`, else
    `$XDG_STATE_HOME/kubeflow/local`), so trained jobs and registered models live side by side, privately.
    """
    import os

    explicit = os.environ.get("KUBEFLOW_MODEL_REGISTRY_DB")
    if explicit:
        return Path(explicit).expanduser()
    return default_state_dir() / DATABASE_FILE


class LocalModelRegistryConfig(BackendConfig):
    """Keep the registry in a single-file SQLite database on this machine: no server needed.

    The file is private (0600, in a 0700 directory) and safe for several processes at once (WAL journal, a busy
    timeout, one transaction per registration).
    """

    path: Path = Field(default_factory=default_registry_path)
    """The database file (created on first use)."""
    busy_timeout_seconds: float = Field(default=30.0, gt=0)
    """How long a writer waits for another process's transaction before giving up."""


class RestModelRegistryConfig(BackendConfig):
    """Talk to a Kubeflow Model Registry server over its REST API (v1alpha3)."""

    base_url: str = Field(min_length=1)
    """The server, e.g. `https://model-registry.example.com` (a port in the URL wins over `port`)."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """The port; by default 443 for `https://` (and no scheme), 8080 for `http://`, as in kubeflow 0.5."""
    is_secure: bool | None = None
    """Use TLS; by default `True` unless the URL is `http://`."""
    user_token: SecretStr | None = Field(default=None, repr=False)
    """The bearer token sent as `Authorization: Bearer ...` (never logged or shown)."""
    custom_ca: str | None = None
    """A PEM CA bundle (file path) that signs the server's certificate."""
    timeout_seconds: float = Field(default=30.0, gt=0)
    """Connect and read timeout of each request."""
    max_retries: int = Field(default=5, ge=0)
    """Retries of a request that met HTTP 429, 5xx, a dropped connection or a timeout."""
    page_size: int = Field(default=100, ge=1, le=999_999_999)
    """Items fetched per request by the list iterators."""
    api_version: Literal["v1alpha3", "v1"] = "v1alpha3"
    """The API version: `v1alpha3` (the spec this SDK follows), or `v1`, which newer servers and the upstream
    `model-registry` client 0.3.18+ use (same resources and JSON, no experiments). A base URL ending in
    `/api/model_registry/v1` selects it."""

    @model_validator(mode="before")
    @classmethod
    def _version_from_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "api_version" not in data:
            url = str(data.get("base_url") or "").rstrip("/")
            if url.endswith("/api/model_registry/v1"):
                return {**data, "api_version": "v1"}
        return data


RegistryConfig = LocalModelRegistryConfig | RestModelRegistryConfig
"""Either backend's config."""

__all__ = [
    "DATABASE_FILE",
    "LocalModelRegistryConfig",
    "RegistryConfig",
    "RestModelRegistryConfig",
    "default_registry_path",
]
