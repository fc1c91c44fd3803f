"""`KatibClient`: tune hyperparameters over Kubeflow Trainer jobs. A preview: its operations are not available yet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NoReturn

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.models import COMPLETE, BackendConfig, resolve_backend_config

if TYPE_CHECKING:
    from kubeflow.katib.jobs import OptimizationJob, Result
    from kubeflow.katib.search import ParameterSpec
    from kubeflow.katib.types import Algorithm, Objective, TrainJobTemplate, TrialConfig


def _not_available(operation: str) -> NoReturn:
    raise NotImplementedError(
        f"kubeflow.katib: KatibClient.{operation} is not available yet. This release of kubeflow-katib is a "
        "preview: its types (TrainJobTemplate, Search, Objective, Algorithm, TrialConfig) are usable and "
        "validated, but no operation talks to a backend. Use kubeflow.trainer.TrainerClient to run single "
        "training jobs meanwhile."
    )


def _check_type(field: str, value: object, expected: type) -> None:
    if value is not None and not isinstance(value, expected):
        raise InvalidInputError(field, f"must be a {expected.__name__}, got {type(value).__name__}.")


class KatibClient:
    """Create and follow hyperparameter optimization jobs whose trials are Kubeflow Trainer jobs.

    Preview: the constructor and the argument checks of `optimize` work; every operation raises
    `NotImplementedError`.

    Example:
        ```python
        from kubeflow.katib import KatibClient, Objective, Search, TrainJobTemplate
        from kubeflow.trainer import CustomTrainer

        def train(lr: float) -> None:
            print(f"loss={lr * 2}")

        client = KatibClient()
        client.optimize(  # raises NotImplementedError in this preview
            TrainJobTemplate(trainer=CustomTrainer(func=train)),
            search_space={"lr": Search.loguniform(1e-4, 1e-1)},
            objectives=[Objective(metric="loss", direction="minimize")],
        )
        ```
    """

    def __init__(self, backend_config: BackendConfig | None = None) -> None:
        """Keep the backend configuration (nothing is contacted).

        Args:
            backend_config: `LocalProcessBackendConfig()` or `KubernetesBackendConfig()`, the same configs
                `kubeflow.trainer.TrainerClient` takes; `None` chooses as it does (Kubernetes when configured).

        Raises:
            InvalidInputError: The config is not a backend config.
        """
        self.backend_config: BackendConfig = resolve_backend_config(backend_config)

    def optimize(
        self,
        trial_template: TrainJobTemplate,
        *,
        search_space: Mapping[str, ParameterSpec],
        objectives: Sequence[Objective] | None = None,
        algorithm: Algorithm | None = None,
        trial_config: TrialConfig | None = None,
    ) -> str:
        """Start an optimization job and return its name (planned).

        The arguments are checked first, so a preview user learns about mistakes before the operation exists.

        Args:
            trial_template: The training job each trial runs.
            search_space: Parameter name to `Search.*()` spec; each trial passes its values to the trainer's
                function as keyword arguments.
            objectives: The metrics to optimise; the first is the objective. Default: minimise `loss`.
            algorithm: The search algorithm. Default: `random`.
            trial_config: The trial budget. Default: `TrialConfig()`.

        Raises:
            InvalidInputError: An argument is invalid.
            NotImplementedError: Always, after the checks: optimization is not available yet.
        """
        from kubeflow.katib.search import parameters_from_search_space
        from kubeflow.katib.types import Algorithm, Objective, TrainJobTemplate, TrialConfig, objective_spec

        if not isinstance(trial_template, TrainJobTemplate):
            raise InvalidInputError(
                "trial_template",
                f"must be a TrainJobTemplate, got {type(trial_template).__name__}.",
                "Wrap the trainer: TrainJobTemplate(trainer=CustomTrainer(func=...)).",
            )
        parameters_from_search_space(search_space)
        for index, objective in enumerate(objectives or ()):
            _check_type(f"objectives[{index}]", objective, Objective)
        objective_spec(list(objectives) if objectives is not None else [Objective()])
        _check_type("algorithm", algorithm, Algorithm)
        _check_type("trial_config", trial_config, TrialConfig)
        _not_available("optimize")

    def list_jobs(self) -> list[OptimizationJob]:
        """Return the optimization jobs (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("list_jobs")

    def get_job(self, name: str) -> OptimizationJob:
        """Return the optimization job called `name`, with its trials (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_job")

    def get_job_logs(self, name: str, trial_name: str | None = None, follow: bool = False) -> Iterator[str]:
        """Return the log lines of a trial; by default the best one (planned).

        Raises:
            NotImplementedError: Always: not available yet (raised at the call, not on iteration).
        """
        _not_available("get_job_logs")

    def get_best_results(self, name: str) -> Result:
        """Return the best trial's parameters and metrics (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("get_best_results")

    def wait_for_job_status(
        self,
        name: str,
        status: Iterable[str] = frozenset({COMPLETE}),
        timeout: float = 3600,
        polling_interval: float = 2,
    ) -> OptimizationJob:
        """Wait until the job reaches one of `status` and return it (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("wait_for_job_status")

    def delete_job(self, name: str) -> None:
        """Delete the optimization job and its trials (planned).

        Raises:
            NotImplementedError: Always: not available yet.
        """
        _not_available("delete_job")
