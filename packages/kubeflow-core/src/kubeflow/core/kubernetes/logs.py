"""Pod logs: read them, or follow them as they are written.

`follow` waits for a pending pod's container to start instead of returning nothing, streams the log, and on a
transient failure (a dropped connection, a 5xx) reconnects and skips the lines it already yielded, so no line is
lost or repeated. It ends when the container has terminated and its log is fully read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from kubeflow.core.errors import InvalidInputError, KubeflowError, NotFoundError
from kubeflow.core.kubernetes import retry
from kubeflow.core.kubernetes.errors import translate
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
        self, pod: str, container: str, namespace: str | None = None, *, tail_lines: int | None = None
    ) -> list[str]:
        """Return the log lines written so far; `[]` when the container has not started.

        Raises:
            NotFoundError: There is no such pod.
        """
        ns = namespace or self.objects.kube.namespace
        query: dict[str, Any] = {"_request_timeout": self.objects.kube.request_timeout}
        if tail_lines is not None:
            query["tail_lines"] = tail_lines

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

    def wait_started(self, pod: str, container: str, namespace: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the container has started (running or terminated); return the pod.

        Raises:
            NotFoundError: The pod does not exist (or was deleted while waiting).
            OperationTimeoutError: `timeout` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        current = self.objects.get(PODS, pod, namespace)
        while container_state(current, container) in ("waiting", "unknown"):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                from kubeflow.core.errors import OperationTimeoutError

                raise OperationTimeoutError(f"Pod {pod!r} did not start within {timeout} s.", reason="Timeout")
            version = (current.get("metadata") or {}).get("resourceVersion")
            watcher = Watcher(
                self.objects, PODS, namespace, resource_version=version, field_selector=f"metadata.name={pod}"
            )
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
        return current

    def follow(
        self, pod: str, container: str, namespace: str | None = None, *, start_timeout: float | None = None
    ) -> Iterator[str]:
        """Yield log lines as they are written, until the container terminates.

        Args:
            pod: The pod.
            container: The container in it.
            namespace: Its namespace (default: the client's).
            start_timeout: Longest wait for a pending container to start; `None` waits as long as it takes.

        Raises:
            NotFoundError: There is no such pod.
        """
        ns = namespace or self.objects.kube.namespace
        policy = self.objects.kube.retry
        yielded = 0
        failures = 0
        while True:
            self.wait_started(pod, container, ns, start_timeout)
            response = None
            skip = yielded
            try:
                response = retry.call(
                    lambda: self._open(
                        pod,
                        container,
                        ns,
                        follow=True,
                        _request_timeout=(self.objects.kube.request_timeout, FOLLOW_READ_TIMEOUT),
                    ),
                    policy,
                    f"follow the log of pod {pod!r}",
                )
                for line in iter_lines(response):
                    if skip:
                        skip -= 1
                        continue
                    failures = 0
                    yielded += 1
                    yield line
            except InvalidInputError as exc:
                if not _waiting_to_start(exc):
                    raise
                time.sleep(self.poll_interval)  # the container restarted or has not started yet
                continue
            except KubeflowError:
                raise
            except Exception as exc:
                if not retry.is_transient(exc) or failures >= policy.max_retries:
                    typed = translate(exc, f"follow the log of pod {pod!r}")
                    if typed is exc:
                        raise
                    raise typed from exc
                failures += 1
                log.debug("following the log of pod %s: %s; reconnecting after %d lines", pod, exc, yielded)
                time.sleep(policy.delay(failures))
                continue
            finally:
                if response is not None:
                    close_response(response)
            current = self.objects.get(PODS, pod, ns)
            if container_state(current, container) == "terminated":
                return
            failures += 1
            if failures > policy.max_retries:
                return
            log.debug("the log stream of pod %s ended while its container runs; reconnecting", pod)
            time.sleep(policy.delay(failures))


__all__ = ["PodLogs", "container_state"]
