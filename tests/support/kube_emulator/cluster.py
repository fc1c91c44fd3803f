"""Direct (no HTTP) access to the emulated cluster state, for the controller and the test API."""

from __future__ import annotations

from typing import Any

from .events import make_event
from .logs import LogStore
from .registry import Registry, TypeIndex
from .resources import ResourceType
from .selectors import LabelSelector
from .store import Obj, Store
from .util import clone, new_uid, rfc3339

TRAINER = "trainer.kubeflow.org/v1alpha1"


class Cluster:
    """The store, registry and logs, plus typed helpers to read and write objects directly."""

    def __init__(self, store: Store, registry: Registry, types: TypeIndex, logs: LogStore) -> None:
        self.store = store
        self.registry = registry
        self.types = types
        self.logs = logs

    def rt(self, api_version: str, kind: str) -> ResourceType:
        """Resource type of an apiVersion/kind."""
        return self.types.lookup(api_version, kind)

    @property
    def pods(self) -> ResourceType:
        """``v1`` pods."""
        return self.rt("v1", "Pod")

    @property
    def trainjobs(self) -> ResourceType:
        """``trainer.kubeflow.org/v1alpha1`` TrainJobs."""
        return self.rt(TRAINER, "TrainJob")

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Obj | None:
        """The stored object (shared, read-only) or ``None``."""
        return self.store.get(self.rt(api_version, kind), namespace or "", name)

    def require(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Obj:
        """The stored object.

        Raises:
            LookupError: when it does not exist.
        """
        obj = self.get(api_version, kind, name, namespace)
        if obj is None:
            where = f"{namespace}/" if namespace else ""
            raise LookupError(f"{kind} {where}{name} not found")
        return obj

    def insert(self, obj: Obj) -> Obj:
        """Store a new object as is (metadata stamped if missing); no admission."""
        obj = clone(obj)
        meta = obj["metadata"]
        meta.setdefault("uid", new_uid())
        meta.setdefault("creationTimestamp", rfc3339())
        rt = self.rt(obj["apiVersion"], obj["kind"])
        if rt.has_generation:
            meta.setdefault("generation", 1)
        return self.store.put(rt, obj)

    def write(self, obj: Obj) -> Obj:
        """Store a modified copy of an existing object (status and spec as given); no admission.

        A copy equal to the stored object is not written (no new resourceVersion, no watch event).
        """
        rt = self.rt(obj["apiVersion"], obj["kind"])
        with self.store.lock:
            meta = obj["metadata"]
            current = self.store.get(rt, meta.get("namespace", ""), meta["name"])
            if current is not None and current == obj:
                return current
            return self.store.put(rt, obj)

    def remove(self, obj: Obj) -> None:
        """Delete an object and its dependents (garbage collection)."""
        rt = self.rt(obj["apiVersion"], obj["kind"])
        meta = obj["metadata"]
        current = self.store.get(rt, meta.get("namespace", ""), meta["name"])
        if current is not None:
            self.registry._finalize_delete(rt, current)

    def record_event(
        self,
        namespace: str,
        involved: dict[str, Any],
        reason: str,
        message: str,
        type_: str = "Normal",
        component: str = "",
        host: str = "",
    ) -> Obj:
        """Store a ``v1`` Event about ``involved``."""
        return self.insert(make_event(namespace, involved, reason, message, type_, component, host))

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, labels: dict[str, str] | None = None
    ) -> list[Obj]:
        """Stored objects of a kind (optionally in a namespace, with all the given labels)."""
        selector = LabelSelector.parse(",".join(f"{k}={v}" for k, v in (labels or {}).items()))
        return [e.obj for e in self.store.entries(self.rt(api_version, kind), namespace, selector)]
