"""Terminal states: the Job, JobSet and TrainJob conditions written when a TrainJob ends."""

from __future__ import annotations

from . import lifecycle
from .builders import JS
from .cluster import TRAINER, Cluster
from .events import involved_ref
from .store import Obj
from .util import clone, rfc3339


def finish(
    cluster: Cluster,
    namespace: str,
    name: str,
    outcome: str = "Complete",
    reason: str | None = None,
    message: str | None = None,
    failed_jobs: list[str] | None = None,
) -> Obj:
    """Write the terminal conditions: Jobs, JobSet and the TrainJob ``Complete`` or ``Failed``.

    Args:
        namespace: TrainJob namespace.
        name: TrainJob name.
        outcome: ``Complete`` or ``Failed``.
        reason: Condition reason (default ``AllJobsCompleted`` / ``FailedJobs``).
        message: Condition message (default the JobSet's).
        failed_jobs: Replicated jobs whose Job failed (default: those with a failed pod).
    """
    if outcome not in ("Complete", "Failed"):
        raise ValueError(f"outcome must be 'Complete' or 'Failed', not {outcome!r}")
    complete = outcome == "Complete"
    reason = reason or ("AllJobsCompleted" if complete else "FailedJobs")
    message = message or (lifecycle.COMPLETE_MESSAGE if complete else lifecycle.FAILED_MESSAGE)
    stamp = rfc3339()
    for job in cluster.list("batch/v1", "Job", namespace, {JS + "jobset-name": name}):
        rjob = job["metadata"]["labels"][JS + "replicatedjob-name"]
        pods = cluster.list("v1", "Pod", namespace, {JS + "jobset-name": name, JS + "replicatedjob-name": rjob})
        failed = (
            (rjob in failed_jobs)
            if failed_jobs is not None
            else any(p.get("status", {}).get("phase") == "Failed" for p in pods)
        )
        job = clone(job)
        conditions = job["status"].setdefault("conditions", [])
        if failed:
            for kind in ("FailureTarget", "Failed"):
                conditions.append(
                    {
                        "type": kind,
                        "status": "True",
                        "reason": "BackoffLimitExceeded",
                        "message": "Job has reached the specified backoff limit",
                        "lastProbeTime": stamp,
                        "lastTransitionTime": stamp,
                    }
                )
        elif complete or all(p.get("status", {}).get("phase") == "Succeeded" for p in pods):
            for kind in ("SuccessCriteriaMet", "Complete"):
                conditions.append({"type": kind, "status": "True", "lastProbeTime": stamp, "lastTransitionTime": stamp})
            job["status"]["completionTime"] = stamp
        cluster.write(job)
        cluster.record_event(
            namespace,
            involved_ref(job),
            "BackoffLimitExceeded" if failed else "Completed",
            "Job has reached the specified backoff limit" if failed else "Job completed",
            "Warning" if failed else "Normal",
            "job-controller",
        )
    jobset = cluster.get("jobset.x-k8s.io/v1alpha2", "JobSet", name, namespace)
    if jobset is not None:
        jobset = clone(jobset)
        status = jobset.setdefault("status", {})
        lifecycle.set_condition(
            status.setdefault("conditions", []), "Completed" if complete else "Failed", "True", reason, message
        )
        status["terminalState"] = "Completed" if complete else "Failed"
        jobset = cluster.write(jobset)
        cluster.record_event(
            namespace,
            involved_ref(jobset),
            reason,
            message,
            "Normal" if complete else "Warning",
            "jobset-controller",
        )
    lifecycle.refresh(cluster, namespace, name)
    trainjob = clone(cluster.require(TRAINER, "TrainJob", name, namespace))
    conditions = trainjob.setdefault("status", {}).setdefault("conditions", [])
    lifecycle.set_condition(conditions, outcome, "True", reason, message)
    return cluster.write(trainjob)
