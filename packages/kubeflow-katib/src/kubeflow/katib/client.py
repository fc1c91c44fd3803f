"""`KatibClient`: tune hyperparameters over Kubeflow Trainer jobs, on this machine or on a Katib cluster."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from kubeflow.core.models import COMPLETE, BackendConfig, resolve_backend_config

if TYPE_CHECKING:
    from kubeflow.core.models import Event
    from kubeflow.katib.algorithms import BaseAlgorithm, MedianStop
    from kubeflow.katib.backends.base import JobCallback, KatibBackend
    from kubeflow.katib.jobs import OptimizationJob, Result
    from kubeflow.katib.search import ParameterSpec
    from kubeflow.katib.types import Objective, TrialConfig
    from kubeflow.trainer.types.template import TrainJobTemplate


class KatibClient:
    """Create and follow hyperparameter optimization jobs whose trials are Kubeflow Trainer jobs.

    The same code runs locally (each trial a local trainer job, suggestions from Optuna) and on Kubernetes (a Katib
    Experiment). `kubeflow.optimizer.OptimizerClient` is this class under the existing SDK's name.

    Example:
        ```python
        from kubeflow.katib import KatibClient, Search, TrialConfig, report_metrics
        from kubeflow.trainer import CustomTrainer, TrainJobTemplate

        def train(lr: float) -> None:
            from kubeflow.katib import report_metrics

            report_metrics({"loss": (lr - 0.03) ** 2})

        client = KatibClient()
        name = client.optimize(
            TrainJobTemplate(trainer=CustomTrainer(func=train)),
            search_space={"lr": Search.loguniform(1e-4, 1e-1)},
            trial_config=TrialConfig(num_trials=8, parallel_trials=2),
        )
        client.wait_for_job_status(name)
        print(client.get_best_results(name))
        ```
    """

    def __init__(self, backend_config: BackendConfig | None = None) -> None:
        """Pick the backend from the config type, with the same default rule as `TrainerClient`.

        Args:
            backend_config: `LocalProcessBackendConfig()` or `KubernetesBackendConfig()`, the same configs
                `kubeflow.trainer.TrainerClient` takes; `None` chooses as it does (Kubernetes when configured).

        Raises:
            InvalidInputError: The config is not a backend config (a `ValueError`).
        """
        from kubeflow.katib.backends import create_backend

        self.backend_config: BackendConfig = resolve_backend_config(backend_config)
        self.backend: KatibBackend = create_backend(self.backend_config)

    def optimize(
        self,
        trial_template: TrainJobTemplate,
        *,
        trial_config: TrialConfig | None = None,
        search_space: Mapping[str, ParameterSpec],
        objectives: Sequence[Objective] | None = None,
        algorithm: BaseAlgorithm | None = None,
        early_stopping: MedianStop | None = None,
    ) -> str:
        """Create an optimization job and return its name.

        Args:
            trial_template: The training job each trial runs; the searched values are merged over the trainer's
                `func_args` and reach the function with their Python types.
            trial_config: The trial budget. Default: `TrialConfig()` (10 trials, one at a time).
            search_space: Parameter name to `Search.uniform()`, `Search.loguniform()`, `Search.choice()`, ...
            objectives: The metrics to optimise; the first is the objective. Default: minimise `loss`.
            algorithm: The search algorithm. Default: `RandomSearch()`.
            early_stopping: Stop poor trials early from their intermediate metrics, e.g. `MedianStop()`.

        Returns:
            The job name.

        Raises:
            InvalidInputError: An argument is invalid, or the backend cannot run the algorithm (a `ValueError`,
                raised before anything is created).
        """
        return self.backend.optimize(
            trial_template,
            trial_config=trial_config,
            search_space=search_space,
            objectives=objectives,
            algorithm=algorithm,
            early_stopping=early_stopping,
        )

    def list_jobs(self) -> list[OptimizationJob]:
        """Return every optimization job, oldest first."""
        return self.backend.list_jobs()

    def get_job(self, name: str) -> OptimizationJob:
        """Return the optimization job called `name`, with its trials (parameters, metrics, status, TrainJob).

        Raises:
            NotFoundError: There is no such job.
        """
        return self.backend.get_job(name)

    def get_job_logs(self, name: str, trial_name: str | None = None, follow: bool = False) -> Iterator[str]:
        """Yield the log lines of a trial: `trial_name`, else the best trial so far, else the first.

        Args:
            name: The optimization job.
            trial_name: A trial of it.
            follow: Yield lines as they are written, until the trial ends.

        Raises:
            NotFoundError: No such job or trial.
        """
        return self.backend.get_job_logs(name, trial_name=trial_name, follow=follow)

    def get_best_results(self, name: str) -> Result | None:
        """Return the best trial's parameters and metrics; `None` while no trial has reported the objective.

        Raises:
            NotFoundError: There is no such job.
        """
        return self.backend.get_best_results(name)

    def wait_for_job_status(
        self,
        name: str,
        status: Iterable[str] = frozenset({COMPLETE}),
        timeout: float = 3600,
        polling_interval: float = 2,
        callbacks: Sequence[JobCallback] | None = None,
    ) -> OptimizationJob:
        """Wait until the job reaches one of `status` and return it.

        Args:
            name: The optimization job.
            status: Statuses to wait for, among `Created`, `Running`, `Complete`, `Failed`.
            timeout: Seconds to wait at most.
            polling_interval: Longest pause between two looks (must be less than `timeout`).
            callbacks: Called with the job at every look.

        Raises:
            InvalidInputError: Bad arguments (a `ValueError`).
            JobFailedError: The job failed and `Failed` was not awaited (a `RuntimeError`).
            OperationTimeoutError: `timeout` passed first (a `TimeoutError`).
        """
        return self.backend.wait_for_job_status(
            name, status=status, timeout=timeout, polling_interval=polling_interval, callbacks=callbacks
        )

    def get_job_events(self, name: str) -> list[Event]:
        """Return the events of the job and its trials, oldest first.

        Raises:
            NotFoundError: There is no such job.
        """
        return self.backend.get_job_events(name)

    def delete_job(self, name: str) -> None:
        """Stop every running trial and remove the job.

        Raises:
            NotFoundError: There is no such job.
        """
        self.backend.delete_job(name)
