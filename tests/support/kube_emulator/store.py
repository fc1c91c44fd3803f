"""The object store: objects by resource/namespace/name, a global resourceVersion, watch history.

Stored objects are never mutated after they are stored (every write stores a new dict), so lists
and watch events can share them without copying; each entry caches its JSON encoding.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .resources import ResourceType
from .selectors import FieldSelector, LabelSelector
from .status import expired

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects


def dumps(obj: Any) -> bytes:
    """Compact JSON encoding used for every response body."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class Entry:
    """A stored object and its cached JSON encoding."""

    obj: Obj
    _raw: bytes | None = field(default=None, repr=False)

    @property
    def raw(self) -> bytes:
        """The object's JSON (computed once)."""
        if self._raw is None:
            self._raw = dumps(self.obj)
        return self._raw


@dataclass(frozen=True)
class Change:
    """One write, as a watch sees it.

    Attributes:
        rv: The resourceVersion the write produced.
        type: ``ADDED``, ``MODIFIED`` or ``DELETED``.
        resource: :attr:`ResourceType.key` of the object.
        entry: The object after the write (the last state for ``DELETED``).
        old: The object before the write (``None`` for ``ADDED``).
    """

    rv: int
    type: str
    resource: str
    entry: Entry
    old: Obj | None


def _meta(obj: Obj) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


