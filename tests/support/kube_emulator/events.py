"""Core ``v1`` Event objects, as the kubelet, scheduler and controllers record them."""

from __future__ import annotations

import secrets
from typing import Any

from .util import rfc3339

Obj = dict[str, Any]


def make_event(
    namespace: str,
    involved: dict[str, Any],
    reason: str,
    message: str,
    type_: str = "Normal",
    component: str = "",
    host: str = "",
) -> Obj:
    """Build an Event named ``<involved name>.<16 hex>`` with ``count`` 1 and both time stamps set.

    Args:
        namespace: Event namespace (the involved object's).
        involved: ``involvedObject``: ``kind``, ``name`` and optionally ``uid``, ``apiVersion``,
            ``namespace``, ``resourceVersion``, ``fieldPath``.
        reason: Short reason (``Scheduled``, ``Started``...).
        message: Human readable message.
        type_: ``Normal`` or ``Warning``.
        component: ``source.component`` / ``reportingComponent`` (``kubelet``...).
        host: ``source.host`` / ``reportingInstance``.
    """
    stamp = rfc3339()
    ref: dict[str, Any] = {
        "kind": involved["kind"],
        "namespace": involved.get("namespace", namespace),
        "name": involved["name"],
    }
    for key in ("uid", "apiVersion", "resourceVersion", "fieldPath"):
        if involved.get(key):
            ref[key] = involved[key]
    source: dict[str, str] = {}
    if component:
        source["component"] = component
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{involved['name']}.{secrets.token_hex(8)}", "namespace": namespace},
        "involvedObject": ref,
        "reason": reason,
        "message": message,
        "source": source,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "type": type_,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": host,
    }


def involved_ref(obj: Obj, field_path: str = "") -> dict[str, Any]:
    """The ``involvedObject`` reference of a stored object."""
    meta = obj["metadata"]
    ref = {
        "kind": obj["kind"],
        "namespace": meta.get("namespace", ""),
        "name": meta["name"],
        "uid": meta.get("uid"),
        "apiVersion": obj["apiVersion"],
        "resourceVersion": meta.get("resourceVersion"),
    }
    if field_path:
        ref["fieldPath"] = field_path
    return ref
