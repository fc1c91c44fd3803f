"""Watch streams: one JSON event per line, replayed from the store's bounded history.

Semantics follow the apiserver's watch cache: ``resourceVersion`` unset or ``"0"`` starts with
synthetic ``ADDED`` events for the current objects; a given resourceVersion replays later changes
or, when it is older than the kept history, sends one ``ERROR`` event with a 410 ``Expired``
Status; a change that makes an object enter or leave the selector is sent as ``ADDED``/``DELETED``;
``allowWatchBookmarks`` adds ``BOOKMARK`` events; the stream ends at ``timeoutSeconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from .resources import ResourceType
from .selectors import FieldSelector, LabelSelector
from .status import ApiError
from .store import Change, Obj, Store, dumps

DEFAULT_TIMEOUT = 1800.0


def event_line(kind: str, raw: bytes) -> bytes:
    """``{"type":"ADDED","object":{...}}`` plus a newline."""
    return b'{"type":"' + kind.encode() + b'","object":' + raw + b"}\n"


@dataclass(frozen=True)
class WatchRequest:
    """What a watch asks for."""

    rt: ResourceType
    namespace: str | None
    labels: LabelSelector
    fields: FieldSelector
    resource_version: str | None
    timeout: float | None
    bookmarks: bool = False
    send_initial_events: bool = False

    def matches(self, obj: Obj | None) -> bool:
        """Whether an object is in the watched set."""
        if obj is None:
            return False
        meta = obj.get("metadata") or {}
        if self.namespace is not None and self.rt.namespaced and meta.get("namespace") != self.namespace:
            return False
        return self.labels.matches(meta.get("labels")) and self.fields.matches(obj)


def _translate(request: WatchRequest, change: Change) -> bytes | None:
    if change.resource != request.rt.key:
        return None
    now_in = request.matches(change.entry.obj)
    was_in = request.matches(change.old) if change.old is not None else False
    if change.type == "ADDED":
        return event_line("ADDED", change.entry.raw) if now_in else None
    if change.type == "DELETED":
        return event_line("DELETED", change.entry.raw) if was_in or now_in else None
    if now_in and was_in:
        return event_line("MODIFIED", change.entry.raw)
    if now_in:
        return event_line("ADDED", change.entry.raw)
    if was_in and change.old is not None:
        gone = dict(change.old)
        gone["metadata"] = dict(change.old.get("metadata") or {}, resourceVersion=str(change.rv))
        return event_line("DELETED", dumps(gone))
    return None


def _bookmark(rt: ResourceType, rv: int, initial_end: bool = False) -> bytes:
    meta: dict[str, object] = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return event_line("BOOKMARK", dumps({"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}))


def stream(
    store: Store, request: WatchRequest, stopping: threading.Event, bookmark_interval: float = 1.0
) -> Iterator[bytes]:
    """Yield event lines until the timeout, the emulator stopping, or an expired resourceVersion."""
    deadline = time.monotonic() + (request.timeout if request.timeout is not None else DEFAULT_TIMEOUT)
    rv_param = request.resource_version
    initial: list[bytes] = []
    with store.lock:
        if request.send_initial_events or rv_param in (None, "", "0"):
            entries = store.entries(request.rt, request.namespace, request.labels, request.fields)
            initial = [event_line("ADDED", e.raw) for e in entries]
            last = store.resource_version
            if request.send_initial_events and request.bookmarks:
                initial.append(_bookmark(request.rt, last, initial_end=True))
        else:
            last = int(rv_param)
    yield from initial
    last_sent = time.monotonic()
    while not stopping.is_set():
        try:
            with store.changed:
                changes = store.changes_since(last)
                if not changes:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or store.closed:
                        return
                    store.changed.wait(timeout=min(remaining, bookmark_interval))
                    changes = store.changes_since(last)
        except ApiError as error:
            yield event_line("ERROR", dumps(error.body()))
            return
        for change in changes:
            last = change.rv
            line = _translate(request, change)
            if line is not None:
                last_sent = time.monotonic()
                yield line
        if request.bookmarks and not changes and time.monotonic() - last_sent >= bookmark_interval:
            last_sent = time.monotonic()
            yield _bookmark(request.rt, store.resource_version)
        if time.monotonic() >= deadline:
            return
