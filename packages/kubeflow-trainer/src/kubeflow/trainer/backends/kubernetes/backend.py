"""`KubernetesTrainerBackend`: `TrainerClient` on a cluster running Kubeflow Trainer v2 (TrainJob custom resources).

API calls per operation:

* `list_jobs`: one paginated list of TrainJobs and one paginated list of pods, whatever the number of jobs. Runtimes
  are those this backend read before (`list_runtimes`, `get_runtime`, `train`, `get_job`); a job whose runtime was
  not read yet is described from its own spec and pods (image, nodes, devices), with framework `Unknown`.
* `get_job`: at most three: the TrainJob, its pods, its runtime (the runtime is reused for a minute).
* `get_job_events`: the TrainJob and its pods, then one events list per object, narrowed by a field selector.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from kubeflow.core.errors import InvalidInputError, JobFailedError, NotFoundError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.events import list_events
from kubeflow.core.kubernetes.logs import PodLogs
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import PODS
from kubeflow.core.names import generate_name
from kubeflow.trainer import constants
from kubeflow.trainer.backends.base import AnyTrainer, TrainerBackend, check_options
from kubeflow.trainer.backends.kubernetes import resources as r
from kubeflow.trainer.backends.kubernetes import status as st
from kubeflow.trainer.backends.kubernetes.body import RuntimeObject, TrainJobRequest, build_trainjob
from kubeflow.trainer.backends.kubernetes.logs import (
    ALL_NODES,
    check_step,
    follow_interleaved,
    read_interleaved,
)
from kubeflow.trainer.backends.kubernetes.packages import runtime_packages
from kubeflow.trainer.backends.kubernetes.pruning import report_dropped
from kubeflow.trainer.backends.kubernetes.runtimes import RuntimeReader, to_runtime
from kubeflow.trainer.backends.kubernetes.submit import delete_job_secrets, submit
from kubeflow.trainer.backends.kubernetes.version import VersionDetector
from kubeflow.trainer.backends.kubernetes.waiting import ChangeWaiter, Versions, failure_error
from kubeflow.trainer.constants import environment
from kubeflow.trainer.options import Name, Option
from kubeflow.trainer.types import Event, Initializer, Runtime, TrainJob

Obj = dict[str, Any]
STEPS_IN = f"{r.REPLICATED_JOB_LABEL} in ({','.join(r.STEP_REPLICATED_JOBS)})"
JOB_PODS = f"{r.JOBSET_NAME_LABEL}={{name}},{STEPS_IN}"
ALL_JOB_PODS = f"{r.JOBSET_NAME_LABEL},{STEPS_IN}"
RUNTIME_TTL = 60.0
"""Seconds a runtime read for `get_job` is reused."""
_NODE = re.compile(r"^node-(\d+)$")


class KubernetesTrainerBackend(TrainerBackend):
    """Train on a Kubernetes cluster with Kubeflow Trainer v2. Connects lazily, on the first call."""

    kind: ClassVar[str] = "kubernetes"

    def __init__(self, config: KubernetesBackendConfig, *, kube: KubeClient | None = None) -> None:
        self.config = config
        self.kube = kube or KubeClient(config)
        self.objects = ObjectClient(self.kube)
        self.pod_logs = PodLogs(self.objects)
        self.version = VersionDetector(self.objects)
        self.waiter = ChangeWaiter(self.objects, r.TRAINJOBS, JOB_PODS)
        self._runtimes: dict[tuple[str, str], tuple[float, Runtime | None]] = {}
        self._versions: dict[str, Versions] = {}
        self._raw: dict[str, Obj] = {}
        self._lock = threading.Lock()

    @property
    def namespace(self) -> str:
        """The namespace of jobs and namespaced runtimes."""
        return self.kube.namespace

    # -- runtimes ---------------------------------------------------------------------------------------------

    def _reader(self) -> RuntimeReader:
        return RuntimeReader(self.objects, self.namespace)

    def list_runtimes(self) -> list[Runtime]:
        """Namespaced `TrainingRuntime`s and `ClusterTrainingRuntime`s, merged (namespaced wins)."""
        found = self._reader().list_records()
        now = time.monotonic()
        for record, runtime in found:  # list_jobs describes jobs with these, without reading runtimes itself
            self._runtimes[(record.kind, record.name)] = (now, runtime)
        return [runtime for _, runtime in found]

    def get_runtime(self, name: str) -> Runtime:
        """One runtime; `NotFoundError` if missing, `InvalidInputError` if it has no framework label."""
        record = self._reader().record(name)
        runtime = to_runtime(record.obj)
        self._runtimes[(record.kind, record.name)] = (time.monotonic(), runtime)
        return runtime

    def get_runtime_packages(self, runtime: Runtime) -> list[str]:
        """Run a short TrainJob on the runtime that prints its installed packages (see `packages`)."""
        return runtime_packages(self, runtime)

    def _runtime_for(self, trainjob: Obj, *, fetch: bool) -> Runtime | None:
        ref = (trainjob.get("spec") or {}).get("runtimeRef") or {}
        name = ref.get("name")
        kind = ref.get("kind") or constants.CLUSTER_TRAINING_RUNTIME_KIND
        if not name:
            return None
        key = (str(kind), str(name))
        cached = self._runtimes.get(key)
        if cached is not None and (not fetch or time.monotonic() - cached[0] < RUNTIME_TTL):
            return cached[1]
        if not fetch:
            return None
        resource = r.RUNTIME_RESOURCES.get(key[0])
        obj = self.objects.get_or_none(resource, key[1], self.namespace) if resource else None
        runtime: Runtime | None = None
        if obj is not None:
            try:
                runtime = to_runtime(obj)
            except InvalidInputError:
                runtime = None
        self._runtimes[key] = (time.monotonic(), runtime)
        return runtime

    # -- train ------------------------------------------------------------------------------------------------

    def build_request(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> TrainJobRequest:
        """Build the exact TrainJob body and Secrets `train` would send, sending nothing.

        It reads the runtime and detects the Trainer release (read-only calls), then builds the body.

        Raises:
            InvalidInputError: An argument is invalid or cannot be expressed on the installed release.
            NotFoundError: The runtime does not exist.
        """
        checked = check_options(options, self.kind)
        names = [option.name for option in checked if isinstance(option, Name)]
        job_name = names[-1] if names else generate_name()
        runtime_name = (
            runtime.name if isinstance(runtime, Runtime) else runtime or environment.default_training_runtime()
        )
        record = self._reader().record(runtime_name)
        self._runtimes[(record.kind, record.name)] = (time.monotonic(), to_runtime(record.obj))  # or refuses it
        level = self.version.level()
        return build_trainjob(
            name=job_name,
            namespace=self.namespace,
            runtime=RuntimeObject(name=record.name, kind=record.kind, obj=record.obj),
            trainer=trainer,
            initializer=initializer,
            options=checked,
            api_level=level,
        )

    def train_dryrun(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> Obj:
        """Return the exact TrainJob body `train` would POST, without sending anything (credentials stay out)."""
        return self.build_request(runtime, initializer, trainer, options).body

    def train(
        self,
        runtime: Runtime | str | None = None,
        initializer: Initializer | None = None,
        trainer: AnyTrainer | None = None,
        options: Sequence[Option] | None = None,
    ) -> str:
        """Create the TrainJob (and its credential Secrets) and return its name."""
        request = self.build_request(runtime, initializer, trainer, options)
        stored = submit(self.objects, request, self.namespace)
        report_dropped(request.body, stored, self.version.source)
        return str(stored["metadata"]["name"])

    # -- jobs -------------------------------------------------------------------------------------------------

    def _remember(self, name: str, trainjob: Obj, pods_version: str | None) -> None:
        self._raw[name] = trainjob
        self._versions[name] = Versions((trainjob.get("metadata") or {}).get("resourceVersion"), pods_version)

    def list_jobs(self, runtime: Runtime | str | None = None) -> list[TrainJob]:
        """Every TrainJob of the namespace (optionally of one runtime): two paginated lists, not calls per job."""
        wanted = runtime.name if isinstance(runtime, Runtime) else runtime
        trainjobs = self.objects.list(r.TRAINJOBS, self.namespace)
        pods = self.objects.list(PODS, self.namespace, label_selector=ALL_JOB_PODS)
        by_job: dict[str, list[Obj]] = {}
        for pod in pods.items:
            owner = ((pod.get("metadata") or {}).get("labels") or {}).get(r.JOBSET_NAME_LABEL)
            if owner:
                by_job.setdefault(str(owner), []).append(pod)
        jobs: list[TrainJob] = []
        for item in trainjobs.items:
            ref = (item.get("spec") or {}).get("runtimeRef") or {}
            if wanted is not None and ref.get("name") != wanted:
                continue
            name = str(item["metadata"]["name"])
            jobs.append(st.to_trainjob(item, by_job.get(name, []), self._runtime_for(item, fetch=False)))
        jobs.sort(key=lambda job: (job.creation_timestamp, job.name))
        return jobs

    def _read(self, name: str) -> tuple[Obj, list[Obj]]:
        trainjob = self.objects.get(r.TRAINJOBS, name, self.namespace)
        pods = self.objects.list(PODS, self.namespace, label_selector=JOB_PODS.format(name=name))
        self._remember(name, trainjob, pods.resource_version)
        return trainjob, pods.items

    def get_job(self, name: str) -> TrainJob:
        """One TrainJob (at most three API calls)."""
        trainjob, pods = self._read(name)
        return st.to_trainjob(trainjob, pods, self._runtime_for(trainjob, fetch=True))

    def delete_job(self, name: str) -> None:
        """Delete the TrainJob (its JobSet and pods go with it) and the credential Secrets the SDK made for it.

        The Secrets are deleted here, not left to a garbage collector that many clusters do not run. Secrets of a
        TrainJob already gone are removed too, before `NotFoundError` is raised.
        """
        self._raw.pop(name, None)
        self._versions.pop(name, None)
        try:
            self.objects.delete(r.TRAINJOBS, name, self.namespace)
        except NotFoundError:
            delete_job_secrets(self.objects, name, self.namespace)
            raise
        delete_job_secrets(self.objects, name, self.namespace)

    def get_job_events(self, name: str) -> list[Event]:
        """Events of the TrainJob and of its pods, oldest first, each selected server-side."""
        trainjob, pods = self._read(name)
        targets: list[tuple[str, str | None]] = [(name, constants.TRAINJOB_KIND)]
        targets += [(str(pod["metadata"]["name"]), "Pod") for pod in pods]
        return list_events(self.objects, targets, self.namespace)

    # -- logs -------------------------------------------------------------------------------------------------

    def get_job_logs(self, name: str, step: str = constants.DEFAULT_STEP, follow: bool = False) -> Iterator[str]:
        """Log lines of one step (`node-0` by default), or of every node with `step="all"` (`[node-i]` prefix).

        With `follow`, lines are yielded as they are written until the step ends; a pending step is waited for.

        Raises:
            InvalidInputError: `step` is not a step name.
            NotFoundError: There is no such job (raised at once, before iterating).
        """
        check_step(step)
        trainjob, pods = self._read(name)
        chosen = {key: str(pod["metadata"]["name"]) for key, pod in st.newest_pods(trainjob, pods).items()}
        if step == ALL_NODES:
            nodes = st.num_nodes(trainjob, self._runtime_for(trainjob, fetch=False), [])
            if not follow:
                return read_interleaved(
                    self.pod_logs, {k: v for k, v in chosen.items() if _NODE.match(k)}, self.namespace
                )
            steps = sorted(
                {*[f"node-{i}" for i in range(nodes)], *[k for k in chosen if _NODE.match(k)]},
                key=lambda s: int(s.split("-")[1]),
            )
            return follow_interleaved(steps, lambda each: self._follow_step(name, each, chosen.get(each)))
        if not follow:
            pod = chosen.get(step)
            return iter(self.pod_logs.read(pod, st.step_container(step), self.namespace) if pod else [])
        return self._follow(name, step, chosen.get(step))

    def _follow(self, name: str, step: str, pod: str | None) -> Iterator[str]:
        lines = self._follow_step(name, step, pod)
        if lines is not None:
            yield from lines

    def _follow_step(self, name: str, step: str, pod: str | None) -> Iterator[str] | None:
        if pod is None:
            pod = self._wait_for_pod(name, step)
            if pod is None:
                return None
        return iter(self.pod_logs.follow(pod, st.step_container(step), self.namespace))

    def _wait_for_pod(self, name: str, step: str, poll: float = 1.0) -> str | None:
        """Wait until a pod runs `step`; `None` if the job ends (or is deleted) first."""
        while True:
            try:
                trainjob, pods = self._read(name)
            except NotFoundError:
                return None
            found = st.newest_pods(trainjob, pods).get(step)
            if found is not None:
                return str(found["metadata"]["name"])
            if st.condition_true(trainjob, constants.TRAINJOB_COMPLETE) or st.condition_true(
                trainjob, constants.TRAINJOB_FAILED
            ):
                return None
            self.waiter.wait(name, self.namespace, self._versions[name], 30.0, poll)

    # -- waiting ----------------------------------------------------------------------------------------------

    def wait_for_change(self, name: str, current: TrainJob, timeout: float, polling_interval: float) -> None:
        """Watch the TrainJob and its pods; return as soon as either changes (or poll if watching fails)."""
        versions = self._versions.get(name) or Versions(None, None)
        self.waiter.wait(name, self.namespace, versions, timeout, polling_interval)

    def job_failure(self, job: TrainJob) -> JobFailedError:
        """The failing step, the `Failed` condition's reason and message, the step's last log lines, the events.

        Events are those of the TrainJob, its JobSet, and the failing step's Job and pod (warnings first).
        """
        raw = self._raw.get(job.name)
        if raw is None:
            raw, _ = self._read(job.name)
        return failure_error(self.objects, self.pod_logs, self.namespace, job, raw)


KubernetesBackend = KubernetesTrainerBackend
"""The Kubernetes trainer backend, under the existing `kubeflow` SDK's name (`...kubernetes.backend.KubernetesBackend`)."""

__all__ = ["KubernetesBackend", "KubernetesTrainerBackend"]
