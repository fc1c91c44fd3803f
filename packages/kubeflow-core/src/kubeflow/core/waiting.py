"""Waiting for a job to reach a status: the checks of the statuses asked for, and the loop every client shares.

Core knows nothing of what a job is: the loop needs a way to read the job (anything with a `status`), a way to
build the error of a failed one, and a way to block until the job may have changed (a backend watches or
polls). Trainer and Katib backends both wait through `wait_for_status`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Protocol, TypeVar

from kubeflow.core.errors import InvalidInputError, OperationTimeoutError
from kubeflow.core.statuses import FAILED, JOB_STATUSES


class HasStatus(Protocol):
    """Anything that reports a job status (`Created`, `Running`, `Complete`, `Failed`)."""

    @property
    def status(self) -> str:
        """The job status."""
        ...


JobT = TypeVar("JobT", bound=HasStatus)


def check_statuses(status: Iterable[str], what: str = "job") -> set[str]:
    """Validate the statuses a caller waits for; they must be among Created, Running, Complete, Failed.

    Args:
        status: One status or several.
        what: What kind of job, for the error (`"job"`, `"optimization job"`).

    Raises:
        InvalidInputError: The set is empty or holds an unknown status (a `ValueError` naming `status`).
    """
    wanted = {status} if isinstance(status, str) else set(status)
    unknown = wanted - JOB_STATUSES
    if not wanted or unknown:
        raise InvalidInputError(
            "status",
            f"{sorted(unknown) if unknown else 'an empty set'} is not a set of {what} statuses.",
            f"Use a subset of {sorted(JOB_STATUSES)}.",
        )
    return wanted


def wait_for_status(
    read: Callable[[], JobT],
    wanted: Collection[str],
    *,
    timeout: float,
    failure: Callable[[JobT], Exception],
    wait_for_change: Callable[[JobT, float], None],
    callbacks: Sequence[Callable[[JobT], None]] = (),
    only_on_change: bool = False,
    label: str,
) -> JobT:
    """Read the job until its status is in `wanted`; raise at once if it failed and `Failed` was not wanted.

    Args:
        read: Reads the job now.
        wanted: The statuses to wait for (checked by `check_statuses`).
        timeout: Seconds to wait at most.
        failure: Builds the error raised for a failed job.
        wait_for_change: Blocks until the job may have changed, or the remaining seconds (its second argument)
            pass.
        callbacks: Called with the job at every look, or only when its status changed if `only_on_change`.
        only_on_change: Call `callbacks` only when the status differs from the previous look.
        label: The job as named in the timeout error, e.g. `"Job 'abc'"`.

    Raises:
        Exception: What `failure` builds, when the job failed and `Failed` was not wanted.
        OperationTimeoutError: `timeout` passed first (a `TimeoutError`).
    """
    deadline = time.monotonic() + timeout
    last_status: str | None = None
    while True:
        job = read()
        if not only_on_change or job.status != last_status:
            last_status = job.status
            for callback in callbacks:
                callback(job)
        if job.status in wanted:
            return job
        if job.status == FAILED:
            raise failure(job)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OperationTimeoutError(
                f"{label} did not reach {sorted(wanted)} within {timeout} s; its status is {job.status!r}.",
                reason="Timeout",
            )
        wait_for_change(job, remaining)


__all__ = ["HasStatus", "check_statuses", "wait_for_status"]
