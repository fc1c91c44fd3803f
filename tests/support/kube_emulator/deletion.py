"""DELETE semantics: preconditions, finalizers, cascading deletion (garbage collection), namespaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .resources import ResourceType
from .status import ApiError, method_not_allowed, not_found, success_status
from .store import Obj, Store
from .util import clone, rfc3339

if TYPE_CHECKING:
    from .registry import TypeIndex


class Deletion:
    """Deletion half of :class:`~kube_emulator.registry.Registry`."""

    store: Store
    types: TypeIndex

    def delete(
        self, rt: ResourceType, namespace: str, name: str, options: Obj | None = None, *, dry_run: bool = False
    ) -> Obj:
        """DELETE: the object for kinds that return it, else a ``Success`` Status; cascades to dependents."""
        if rt.read_only:
            raise method_not_allowed()
        options = options or {}
        with self.store.lock:
            existing = self.store.get(rt, namespace, name)
            if existing is None:
                raise not_found(rt.group, rt.plural, name)
            meta = existing["metadata"]
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != meta.get("uid"):
                raise ApiError(
                    409,
                    "Conflict",
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {meta.get('uid')}",
                    {"name": name, "kind": rt.plural},
                )
            if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
                raise ApiError(
                    409,
                    "Conflict",
                    f"Precondition failed: ResourceVersion in precondition: "
                    f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                    f"{meta.get('resourceVersion')}",
                    {"name": name, "kind": rt.plural},
                )
            if dry_run:
                return self._delete_answer(rt, existing)
            if meta.get("finalizers"):
                if meta.get("deletionTimestamp"):
                    return existing
                pending = clone(existing)
                pending["metadata"]["deletionTimestamp"] = rfc3339()
                pending["metadata"]["deletionGracePeriodSeconds"] = 0
                return self.store.put(rt, pending)
            final = existing
            if rt.kind == "Pod" and (existing.get("spec") or {}).get("nodeName"):
                final = clone(existing)
                grace = options.get("gracePeriodSeconds")
                final["metadata"]["deletionTimestamp"] = rfc3339()
                final["metadata"]["deletionGracePeriodSeconds"] = int(
                    grace if grace is not None else existing["spec"].get("terminationGracePeriodSeconds", 30)
                )
            removed = self._finalize_delete(rt, final, orphan=options.get("propagationPolicy") == "Orphan")
            if rt.kind == "Namespace" and not rt.group:
                self._empty_namespace(name)
            return self._delete_answer(rt, removed)

    def _empty_namespace(self, namespace: str) -> None:
        """Delete every object in a deleted namespace (the namespace controller's job)."""
        for rt in self.types.all():
            if not rt.namespaced:
                continue
            for entry in self.store.entries(rt, namespace):
                current = self.store.get(rt, namespace, entry.obj["metadata"]["name"])
                if current is not None:
                    self._finalize_delete(rt, current)

    def _delete_answer(self, rt: ResourceType, obj: Obj) -> Obj:
        if rt.return_deleted_object:
            return obj
        details: dict[str, Any] = {"name": obj["metadata"]["name"]}
        if rt.group:
            details["group"] = rt.group
        details["kind"] = rt.plural
        details["uid"] = obj["metadata"].get("uid", "")
        return success_status(details)

    def _finalize_delete(self, rt: ResourceType, obj: Obj, orphan: bool = False) -> Obj:
        meta = obj["metadata"]
        removed = self.store.remove(rt, meta.get("namespace", ""), meta["name"], obj) or obj
        if not orphan:
            self.collect_garbage(meta.get("uid", ""))
        return removed

    def collect_garbage(self, uid: str) -> None:
        """Delete every object owned by ``uid`` (recursively), as the garbage collector would."""
        for key, namespace, name in self.store.dependents(uid):
            rt = self.types.by_key.get(key)
            if rt is None:
                continue
            with self.store.lock:
                obj = self.store.get(rt, namespace, name)
                if obj is None:
                    continue
                owners = [o for o in obj["metadata"].get("ownerReferences", []) if o.get("uid") != uid]
                if owners and any(self._owner_exists(o, namespace) for o in owners):
                    continue
                self._finalize_delete(rt, obj)

    def _owner_exists(self, owner: dict[str, Any], namespace: str) -> bool:
        try:
            rt = self.types.lookup(owner.get("apiVersion", ""), owner.get("kind", ""))
        except KeyError:
            return False
        found = self.store.get(rt, namespace, owner.get("name", ""))
        return found is not None and found["metadata"].get("uid") == owner.get("uid")
