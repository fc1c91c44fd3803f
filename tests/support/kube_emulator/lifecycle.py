"""Pod phases as the scheduler and kubelet report them, and the Job/JobSet/TrainJob status they roll up to."""

from __future__ import annotations

import hashlib
from typing import Any

from .builders import JS
from .cluster import TRAINER, Cluster
from .events import involved_ref
from .store import Obj
from .util import clone, rfc3339

PHASES = ("Pending", "Running", "Succeeded", "Failed")
COMPLETE_MESSAGE = "jobset completed successfully"
FAILED_MESSAGE = "jobset failed due to one or more job failures"


def _node_for(pod: Obj) -> str:
    digest = int(hashlib.sha256(pod["metadata"]["name"].encode()).hexdigest(), 16)
    return f"emulator-worker-{digest % 4}"


def _ip(pod: Obj) -> str:
    digest = int(hashlib.sha256(pod["metadata"]["uid"].encode()).hexdigest(), 16)
    return f"10.244.{digest % 250}.{(digest >> 8) % 250 + 2}"


def _condition(type_: str, status: str, stamp: str, reason: str = "") -> dict[str, Any]:
    cond: dict[str, Any] = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": stamp}
    if reason:
        cond["reason"] = reason
    return cond


def _container_status(container: Obj, state: dict[str, Any], ready: bool, started: bool, restarts: int) -> Obj:
    image = container.get("image", "")
    status: Obj = {
        "name": container["name"],
        "image": image,
        "imageID": f"{image.split(':')[0]}@sha256:{hashlib.sha256(image.encode()).hexdigest()}" if started else "",
        "ready": ready,
        "restartCount": restarts,
        "started": started,
        "state": state,
        "lastState": {},
    }
    if started:
        status["containerID"] = "containerd://" + hashlib.sha256(container["name"].encode()).hexdigest()
    return status


def apply_phase(
    pod: Obj, phase: str, exit_code: int | None = None, reason: str | None = None, message: str | None = None
) -> list[tuple[str, str, str, str, str]]:
    """Rewrite a pod (in place) as in ``phase``; return the events ``(fieldPath, reason, message, component, host)``.

    ``Pending`` means scheduled with containers waiting (``reason`` defaults to ``ContainerCreating``);
    ``Running`` starts every container; ``Succeeded``/``Failed`` terminate them (exit code 0, or
    ``exit_code`` default 1 with ``reason`` default ``Error``).

    Raises:
        ValueError: for an unknown phase.
    """
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, not {phase!r}")
    namespace, name = pod["metadata"].get("namespace", ""), pod["metadata"]["name"]
    spec, stamp = pod["spec"], rfc3339()
    status = pod.setdefault("status", {})
    containers = spec.get("containers") or []
    events: list[tuple[str, str, str, str, str]] = []
    if not spec.get("nodeName"):
        spec["nodeName"] = _node_for(pod)
        events.append(
            (
                "",
                "Scheduled",
                f"Successfully assigned {namespace}/{name} to {spec['nodeName']}",
                "default-scheduler",
                "",
            )
        )
    node = spec["nodeName"]
    status.update(phase=phase, hostIP="172.18.0.2", hostIPs=[{"ip": "172.18.0.2"}])
    status.setdefault("startTime", stamp)
    was_running = any("running" in (c.get("state") or {}) for c in status.get("containerStatuses") or [])
    scheduled = _condition("PodScheduled", "True", stamp)
    if phase == "Pending":
        waiting = {"waiting": {"reason": reason or "ContainerCreating"}}
        if message:
            waiting["waiting"]["message"] = message
        status["conditions"] = [
            _condition("Initialized", "True", stamp),
            _condition("Ready", "False", stamp, "ContainersNotReady"),
            _condition("ContainersReady", "False", stamp, "ContainersNotReady"),
            scheduled,
        ]
        status["containerStatuses"] = [_container_status(c, clone(waiting), False, False, 0) for c in containers]
    elif phase == "Running":
        status.update(podIP=_ip(pod), podIPs=[{"ip": _ip(pod)}])
        status["conditions"] = [
            _condition("PodReadyToStartContainers", "True", stamp),
            _condition("Initialized", "True", stamp),
            _condition("Ready", "True", stamp),
            _condition("ContainersReady", "True", stamp),
            scheduled,
        ]
        status["containerStatuses"] = [
            _container_status(c, {"running": {"startedAt": stamp}}, True, True, 0) for c in containers
        ]
        if not was_running:
            for c in containers:
                path = f"spec.containers{{{c['name']}}}"
                events += [
                    (
                        path,
                        "Pulled",
                        f'Container image "{c.get("image", "")}" already present on machine',
                        "kubelet",
                        node,
                    ),
                    (path, "Created", f"Created container: {c['name']}", "kubelet", node),
                    (path, "Started", f"Started container: {c['name']}", "kubelet", node),
                ]
    else:
        code = 0 if phase == "Succeeded" else (1 if exit_code is None else exit_code)
        why = "Completed" if phase == "Succeeded" else (reason or "Error")
        status.setdefault("podIP", _ip(pod))
        started = {
            c.get("name"): (c.get("state") or {}).get("running", {}).get("startedAt", stamp)
            for c in status.get("containerStatuses") or []
        }
        status["conditions"] = [
            _condition("PodReadyToStartContainers", "False", stamp),
            _condition("Initialized", "True", stamp),
            _condition("Ready", "False", stamp, "PodCompleted" if code == 0 else "PodFailed"),
            _condition("ContainersReady", "False", stamp, "PodCompleted" if code == 0 else "PodFailed"),
            scheduled,
        ]
        terminated: dict[str, Any] = {"exitCode": code, "reason": why, "finishedAt": stamp}
        if message:
            terminated["message"] = message
        status["containerStatuses"] = [
            _container_status(
                c, {"terminated": dict(terminated, startedAt=started.get(c["name"], stamp))}, False, True, 0
            )
            for c in containers
        ]
    return events


