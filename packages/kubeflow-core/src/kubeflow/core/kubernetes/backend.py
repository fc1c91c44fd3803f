"""`KubernetesBackend`: the generic `JobBackend` for jobs that are custom objects (TrainJob, Experiment, ...).

The spec is the custom object's body. `submit_dryrun` returns it unchanged (pure); `schedule` creates it with an
idempotent, retried POST; `describe`, `list`, `cancel`, `log_iter` and `events` read and delete through the API.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Any, ClassVar

from kubeflow.core.backend import JobBackend
from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.events import list_events
from kubeflow.core.kubernetes.logs import PodLogs
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import Resource
from kubeflow.core.models import Event, JobRef

Obj = dict[str, Any]


class KubernetesBackend(JobBackend[Obj, Obj, Obj]):
    """Jobs as custom objects of one resource type, in one namespace."""

    kind: ClassVar[str] = "kubernetes"

    def __init__(
        self, resource: Resource, config: KubernetesBackendConfig | None = None, *, kube: KubeClient | None = None
    ) -> None:
        self.resource = resource
        self.kube = kube or KubeClient(config or KubernetesBackendConfig())
        self.objects = ObjectClient(self.kube)
        self.logs = PodLogs(self.objects)

    @property
    def namespace(self) -> str:
        """The namespace jobs live in."""
        return self.kube.namespace

    def submit_dryrun(self, spec: Obj) -> Obj:
        """Return the body `schedule` would POST: `spec` itself, untouched."""
        return spec

    def schedule(self, request: Obj) -> JobRef:
        """Create the object (idempotent under retry) and return a reference to it."""
        name = (request.get("metadata") or {}).get("name")
        if not name:
            raise InvalidInputError("metadata.name", "the object has no name.", "Set metadata.name.")
        namespace = (request.get("metadata") or {}).get("namespace") or self.namespace
        created = self.objects.create(self.resource, request, namespace)
        return JobRef(backend=self.kind, name=created["metadata"]["name"], namespace=namespace)

    def describe(self, name: str) -> Obj | None:
        """The stored object, or `None`."""
        return self.objects.get_or_none(self.resource, name, self.namespace)

    def list(self) -> builtins.list[Obj]:
        """Every object of the resource in the namespace (all pages)."""
        return self.objects.list(self.resource, self.namespace).items

    def _cancel_existing(self, name: str) -> None:
        self.objects.delete(self.resource, name, self.namespace, propagation="Foreground")

    def log_iter(self, name: str, step: str, *, follow: bool = False) -> Iterator[str]:
        """The log of container `step` of pod `name` (a generic fallback; job packages map steps to pods)."""
        if follow:
            return iter(self.logs.follow(name, step, self.namespace))
        return iter(self.logs.read(name, step, self.namespace))

    def events(self, name: str) -> builtins.list[Event]:
        """Events about the object, selected server-side."""
        return list_events(self.objects, [(name, self.resource.kind)], self.namespace)


__all__ = ["KubernetesBackend"]
