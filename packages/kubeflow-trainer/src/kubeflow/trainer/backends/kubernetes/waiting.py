"""Reacting fast to a TrainJob's changes (watches), and explaining its failure.

`ChangeWaiter.wait` watches the TrainJob and its pods from the resource versions last read, and returns as soon as
either changes (the status depends on both: conditions on the TrainJob, `Running` on the pods). If watching is not
possible (forbidden, not served), it falls back to sleeping `polling_interval`, and remembers not to try again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from kubeflow.core.errors import JobFailedError, KubeflowError
from kubeflow.core.kubernetes.events import list_events
from kubeflow.core.kubernetes.logs import PodLogs
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import PODS, Resource
from kubeflow.core.kubernetes.watch import Watcher
from kubeflow.core.models import Event
from kubeflow.trainer import constants
from kubeflow.trainer.backends.kubernetes.status import condition_true, step_container
from kubeflow.trainer.types import TrainJob

log = logging.getLogger(__name__)

EVENT_LIMIT = 10
"""Most events quoted in a `JobFailedError`."""
LOG_TAIL = 20
"""Log lines of the failing step quoted in a `JobFailedError`."""


@dataclass(frozen=True)
class Versions:
    """Resource versions of the last read of a job: its TrainJob and its pod list."""

    trainjob: str | None
    pods: str | None


class ChangeWaiter:
    """Blocks until a TrainJob or one of its pods changes."""

    def __init__(self, objects: ObjectClient, trainjobs: Resource, pod_selector: str) -> None:
        self.objects = objects
        self.trainjobs = trainjobs
        self.pod_selector = pod_selector
        self.watch_broken = False

    def wait(self, name: str, namespace: str, versions: Versions, timeout: float, polling_interval: float) -> None:
        """Return when the job may have changed, or after `timeout` seconds."""
        if self.watch_broken or versions.trainjob is None:
            time.sleep(max(0.0, min(timeout, polling_interval)))
            return
        changed = threading.Event()
        failed: list[BaseException] = []
        watchers = [
            Watcher(
                self.objects,
                self.trainjobs,
                namespace,
                resource_version=versions.trainjob,
                field_selector=f"metadata.name={name}",
            ),
            Watcher(
                self.objects,
                PODS,
                namespace,
                resource_version=versions.pods,
                label_selector=self.pod_selector.format(name=name),
            ),
        ]

        def run(watcher: Watcher) -> None:
            try:
                for _ in watcher.stream(timeout=timeout):
                    break
            except BaseException as exc:
                failed.append(exc)
            finally:
                changed.set()

        threads = [threading.Thread(target=run, args=(w,), daemon=True, name="trainjob-watch") for w in watchers]
        for thread in threads:
            thread.start()
        try:
            changed.wait(timeout)
        finally:
            for watcher in watchers:
                watcher.stop()
        for thread in threads:  # a watch refused just after the other one saw a change still counts as refused
            thread.join(timeout=1.0)
        real = [exc for exc in failed if isinstance(exc, KubeflowError)]
        if real:
            log.debug("watching TrainJob %s failed (%s); polling every %.1fs instead", name, real[0], polling_interval)
            self.watch_broken = True
            time.sleep(max(0.0, min(timeout, polling_interval)))


def describe_events(events: list[Event], limit: int = EVENT_LIMIT) -> list[str]:
    """Short lines for the most relevant events: warnings first (newest last), then the latest normal ones."""
    warnings = [event for event in events if event.type == "Warning"]
    chosen = warnings[-limit:] if warnings else events[-limit:]
    return [
        f"{event.involved_object_kind}/{event.involved_object_name}: {event.reason}: {event.message}"
        for event in chosen
    ]


def failure_error(
    objects: ObjectClient, pod_logs: PodLogs, namespace: str, job: TrainJob, trainjob: dict[str, Any]
) -> JobFailedError:
    """The typed error of a failed job: the failing step, the `Failed` condition, the step's log tail, the events.

    Events are those of the TrainJob, its JobSet, and the failing step's Job and pod (warnings first). Reading
    logs or events may fail (the pod may be gone): the error is then built without them.
    """
    condition = condition_true(trainjob, constants.TRAINJOB_FAILED) or {}
    failing = next((s for s in job.steps if s.status == "Failed" or s.exit_code not in (None, 0)), None)
    log_tail: list[str] = []
    events: list[Event] = []
    targets: list[tuple[str, str | None]] = [(job.name, constants.TRAINJOB_KIND), (job.name, "JobSet")]
    if failing is not None:
        # An Indexed Job's pods are named `<job>-<completion index>-<suffix>`.
        targets += [(failing.pod_name.rsplit("-", 2)[0], "Job"), (failing.pod_name, "Pod")]
        try:
            log_tail = pod_logs.read(failing.pod_name, step_container(failing.name), namespace, tail_lines=LOG_TAIL)
        except KubeflowError:
            log_tail = []
    try:
        events = list_events(objects, targets, namespace)
    except KubeflowError:
        events = []
    return JobFailedError(
        job.name,
        step=failing.name if failing else None,
        exit_code=failing.exit_code if failing else None,
        reason=condition.get("reason"),
        detail=condition.get("message"),
        log_tail=log_tail,
        events=describe_events(events),
        details={"condition": condition, "namespace": namespace},
    )


__all__ = ["LOG_TAIL", "ChangeWaiter", "Versions", "describe_events", "failure_error"]
