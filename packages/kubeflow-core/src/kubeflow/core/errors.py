"""The typed error hierarchy shared by every Kubeflow SDK package.

Every error carries a human message that names what went wrong and, where there is one, the fix. Each class also
derives from the builtin exception that the existing `kubeflow` SDK raised in the same situation (`ValueError` for
bad input, `RuntimeError` for failed operations, `TimeoutError` for timeouts), so code written against that SDK keeps
catching what it caught before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class KubeflowError(Exception):
    """Base class of every error raised by the Kubeflow SDK.

    Attributes:
        message: The human-readable message.
        reason: A short machine-readable reason (for Kubernetes errors, the API's `reason`).
        status: The HTTP status code when the error came from an API server.
    """

    def __init__(self, message: str, *, reason: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return self.message


class InvalidInputError(KubeflowError, ValueError):
    """An argument is invalid. Raised before any side effect (nothing is created or written).

    Attributes:
        field: The name of the offending field or argument, e.g. `trainer.num_nodes`.
        fix: What to do instead.
    """

    def __init__(
        self,
        field: str,
        problem: str,
        fix: str | None = None,
        *,
        reason: str | None = "Invalid",
        status: int | None = None,
    ) -> None:
        self.field = field
        self.problem = problem
        self.fix = fix
        message = f"{field}: {problem}" + (f" Fix: {fix}" if fix else "")
        super().__init__(message, reason=reason, status=status)


class NotFoundError(KubeflowError, LookupError, ValueError, RuntimeError):
    """The named object (job, runtime, step, ...) does not exist.

    A `ValueError` (what the existing SDK's local backend raised for an unknown job or runtime) and a `RuntimeError`
    (what its Kubernetes backend raised), so either `except` clause keeps catching it.
    """


class AlreadyExistsError(KubeflowError, RuntimeError):
    """An object with the same name already exists."""


class ForbiddenError(KubeflowError, PermissionError, RuntimeError):
    """The caller is not allowed to do this (HTTP 401/403 from the API server)."""


class ConflictError(KubeflowError, RuntimeError):
    """The object changed concurrently (HTTP 409 Conflict that is not AlreadyExists)."""


class OperationTimeoutError(KubeflowError, TimeoutError):
    """An operation or a wait did not finish in the time allowed."""


class BackendUnavailableError(KubeflowError, ConnectionError, RuntimeError):
    """The backend cannot be reached or is not installed (after retries, where retrying makes sense)."""


class UnsupportedBackendError(KubeflowError, NotImplementedError):
    """The backend config names a backend this SDK does not provide (yet), e.g. `ContainerBackendConfig`.

    A `NotImplementedError`, hence a `RuntimeError`. Raised when the client is created, before anything is done.
    """


class BackendError(KubeflowError, RuntimeError):
    """The backend answered with an error that fits no narrower class; `reason` and `status` keep its words."""


class EnvironmentBuildError(KubeflowError, RuntimeError):
    """A job environment could not be built (e.g. a package failed to install).

    Attributes:
        packages: The requirements that were being installed.
        log_tail: The last lines of the installer's output.
    """

    def __init__(self, message: str, *, packages: Sequence[str] = (), log_tail: Sequence[str] = ()) -> None:
        self.packages = list(packages)
        self.log_tail = list(log_tail)
        full = message
        if self.log_tail:
            full += "\n" + "\n".join(f"  | {line}" for line in self.log_tail)
        super().__init__(full, reason="EnvironmentBuildFailed")


class JobFailedError(KubeflowError, RuntimeError):
    """A job reached the `Failed` status.

    Attributes:
        job: The job name.
        step: The first failing step (e.g. `node-1`), when known.
        exit_code: That step's exit code, when known.
        log_tail: The last lines of the failing step's log.
        events: Short descriptions of the relevant events.
        details: Backend-specific extra facts (e.g. condition reason and message).
    """

    def __init__(
        self,
        job: str,
        *,
        step: str | None = None,
        exit_code: int | None = None,
        reason: str | None = None,
        detail: str | None = None,
        log_tail: Sequence[str] = (),
        events: Sequence[str] = (),
        details: dict[str, Any] | None = None,
    ) -> None:
        self.job = job
        self.step = step
        self.exit_code = exit_code
        self.detail = detail
        self.log_tail = list(log_tail)
        self.events = list(events)
        self.details = dict(details or {})
        parts = [f"Job {job!r} failed"]
        if step is not None:
            parts.append(f" at step {step!r}")
        if exit_code is not None:
            parts.append(f" with exit code {exit_code}")
        if reason:
            parts.append(f" ({reason})")
        message = "".join(parts) + "."
        if detail:
            message += f" {detail}"
        if self.log_tail:
            message += f"\nLast log lines of {step or 'the job'}:\n" + "\n".join(
                f"  | {line}" for line in self.log_tail
            )
        if self.events:
            message += "\nEvents:\n" + "\n".join(f"  - {event}" for event in self.events)
        super().__init__(message, reason=reason or "JobFailed")


__all__ = [
    "AlreadyExistsError",
    "BackendError",
    "BackendUnavailableError",
    "ConflictError",
    "EnvironmentBuildError",
    "ForbiddenError",
    "InvalidInputError",
    "JobFailedError",
    "KubeflowError",
    "NotFoundError",
    "OperationTimeoutError",
    "UnsupportedBackendError",
]