def set_pod_phase(
    cluster: Cluster,
    namespace: str,
    name: str,
    phase: str,
    exit_code: int | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> Obj:
    """Move a pod to a phase, writing the status, node binding and events a real cluster would (see apply_phase).

    Raises:
        LookupError: when the pod does not exist.
        ValueError: for an unknown phase.
    """
    pod = clone(cluster.require("v1", "Pod", name, namespace))
    events = apply_phase(pod, phase, exit_code, reason, message)
    pod = cluster.write(pod)
    for field_path, why_event, text, component, host in events:
        cluster.record_event(namespace, involved_ref(pod, field_path), why_event, text, "Normal", component, host)
    cluster.logs.notify()
    refresh(cluster, namespace, pod["metadata"].get("labels", {}).get(JS + "jobset-name", ""))
    return pod


def _pods_of_job(cluster: Cluster, namespace: str, job_name: str) -> list[Obj]:
    return cluster.list("v1", "Pod", namespace, {"batch.kubernetes.io/job-name": job_name})


def _latest_by_index(pods: list[Obj]) -> dict[str, Obj]:
    latest: dict[str, Obj] = {}
    for pod in sorted(pods, key=lambda p: int(p["metadata"]["resourceVersion"])):
        index = pod["metadata"]["labels"].get("batch.kubernetes.io/job-completion-index", "0")
        current = latest.get(index)
        if current is None or current["metadata"]["creationTimestamp"] <= pod["metadata"]["creationTimestamp"]:
            latest[index] = pod
    return latest


def refresh(cluster: Cluster, namespace: str, trainjob_name: str) -> None:
    """Recompute Job, JobSet and TrainJob ``status`` counters from the pods."""
    if not trainjob_name:
        return
    jobset = cluster.get("jobset.x-k8s.io/v1alpha2", "JobSet", trainjob_name, namespace)
    if jobset is None:
        return
    rjob_status = []
    for job in cluster.list("batch/v1", "Job", namespace, {JS + "jobset-name": trainjob_name}):
        pods = _pods_of_job(cluster, namespace, job["metadata"]["name"])
        latest = _latest_by_index(pods)
        phases = [p.get("status", {}).get("phase") for p in latest.values()]
        completions = int(job["spec"].get("completions") or 1)
        job_status = clone(job.get("status") or {})
        conditions = job_status.get("conditions") or []
        finished = {c["type"] for c in conditions if c.get("status") == "True"} & {"Complete", "Failed"}
        job_status["active"] = 0 if finished else sum(1 for ph in phases if ph in ("Pending", "Running"))
        job_status["ready"] = sum(1 for ph in phases if ph == "Running")
        job_status["succeeded"] = sum(1 for ph in phases if ph == "Succeeded")
        job_status["failed"] = sum(1 for p in pods if p.get("status", {}).get("phase") == "Failed")
        done = sorted(int(i) for i, p in latest.items() if p.get("status", {}).get("phase") == "Succeeded")
        job_status["completedIndexes"] = ",".join(str(i) for i in done)
        if pods and "startTime" not in job_status:
            job_status["startTime"] = rfc3339()
        if job_status != job.get("status"):
            job = cluster.write(dict(clone(job), status=job_status))
        rjob = job["metadata"]["labels"][JS + "replicatedjob-name"]
        suspended = bool(jobset.get("spec", {}).get("suspend"))
        rjob_status.append(
            {
                "name": rjob,
                "ready": 1 if not finished and job_status["ready"] + job_status["succeeded"] >= completions else 0,
                "succeeded": 1 if "Complete" in finished else 0,
                "failed": 1 if "Failed" in finished else 0,
                "active": 1 if job_status["active"] and not suspended else 0,
                "suspended": 1 if suspended else 0,
            }
        )
    order = [r["name"] for r in jobset["spec"].get("replicatedJobs", [])]
    rjob_status.sort(key=lambda r: order.index(r["name"]) if r["name"] in order else len(order))
    if rjob_status != (jobset.get("status") or {}).get("replicatedJobsStatus"):
        cluster.write(
            dict(clone(jobset), status=dict(clone(jobset.get("status") or {}), replicatedJobsStatus=rjob_status))
        )
    trainjob = cluster.get(TRAINER, "TrainJob", trainjob_name, namespace)
    if trainjob is not None and (trainjob.get("status") or {}).get("jobsStatus") != rjob_status:
        status = dict(clone(trainjob.get("status") or {}), jobsStatus=rjob_status)
        cluster.write(dict(clone(trainjob), status=status))


def set_condition(conditions: list[dict[str, Any]], type_: str, status: str, reason: str, message: str) -> None:
    """Add or update a ``metav1.Condition`` (``lastTransitionTime`` moves only when status changes)."""
    stamp = rfc3339()
    for cond in conditions:
        if cond["type"] == type_:
            if cond.get("status") != status:
                cond["lastTransitionTime"] = stamp
            cond.update(status=status, reason=reason, message=message)
            return
    conditions.append(
        {"type": type_, "status": status, "reason": reason, "message": message, "lastTransitionTime": stamp}
    )