class Store:
    """Thread-safe object store with a bounded change history.

    Args:
        history_limit: How many changes are kept for watches that resume from a resourceVersion.
    """

    def __init__(self, history_limit: int = 20000) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.history_limit = history_limit
        self._rv = 1
        self._compacted = 1
        self._data: dict[str, dict[str, dict[str, Entry]]] = {}
        self._history: list[Change] = []
        self._owners: dict[str, set[tuple[str, str, str]]] = {}
        self._index: dict[str, dict[str, dict[str, set[Key]]]] = {}
        self._listeners: list[Callable[[Change], None]] = []
        self.closed = False

    # ------------------------------------------------------------------ basics
    @property
    def resource_version(self) -> int:
        """The current (latest) resourceVersion."""
        with self.lock:
            return self._rv

    @property
    def compacted(self) -> int:
        """The highest resourceVersion no longer in the history."""
        with self.lock:
            return self._compacted

    def add_listener(self, listener: Callable[[Change], None]) -> None:
        """Call ``listener(change)`` for every write (under the store lock: keep it quick)."""
        with self.lock:
            self._listeners.append(listener)

    def close(self) -> None:
        """Wake every waiting watch so it can end."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj | None:
        """Return the stored object (shared: do not mutate) or ``None``."""
        with self.lock:
            entry = self._data.get(rt.key, {}).get(namespace if rt.namespaced else "", {}).get(name)
            return entry.obj if entry else None

    def get_entry(self, rt: ResourceType, namespace: str, name: str) -> Entry | None:
        """Return the stored entry or ``None``."""
        with self.lock:
            return self._data.get(rt.key, {}).get(namespace if rt.namespaced else "", {}).get(name)

    # ------------------------------------------------------------------ writes
    def put(self, rt: ResourceType, obj: Obj) -> Obj:
        """Store ``obj`` (a fresh dict the store now owns), stamping a new resourceVersion.

        Returns:
            The stored object.
        """
        with self.changed:
            meta = obj["metadata"]
            namespace = meta.get("namespace", "") if rt.namespaced else ""
            name = meta["name"]
            self._rv += 1
            meta["resourceVersion"] = str(self._rv)
            bucket = self._data.setdefault(rt.key, {}).setdefault(namespace, {})
            previous = bucket.get(name)
            entry = Entry(obj)
            bucket[name] = entry
            old = previous.obj if previous else None
            self._reindex(rt, namespace, name, old, obj)
            self._record(Change(self._rv, "MODIFIED" if previous else "ADDED", rt.key, entry, old))
            return obj

    def remove(self, rt: ResourceType, namespace: str, name: str, final: Obj | None = None) -> Obj | None:
        """Delete an object; ``final`` (the last state to report) defaults to the stored one."""
        with self.changed:
            namespace = namespace if rt.namespaced else ""
            bucket = self._data.get(rt.key, {}).get(namespace, {})
            previous = bucket.pop(name, None)
            if previous is None:
                return None
            self._rv += 1
            last = dict(final if final is not None else previous.obj)
            last["metadata"] = dict(_meta(last), resourceVersion=str(self._rv))
            self._reindex(rt, namespace, name, previous.obj, None)
            self._record(Change(self._rv, "DELETED", rt.key, Entry(last), previous.obj))
            return last

    def _record(self, change: Change) -> None:
        self._history.append(change)
        if len(self._history) > self.history_limit * 5 // 4:
            cut = len(self._history) - self.history_limit
            self._compacted = self._history[cut - 1].rv
            del self._history[:cut]
        for listener in self._listeners:
            listener(change)
        self.changed.notify_all()

    def _reindex(self, rt: ResourceType, namespace: str, name: str, old: Obj | None, new: Obj | None) -> None:
        ref = (rt.key, namespace, name)
        for obj, adding in ((old, False), (new, True)):
            if obj is None:
                continue
            for owner in _meta(obj).get("ownerReferences") or []:
                uid = owner.get("uid")
                if not uid:
                    continue
                if adding:
                    self._owners.setdefault(uid, set()).add(ref)
                else:
                    self._owners.get(uid, set()).discard(ref)
            labels = _meta(obj).get("labels") or {}
            for label in rt.index_labels:
                if label in labels:
                    values = self._index.setdefault(rt.key, {}).setdefault(label, {})
                    keys = values.setdefault(labels[label], set())
                    if adding:
                        keys.add((namespace, name))
                    else:
                        keys.discard((namespace, name))

    # ------------------------------------------------------------------- reads
    def dependents(self, uid: str) -> list[tuple[str, str, str]]:
        """Objects (resource key, namespace, name) whose ownerReferences name ``uid``."""
        with self.lock:
            return sorted(self._owners.get(uid, set()))

    def entries(
        self,
        rt: ResourceType,
        namespace: str | None,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        after: Key | None = None,
    ) -> list[Entry]:
        """Matching entries sorted by (namespace, name), optionally after a key (pagination)."""
        with self.lock:
            buckets = self._data.get(rt.key, {})
            candidates: Iterable[Key] | None = None
            if labels is not None:
                for label in rt.index_labels:
                    value = labels.equality(label)
                    if value is not None:
                        candidates = self._index.get(rt.key, {}).get(label, {}).get(value, set())
                        break
            if fields is not None and candidates is None:
                name = fields.equality("metadata.name")
                if name is not None:
                    candidates = [(ns, name) for ns, bucket in buckets.items() if name in bucket]
            if candidates is None:
                spaces = [namespace] if namespace is not None and rt.namespaced else list(buckets)
                candidates = [(ns, n) for ns in spaces for n in buckets.get(ns, {})]
            keys = sorted(k for k in candidates if (namespace is None or not rt.namespaced or k[0] == namespace))
            if after is not None:
                keys = keys[bisect.bisect_right(keys, after) :]
            result = []
            for ns, name in keys:
                entry = buckets.get(ns, {}).get(name)
                if entry is None:
                    continue
                if labels is not None and not labels.matches(_meta(entry.obj).get("labels")):
                    continue
                if fields is not None and not fields.matches(entry.obj):
                    continue
                result.append(entry)
            return result

    def count(self, rt: ResourceType) -> int:
        """Number of stored objects of a resource."""
        with self.lock:
            return sum(len(b) for b in self._data.get(rt.key, {}).values())

    def changes_since(self, rv: int) -> list[Change]:
        """Changes with a resourceVersion above ``rv``.

        Raises:
            ApiError: 410 ``Expired`` when ``rv`` is older than the kept history.
        """
        with self.lock:
            if rv < self._compacted:
                raise expired(f"too old resource version: {rv} ({self._compacted + 1})")
            start = bisect.bisect_right(self._history, rv, key=lambda c: c.rv)
            return self._history[start:]
