"""Logs of TrainJob steps: one step, or every node interleaved with a `[node-i]` prefix.

`step="all"` reads every training node: without `follow`, the lines of all nodes merged by the time they were
written; with `follow`, each node is followed on its own thread and lines are yielded as they arrive.
"""

from __future__ import annotations

import heapq
import queue
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.kubernetes.logs import LogFollow, PodLogs, split_timestamp
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.status import step_container

ALL_NODES = "all"
"""The `step` value that reads every training node, each line prefixed with `[node-<i>] `."""
_STEP = re.compile(r"^(dataset-initializer|model-initializer|node-\d+)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def check_step(step: str) -> str:
    """Validate a step name: `dataset-initializer`, `model-initializer`, `node-<i>` or `all`.

    Raises:
        InvalidInputError: The name is none of these.
    """
    if not isinstance(step, str) or not (step == ALL_NODES or _STEP.match(step)):
        raise InvalidInputError(
            "step",
            f"{step!r} is not a step name.",
            f"Use '{constants.DATASET_INITIALIZER}', '{constants.MODEL_INITIALIZER}', 'node-<index>' (e.g. "
            f"'{constants.DEFAULT_STEP}'), or '{ALL_NODES}' for every node.",
        )
    return step


def prefix(step: str, line: str) -> str:
    """A line of an interleaved log: `[node-1] text`."""
    return f"[{step}] {line}"


def read_interleaved(logs: PodLogs, pods: dict[str, str], namespace: str) -> Iterator[str]:
    """Every node's log so far, merged by write time (ties keep node order), each line prefixed.

    Args:
        logs: The pod log reader.
        pods: Step name to pod name, for the node steps.
        namespace: The pods' namespace.
    """
    streams: list[list[tuple[datetime, int, int, str]]] = []
    for order, step in enumerate(sorted(pods, key=_node_index)):
        lines = logs.read(pods[step], step_container(step), namespace, timestamps=True)
        entries: list[tuple[datetime, int, int, str]] = []
        last = _EPOCH
        for seq, raw in enumerate(lines):
            stamp, text = split_timestamp(raw)
            last = stamp or last
            entries.append((last, order, seq, prefix(step, text)))
        streams.append(entries)
    for _, _, _, line in heapq.merge(*streams):
        yield line


def _node_index(step: str) -> int:
    return int(step.rsplit("-", 1)[1]) if step.startswith("node-") else -1


_DONE = object()


def follow_interleaved(
    steps: list[str],
    follower: Callable[[str], Iterator[str] | LogFollow | None],
) -> Iterator[str]:
    """Follow several steps at once; yield `[step] line` as lines arrive, until every step has ended.

    Args:
        steps: The steps to follow.
        follower: Returns the followed log of a step (it may block until the step's pod exists), or `None` if the
            step will never run.
    """
    inbox: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    active: list[LogFollow] = []
    lock = threading.Lock()

    def pump(step: str) -> None:
        try:
            lines = follower(step)
            if lines is None or stop.is_set():
                return
            if isinstance(lines, LogFollow):
                with lock:
                    active.append(lines)
                if stop.is_set():
                    lines.stop()
            for line in lines:
                inbox.put(prefix(step, line))
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer thread
            inbox.put(exc)
        finally:
            inbox.put(_DONE)

    threads = [threading.Thread(target=pump, args=(step,), daemon=True, name=f"logs-{step}") for step in steps]
    for thread in threads:
        thread.start()
    remaining = len(threads)
    try:
        while remaining:
            item = inbox.get()
            if item is _DONE:
                remaining -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        stop.set()
        with lock:
            for each in active:
                each.stop()


__all__ = ["ALL_NODES", "check_step", "follow_interleaved", "prefix", "read_interleaved"]
