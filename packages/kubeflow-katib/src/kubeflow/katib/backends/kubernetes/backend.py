"""`KubernetesKatibBackend`: optimization jobs as Katib `Experiment`s whose trials are Kubeflow Trainer TrainJobs.

API calls per operation (whatever the number of jobs and trials):

* `optimize`: reads of the runtime and the Trainer release (as `TrainerClient.train`), then one POST of the
  Experiment (retried on 5xx/429/dropped connections; a retry that meets its own first attempt's object is success).
* `get_job`: four: the Experiment, its Trials (one label-selected list), their TrainJobs and pods (two lists,
  narrowed by the experiment label the trial template puts on each TrainJob).
* `list_jobs`: four: every Experiment, every Trial, every TrainJob, every trainer pod of the namespace.
* `get_best_results`: one (the Experiment's `currentOptimalTrial`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from kubeflow.core.errors import InvalidInputError, JobFailedError, KubeflowError, NotFoundError
from kubeflow.core.kubernetes.client import KubeClient
from kubeflow.core.kubernetes.config import KubernetesBackendConfig
from kubeflow.core.kubernetes.events import list_events
from kubeflow.core.kubernetes.objects import ObjectClient
from kubeflow.core.kubernetes.resources import PODS, Resource
from kubeflow.core.kubernetes.watch import Watcher
from kubeflow.core.models import Event
from kubeflow.core.names import generate_name
from kubeflow.katib import constants
from kubeflow.katib.backends.base import KatibBackend
from kubeflow.katib.backends.kubernetes import reading
from kubeflow.katib.backends.kubernetes.body import build_experiment, check_values
from kubeflow.katib.jobs import OptimizationJob, Result, Trial
from kubeflow.katib.validation import OptimizationRequest
from kubeflow.trainer.backends.kubernetes import resources as tr
from kubeflow.trainer.backends.kubernetes.backend import STEPS_IN, KubernetesTrainerBackend
from kubeflow.trainer.backends.kubernetes.status import to_trainjob
from kubeflow.trainer.options import Name
from kubeflow.trainer.types import TrainJob

Obj = dict[str, Any]
EXPERIMENTS = Resource(constants.GROUP, constants.VERSION, constants.EXPERIMENT_PLURAL, constants.EXPERIMENT_KIND)
TRIALS = Resource(constants.GROUP, constants.VERSION, constants.TRIAL_PLURAL, constants.TRIAL_KIND)
KATIB_ALGORITHMS = frozenset(
    {"random", "grid", "tpe", "multivariate-tpe", "cmaes", "sobol", "bayesianoptimization", "hyperband"}
)
"""The search algorithms Katib's suggestion services run, by Katib name."""
LOG_WAIT_POLL = 1.0


class ExperimentRejectedError(InvalidInputError, RuntimeError):
    """The API server (or Katib's admission webhook) refused the Experiment.

    A `ValueError` like every invalid input, and a `RuntimeError` as kubeflow 0.5's `OptimizerClient` raised for any
    failed create, so the `except` clauses written for either catch it.
    """


def _check_katib_limits(request: OptimizationRequest) -> None:
    """What Katib's admission webhook and suggestion services would refuse, refused before anything is created."""
    config = request.trial_config
    if config.max_failed_trials is not None and config.max_failed_trials > config.num_trials:
        raise InvalidInputError(
            "trial_config.max_failed_trials",
            f"{config.max_failed_trials} is more than num_trials ({config.num_trials}); Katib refuses that.",
            "Lower max_failed_trials to at most num_trials.",
        )
    name = request.algorithm.algorithm_name
    parameters = request.parameters
    if name == "grid":
        for spec in parameters:
            if spec.parameter_type == "double" and spec.feasible_space.step is None:
                raise InvalidInputError(
                    f"search_space[{spec.name!r}]",
                    "Katib's grid search needs a step for every double parameter.",
                    "Give it a step (FeasibleSpace step), use Search.choice([...]), or another algorithm.",
                )
    if name == "cmaes":
        numeric = [spec for spec in parameters if spec.parameter_type in ("double", "int")]
        if len(numeric) != len(parameters) or len(numeric) < 2:
            raise InvalidInputError(
                "algorithm",
                "Katib's CMA-ES runs only on two or more numeric (double/int) parameters.",
                "Use TPESearch or RandomSearch for this search space.",
            )
    if name == "hyperband":
        settings = {k: v for k, v in vars(request.algorithm).items() if v is not None}
        resource = settings.get("resource_name")
        if resource not in {spec.name for spec in parameters} or "r_l" not in settings or "eta" not in settings:
            raise InvalidInputError(
                "algorithm",
                "Katib's hyperband needs resource_name (a parameter of the search space), eta and r_l.",
                "e.g. Hyperband(resource_name='epochs', eta=3, r_l=9) with 'epochs' in the search space.",
            )
    check_values(parameters)


