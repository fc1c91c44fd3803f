"""Pod logs: read them, or follow them as they are written.

`follow` waits for a pending pod's container to start instead of returning nothing, streams the log, and on a
transient failure (a dropped connection, a 5xx) reconnects and skips the lines it already yielded, so no line is
lost or repeated. It ends when the container has terminated and its log is fully read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from kubeflow.core.errors import InvalidInputError, KubeflowError, NotFoundError, OperationTimeoutError
from kubeflow.core.kubernetes import retry
from kubeflow.core.kubernetes.errors import translate
from kubeflow.core.kubernetes.events import parse_time
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import PODS
from kubeflow.core.kubernetes.streams import close_response, iter_lines
from kubeflow.core.kubernetes.watch import Watcher

log = logging.getLogger(__name__)

FOLLOW_READ_TIMEOUT = 3600.0
"""Seconds a followed log may stay silent before the connection is reopened (a long silent training step)."""


def container_state(pod: dict[str, Any], container: str) -> str:
    """The state of a container in a pod: `waiting`, `running`, `terminated`, or `unknown`."""
    status = pod.get("status") or {}
    for entry in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if entry.get("name") == container:
            state = entry.get("state") or {}
            for key in ("terminated", "running", "waiting"):
                if key in state:
                    return key
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        return "terminated"
    if phase == "Running":
        return "running"
    return "waiting" if phase == "Pending" or phase is None else "unknown"


def split_timestamp(line: str) -> tuple[datetime | None, str]:
    """Split a line read with `timestamps=True` into its time and its text."""
    stamp, sep, text = line.partition(" ")
    parsed = parse_time(stamp) if sep else None
    return (parsed, text) if parsed is not None else (None, line)


def _waiting_to_start(exc: BaseException) -> bool:
    return isinstance(exc, InvalidInputError) and exc.status == 400


class PodLogs:
    """Read and follow the logs of pods' containers."""

    def __init__(self, objects: ObjectClient, *, poll_interval: float = 1.0) -> None:
        self.objects = objects
        self.poll_interval = poll_interval

    def _open(self, pod: str, container: str, namespace: str, **query: Any) -> Any:
        api = self.objects.kube.api("CoreV1Api")
        return api.read_namespaced_pod_log(
            name=pod, namespace=namespace, container=container, _preload_content=False, **query
        )

    def read(
        self,
        pod: str,
        container: str,
        namespace: str | None = None,
        *,
        tail_lines: int | None = None,
        timestamps: bool = False,
    ) -> list[str]:
        """Return the log lines written so far; `[]` when the container has not started.

        With `timestamps`, each line starts with the RFC 3339 time it was written and a space
        (see `split_timestamp`).

        Raises:
            NotFoundError: There is no such pod.
        """
        ns = namespace or self.objects.kube.namespace
        query: dict[str, Any] = {"_request_timeout": self.objects.kube.request_timeout}
        if tail_lines is not None:
            query["tail_lines"] = tail_lines
        if timestamps:
            query["timestamps"] = True

        def fetch() -> bytes:
            response = self._open(pod, container, ns, **query)
            try:
                data: bytes = response.data
            finally:
                response.release_conn()
            return data

        try:
            data = retry.call(fetch, self.objects.kube.retry, f"read the log of pod {pod!r}")
        except InvalidInputError as exc:
            if _waiting_to_start(exc):
                return []
            raise
        text = data.decode("utf-8", "replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.rstrip("\r") for line in lines]

    def wait_started(
        self,
        pod: str,
        container: str,
        namespace: str,
        timeout: float | None = None,
        stop: threading.Event | None = None,
        on_watch: Callable[[Watcher | None], None] | None = None,
    ) -> dict[str, Any]:
        """Block until the container has started (running or terminated); return the pod.

        Raises:
            NotFoundError: The pod does not exist (or was deleted while waiting).
            OperationTimeoutError: `timeout` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        current = self.objects.get(PODS, pod, namespace)
        while container_state(current, container) in ("waiting", "unknown"):
            if stop is not None and stop.is_set():
                return current
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise OperationTimeoutError(f"Pod {pod!r} did not start within {timeout} s.", reason="Timeout")
            version = (current.get("metadata") or {}).get("resourceVersion")
            watcher = Watcher(
                self.objects, PODS, namespace, resource_version=version, field_selector=f"metadata.name={pod}"
            )
            if on_watch is not None:
                on_watch(watcher)
            try:
                for event in watcher.stream(timeout=remaining if remaining is not None else 60.0):
                    if event.type == "DELETED":
                        raise NotFoundError(
                            f"Pod {pod!r} was deleted before its container started.", reason="NotFound", status=404
                        )
                    current = event.object
                    if container_state(current, container) not in ("waiting", "unknown"):
                        break
            except KubeflowError as exc:
                if isinstance(exc, NotFoundError):
                    raise
                log.debug("watching pod %s failed (%s); polling instead", pod, exc)
                time.sleep(self.poll_interval)
                current = self.objects.get(PODS, pod, namespace)
            finally:
                if on_watch is not None:
                    on_watch(None)
        return current

    def follow(
        self, pod: str, container: str, namespace: str | None = None, *, start_timeout: float | None = None
    ) -> LogFollow:
        """Follow a container's log: iterate the result for lines as they are written, until it terminates.

        Args:
            pod: The pod.
            container: The container in it.
            namespace: Its namespace (default: the client's).
            start_timeout: Longest wait for a pending container to start; `None` waits as long as it takes.
        """
        return LogFollow(self, pod, container, namespace or self.objects.kube.namespace, start_timeout)


class LogFollow:
    """One followed log: iterate it for lines; `stop()` (from any thread) ends the iteration promptly.

    Raises (while iterating):
        NotFoundError: There is no such pod.
    """

    def __init__(self, logs: PodLogs, pod: str, container: str, namespace: str, start_timeout: float | None) -> None:
        self.logs = logs
        self.pod = pod
        self.container = container
        self.namespace = namespace
        self.start_timeout = start_timeout
        self.yielded = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._response: Any = None
        self._watcher: Watcher | None = None

    def stop(self) -> None:
        """End the iteration (closes the open stream, if any)."""
        self._stop.set()
        with self._lock:
            response, watcher = self._response, self._watcher
        if response is not None:
            close_response(response)
        if watcher is not None:
            watcher.stop()

    def _set_watcher(self, watcher: Watcher | None) -> None:
        with self._lock:
            self._watcher = watcher
        if watcher is not None and self._stop.is_set():
            watcher.stop()

    def _open(self) -> Any:
        kube = self.logs.objects.kube
        return retry.call(
            lambda: self.logs._open(
                self.pod,
                self.container,
                self.namespace,
                follow=True,
                _request_timeout=(kube.request_timeout, FOLLOW_READ_TIMEOUT),
            ),
            kube.retry,
            f"follow the log of pod {self.pod!r}",
        )

    def _stream_once(self) -> Iterator[str]:
        """Open the stream once and yield the lines not yielded before; transport errors propagate."""
        response = None
        skip = self.yielded
        try:
            response = self._open()
            with self._lock:
                self._response = response
            if self._stop.is_set():
                return
            for line in iter_lines(response):
                if skip:
                    skip -= 1
                    continue
                self.yielded += 1
                yield line
                if self._stop.is_set():
                    return
        finally:
            with self._lock:
                self._response = None
            if response is not None:
                close_response(response)

    def _reconnect_or_raise(self, exc: Exception, failures: int) -> None:
        policy = self.logs.objects.kube.retry
        if not retry.is_transient(exc) or failures > policy.max_retries:
            typed = translate(exc, f"follow the log of pod {self.pod!r}")
            if typed is exc:
                raise exc
            raise typed from exc
        log.debug("following the log of pod %s: %s; reconnecting after %d lines", self.pod, exc, self.yielded)
        self._stop.wait(policy.delay(failures))

    def __iter__(self) -> Iterator[str]:
        policy = self.logs.objects.kube.retry
        failures = 0
        while not self._stop.is_set():
            self.logs.wait_started(
                self.pod, self.container, self.namespace, self.start_timeout, self._stop, self._set_watcher
            )
            if self._stop.is_set():
                return
            before = self.yielded
            try:
                yield from self._stream_once()
            except InvalidInputError as exc:
                if not _waiting_to_start(exc):
                    raise
                self._stop.wait(self.logs.poll_interval)  # the container restarted or has not started yet
                continue
            except KubeflowError:
                raise
            except Exception as exc:
                if self._stop.is_set():
                    return
                failures = 1 if self.yielded > before else failures + 1
                self._reconnect_or_raise(exc, failures)
                continue
            if self._stop.is_set():
                return
            current = self.logs.objects.get(PODS, self.pod, self.namespace)
            if container_state(current, self.container) == "terminated":
                return
            failures = 1 if self.yielded > before else failures + 1
            if failures > policy.max_retries:
                return
            log.debug("the log stream of pod %s ended while its container runs; reconnecting", self.pod)
            self._stop.wait(policy.delay(failures))


__all__ = ["LogFollow", "PodLogs", "container_state", "split_timestamp"]
