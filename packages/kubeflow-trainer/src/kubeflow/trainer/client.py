"""`TrainerClient`: the one entry point to train on this machine or on a Kubernetes cluster."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from kubeflow.trainer import constants

if TYPE_CHECKING:
    from kubeflow.core.local.models import ProgressRecord
    from kubeflow.core.models import BackendConfig
    from kubeflow.trainer.backends.base import AnyTrainer, JobCallback, TrainerBackend
    from kubeflow.trainer.options import Option
    from kubeflow.trainer.types import Event, Initializer, Runtime, TrainJob


class TrainerClient:
    """Create and follow training jobs. The same code runs on every backend.

    Example:
        ```python
        from kubeflow.trainer import CustomTrainer, LocalProcessBackendConfig, TrainerClient

        def train(lr: float) -> None:
            print("training with", lr)

        client = TrainerClient(LocalProcessBackendConfig())  # or KubernetesBackendConfig() for a cluster
        name = client.train(trainer=CustomTrainer(func=train, func_args={"lr": 0.1}))
        client.wait_for_job_status(name)
        for line in client.get_job_logs(name):
            print(line)
        ```
    """

    def __init__(self, backend_config: BackendConfig | None = None) -> None:
        """Connect to a backend.

        Args:
            backend_config: `LocalProcessBackendConfig()` (jobs run as processes on this machine) or
                `KubernetesBackendConfig()` (jobs run as Kubeflow Trainer TrainJobs on a cluster). `None`: Kubernetes
                when a kubeconfig (`$KUBECONFIG`, `~/.kube/config`) or in-cluster config is present, as in the
                existing SDK, else local processes; the choice is logged at INFO.

        Raises:
            InvalidInputError: The config is not a backend config.
            UnsupportedBackendError: The config names a backend this SDK does not provide yet (`ContainerBackendConfig`).
        """
        from kubeflow.core.models import resolve_backend_config
        from kubeflow.trainer.backends import create_backend

        self.backend: TrainerBackend = create_backend(resolve_backend_config(backend_config))

    def list_runtimes(self) -> list[Runtime]:
        """Return the runtimes jobs can be created from."""
        from kubeflow.trainer.types.display import DisplayList

        return DisplayList(self.backend.list_runtimes())

    def get_runtime(self, name: str) -> Runtime:
        """Return the runtime called `name`.

        Raises:
            NotFoundError: There is no such runtime.
        """
        return self.backend.get_runtime(name)

    def get_runtime_packages(self, runtime: Runtime) -> list[str]:
        """Print the runtime's Python version, installed packages and GPUs, and return the packages.

        What is printed is what the existing `kubeflow` SDK printed (`Python: ...`, a `pip list` table, `nvidia-smi`
        when the node has GPUs). On Kubernetes it comes from a short TrainJob on the runtime, deleted afterwards.

        Returns:
            The installed packages as sorted `name==version` strings.

        Raises:
            InvalidInputError: The runtime is a built-in (TorchTune) one, which runs no Python function.
        """
        return self.backend.get_runtime_packages(runtime)

    @overload
    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
        *,
        dry_run: Literal[False] = False,
    ) -> str: ...

    @overload
    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
        *,
        dry_run: Literal[True],
    ) -> dict[str, Any]: ...

    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
        *,
        dry_run: bool = False,
    ) -> str | dict[str, Any]:
        """Create a training job and return its name.

        Args:
            runtime: The runtime (or its name); defaults to `torch-distributed`.
            initializer: Where the dataset and model come from.
            trainer: `CustomTrainer` (a function), `CustomTrainerContainer` (an image) or `BuiltinTrainer`.
            options: Options from `kubeflow.trainer.options`, e.g. `[Name("my-job")]`.
            dry_run: Validate, then return exactly what would be sent (the TrainJob body on Kubernetes, the launch
                plan locally) instead of creating the job.

        Raises:
            InvalidInputError: An argument is invalid (raised before anything is created).
            AlreadyExistsError: A job with the requested name exists.
        """
        if dry_run:
            return self.backend.train_dryrun(runtime=runtime, initializer=initializer, trainer=trainer, options=options)
        return self.backend.train(runtime=runtime, initializer=initializer, trainer=trainer, options=options)

    def list_jobs(self, runtime: Runtime | str | None = None) -> list[TrainJob]:
        """Return every job, or only those created from `runtime`."""
        from kubeflow.trainer.types.display import DisplayList

        return DisplayList(self.backend.list_jobs(runtime=runtime))

    def get_job(self, name: str) -> TrainJob:
        """Return the job called `name`.

        Raises:
            NotFoundError: There is no such job.
        """
        return self.backend.get_job(name)

    def get_job_metrics(self, name: str) -> list[ProgressRecord]:
        """Return the progress and metrics the job's code reported with `update_trainjob_status`, oldest first.

        Each `ProgressRecord` has `time`, `node`, `progress_percent`, `estimated_remaining_seconds`, `step` and
        `metrics` (name -> value). The local backend keeps every report of every node, so this is the whole history
        (e.g. the loss of each epoch); Kubernetes keeps only the latest (`status.trainerStatus`), so there it is a
        list of at most one record. `get_job(name).trainer_status` is the latest state on both.

        Raises:
            NotFoundError: There is no such job.
        """
        return self.backend.get_job_metrics(name)

    def get_job_logs(self, name: str, step: str = constants.DEFAULT_STEP, follow: bool = False) -> Iterator[str]:
        """Yield the log lines of one step of a job (`node-0` by default).

        With `follow=True` the lines are yielded as they are written, until the step ends. `step="all"` reads every
        training node, each line prefixed with `[node-i]`.
        """
        return self.backend.get_job_logs(name, step=step, follow=follow)

    def get_job_events(self, name: str) -> list[Event]:
        """Return the events recorded for a job, oldest first."""
        return self.backend.get_job_events(name)

    def wait_for_job_status(
        self,
        name: str,
        status: Iterable[str] = frozenset({constants.TRAINJOB_COMPLETE}),
        timeout: float = 600,
        polling_interval: float = 2,
        callbacks: Sequence[JobCallback] | None = None,
    ) -> TrainJob:
        """Wait until the job reaches one of `status` and return it.

        Args:
            name: The job.
            status: Statuses to wait for, among `Created`, `Running`, `Complete`, `Failed`.
            timeout: Seconds to wait at most.
            polling_interval: Longest pause between two looks when the backend cannot be watched.
            callbacks: Called with the job each time its status changes.

        Raises:
            InvalidInputError: `status` is not a set of job statuses, or `timeout` / `polling_interval` is not
                positive (a `ValueError`, as in the existing SDK).
            NotFoundError: There is no such job.
            JobFailedError: The job failed and `Failed` was not among `status` (raised as soon as it fails).
            OperationTimeoutError: `timeout` passed first.
        """
        return self.backend.wait_for_job_status(
            name, status=status, timeout=timeout, polling_interval=polling_interval, callbacks=callbacks
        )

    def delete_job(self, name: str) -> None:
        """Stop the job (all its processes or pods) and remove it.

        Raises:
            NotFoundError: There is no such job.
        """
        self.backend.delete_job(name)
