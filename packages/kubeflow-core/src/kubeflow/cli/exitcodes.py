"""Exit codes of the `kubeflow` command: what a script can rely on, mapped from the typed errors of kubeflow.core."""

from __future__ import annotations

from typing import Final

OK: Final = 0
"""The command did what was asked."""
ERROR: Final = 1
"""Any other error (the backend answered with an error, a job environment could not be built, ...)."""
INVALID_INPUT: Final = 2
"""Invalid input: a bad option or argument, or an `InvalidInputError` (nothing was created)."""
NOT_FOUND: Final = 3
"""The job, runtime or step does not exist (`NotFoundError`)."""
JOB_FAILED: Final = 4
"""The job failed (`JobFailedError`): `wait`, `train --follow`."""
TIMEOUT: Final = 5
"""The time allowed passed first (`OperationTimeoutError`): `wait --timeout`."""
ALREADY_EXISTS: Final = 6
"""A job with that name exists, or the object changed concurrently (`AlreadyExistsError`, `ConflictError`)."""
UNAVAILABLE: Final = 7
"""The backend cannot be reached or is not installed (`BackendUnavailableError`)."""
FORBIDDEN: Final = 8
"""The cluster refused the request (`ForbiddenError`: HTTP 401/403)."""
INTERRUPTED: Final = 130
"""Ctrl-C (SIGINT) stopped following or waiting; the job itself was left running."""

HELP: Final = f"""\b
Exit codes:
  {OK}    ok
  {ERROR}    other error
  {INVALID_INPUT}    invalid input (bad option, argument or value; nothing was created)
  {NOT_FOUND}    not found (job, runtime, step)
  {JOB_FAILED}    the job failed
  {TIMEOUT}    timed out
  {ALREADY_EXISTS}    already exists / conflict
  {UNAVAILABLE}    backend unavailable
  {FORBIDDEN}    forbidden by the cluster
  {INTERRUPTED}  interrupted by Ctrl-C (the job keeps running)"""
"""The table shown at the end of `kubeflow --help` (`\\b` keeps click from re-wrapping it)."""


def exit_code_for(error: BaseException) -> int:
    """The exit code for an error raised by a command (`ERROR` for anything untyped)."""
    from kubeflow.core import errors

    table: list[tuple[type[BaseException], int]] = [
        (errors.JobFailedError, JOB_FAILED),
        (errors.OperationTimeoutError, TIMEOUT),
        (errors.NotFoundError, NOT_FOUND),
        (errors.AlreadyExistsError, ALREADY_EXISTS),  # before invalid input: a duplicate is both (model registry)
        (errors.ConflictError, ALREADY_EXISTS),
        (errors.InvalidInputError, INVALID_INPUT),
        (errors.ForbiddenError, FORBIDDEN),
        (errors.BackendUnavailableError, UNAVAILABLE),
        (KeyboardInterrupt, INTERRUPTED),
    ]
    for kind, code in table:
        if isinstance(error, kind):
            return code
    return ERROR


class Stopped(Exception):
    """Ctrl-C stopped a command that follows or waits (exit `INTERRUPTED`); the message says what was left running."""
