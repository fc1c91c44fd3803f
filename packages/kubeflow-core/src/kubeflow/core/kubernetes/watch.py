"""Watch objects from a `resourceVersion`, reconnecting on dropped streams and relisting on 410 Gone.

`Watcher.stream(timeout)` yields `WatchEvent`s (`ADDED`, `MODIFIED`, `DELETED`) until the timeout passes or
`stop()` is called from another thread. Bookmarks only advance the resource version. When the server answers
410 Gone (the version is too old), the watcher lists the objects again and yields each as `MODIFIED` (objects
deleted meanwhile are not reported), then watches on from the list's version.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubeflow.core.kubernetes import retry
from kubeflow.core.kubernetes.errors import api_status, from_status, translate
from kubeflow.core.kubernetes.objects import ObjectClient, is_gone
from kubeflow.core.kubernetes.resources import Resource
from kubeflow.core.kubernetes.streams import close_response, iter_lines

log = logging.getLogger(__name__)

MAX_SERVER_TIMEOUT = 300
"""Longest `timeoutSeconds` asked of the server for one watch request."""
READ_GRACE = 15.0
"""Seconds a watch stream may stay silent beyond its server timeout before the connection is deemed dead."""
QUICK_END = 1.0
"""A watch stream that ends sooner than this with no event is backed off before reopening."""


@dataclass(frozen=True)
class WatchEvent:
    """One change: `type` is `ADDED`, `MODIFIED` or `DELETED`; `object` the object after the change."""

    type: str
    object: dict[str, Any]


class _Gone(Exception):
    """The watch's resource version is too old (410)."""


class Watcher:
    """A restartable watch on one resource, optionally narrowed by selectors."""

    def __init__(
        self,
        objects: ObjectClient,
        resource: Resource,
        namespace: str | None = None,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> None:
        self.objects = objects
        self.resource = resource
        self.namespace = namespace
        self.resource_version = resource_version
        self.label_selector = label_selector
        self.field_selector = field_selector
        self._stopped = threading.Event()
        self._response: Any = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        """End `stream()` from another thread: it returns promptly."""
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            close_response(response)

    @property
    def stopped(self) -> bool:
        """Whether `stop()` was called."""
        return self._stopped.is_set()

    def _relist(self) -> Iterator[WatchEvent]:
        result = self.objects.list(
            self.resource, self.namespace, label_selector=self.label_selector, field_selector=self.field_selector
        )
        self.resource_version = result.resource_version
        for item in result.items:
            yield WatchEvent("MODIFIED", item)

    def _open(self, server_timeout: int) -> Any:
        query: dict[str, Any] = {
            "watch": True,
            "allow_watch_bookmarks": True,
            "timeout_seconds": server_timeout,
            "_request_timeout": (self.objects.kube.request_timeout, server_timeout + READ_GRACE),
        }
        if self.resource_version:
            query["resource_version"] = self.resource_version
        if self.label_selector:
            query["label_selector"] = self.label_selector
        if self.field_selector:
            query["field_selector"] = self.field_selector
        ns = self.objects._ns(self.resource, self.namespace)
        return self.objects._invoke("list", self.resource, ns, **query)

    def _events(self, response: Any) -> Iterator[WatchEvent]:
        for line in iter_lines(response):
            if not line.strip():
                continue
            event = json.loads(line)
            kind = event.get("type")
            obj = event.get("object") or {}
            if kind == "ERROR":
                code = obj.get("code")
                if code == 410:
                    raise _Gone()
                status = api_status(_StatusCarrier(obj))
                raise from_status(status, f"watch {self.resource.plural}") if status else RuntimeError(str(obj))
            version = (obj.get("metadata") or {}).get("resourceVersion")
            if version:
                self.resource_version = version
            if kind == "BOOKMARK":
                continue
            yield WatchEvent(str(kind), obj)

    def stream(self, timeout: float | None = None) -> Iterator[WatchEvent]:
        """Yield changes until `timeout` seconds pass (forever if `None`) or `stop()` is called.

        Raises:
            KubeflowError: A non-transient failure (forbidden, not found...), or transient ones beyond the bound.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        if self.resource_version is None:
            yield from self._relist()
        while not self.stopped:
            remaining = MAX_SERVER_TIMEOUT if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                return
            server_timeout = max(1, min(MAX_SERVER_TIMEOUT, int(remaining + 0.999)))
            response = None
            try:
                response = self._open(server_timeout)
                with self._lock:
                    self._response = response
                if self.stopped:
                    return
                opened, quiet = time.monotonic(), True
                for event in self._events(response):
                    failures, quiet = 0, False
                    yield event
                    if self.stopped:
                        return
                if quiet and time.monotonic() - opened < QUICK_END:
                    # A stream that ends at once, again and again, must not turn into a busy loop.
                    failures += 1
                    self._stopped.wait(self.objects.kube.retry.delay(failures))
            except _Gone:
                log.debug(
                    "watch %s: resource version %s expired, relisting", self.resource.plural, self.resource_version
                )
                yield from self._relist()
            except Exception as exc:
                if self.stopped:
                    return
                if is_gone(exc):
                    yield from self._relist()
                    continue
                if not retry.is_transient(exc) or failures >= self.objects.kube.retry.max_retries:
                    typed = translate(exc, f"watch {self.resource.plural}")
                    if typed is exc:
                        raise
                    raise typed from exc
                failures += 1
                self._stopped.wait(self.objects.kube.retry.delay(failures, retry.retry_after_seconds(exc)))
            finally:
                with self._lock:
                    self._response = None
                if response is not None:
                    close_response(response)


class _StatusCarrier:
    """Adapts a `Status` object from a watch ERROR event to what `api_status` reads."""

    def __init__(self, status: dict[str, Any]) -> None:
        self.status = int(status.get("code") or 500)
        self.reason = status.get("reason") or ""
        self.body = json.dumps(status)
        self.headers = None


__all__ = ["Watcher", "WatchEvent"]
