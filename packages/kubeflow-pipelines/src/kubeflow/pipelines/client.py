"""`PipelinesClient`: run and follow Kubeflow Pipelines. A preview: its operations are not available yet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import BackendConfig

if TYPE_CHECKING:
    from kubeflow.pipelines.types import Run


def _not_available(operation: str) -> NoReturn:
    raise NotImplementedError(
        f"kubeflow.pipelines: PipelinesClient.{operation} is not available yet. This release of "
        "kubeflow-pipelines is a preview: it defines the planned client and its types (Run, RunStatus), "
        "but no operation talks to a Pipelines server. Use the `kfp` package meanwhile."
    )


class PipelinesClient:
    """Create and follow pipeline runs (planned).

    Preview: the constructor works; every operation raises `NotImplementedError`.
    """

    def __init__(self, backend_config: BackendConfig | None = None) -> None:
        """Keep the backend configuration (nothing is contacted).

        Args:
            backend_config: A backend config such as `KubernetesBackendConfig()`; `None` picks the default
                backend once one exists.

        Raises:
            InvalidInputError: The config is not a backend config.
        """
        if backend_config is not None and not isinstance(backend_config, BackendConfig):
            raise InvalidInputError(
                "backend_config",
                f"{backend_config!r} is not a backend config.",
                "Pass KubernetesBackendConfig() or leave it out.",
            )
        self.backend_config: BackendConfig | None = backend_config

    def create_run_from_pipeline_func(
        self,
        pipeline_func: Callable[..., Any],
        arguments: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        experiment_name: str | None = None,
    ) -> str:
        """Compile a pipeline function, start a run of it and return the run id (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("create_run_from_pipeline_func")

    def list_runs(self, experiment_name: str | None = None) -> list[Run]:
        """Return the runs, optionally only those of one experiment (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("list_runs")

    def get_run(self, run_id: str) -> Run:
        """Return the run with this id (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_run")

    def wait_for_run_completion(self, run_id: str, timeout: float = 3600, polling_interval: float = 5) -> Run:
        """Wait until the run reaches a terminal state and return it (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("wait_for_run_completion")

    def delete_run(self, run_id: str) -> None:
        """Delete the run (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("delete_run")
