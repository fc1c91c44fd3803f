"""Whole TrainJob runs: waves of replicated jobs (``dependsOn``), phases, logs and the final conditions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .builders import JS, ReplicatedJobPlan
from .cluster import TRAINER, Cluster
from .store import Obj

if TYPE_CHECKING:
    from .controller import TrainerController

LogLines = list[str] | dict[str, list[str]] | None


def append_lines(cluster: Cluster, pod: Obj, lines: list[str]) -> None:
    """Append log lines to a pod's main container (``node``, else the replicated job's, else the first)."""
    names = [c["name"] for c in pod["spec"].get("containers", [])]
    rjob = pod["metadata"]["labels"].get(JS + "replicatedjob-name", "")
    container = "node" if "node" in names else (rjob if rjob in names else names[0])
    for line in lines:
        cluster.logs.append(pod["metadata"]["namespace"], pod["metadata"]["name"], container, line)


def step_name(pod: Obj) -> str:
    """``<replicated job>-<completion index>`` (``node-1``); initializers keep their bare name."""
    labels: dict[str, str] = pod["metadata"]["labels"]
    rjob = labels.get(JS + "replicatedjob-name", "")
    if rjob in ("dataset-initializer", "model-initializer"):
        return rjob
    return f"{rjob}-{labels.get('batch.kubernetes.io/job-completion-index', '0')}"


def _lines_for(pod: Obj, log_lines: LogLines, failing: bool) -> list[str]:
    step = step_name(pod)
    rjob = pod["metadata"]["labels"].get(JS + "replicatedjob-name", "")
    if isinstance(log_lines, dict):
        lines = log_lines.get(step, log_lines.get(rjob, []))
    elif isinstance(log_lines, list):
        lines = log_lines if rjob in ("node", "launcher") else []
    else:
        lines = [f"[{step}] starting", f"[{step}] working", f"[{step}] done"]
    return list(lines) + (["Error: step failed"] if failing and log_lines is None else [])


def run_job(
    controller: TrainerController,
    namespace: str,
    name: str,
    outcome: str | None = "Complete",
    failing_step: str | None = None,
    log_lines: LogLines = None,
    step_delay: float = 0.0,
) -> Obj:
    """Run a TrainJob to the end: pods per wave (``dependsOn``), phases, logs, events, conditions.

    Args:
        controller: The controller whose step API performs each step.
        namespace: TrainJob namespace.
        name: TrainJob name.
        outcome: ``Complete``, ``Failed``, or ``None`` to stop with the trainer pods ``Running``
            (initializers done, logs written, no terminal condition); end it with :func:`end_job`.
        failing_step: For ``Failed``: the pod that fails, ``<replicated job>-<index>`` (``node-1``)
            or a replicated job name (``dataset-initializer``); default the first trainer pod.
        log_lines: Lines for the trainer pods (a list) or per step / replicated job (a dict);
            ``None`` writes a few default lines to every pod.
        step_delay: Seconds between steps (so watchers see each transition).

    Returns:
        The final TrainJob (the running one when ``outcome`` is ``None``).
    """
    plans = controller.plans(namespace, name)
    if outcome is None:
        ready_holders = {p.name for p in plans if p.ancestor == "trainer"}
    else:
        ready_holders = set()
    target = _failing_target(plans, failing_step) if outcome == "Failed" else None
    started: dict[str, list[str]] = {}
    completed: set[str] = set()
    ready_providers = {d for p in plans for d, status in p.depends_on if status == "Ready"} | ready_holders
    while True:
        wave = [
            p
            for p in plans
            if p.name not in started
            and all((dep in completed) if status == "Complete" else (dep in started) for dep, status in p.depends_on)
        ]
        if not wave:
            break
        for p in wave:
            started[p.name] = controller.create_pods(namespace, name, [p.name])
        controller.sleep(step_delay)
        for p in wave:
            for pod_name in started[p.name]:
                controller.set_pod_phase(namespace, pod_name, "Running")
        controller.sleep(step_delay)
        pods = [controller.cluster.require("v1", "Pod", n, namespace) for p in wave for n in started[p.name]]
        for current in pods:
            failing = target is not None and _is_target(current, target)
            append_lines(controller.cluster, current, _lines_for(current, log_lines, failing))
        controller.sleep(step_delay)
        ending = [p.name for p in wave if p.name not in ready_providers]
        completed.update(ending)
        if _terminate_pods(controller, namespace, [c for c in pods if _rjob(c) in ending], target):
            _terminate_running(controller, namespace, name)
            return controller.finish(namespace, name, "Failed")
    if outcome is None:
        return controller.cluster.require(TRAINER, "TrainJob", name, namespace)
    for p in plans:
        for pod_name in started.get(p.name, []) if p.name in ready_providers else []:
            controller.set_pod_phase(namespace, pod_name, "Succeeded")
    controller.sleep(step_delay)
    return controller.finish(namespace, name, outcome)


def end_job(
    controller: TrainerController, namespace: str, name: str, outcome: str = "Complete", failing_step: str | None = None
) -> Obj:
    """Finish a TrainJob whose pods are still running: terminate them, then write the terminal conditions.

    Args:
        controller: The controller whose step API performs each step.
        namespace: TrainJob namespace.
        name: TrainJob name.
        outcome: ``Complete`` (every live pod succeeds) or ``Failed`` (``failing_step`` exits 1, the
            other live pods are killed with exit code 137).
        failing_step: As for :func:`run_job`.
    """
    target = _failing_target(controller.plans(namespace, name), failing_step) if outcome == "Failed" else None
    live = [
        p for p in controller.pods_of(namespace, name) if p.get("status", {}).get("phase") in ("Pending", "Running")
    ]
    for pod in live:
        if target is None:
            controller.set_pod_phase(namespace, pod["metadata"]["name"], "Succeeded")
        elif _is_target(pod, target):
            controller.set_pod_phase(namespace, pod["metadata"]["name"], "Failed", 1, "Error")
    if target is not None:
        _terminate_running(controller, namespace, name)
    return controller.finish(namespace, name, outcome)


def _rjob(pod: Obj) -> str:
    return str(pod["metadata"]["labels"].get(JS + "replicatedjob-name", ""))


def _terminate_pods(
    controller: TrainerController, namespace: str, pods: list[Obj], target: tuple[str, int] | None
) -> bool:
    """End pods: the target fails (exit 1), the others succeed; return whether one failed."""
    failed = False
    for pod in pods:
        if target is not None and _is_target(pod, target):
            controller.set_pod_phase(namespace, pod["metadata"]["name"], "Failed", 1, "Error")
            failed = True
        else:
            controller.set_pod_phase(namespace, pod["metadata"]["name"], "Succeeded")
    return failed


def _terminate_running(controller: TrainerController, namespace: str, name: str) -> None:
    for pod in controller.pods_of(namespace, name):
        if pod.get("status", {}).get("phase") in ("Pending", "Running"):
            controller.set_pod_phase(namespace, pod["metadata"]["name"], "Failed", 137, "Error")


def _failing_target(plans: list[ReplicatedJobPlan], failing_step: str | None) -> tuple[str, int]:
    names = {p.name for p in plans}
    if failing_step is None:
        trainer = next((p for p in plans if p.ancestor == "trainer"), plans[-1])
        return trainer.name, 0
    if failing_step in names:
        return failing_step, 0
    m = re.match(r"^(.*)-(\d+)$", failing_step)
    if m and m.group(1) in names:
        return m.group(1), int(m.group(2))
    raise ValueError(f"failing_step {failing_step!r} names no replicated job of {sorted(names)}")


def _is_target(pod: Obj, target: tuple[str, int]) -> bool:
    labels: dict[str, Any] = pod["metadata"]["labels"]
    return labels.get(JS + "replicatedjob-name") == target[0] and labels.get(
        "batch.kubernetes.io/job-completion-index"
    ) == str(target[1])