class KubernetesKatibBackend(KatibBackend):
    """Run optimization jobs on a cluster with Katib and Kubeflow Trainer. Connects lazily, on the first call."""

    kind: ClassVar[str] = "kubernetes"
    algorithms: ClassVar[frozenset[str]] = KATIB_ALGORITHMS

    def __init__(self, config: KubernetesBackendConfig, *, kube: KubeClient | None = None) -> None:
        self.config = config
        self.kube = kube or KubeClient(config)
        self.objects = ObjectClient(self.kube)
        self.trainer = KubernetesTrainerBackend(config, kube=self.kube)
        self._versions: dict[str, str] = {}
        self._raw: dict[str, Obj] = {}
        self._watch_broken = False
        self._lock = threading.Lock()

    @property
    def namespace(self) -> str:
        """The namespace of Experiments, Trials and their TrainJobs."""
        return self.kube.namespace

    # -- creating ----------------------------------------------------------------------------------------------

    def check_supported(self, request: OptimizationRequest) -> None:
        """The shared checks, plus Katib's own limits (grid steps, CMA-ES spaces, hyperband settings...)."""
        super().check_supported(request)
        _check_katib_limits(request)

    def build_experiment(self, request: OptimizationRequest, name: str | None = None) -> Obj:
        """The exact Experiment `submit` would create, sending nothing (it reads the runtime and Trainer release).

        Raises:
            InvalidInputError: The template cannot be expressed on the installed Trainer release, or needs
                credentials (initializer Secrets), which Katib trials cannot share.
            NotFoundError: The runtime does not exist.
        """
        name = name or generate_name()
        template = request.trial_template
        # The searched parameters reach the function through the trial script's typed table, merged over func_args
        # at run time; give the trainer's builder a placeholder for each, so its signature check sees a full call.
        searched = {spec.name: None for spec in request.parameters if spec.name is not None}
        trainer = dataclasses.replace(template.trainer, func_args={**searched, **(template.trainer.func_args or {})})
        trainjob = self.trainer.build_request(
            runtime=template.runtime, initializer=template.initializer, trainer=trainer, options=[Name(name)]
        )
        if trainjob.secrets:
            raise InvalidInputError(
                "trial_template.initializer",
                "the initializer needs credentials (a Secret per job), which Katib trials cannot carry.",
                "Use an initializer without a token, or read the data in the training function.",
            )
        return build_experiment(name, self.namespace, request, trainjob.body)

    def submit(self, request: OptimizationRequest) -> str:
        """Create the Experiment (idempotent under retry) and return its name."""
        body = self.build_experiment(request)
        try:
            stored = self.objects.create(EXPERIMENTS, body, self.namespace)
        except InvalidInputError as exc:
            if exc.status is None:
                raise
            raise ExperimentRejectedError(
                exc.field, exc.problem, exc.fix, reason=exc.reason, status=exc.status
            ) from exc
        return str(stored["metadata"]["name"])

    # -- reading -----------------------------------------------------------------------------------------------

    def _experiment(self, name: str) -> Obj:
        experiment = self.objects.get(EXPERIMENTS, name, self.namespace)
        with self._lock:
            self._raw[name] = experiment
            version = (experiment.get("metadata") or {}).get("resourceVersion")
            if version:
                self._versions[name] = str(version)
        return experiment

    def _trainjobs(self, experiment: str | None = None, trials: list[Obj] | None = None) -> dict[str, TrainJob]:
        """The trials' TrainJobs: those labelled with the experiment (two lists), else every TrainJob (two lists)."""
        if experiment is None or not trials:
            return {job.name: job for job in self.trainer.list_jobs()}
        wanted = {str(t["metadata"]["name"]) for t in trials}
        selector = f"{constants.EXPERIMENT_LABEL}={experiment}"
        items = self.objects.list(tr.TRAINJOBS, self.namespace, label_selector=selector).items
        if not wanted <= {str(item["metadata"]["name"]) for item in items}:
            # TrainJobs of an Experiment another client made may lack the label: read them all.
            return {job.name: job for job in self.trainer.list_jobs()}
        names = ",".join(sorted(str(item["metadata"]["name"]) for item in items))
        pods_selector = f"{tr.JOBSET_NAME_LABEL} in ({names}),{STEPS_IN}"
        pods = self.objects.list(PODS, self.namespace, label_selector=pods_selector).items if items else []
        by_job: dict[str, list[Obj]] = {}
        for pod in pods:
            by_job.setdefault(str(pod["metadata"]["labels"][tr.JOBSET_NAME_LABEL]), []).append(pod)
        return {
            str(item["metadata"]["name"]): to_trainjob(item, by_job.get(str(item["metadata"]["name"]), []), None)
            for item in items
        }

    def _trials(self, trials: list[Obj], trainjobs: dict[str, TrainJob]) -> list[Trial]:
        ordered = sorted(trials, key=lambda t: (str(t["metadata"].get("creationTimestamp", "")), t["metadata"]["name"]))
        return [reading.to_trial(t, trainjobs.get(str(t["metadata"]["name"]))) for t in ordered]

    def list_jobs(self) -> list[OptimizationJob]:
        """Every Experiment of the namespace with its trials, oldest first (four list requests in all)."""
        experiments = self.objects.list(EXPERIMENTS, self.namespace).items
        if not experiments:
            return []
        trials = self.objects.list(TRIALS, self.namespace, label_selector=constants.EXPERIMENT_LABEL).items
        trainjobs = self._trainjobs() if trials else {}
        by_experiment: dict[str, list[Obj]] = {}
        for trial in trials:
            owner = ((trial.get("metadata") or {}).get("labels") or {}).get(constants.EXPERIMENT_LABEL)
            by_experiment.setdefault(str(owner), []).append(trial)
        jobs = [
            reading.to_job(e, self._trials(by_experiment.get(str(e["metadata"]["name"]), []), trainjobs))
            for e in experiments
        ]
        jobs.sort(key=lambda job: (job.creation_timestamp, job.name))
        return jobs

    def _trial_objects(self, name: str) -> list[Obj]:
        selector = f"{constants.EXPERIMENT_LABEL}={name}"
        return self.objects.list(TRIALS, self.namespace, label_selector=selector).items

    def get_job(self, name: str) -> OptimizationJob:
        """One Experiment with its trials and their TrainJobs (four requests)."""
        experiment = self._experiment(name)
        trials = self._trial_objects(name)
        return reading.to_job(experiment, self._trials(trials, self._trainjobs(name, trials) if trials else {}))

    def get_best_results(self, name: str) -> Result | None:
        """The Experiment's `currentOptimalTrial` (one request); `None` while no trial reported the objective."""
        return reading.best_result(self._experiment(name))

    def _log_trial(self, name: str, trial_name: str | None) -> str | None:
        if trial_name is not None:
            trial = self.objects.get_or_none(TRIALS, trial_name, self.namespace)
            owner = ((trial or {}).get("metadata") or {}).get("labels", {}).get(constants.EXPERIMENT_LABEL)
            if trial is None or owner != name:
                self._experiment(name)  # NotFoundError for a missing job first
                raise NotFoundError(f"OptimizationJob {name!r} has no trial {trial_name!r}.", reason="NotFound")
            return trial_name
        best = reading.best_result(self._experiment(name))
        if best is not None and best.trial_name:
            return best.trial_name
        trials = self._trial_objects(name)
        if not trials:
            return None
        first = min(trials, key=lambda t: (str(t["metadata"].get("creationTimestamp", "")), t["metadata"]["name"]))
        return str(first["metadata"]["name"])

    def get_job_logs(self, name: str, trial_name: str | None = None, follow: bool = False) -> Iterator[str]:
        """Node 0's log lines of a trial (`trial_name`, else the best so far, else the first); none without trials.

        Raises:
            NotFoundError: No such job, or no such trial of it (raised at once, before iterating).
        """
        chosen = self._log_trial(name, trial_name)
        while chosen is None and follow:  # following a job with no trial yet: wait for its first, or its end
            if reading.experiment_status(self._experiment(name)) in (
                constants.OPTIMIZATION_JOB_COMPLETE,
                constants.OPTIMIZATION_JOB_FAILED,
            ):
                break
            time.sleep(LOG_WAIT_POLL)
            chosen = self._log_trial(name, None)
        if chosen is None:
            return iter(())
        if not follow:
            try:
                return self.trainer.get_job_logs(chosen, step="node-0")
            except NotFoundError:
                return iter(())  # the trial's TrainJob is not created yet (or was removed)
        return self._follow(chosen)

    def _follow(self, trial_name: str) -> Iterator[str]:
        while True:
            try:
                lines = self.trainer.get_job_logs(trial_name, step="node-0", follow=True)
            except NotFoundError:
                trial = self.objects.get_or_none(TRIALS, trial_name, self.namespace)
                if trial is None or reading.trial_status(trial) in constants.TRIAL_TERMINAL:
                    return
                time.sleep(LOG_WAIT_POLL)
                continue
            yield from lines
            return

    def get_job_events(self, name: str) -> list[Event]:
        """Events of the Experiment, its Suggestion, its Trials and their TrainJobs, oldest first."""
        self._experiment(name)
        targets: list[tuple[str, str | None]] = [(name, constants.EXPERIMENT_KIND), (name, "Suggestion")]
        for trial in self._trial_objects(name):
            trial_name = str(trial["metadata"]["name"])
            targets += [(trial_name, constants.TRIAL_KIND), (trial_name, "TrainJob")]
        return list_events(self.objects, targets, self.namespace)

    def delete_job(self, name: str) -> None:
        """Delete the Experiment; its Trials and their TrainJobs (and pods) go with it by owner references."""
        self.objects.delete(EXPERIMENTS, name, self.namespace, propagation="Foreground")
        with self._lock:
            self._raw.pop(name, None)
            self._versions.pop(name, None)

    # -- waiting -----------------------------------------------------------------------------------------------

    def wait_for_change(self, name: str, current: OptimizationJob, timeout: float, polling_interval: float) -> None:
        """Watch the Experiment (its status moves with every trial); poll if watching is not possible."""
        version = self._versions.get(name)
        if self._watch_broken or version is None:
            time.sleep(max(0.0, min(timeout, polling_interval)))
            return
        watcher = Watcher(
            self.objects, EXPERIMENTS, self.namespace, resource_version=version, field_selector=f"metadata.name={name}"
        )
        # A change of a trial's TrainJob (Running) does not always touch the Experiment: look again at least every
        # polling interval.
        try:
            for _ in watcher.stream(timeout=max(0.0, min(timeout, polling_interval))):
                break
        except KubeflowError:
            self._watch_broken = True
            time.sleep(max(0.0, min(timeout, polling_interval)))
        finally:
            watcher.stop()

    def job_failure(self, job: OptimizationJob) -> JobFailedError:
        """The Experiment's `Failed` condition (reason and message) and the failed trials."""
        raw = self._raw.get(job.name) or {}
        condition = reading.true_condition(raw, "Failed") or {}
        failed = [trial.name for trial in job.trials if trial.status == constants.TRIAL_FAILED]
        detail = " ".join(
            part
            for part in (condition.get("message"), f"Failed trials: {', '.join(failed)}." if failed else "")
            if part
        )
        return JobFailedError(
            job.name,
            reason=condition.get("reason") or "OptimizationJobFailed",
            detail=detail or None,
            details={"condition": condition, "namespace": self.namespace, "failed_trials": failed},
        )


__all__ = ["EXPERIMENTS", "KATIB_ALGORITHMS", "TRIALS", "ExperimentRejectedError", "KubernetesKatibBackend"]
