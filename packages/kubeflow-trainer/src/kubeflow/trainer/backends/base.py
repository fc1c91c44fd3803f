"""The trainer-level backend contract, and the parts every backend shares (status waiting, option checks)."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar

from kubeflow.core import waiting
from kubeflow.core.errors import InvalidInputError, JobFailedError
from kubeflow.core.local.models import ProgressRecord
from kubeflow.trainer import constants
from kubeflow.trainer.options import Option
from kubeflow.trainer.types import (
    BuiltinTrainer,
    CustomTrainer,
    CustomTrainerContainer,
    Event,
    Initializer,
    Runtime,
    TrainJob,
)

AnyTrainer = CustomTrainer | CustomTrainerContainer | BuiltinTrainer
JobCallback = Callable[[TrainJob], None]


def check_statuses(status: Iterable[str]) -> set[str]:
    """Validate the statuses a caller waits for; they must be among Created, Running, Complete, Failed."""
    return waiting.check_statuses(status)


def check_options(options: Sequence[Option] | None, backend: str) -> list[Option]:
    """Reject options the backend does not support, naming them, before anything is created."""
    if options is not None and (isinstance(options, (str, bytes)) or not isinstance(options, (list, tuple))):
        raise InvalidInputError(
            "options",
            f"expected a list of options, got {options!r} ({type(options).__name__}).",
            f"Wrap it in a list: options=[{options!r}].",
        )
    checked = list(options or [])
    for option in checked:
        supported: frozenset[str] | None = getattr(option, "backends", None)
        if supported is None:
            raise InvalidInputError("options", f"{option!r} is not a trainer option.", "Use kubeflow.trainer.options.")
        if backend not in supported:
            raise InvalidInputError(
                "options",
                f"{type(option).__name__} is not supported by the {backend} backend.",
                f"Remove it, or use a backend among {sorted(supported)}.",
            )
    return checked


class TrainerBackend(ABC):
    """What `TrainerClient` needs from a backend. Each method mirrors the client method of the same name."""

    kind: ClassVar[str]

    @abstractmethod
    def list_runtimes(self) -> list[Runtime]:
        """All runtimes this backend can run."""

    @abstractmethod
    def get_runtime(self, name: str) -> Runtime:
        """One runtime by name; `NotFoundError` if there is none."""

    @abstractmethod
    def get_runtime_packages(self, runtime: Runtime) -> list[str]:
        """The Python packages installed in the runtime's environment, as `name==version` lines."""

    @abstractmethod
    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> str:
        """Create a job and return its name."""

    def train_dryrun(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> dict[str, Any]:
        """Validate like `train` and return exactly what it would send or launch, without doing it."""
        raise NotImplementedError(f"{type(self).__name__} has no dry run")

    @abstractmethod
    def list_jobs(self, runtime: Runtime | str | None = None) -> list[TrainJob]:
        """All jobs, optionally only those of one runtime."""

    @abstractmethod
    def get_job(self, name: str) -> TrainJob:
        """One job by name; `NotFoundError` if there is none."""

    def get_job_metrics(self, name: str) -> list[ProgressRecord]:
        """The progress and metrics the job reported, oldest first.

        This default knows only the latest report (`get_job(name).trainer_status`), as Kubernetes keeps only that;
        backends that keep every report (local processes) override it.
        """
        job = self.get_job(name)
        status = job.trainer_status
        if status is None:
            return []
        return [
            ProgressRecord(
                time=status.last_updated_time or job.creation_timestamp,
                progress_percent=status.progress_percent,
                estimated_remaining_seconds=status.estimated_remaining_seconds,
                metrics=dict(status.metrics),
            )
        ]

    @abstractmethod
    def get_job_logs(self, name: str, step: str = constants.DEFAULT_STEP, follow: bool = False) -> Iterator[str]:
        """The log lines of one step of a job."""

    @abstractmethod
    def get_job_events(self, name: str) -> list[Event]:
        """The events recorded for a job, oldest first."""

    @abstractmethod
    def delete_job(self, name: str) -> None:
        """Stop a job and remove it."""

    @abstractmethod
    def job_failure(self, job: TrainJob) -> JobFailedError:
        """Build the typed error that describes why a failed job failed (step, exit code, logs, events)."""

    def wait_for_change(self, name: str, current: TrainJob, timeout: float, polling_interval: float) -> None:
        """Block until the job may have changed, or `timeout` seconds pass. Backends override this to react fast."""
        time.sleep(max(0.0, min(timeout, polling_interval)))

    def wait_for_job_status(
        self,
        name: str,
        status: Iterable[str] = frozenset({constants.TRAINJOB_COMPLETE}),
        timeout: float = 600,
        polling_interval: float = 2,
        callbacks: Sequence[JobCallback] | None = None,
    ) -> TrainJob:
        """Wait until the job reaches one of `status`; raise at once if it fails and `Failed` was not awaited."""
        wanted = check_statuses(status)
        if timeout <= 0:
            raise InvalidInputError("timeout", f"must be a positive number of seconds, got {timeout}.")
        if polling_interval <= 0:
            raise InvalidInputError("polling_interval", f"must be positive, got {polling_interval}.")
        return waiting.wait_for_status(
            lambda: self.get_job(name),
            wanted,
            timeout=timeout,
            failure=self.job_failure,
            wait_for_change=lambda job, remaining: self.wait_for_change(name, job, remaining, polling_interval),
            callbacks=callbacks or (),
            only_on_change=True,
            label=f"Job {name!r}",
        )


RuntimeBackend = TrainerBackend
"""`TrainerBackend` under the existing `kubeflow` SDK's name (`kubeflow.trainer.backends.base.RuntimeBackend`)."""
