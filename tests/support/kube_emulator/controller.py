"""Emulation of the Kubeflow Trainer controller (plus JobSet and the Job controller) for tests.

``auto = False`` (the default) leaves TrainJobs alone until a test drives them with the step API
(:meth:`TrainerController.run_job`, :meth:`create_pods`, :meth:`set_pod_phase`, :meth:`finish`...).
``auto = True`` reconciles every TrainJob created or changed through the API on a worker thread:
``Suspended``/``Resumed`` conditions, then :meth:`run_job` with :attr:`auto_outcome`.
"""

from __future__ import annotations

import queue
import re
import threading
from typing import Any

from . import builders, lifecycle
from .builders import JS, ReplicatedJobPlan
from .cluster import TRAINER, Cluster
from .events import involved_ref
from .store import Change, Obj
from .util import clone, rfc3339

LogLines = list[str] | dict[str, list[str]] | None


class TrainerController:
    """Moves TrainJobs through their life like Kubeflow Trainer + JobSet + the Job controller."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.auto = False
        self.auto_outcome = "Complete"
        self.auto_step_delay = 0.0
        self.auto_log_lines: LogLines = None
        self.auto_failing_step: str | None = None
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = threading.Condition()
        self._pending = 0
        self._started: set[str] = set()
        self._worker: threading.Thread | None = None

    # -------------------------------------------------------------- plumbing
    def start(self) -> None:
        """Start the reconcile worker (the emulator calls this)."""
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="kube-emulator-controller", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        """Stop the worker and any running job (the emulator calls this)."""
        self._stopping.set()
        self._queue.put(None)
        for thread in list(self._threads) + ([self._worker] if self._worker else []):
            thread.join(timeout=5)

    def on_change(self, change: Change) -> None:
        """Store listener: queue TrainJobs to reconcile when :attr:`auto` is on."""
        if not self.auto or change.type == "DELETED" or change.resource != self.cluster.trainjobs.key:
            return
        meta = change.entry.obj["metadata"]
        with self._busy:
            self._pending += 1
        self._queue.put((meta.get("namespace", ""), meta["name"]))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until queued reconciles and automatic runs are done; False on timeout."""
        with self._busy:
            done = self._busy.wait_for(lambda: self._pending == 0, timeout=timeout)
        for thread in list(self._threads):
            thread.join(timeout=timeout)
            done = done and not thread.is_alive()
        return done

    def _work(self) -> None:
        while not self._stopping.is_set():
            item = self._queue.get()
            if item is None:
                return
            try:
                self.reconcile(*item)
            except LookupError:
                pass
            finally:
                with self._busy:
                    self._pending -= 1
                    self._busy.notify_all()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    # ------------------------------------------------------------- reconcile
    def reconcile(self, namespace: str, name: str) -> None:
        """Apply ``spec.suspend`` (conditions, pods) and, in auto mode, start a run of a new TrainJob."""
        trainjob = self.cluster.get(TRAINER, "TrainJob", name, namespace)
        if trainjob is None:
            return
        conditions = (trainjob.get("status") or {}).get("conditions") or []
        suspended = bool(trainjob["spec"].get("suspend"))
        has_suspended = any(c["type"] == "Suspended" for c in conditions)
        if suspended:
            self.set_suspended(namespace, name, True)
            return
        if has_suspended and any(c["type"] == "Suspended" and c["status"] == "True" for c in conditions):
            self.set_suspended(namespace, name, False)
        uid = trainjob["metadata"]["uid"]
        if not self.auto or uid in self._started or self._finished(trainjob):
            return
        if self.cluster.list("v1", "Pod", namespace, {JS + "jobset-name": name}):
            return
        self._started.add(uid)
        thread = threading.Thread(
            target=self._auto_run, args=(namespace, name), daemon=True, name=f"kube-emulator-run-{name}"
        )
        self._threads.append(thread)
        thread.start()

    def _auto_run(self, namespace: str, name: str) -> None:
        try:
            self.run_job(
                namespace,
                name,
                outcome=self.auto_outcome,
                failing_step=self.auto_failing_step,
                log_lines=self.auto_log_lines,
                step_delay=self.auto_step_delay,
            )
        except LookupError:
            pass

    @staticmethod
    def _finished(trainjob: Obj) -> bool:
        return any(
            c["type"] in ("Complete", "Failed") and c["status"] == "True"
            for c in (trainjob.get("status") or {}).get("conditions") or []
        )

    def set_suspended(self, namespace: str, name: str, suspended: bool) -> Obj:
        """Write the ``Suspended`` condition (True/``Suspended`` or False/``Resumed``); suspending deletes pods."""
        trainjob = clone(self.cluster.require(TRAINER, "TrainJob", name, namespace))
        status = trainjob.setdefault("status", {})
        conditions = status.setdefault("conditions", [])
        if suspended:
            lifecycle.set_condition(conditions, "Suspended", "True", "Suspended", "TrainJob is suspended")
        else:
            lifecycle.set_condition(conditions, "Suspended", "False", "Resumed", "TrainJob is resumed")
        result = self.cluster.write(trainjob)
        jobset = self.cluster.get("jobset.x-k8s.io/v1alpha2", "JobSet", name, namespace)
        if jobset is not None:
            self.cluster.write(dict(clone(jobset), spec=dict(clone(jobset["spec"]), suspend=suspended)))
            if suspended:
                for pod in self.cluster.list("v1", "Pod", namespace, {JS + "jobset-name": name}):
                    self.cluster.remove(pod)
            lifecycle.refresh(self.cluster, namespace, name)
        return result

    # -------------------------------------------------------------- step API
    def runtime_for(self, trainjob: Obj) -> Obj:
        """The (Cluster)TrainingRuntime a TrainJob references.

        Raises:
            LookupError: when it does not exist.
        """
        ref = trainjob["spec"].get("runtimeRef") or {}
        kind = ref.get("kind") or "ClusterTrainingRuntime"
        namespace = trainjob["metadata"]["namespace"] if kind == "TrainingRuntime" else None
        return self.cluster.require(TRAINER, kind, ref.get("name", ""), namespace)

    def plans(self, namespace: str, name: str) -> list[ReplicatedJobPlan]:
        """Create the JobSet and its Jobs if missing; return the replicated-job plans."""
        trainjob = self.cluster.require(TRAINER, "TrainJob", name, namespace)
        plans = builders.plan(trainjob, self.runtime_for(trainjob))
        jobset = self.cluster.get("jobset.x-k8s.io/v1alpha2", "JobSet", name, namespace)
        if jobset is None:
            jobset = self.cluster.insert(builders.build_jobset(trainjob, self.runtime_for(trainjob), plans))
        for p in plans:
            job = self.cluster.get("batch/v1", "Job", f"{name}-{p.name}-0", namespace)
            if job is None:
                self.cluster.insert(builders.build_job(jobset, p, len(plans)))
            else:
                p.job_uid = job["metadata"]["uid"]
        return plans

    def create_pods(
        self, namespace: str, name: str, replicated_jobs: list[str] | None = None, schedule: bool = True
    ) -> list[str]:
        """Create the pods of a TrainJob (all replicated jobs, or the named ones), ignoring ``dependsOn``.

        Args:
            namespace: TrainJob namespace.
            name: TrainJob name.
            replicated_jobs: Replicated job names to create pods for (default: all).
            schedule: Bind them to a node at once (``Scheduled`` event, containers waiting
                ``ContainerCreating``); otherwise they stay unscheduled ``Pending``.

        Returns:
            The new pod names.
        """
        names = []
        plans = self.plans(namespace, name)
        for p in plans:
            if replicated_jobs is not None and p.name not in replicated_jobs:
                continue
            job = self.cluster.require("batch/v1", "Job", f"{name}-{p.name}-0", namespace)
            for index in range(p.pods):
                pod = self.cluster.insert(builders.build_pod(job, p, index, len(plans)))
                names.append(pod["metadata"]["name"])
                self.cluster.record_event(
                    namespace,
                    involved_ref(job),
                    "SuccessfulCreate",
                    f"Created pod: {pod['metadata']['name']}",
                    "Normal",
                    "job-controller",
                )
                if schedule:
                    lifecycle.set_pod_phase(self.cluster, namespace, pod["metadata"]["name"], "Pending")
        lifecycle.refresh(self.cluster, namespace, name)
        return names

    def set_pod_phase(
        self,
        namespace: str,
        pod: str,
        phase: str,
        exit_code: int | None = None,
        reason: str | None = None,
        message: str | None = None,
    ) -> Obj:
        """Move a pod to ``Pending`` (scheduled), ``Running``, ``Succeeded`` or ``Failed``; see lifecycle."""
        return lifecycle.set_pod_phase(self.cluster, namespace, pod, phase, exit_code, reason, message)

    def restart_pod(self, namespace: str, pod: str, delete_old: bool = False, exit_code: int = 137) -> str:
        """Replace a pod like the Job controller after a failure: a new pod for the same completion index.

        The old pod is marked ``Failed`` (``exit_code``, reason ``Error``) or deleted; the new one is
        created and scheduled. Returns the new pod's name.
        """
        old = self.cluster.require("v1", "Pod", pod, namespace)
        labels = old["metadata"]["labels"]
        trainjob = labels[JS + "jobset-name"]
        rjob = labels[JS + "replicatedjob-name"]
        index = int(labels["batch.kubernetes.io/job-completion-index"])
        if delete_old:
            self.cluster.remove(old)
        elif old.get("status", {}).get("phase") != "Failed":
            lifecycle.set_pod_phase(self.cluster, namespace, pod, "Failed", exit_code, "Error")
        plans = self.plans(namespace, trainjob)
        plan = next(p for p in plans if p.name == rjob)
        job = self.cluster.require("batch/v1", "Job", labels["batch.kubernetes.io/job-name"], namespace)
        new = self.cluster.insert(builders.build_pod(job, plan, index, len(plans)))
        new_name: str = new["metadata"]["name"]
        self.cluster.record_event(
            namespace, involved_ref(job), "SuccessfulCreate", f"Created pod: {new_name}", "Normal", "job-controller"
        )
        lifecycle.set_pod_phase(self.cluster, namespace, new_name, "Pending")
        return new_name

    def pods_of(self, namespace: str, name: str, replicated_job: str | None = None) -> list[Obj]:
        """Current pods of a TrainJob (optionally of one replicated job), by name."""
        labels = {JS + "jobset-name": name}
        if replicated_job:
            labels[JS + "replicatedjob-name"] = replicated_job
        return self.cluster.list("v1", "Pod", namespace, labels)

    def finish(
        self,
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
        for job in self.cluster.list("batch/v1", "Job", namespace, {JS + "jobset-name": name}):
            rjob = job["metadata"]["labels"][JS + "replicatedjob-name"]
            pods = self.pods_of(namespace, name, rjob)
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
                    conditions.append(
                        {"type": kind, "status": "True", "lastProbeTime": stamp, "lastTransitionTime": stamp}
                    )
                job["status"]["completionTime"] = stamp
            self.cluster.write(job)
            self.cluster.record_event(
                namespace,
                involved_ref(job),
                "BackoffLimitExceeded" if failed else "Completed",
                "Job has reached the specified backoff limit" if failed else "Job completed",
                "Warning" if failed else "Normal",
                "job-controller",
            )
        jobset = self.cluster.get("jobset.x-k8s.io/v1alpha2", "JobSet", name, namespace)
        if jobset is not None:
            jobset = clone(jobset)
            status = jobset.setdefault("status", {})
            lifecycle.set_condition(
                status.setdefault("conditions", []), "Completed" if complete else "Failed", "True", reason, message
            )
            status["terminalState"] = "Completed" if complete else "Failed"
            jobset = self.cluster.write(jobset)
            self.cluster.record_event(
                namespace,
                involved_ref(jobset),
                reason,
                message,
                "Normal" if complete else "Warning",
                "jobset-controller",
            )
        lifecycle.refresh(self.cluster, namespace, name)
        trainjob = clone(self.cluster.require(TRAINER, "TrainJob", name, namespace))
        conditions = trainjob.setdefault("status", {}).setdefault("conditions", [])
        lifecycle.set_condition(conditions, outcome, "True", reason, message)
        return self.cluster.write(trainjob)

    # ------------------------------------------------------------ whole runs
    def append_lines(self, pod: Obj, lines: list[str]) -> None:
        """Append log lines to a pod's main container (``node``, else the replicated job's, else the first)."""
        names = [c["name"] for c in pod["spec"].get("containers", [])]
        rjob = pod["metadata"]["labels"].get(JS + "replicatedjob-name", "")
        container = "node" if "node" in names else (rjob if rjob in names else names[0])
        for line in lines:
            self.cluster.logs.append(pod["metadata"]["namespace"], pod["metadata"]["name"], container, line)

    @staticmethod
    def step_name(pod: Obj) -> str:
        """``<replicated job>-<completion index>`` (``node-1``); initializers keep their bare name."""
        labels: dict[str, str] = pod["metadata"]["labels"]
        rjob = labels.get(JS + "replicatedjob-name", "")
        if rjob in ("dataset-initializer", "model-initializer"):
            return rjob
        return f"{rjob}-{labels.get('batch.kubernetes.io/job-completion-index', '0')}"

    def _lines_for(self, pod: Obj, log_lines: LogLines, failing: bool) -> list[str]:
        step = self.step_name(pod)
        rjob = pod["metadata"]["labels"].get(JS + "replicatedjob-name", "")
        if isinstance(log_lines, dict):
            lines = log_lines.get(step, log_lines.get(rjob, []))
        elif isinstance(log_lines, list):
            lines = log_lines if rjob in ("node", "launcher") else []
        else:
            lines = [f"[{step}] starting", f"[{step}] working", f"[{step}] done"]
        return list(lines) + (["Error: step failed"] if failing and log_lines is None else [])

    def run_job(
        self,
        namespace: str,
        name: str,
        outcome: str = "Complete",
        failing_step: str | None = None,
        log_lines: LogLines = None,
        step_delay: float = 0.0,
    ) -> Obj:
        """Run a TrainJob to the end: pods per wave (``dependsOn``), phases, logs, events, conditions.

        Args:
            namespace: TrainJob namespace.
            name: TrainJob name.
            outcome: ``Complete`` or ``Failed``.
            failing_step: For ``Failed``: the pod that fails, ``<replicated job>-<index>`` (``node-1``)
                or a replicated job name (``dataset-initializer``); default the first trainer pod.
            log_lines: Lines for the trainer pods (a list) or per step / replicated job (a dict);
                ``None`` writes a few default lines to every pod.
            step_delay: Seconds between steps (so watchers see each transition).

        Returns:
            The final TrainJob.
        """
        plans = self.plans(namespace, name)
        target = self._failing_target(plans, failing_step) if outcome == "Failed" else None
        started: dict[str, list[str]] = {}
        completed: set[str] = set()
        ready_providers = {d for p in plans for d, status in p.depends_on if status == "Ready"}
        while True:
            wave = [
                p
                for p in plans
                if p.name not in started
                and all(
                    (dep in completed) if status == "Complete" else (dep in started) for dep, status in p.depends_on
                )
            ]
            if not wave:
                break
            for p in wave:
                started[p.name] = self.create_pods(namespace, name, [p.name])
            self._sleep(step_delay)
            for p in wave:
                for pod_name in started[p.name]:
                    self.set_pod_phase(namespace, pod_name, "Running")
            self._sleep(step_delay)
            failed = False
            for p in wave:
                for pod_name in started[p.name]:
                    current = self.cluster.require("v1", "Pod", pod_name, namespace)
                    failing = target is not None and self._is_target(current, target)
                    self.append_lines(current, self._lines_for(current, log_lines, failing))
            self._sleep(step_delay)
            for p in wave:
                if p.name in ready_providers:
                    continue
                for pod_name in started[p.name]:
                    current = self.cluster.require("v1", "Pod", pod_name, namespace)
                    if target is not None and self._is_target(current, target):
                        self.set_pod_phase(namespace, pod_name, "Failed", 1, "Error")
                        failed = True
                    else:
                        self.set_pod_phase(namespace, pod_name, "Succeeded")
                completed.add(p.name)
            if failed:
                self._terminate_running(namespace, name)
                return self.finish(namespace, name, "Failed")
        for p in plans:
            for pod_name in started.get(p.name, []) if p.name in ready_providers else []:
                self.set_pod_phase(namespace, pod_name, "Succeeded")
        self._sleep(step_delay)
        return self.finish(namespace, name, outcome)

    def _terminate_running(self, namespace: str, name: str) -> None:
        for pod in self.pods_of(namespace, name):
            if pod.get("status", {}).get("phase") in ("Pending", "Running"):
                self.set_pod_phase(namespace, pod["metadata"]["name"], "Failed", 137, "Error")

    @staticmethod
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

    @staticmethod
    def _is_target(pod: Obj, target: tuple[str, int]) -> bool:
        labels: dict[str, Any] = pod["metadata"]["labels"]
        return labels.get(JS + "replicatedjob-name") == target[0] and labels.get(
            "batch.kubernetes.io/job-completion-index"
        ) == str(target[1])
