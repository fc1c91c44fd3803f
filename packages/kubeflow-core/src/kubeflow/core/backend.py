"""The backend protocol: how a job spec becomes running work, and how its state is read back.

The shape follows torchx's scheduler, with its known flaws fixed:

* `submit(spec)` is `schedule(submit_dryrun(spec))`. `submit_dryrun` is **pure**: it returns the exact request the
  backend would send or launch (for Kubernetes, the literal custom-resource body) and touches nothing.
* Each backend has one pydantic config model (`BackendConfig` subclass), not a generic parameter plus a dict.
* `schedule` returns a typed `JobRef`, never a `"namespace:name"` string.
* `cancel` is idempotent: it checks `exists` first.

Core knows nothing of training: `SpecT` is whatever the package above hands in (a process-group spec for the local
backend, a custom-resource body for Kubernetes); `InfoT` is the backend's own description of a job.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar, Generic, TypeVar

from kubeflow.core.models import Event, JobRef

SpecT = TypeVar("SpecT")
RequestT = TypeVar("RequestT")
InfoT = TypeVar("InfoT")


class JobBackend(ABC, Generic[SpecT, RequestT, InfoT]):
    """A place where jobs run: the local machine's processes, or a Kubernetes cluster."""

    kind: ClassVar[str]
    """Short name of the backend, e.g. `local-process` or `kubernetes`."""

    def submit(self, spec: SpecT) -> JobRef:
        """Validate, build and start a job; equal to `schedule(submit_dryrun(spec))`."""
        return self.schedule(self.submit_dryrun(spec))

    @abstractmethod
    def submit_dryrun(self, spec: SpecT) -> RequestT:
        """Return the exact request that `schedule` would send or launch. Pure: no side effect."""

    @abstractmethod
    def schedule(self, request: RequestT) -> JobRef:
        """Send or launch a request built by `submit_dryrun`."""

    @abstractmethod
    def describe(self, name: str) -> InfoT | None:
        """Return what the backend knows of a job, or `None` if there is no such job."""

    @abstractmethod
    def list(self) -> builtins.list[InfoT]:
        """Return every job this backend can see."""

    def exists(self, name: str) -> bool:
        """Whether a job of that name exists."""
        return self.describe(name) is not None

    def cancel(self, name: str) -> bool:
        """Stop and remove a job if it exists. Returns whether there was one."""
        if not self.exists(name):
            return False
        self._cancel_existing(name)
        return True

    @abstractmethod
    def _cancel_existing(self, name: str) -> None:
        """Stop and remove an existing job."""

    def log_iter(self, name: str, step: str, *, follow: bool = False) -> Iterator[str]:
        """Yield the log lines of one step of a job; with `follow`, until the step ends."""
        raise NotImplementedError(f"{type(self).__name__} does not serve logs")

    def events(self, name: str) -> builtins.list[Event]:
        """Return the events recorded for a job, oldest first."""
        raise NotImplementedError(f"{type(self).__name__} does not record events")
