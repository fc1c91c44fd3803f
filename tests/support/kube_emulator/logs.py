"""Container logs: storage, the checks the kubelet makes, and ``follow`` streaming.

Answers like ``GET /api/v1/namespaces/{ns}/pods/{name}/log`` on a real cluster: ``text/plain``
lines; ``container``, ``tailLines``, ``timestamps``, ``sinceSeconds``, ``limitBytes`` and
``follow``; 400 ``container "node" in pod "x" is waiting to start: ContainerCreating`` while the
container waits; 204 with no body for a pod not scheduled yet (the apiserver has no kubelet to ask).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .status import bad_request
from .util import now, rfc3339_nano


@dataclass(frozen=True)
class LogLine:
    """One log line and when it was written."""

    time: datetime
    text: str

    def render(self, timestamps: bool) -> bytes:
        """The line as the kubelet sends it (optionally prefixed with an RFC 3339 nano time stamp)."""
        text = self.text if self.text.endswith("\n") else self.text + "\n"
        return (f"{rfc3339_nano(self.time)} {text}" if timestamps else text).encode("utf-8")


class LogStore:
    """Lines per (namespace, pod, container), with a condition for followers."""

    def __init__(self) -> None:
        self.changed = threading.Condition(threading.Lock())
        self._lines: dict[tuple[str, str, str], list[LogLine]] = {}
        self.closed = False

    def append(self, namespace: str, pod: str, container: str, line: str, at: datetime | None = None) -> None:
        """Append a line (newline optional) and wake followers."""
        with self.changed:
            self._lines.setdefault((namespace, pod, container), []).append(LogLine(at or now(), line))
            self.changed.notify_all()

    def lines(self, namespace: str, pod: str, container: str) -> list[LogLine]:
        """A snapshot of a container's lines."""
        with self.changed:
            return list(self._lines.get((namespace, pod, container), []))

    def drop_pod(self, namespace: str, pod: str) -> None:
        """Forget the logs of a deleted pod."""
        with self.changed:
            for key in [k for k in self._lines if k[0] == namespace and k[1] == pod]:
                del self._lines[key]
            self.changed.notify_all()

    def notify(self) -> None:
        """Wake followers (a pod changed state)."""
        with self.changed:
            self.changed.notify_all()

    def close(self) -> None:
        """End every follower."""
        with self.changed:
            self.closed = True
            self.changed.notify_all()


def pick_container(pod: dict[str, Any], requested: str | None) -> str:
    """Resolve the ``container`` parameter as the apiserver does.

    Raises:
        ApiError: 400 when the name is missing for a multi-container pod or unknown.
    """
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    containers: list[str] = [c.get("name", "") for c in spec.get("containers") or []]
    inits: list[str] = [c.get("name", "") for c in spec.get("initContainers") or []]
    if not requested:
        if len(containers) == 1:
            return containers[0]
        message = f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
        if inits:
            message += f" or one of the init containers: [{' '.join(inits)}]"
        raise bad_request(message)
    if requested not in containers and requested not in inits:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def container_state(pod: dict[str, Any], container: str) -> dict[str, Any]:
    """The ``state`` of a container from the pod status (empty when not reported yet)."""
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for item in status.get(key) or []:
            if item.get("name") == container:
                state = item.get("state") or {}
                return state if isinstance(state, dict) else {}
    return {}


def check_readable(pod: dict[str, Any], container: str) -> None:
    """Raise the kubelet's 400 when the container has not started."""
    state = container_state(pod, container)
    if "running" in state or "terminated" in state:
        return
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    raise bad_request(f'container "{container}" in pod "{pod["metadata"]["name"]}" is waiting to start: {reason}')


@dataclass(frozen=True)
class LogOptions:
    """Query parameters of a log request."""

    timestamps: bool = False
    tail_lines: int | None = None
    since_seconds: int | None = None
    limit_bytes: int | None = None


def select(lines: list[LogLine], options: LogOptions) -> list[LogLine]:
    """Apply ``sinceSeconds`` then ``tailLines``."""
    if options.since_seconds is not None:
        cutoff = now() - timedelta(seconds=options.since_seconds)
        lines = [line for line in lines if line.time >= cutoff]
    if options.tail_lines is not None:
        lines = lines[-options.tail_lines :] if options.tail_lines > 0 else []
    return lines


def render(lines: list[LogLine], options: LogOptions) -> bytes:
    """The body of a non-follow log request (``limitBytes`` cuts it)."""
    body = b"".join(line.render(options.timestamps) for line in lines)
    if options.limit_bytes is not None:
        body = body[: options.limit_bytes]
    return body


def follow(
    logs: LogStore,
    namespace: str,
    pod_name: str,
    container: str,
    options: LogOptions,
    finished: Any,
    stopping: threading.Event,
) -> Iterator[bytes]:
    """Yield chunks as lines arrive until ``finished()`` (container terminated or pod gone).

    Args:
        logs: The log store.
        namespace: Pod namespace.
        pod_name: Pod name.
        container: Container name.
        options: Query options (``tailLines`` applies to the lines present when following starts).
        finished: Callable returning True once no more lines can come.
        stopping: Set when the emulator stops.
    """
    sent_bytes = 0
    first = select(logs.lines(namespace, pod_name, container), options)
    position = len(logs.lines(namespace, pod_name, container))
    pending = first
    while True:
        for line in pending:
            chunk = line.render(options.timestamps)
            if options.limit_bytes is not None:
                chunk = chunk[: max(options.limit_bytes - sent_bytes, 0)]
            if chunk:
                sent_bytes += len(chunk)
                yield chunk
            if options.limit_bytes is not None and sent_bytes >= options.limit_bytes:
                return
        current = logs.lines(namespace, pod_name, container)
        if len(current) == position:
            # Check the end condition outside the log lock (it reads the object store).
            if finished() or logs.closed or stopping.is_set():
                current = logs.lines(namespace, pod_name, container)
                if len(current) == position:
                    return
            else:
                with logs.changed:
                    if len(logs._lines.get((namespace, pod_name, container), [])) == position:
                        logs.changed.wait(timeout=0.2)
                current = logs.lines(namespace, pod_name, container)
        pending = current[position:]
        position = len(current)
