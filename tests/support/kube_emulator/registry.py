"""API semantics of writes: create, replace, patch, delete, garbage collection, direct apply.

This is the part of kube-apiserver between decoding a request and storing the object: metadata
stamping, ``generateName``, status subresource rules, CRD pruning/defaulting/validation,
optimistic concurrency, finalizers and cascading deletion through ``ownerReferences``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import kinds
from .deletion import Deletion
from .patch import apply_patch
from .resources import ResourceType
from .status import (
    FieldError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    method_not_allowed,
    not_found,
)
from .store import Obj, Store
from .util import clone, new_uid, random_suffix, rfc3339


@dataclass
class WriteResult:
    """An object the API answered with, plus warnings for the ``Warning`` header."""

    obj: Obj
    warnings: list[str]
    created: bool = False


class TypeIndex:
    """Lookup of resource types by path coordinates or by apiVersion/kind."""

    def __init__(self) -> None:
        self.by_path: dict[tuple[str, str, str], ResourceType] = {}
        self.by_kind: dict[tuple[str, str], ResourceType] = {}
        self.by_key: dict[str, ResourceType] = {}

    def add(self, rt: ResourceType) -> None:
        """Register a type (replacing one with the same coordinates)."""
        self.by_path[(rt.group, rt.version, rt.plural)] = rt
        self.by_kind[(rt.api_version, rt.kind)] = rt
        self.by_key[rt.key] = rt

    def lookup(self, api_version: str, kind: str) -> ResourceType:
        """The type of an ``apiVersion``/``kind`` pair.

        Raises:
            KeyError: when the kind is not served.
        """
        try:
            return self.by_kind[(api_version, kind)]
        except KeyError:
            raise KeyError(f"no resource type for apiVersion={api_version!r} kind={kind!r}") from None

    def all(self) -> list[ResourceType]:
        """Every registered type."""
        return list(self.by_path.values())


def _meta(obj: Obj) -> dict[str, Any]:
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    return meta


class Registry(Deletion):
    """Write operations on a :class:`Store` with apiserver semantics."""

    def __init__(self, store: Store, types: TypeIndex) -> None:
        self.store = store
        self.types = types

    # ----------------------------------------------------------------- helpers
    def _check_type(self, rt: ResourceType, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise bad_request(f"the body of the request was not a JSON object (kind {rt.kind})")
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if rt.custom and (not api_version or not kind):
            missing = "Kind" if not kind else "APIVersion"
            raise bad_request(f"Object '{missing}' is missing in '{json.dumps(body, separators=(',', ':'))[:1024]}'")
        if api_version and api_version != rt.api_version:
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the expected API "
                f"version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: kind {kind!r} does not match'
            )
        body["apiVersion"], body["kind"] = rt.api_version, rt.kind
        _drop_nulls(body, deep=rt.schema is None)
        return body

    def _admit(self, rt: ResourceType, obj: Obj, old: Obj | None, strict: bool) -> tuple[list[str], list[FieldError]]:
        """Prune, default and validate; returns (warnings, errors)."""
        warnings: list[str] = []
        errors: list[FieldError] = []
        if rt.schema is not None:
            unknown = rt.schema.prune(obj)
            if unknown and strict:
                detail = ", ".join(f'unknown field "{u}"' for u in unknown)
                raise bad_request(
                    f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                    f"strict decoding error: {detail}"
                )
            warnings = [f'unknown field "{u}"' for u in unknown]
            rt.schema.default(obj)
            errors.extend(rt.schema.validate(obj, old))
        meta = _meta(obj)
        errors[:0] = kinds.validate_name(meta.get("name", ""), rt.kind) + kinds.validate_labels(meta)
        return warnings, errors

    def _raise_invalid(self, rt: ResourceType, name: str, errors: list[FieldError]) -> None:
        if errors:
            raise invalid(rt.group, rt.kind, name, errors)

    # ------------------------------------------------------------------ create
    def create(
        self, rt: ResourceType, namespace: str, body: Any, *, dry_run: bool = False, strict: bool = False
    ) -> WriteResult:
        """POST a new object (201); 409 if it exists, 422 if invalid."""
        if rt.read_only:
            raise method_not_allowed()
        obj = self._check_type(rt, body)
        meta = _meta(obj)
        if rt.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise invalid(
                    rt.group,
                    rt.kind,
                    "",
                    [
                        FieldError(
                            "FieldValueRequired", "metadata.name", "Required value: name or generateName is required"
                        )
                    ],
                )
            meta["name"] = meta["generateName"] + random_suffix()
        for key in (
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "selfLink",
            "managedFields",
        ):
            meta.pop(key, None)
        if rt.status_subresource:
            obj.pop("status", None)
        errors = kinds.prepare_create(rt.kind, obj)
        warnings, schema_errors = self._admit(rt, obj, None, strict)
        self._raise_invalid(rt, meta["name"], schema_errors + errors)
        with self.store.lock:
            if self.store.get(rt, namespace, meta["name"]) is not None:
                raise already_exists(rt.group, rt.plural, meta["name"])
            meta["uid"] = new_uid()
            meta["creationTimestamp"] = rfc3339()
            if rt.has_generation:
                meta["generation"] = 1
            if dry_run:
                meta["resourceVersion"] = ""
                return WriteResult(obj, warnings, True)
            return WriteResult(self.store.put(rt, obj), warnings, True)

    # ------------------------------------------------------------------ update
    def replace(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        *,
        subresource: str = "",
        dry_run: bool = False,
        strict: bool = False,
    ) -> WriteResult:
        """PUT an object (or its ``/status``) with optimistic concurrency."""
        if rt.read_only:
            raise method_not_allowed()
        obj = self._check_type(rt, body)
        meta = _meta(obj)
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if rt.namespaced and meta.get("namespace") and meta["namespace"] != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        with self.store.lock:
            existing = self.store.get(rt, namespace, name)
            if existing is None:
                raise not_found(rt.group, rt.plural, name)
            rv = meta.get("resourceVersion")
            if rv and rv != existing["metadata"]["resourceVersion"]:
                raise conflict(rt.group, rt.plural, name)
            if not rv and rt.custom:
                raise invalid(
                    rt.group,
                    rt.kind,
                    name,
                    [
                        FieldError(
                            "FieldValueInvalid",
                            "metadata.resourceVersion",
                            "Invalid value: 0x0: must be specified for an update",
                        )
                    ],
                )
            return self._update(rt, existing, obj, subresource=subresource, dry_run=dry_run, strict=strict)

    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: bytes,
        content_type: str,
        *,
        subresource: str = "",
        dry_run: bool = False,
        strict: bool = False,
    ) -> WriteResult:
        """PATCH an object (merge, JSON patch, strategic merge for built-ins)."""
        if rt.read_only:
            raise method_not_allowed()
        with self.store.lock:
            existing = self.store.get(rt, namespace, name)
            if existing is None:
                raise not_found(rt.group, rt.plural, name)
            patched = apply_patch(clone(existing), body, content_type, rt.custom)
            obj = self._check_type(rt, patched)
            meta = _meta(obj)
            if meta.get("name") != name or (rt.namespaced and meta.get("namespace") != namespace):
                raise bad_request("metadata.name and metadata.namespace cannot be changed by a patch")
            if meta.get("resourceVersion") != existing["metadata"]["resourceVersion"]:
                raise conflict(rt.group, rt.plural, name)
            return self._update(rt, existing, obj, subresource=subresource, dry_run=dry_run, strict=strict)

    def _update(
        self, rt: ResourceType, existing: Obj, obj: Obj, *, subresource: str, dry_run: bool, strict: bool
    ) -> WriteResult:
        old_meta = existing["metadata"]
        if subresource == "status":
            new = clone(existing)
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
            obj = new
        else:
            if rt.status_subresource:
                if "status" in existing:
                    obj["status"] = clone(existing["status"])
                else:
                    obj.pop("status", None)
            meta = _meta(obj)
            for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                if key in old_meta:
                    meta[key] = old_meta[key]
                else:
                    meta.pop(key, None)
            if rt.namespaced:
                meta["namespace"] = old_meta.get("namespace")
            meta["name"] = old_meta["name"]
        if rt.kind == "Secret":
            kinds.prepare_secret(obj)
        warnings, errors = self._admit(rt, obj, existing, strict)
        if rt.kind == "Pod" and subresource != "status":
            errors += kinds.validate_pod(obj)
        self._raise_invalid(rt, old_meta["name"], errors)
        meta = obj["metadata"]
        if rt.has_generation and _spec_changed(existing, obj):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        meta["resourceVersion"] = old_meta["resourceVersion"]
        if obj == existing or dry_run:
            return WriteResult(obj if dry_run else existing, warnings)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.store.put(rt, obj)
            return WriteResult(self._finalize_delete(rt, obj), warnings)
        return WriteResult(self.store.put(rt, obj), warnings)

    # ----------------------------------------------------------- direct writes
    def apply(self, obj: Obj, *, validate: bool = True) -> Obj:
        """Create or replace an object directly (no HTTP): status kept, metadata stamped, CRD defaults applied.

        Raises:
            KeyError: unknown apiVersion/kind.
            ApiError: 422 when ``validate`` and the object is invalid.
        """
        obj = clone(obj)
        rt = self.types.lookup(obj.get("apiVersion", ""), obj.get("kind", ""))
        _drop_nulls(obj, deep=rt.schema is None)
        meta = _meta(obj)
        if not meta.get("name"):
            meta["name"] = meta.get("generateName", "obj-") + random_suffix()
        if rt.namespaced:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        namespace = meta.get("namespace", "")
        if rt.kind == "Secret":
            kinds.prepare_secret(obj)
        if rt.kind == "Pod":
            kinds.pod_defaults(obj)
            obj.setdefault("status", {"phase": "Pending", "qosClass": kinds.qos_class(obj["spec"])})
        with self.store.lock:
            existing = self.store.get(rt, namespace, meta["name"])
            _, errors = self._admit(rt, obj, existing, strict=False)
            if validate:
                self._raise_invalid(rt, meta["name"], errors)
            if existing is None:
                meta.setdefault("uid", new_uid())
                meta.setdefault("creationTimestamp", rfc3339())
                if rt.has_generation:
                    meta.setdefault("generation", 1)
            else:
                old_meta = existing["metadata"]
                meta["uid"] = old_meta["uid"]
                meta["creationTimestamp"] = old_meta["creationTimestamp"]
                if rt.has_generation:
                    generation = int(old_meta.get("generation", 1))
                    meta["generation"] = generation + 1 if _spec_changed(existing, obj) else generation
            return self.store.put(rt, obj)

    def update_direct(self, rt: ResourceType, obj: Obj) -> Obj:
        """Store a modified copy of an existing object as is (controllers' status writes)."""
        return self.store.put(rt, obj)


def _drop_nulls(obj: Obj, deep: bool) -> None:
    """Drop ``null`` fields as Go's typed decoding does (CRD objects: metadata only; the schema prunes the rest)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for key in [k for k, v in meta.items() if v is None]:
            del meta[key]
    if deep:
        stack: list[Any] = [obj]
        while stack:
            current = stack.pop()
            if isinstance(current, dict):
                for key in [k for k, v in current.items() if v is None]:
                    del current[key]
                stack.extend(current.values())
            elif isinstance(current, list):
                stack.extend(current)


def _spec_changed(old: Obj, new: Obj) -> bool:
    ignored = ("metadata", "status", "apiVersion", "kind")
    return {k: v for k, v in old.items() if k not in ignored} != {k: v for k, v in new.items() if k not in ignored}
