"""Emulation of the Kubeflow Trainer controller (plus JobSet and the Job controller) for tests.

``auto = False`` (the default) leaves TrainJobs alone until a test drives them with the step API
(:meth:`TrainerController.run_job`, :meth:`create_pods`, :meth:`set_pod_phase`, :meth:`finish`...).
``auto = True`` reconciles every TrainJob created or changed through the API on a worker thread:
``Suspended``/``Resumed`` conditions, then :meth:`run_job` with :attr:`auto_outcome` (``None`` leaves the
trainer pods ``Running`` until :meth:`TrainerController.end_job`).
"""

from __future__ import annotations

import queue
import threading

from . import builders, lifecycle, runs, terminal
from .builders import JS, ReplicatedJobPlan
from .cluster import TRAINER, Cluster
from .events import involved_ref
from .runs import LogLines
from .store import Change, Obj
from .util import clone

MANAGED_BY = "trainer.kubeflow.org/trainjob-controller"


class TrainerController:
    """Moves TrainJobs through their life like Kubeflow Trainer + JobSet + the Job controller."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.auto = False
        self.auto_outcome: str | None = "Complete"
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

    def claim(self, uid: str) -> None:
        """Leave the TrainJob with this uid to another driver (the Katib emulation runs its trials' TrainJobs)."""
        self._started.add(uid)

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

    def sleep(self, seconds: float) -> None:
        """Wait (interrupted when the emulator stops)."""
        if seconds > 0:
            self._stopping.wait(seconds)

    # ------------------------------------------------------------- reconcile
    def reconcile(self, namespace: str, name: str) -> None:
        """Apply ``spec.suspend`` (conditions, pods) and, in auto mode, start a run of a new TrainJob.

        TrainJobs with another ``spec.managedBy`` (``kueue.x-k8s.io/multikueue``) are left alone,
        as the real controller does.
        """
        trainjob = self.cluster.get(TRAINER, "TrainJob", name, namespace)
        if trainjob is None or trainjob["spec"].get("managedBy", MANAGED_BY) != MANAGED_BY:
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

        See :func:`kube_emulator.terminal.finish` for the arguments.
        """
        return terminal.finish(self.cluster, namespace, name, outcome, reason, message, failed_jobs)

    def run_job(
        self,
        namespace: str,
        name: str,
        outcome: str | None = "Complete",
        failing_step: str | None = None,
        log_lines: LogLines = None,
        step_delay: float = 0.0,
    ) -> Obj:
        """Run a TrainJob to the end: pods per wave (``dependsOn``), phases, logs, events, conditions.

        See :func:`kube_emulator.runs.run_job` for the arguments. Returns the final TrainJob.
        """
        return runs.run_job(self, namespace, name, outcome, failing_step, log_lines, step_delay)

    def end_job(self, namespace: str, name: str, outcome: str = "Complete", failing_step: str | None = None) -> Obj:
        """Finish a TrainJob left running by ``run_job(outcome=None)``; see :func:`kube_emulator.runs.end_job`."""
        return runs.end_job(self, namespace, name, outcome, failing_step)

    @staticmethod
    def step_name(pod: Obj) -> str:
        """``<replicated job>-<completion index>`` (``node-1``); initializers keep their bare name."""
        return runs.step_name(pod)

    def append_lines(self, pod: Obj, lines: list[str]) -> None:
        """Append log lines to a pod's main container (``node``, else the replicated job's, else the first)."""
        runs.append_lines(self.cluster, pod, lines)
