"""The Katib backend contract, and what every backend shares: the checks of `optimize` and the status wait loop.

A backend implements `submit` (create the job of a checked `OptimizationRequest`) and the read and delete
operations; `optimize` and `wait_for_job_status` are written once, here.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import ClassVar

from kubeflow.core import waiting
from kubeflow.core.errors import InvalidInputError, JobFailedError
from kubeflow.core.models import Event
from kubeflow.katib import constants
from kubeflow.katib.algorithms import BaseAlgorithm, MedianStop
from kubeflow.katib.jobs import OptimizationJob, Result
from kubeflow.katib.search import ParameterSpec
from kubeflow.katib.types import Objective, TrialConfig
from kubeflow.katib.validation import OptimizationRequest, check_request
from kubeflow.trainer.types.template import TrainJobTemplate

JobCallback = Callable[[OptimizationJob], None]


def check_statuses(status: Iterable[str]) -> set[str]:
    """Validate the statuses a caller waits for; they must be among Created, Running, Complete, Failed."""
    return waiting.check_statuses(status, "optimization job")


def check_wait(timeout: float, polling_interval: float) -> None:
    """The existing SDK's checks of `timeout` and `polling_interval` (a `ValueError` naming the field)."""
    if timeout <= 0:
        raise InvalidInputError("timeout", f"must be a positive number of seconds, got {timeout}.")
    if polling_interval <= 0:
        raise InvalidInputError("polling_interval", f"must be a positive number, got {polling_interval}.")
    if polling_interval >= timeout:
        raise InvalidInputError(
            "polling_interval",
            f"must be strictly less than timeout, got polling_interval={polling_interval}, timeout={timeout}.",
        )


class KatibBackend(ABC):
    """What `KatibClient` needs from a backend. Each public method mirrors the client method of the same name."""

    kind: ClassVar[str]
    """The backend kind, e.g. `local-process` or `kubernetes`."""
    algorithms: ClassVar[frozenset[str]]
    """The Katib algorithm names this backend can run; `optimize` rejects the others before anything starts."""
    early_stopping_algorithms: ClassVar[frozenset[str]] = frozenset({MedianStop.algorithm_name})
    """The early-stopping rules this backend can run."""

    # -- creating ----------------------------------------------------------------------------------------------
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
        """Check everything, then create the optimization job and return its name.

        Raises:
            InvalidInputError: An argument is invalid, or the backend cannot run the algorithm (raised before
                anything is created).
        """
        request = check_request(
            trial_template,
            search_space=search_space,
            trial_config=trial_config,
            objectives=objectives,
            algorithm=algorithm,
            early_stopping=early_stopping,
        )
        self.check_supported(request)
        return self.submit(request)

    def check_supported(self, request: OptimizationRequest) -> None:
        """Reject what this backend cannot run (by default: algorithms and early-stopping rules it does not know).

        Backends extend this with their own limits; it must not touch anything.

        Raises:
            InvalidInputError: Naming `algorithm` or `early_stopping`.
        """
        name = request.algorithm.algorithm_name
        if name not in self.algorithms:
            raise InvalidInputError(
                "algorithm",
                f"the {self.kind} backend cannot run {name!r}.",
                f"Use one of {sorted(self.algorithms)}, or another backend.",
            )
        rule = request.early_stopping
        if rule is not None and rule.algorithm_name not in self.early_stopping_algorithms:
            raise InvalidInputError("early_stopping", f"the {self.kind} backend cannot run {rule.algorithm_name!r}.")

    @abstractmethod
    def submit(self, request: OptimizationRequest) -> str:
        """Create the job of a checked request and return its name."""

    # -- reading -----------------------------------------------------------------------------------------------
    @abstractmethod
    def list_jobs(self) -> list[OptimizationJob]:
        """Every optimization job, oldest first."""

    @abstractmethod
    def get_job(self, name: str) -> OptimizationJob:
        """One job with its trials; `NotFoundError` if there is none."""

    @abstractmethod
    def get_job_logs(self, name: str, trial_name: str | None = None, follow: bool = False) -> Iterator[str]:
        """The log lines of a trial's node 0: `trial_name`, else the best trial, else the first; none if no trial."""

    @abstractmethod
    def get_best_results(self, name: str) -> Result | None:
        """The best trial's parameters and metrics; `None` while no trial reported the objective."""

    @abstractmethod
    def get_job_events(self, name: str) -> list[Event]:
        """The events of the job and its trials, oldest first."""

    @abstractmethod
    def delete_job(self, name: str) -> None:
        """Stop every running trial and remove the job; `NotFoundError` if there is none."""

    # -- waiting -----------------------------------------------------------------------------------------------
    def job_failure(self, job: OptimizationJob) -> JobFailedError:
        """The typed error describing why a job failed (backends add their reason and details)."""
        failed = [trial.name for trial in job.trials if trial.status == constants.TRIAL_FAILED]
        detail = f"Failed trials: {', '.join(failed)}." if failed else None
        return JobFailedError(job.name, reason="OptimizationJobFailed", detail=detail)

    def wait_for_change(self, name: str, current: OptimizationJob, timeout: float, polling_interval: float) -> None:
        """Block until the job may have changed, or `timeout` seconds pass. Backends override this to react fast."""
        time.sleep(max(0.0, min(timeout, polling_interval)))

    def wait_for_job_status(
        self,
        name: str,
        status: Iterable[str] = frozenset({constants.OPTIMIZATION_JOB_COMPLETE}),
        timeout: float = 3600,
        polling_interval: float = 2,
        callbacks: Sequence[JobCallback] | None = None,
    ) -> OptimizationJob:
        """Wait until the job reaches one of `status`; raise at once if it fails and `Failed` was not awaited.

        Callbacks are called with the job at every look (each change, at least every `polling_interval`).

        Raises:
            InvalidInputError: A bad status set, timeout or polling interval (a `ValueError`).
            JobFailedError: The job failed and `Failed` was not awaited (a `RuntimeError`).
            OperationTimeoutError: `timeout` passed first (a `TimeoutError`).
        """
        wanted = check_statuses(status)
        check_wait(timeout, polling_interval)
        return waiting.wait_for_status(
            lambda: self.get_job(name),
            wanted,
            timeout=timeout,
            failure=self.job_failure,
            wait_for_change=lambda job, remaining: self.wait_for_change(name, job, remaining, polling_interval),
            callbacks=callbacks or (),
            label=f"OptimizationJob {name!r}",
        )


__all__ = ["JobCallback", "KatibBackend", "OptimizationRequest", "check_statuses", "check_wait"]
