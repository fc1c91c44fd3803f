"""The container backend's configuration (`ContainerBackendConfig`), kept for code written for the existing SDK.

The container (Docker/Podman) backend is not available yet: `TrainerClient(ContainerBackendConfig())` raises
`UnsupportedBackendError` naming the backends that are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kubeflow.core.models import BackendConfig


class TrainingRuntimeSource(BaseModel):
    """Where the container backend would read training runtimes from, as URLs checked in order."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    sources: list[str] = Field(default_factory=lambda: ["github://kubeflow/trainer"])
    """`github://owner/repo[/path]`, `https://...`, `http://...`, `file:///path` or an absolute path."""


class ContainerBackendConfig(BackendConfig):
    """Run jobs as Docker or Podman containers on this machine (not available yet in this SDK)."""

    pull_policy: str = "IfNotPresent"
    """`IfNotPresent`, `Always` or `Never`."""
    auto_remove: bool = True
    """Remove containers and networks when their job is deleted."""
    container_host: str | None = None
    """The container daemon to talk to; `None` uses `DOCKER_HOST`/`CONTAINER_HOST` or the default socket."""
    container_runtime: Literal["docker", "podman"] | None = None
    """Force Docker or Podman; `None` detects one."""
    runtime_source: TrainingRuntimeSource = Field(default_factory=TrainingRuntimeSource)
    """Where training runtimes come from."""
    dataset_initializer_image: str = "ghcr.io/kubeflow/trainer/dataset-initializer:latest"
    """Image of the dataset initializer."""
    model_initializer_image: str = "ghcr.io/kubeflow/trainer/model-initializer:latest"
    """Image of the model initializer."""
    initializer_timeout: int = 600
    """Seconds an initializer container may run."""
