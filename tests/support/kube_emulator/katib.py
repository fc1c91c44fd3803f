"""Emulation of the Katib controllers (Experiment, Suggestion, Trial, StdOut metrics collector) for tests.

Installed by :meth:`KubeEmulator.install_katib` (the ``kubeflow.org/v1beta1`` CRDs come from
``shared/reference/katib/crds`` through ``tests/support/reference.py``; on a fresh clone the calling test
skips). With :attr:`KatibController.auto` on (the default once installed), every Experiment created through
the API is driven on a worker thread as Katib does it:

1. ``Created``/``Running`` conditions and a ``Suggestion`` of the same name (owned by the Experiment).
2. Parameter assignments: ``random`` (seeded by the Experiment's name) or ``grid`` over ``spec.parameters``
   (``double``/``int`` with ``min``/``max``/``step``, ``discrete``/``categorical`` lists); every other
   algorithm name Katib knows is sampled at random (the emulation does not model search quality).
3. One ``Trial`` per assignment (``<experiment>-<8 chars>``, owned by the Experiment, label
   ``katib.kubeflow.org/experiment``), at most ``parallelTrialCount`` running and ``maxTrialCount`` in all. Its
   ``runSpec`` is ``trialTemplate.trialSpec`` with every ``${trialParameters.<name>}`` replaced by the
   assignment's string value in the serialized JSON (exactly Katib's substitution), renamed to the Trial.
4. The run object (a TrainJob) is created with admission (pruned, defaulted, validated against the Trainer
   CRD) and owned by the Trial; the Trainer emulation runs it (pods, logs, conditions). When node-0's trainer
   container runs the SDK's generated script (``python3 -c BOOTSTRAP CONFIG SCRIPT``), :attr:`run_scripts`
   makes the emulation really run ``SCRIPT`` with this interpreter (no torchrun, one process): its output
   becomes node-0's log and its exit code decides the outcome. Otherwise :attr:`metrics` (a function of the
   assignments returning ``{name: value}``) writes ``name=value`` lines, and the run completes.
5. The StdOut collector: node-0's ``primaryContainerName`` log lines ``name=value`` give the observation
   (``min``/``max``/``latest`` per metric of the objective). ``successCondition``/``failureCondition`` (the
   ``status.conditions.#(type=="X")#|#(status=="True")#`` shape) are evaluated on the run object. A succeeded
   run without the objective metric makes the Trial ``MetricsUnavailable``.
6. Experiment status: trial counts and name lists, ``currentOptimalTrial``, and ``Succeeded``
   (``ExperimentMaxTrialsReached``, ``ExperimentGoalReached``, ``ExperimentSuggestionEndReached``) or ``Failed``
   (``ExperimentMaxFailedTrialsReached``: failed trials exceed ``maxFailedTrialCount``).

Not emulated: early stopping (``spec.earlyStopping`` is kept, no trial is stopped early), the metrics-collector
sidecar (logs are read from the primary container directly), ``resumePolicy``, NAS, ``trialTemplate.configMap``,
search quality (every algorithm but ``grid`` samples at random).

Deleting an Experiment deletes its Trials and their TrainJobs (owner references; the emulator's garbage
collector). Faults on the Experiment/Trial paths are injected as for any kind.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from .builders import JS, owner_reference
from .cluster import Cluster
from .events import involved_ref
from .status import ApiError
from .store import Change, Obj
from .util import clone, new_uid, rfc3339

KATIB = "kubeflow.org/v1beta1"
EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"
TRIAL_LABEL = "katib.kubeflow.org/trial"
ALGORITHMS = frozenset(
    {
        "random",
        "grid",
        "bayesianoptimization",
        "tpe",
        "multivariate-tpe",
        "cmaes",
        "sobol",
        "hyperband",
        "enas",
        "darts",
        "pbt",
    }
)
METRIC_LINE = re.compile(r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)")
"""Katib's default StdOut metrics filter."""
CONDITION = re.compile(r'^status\.conditions\.#\(type=="(\w+)"\)#\|#\(status=="(\w+)"\)#$')
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
MetricsFn = Callable[[dict[str, str]], dict[str, float]]


def _set_condition(status: Obj, type_: str, state: str, reason: str, message: str) -> None:
    stamp = rfc3339()
    conditions: list[Obj] = status.setdefault("conditions", [])
    for condition in conditions:
        if condition["type"] == type_:
            if condition["status"] != state:
                condition["lastTransitionTime"] = stamp
            condition.update(status=state, reason=reason, message=message, lastUpdateTime=stamp)
            return
    conditions.append(
        {
            "type": type_,
            "status": state,
            "reason": reason,
            "message": message,
            "lastUpdateTime": stamp,
            "lastTransitionTime": stamp,
        }
    )


def _has(obj: Obj, type_: str) -> bool:
    return any(
        c.get("type") == type_ and c.get("status") == "True" for c in (obj.get("status") or {}).get("conditions") or []
    )


def _values(parameter: Obj) -> list[str]:
    """Every grid value of a parameter, as Katib's grid suggestion enumerates them."""
    space = parameter.get("feasibleSpace") or {}
    kind = parameter.get("parameterType")
    if kind in ("categorical", "discrete"):
        return [str(v) for v in space.get("list") or []]
    low, high = float(space["min"]), float(space["max"])
    if kind == "int":
        step = int(space.get("step") or 1)
        return [str(v) for v in range(int(low), int(high) + 1, step)]
    if not space.get("step"):
        raise ValueError(f"parameter {parameter.get('name')!r}: grid needs feasibleSpace.step for a double")
    step = float(space["step"])
    count = int(round((high - low) / step)) + 1
    return [repr(round(low + i * step, 12)) for i in range(count) if low + i * step <= high + 1e-12]


def _sample(parameter: Obj, rng: random.Random) -> str:
    space = parameter.get("feasibleSpace") or {}
    kind = parameter.get("parameterType")
    if kind in ("categorical", "discrete"):
        return str(rng.choice(space.get("list") or [""]))
    low, high = float(space["min"]), float(space["max"])
    if kind == "int":
        return str(rng.randint(int(low), int(high)))
    return repr(rng.uniform(low, high))


def substitute(template: Obj, values: dict[str, str]) -> Obj:
    """Katib's substitution: ``${trialParameters.<name>}`` replaced in the template's serialized JSON."""
    text = json.dumps(template)
    for name, value in values.items():
        text = text.replace("${trialParameters." + name + "}", value)
    result: Obj = json.loads(text)
    return result


def condition_holds(expression: str, obj: Obj) -> bool:
    """Evaluate a Katib success/failure condition of the ``status.conditions.#(type=="X")#|#(status=="Y")#`` shape."""
    m = CONDITION.match(expression or "")
    if m is None:
        return False
    return any(
        c.get("type") == m.group(1) and c.get("status") == m.group(2)
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def collect(lines: list[str], names: list[str]) -> list[Obj]:
    """The StdOut collector: ``name=value`` lines of the named metrics -> observation metrics."""
    seen: dict[str, list[float]] = {}
    for line in lines:
        for m in METRIC_LINE.finditer(line):
            name, value = m.group(1), m.group(2)
            if name in names and value not in ("", "+", "-"):
                try:
                    seen.setdefault(name, []).append(float(value))
                except ValueError:
                    continue
    return [{"name": n, "min": repr(min(v)), "max": repr(max(v)), "latest": repr(v[-1])} for n, v in seen.items() if v]


class KatibController:
    """Drives Katib Experiments: suggestions, Trials, their TrainJobs, metrics and status."""

    def __init__(self, cluster: Cluster, trainer: Any) -> None:
        self.cluster = cluster
        self.trainer = trainer
        self.auto = False
        self.run_scripts = True
        self.metrics: MetricsFn | None = None
        self.script_timeout = 120.0
        self.step_delay = 0.0
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started: set[str] = set()
        self._lock = threading.Lock()

    # -------------------------------------------------------------- plumbing
    def stop(self) -> None:
        """Stop driving (the emulator calls this)."""
        self._stopping.set()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def on_change(self, change: Change) -> None:
        """Store listener: start driving each new Experiment when :attr:`auto` is on."""
        if not self.auto or change.type != "ADDED" or change.resource != f"experiments.{KATIB.split('/')[0]}":
            return
        meta = change.entry.obj["metadata"]
        with self._lock:
            if meta["uid"] in self._started:
                return
            self._started.add(meta["uid"])
        thread = threading.Thread(
            target=self._drive_safely,
            args=(meta["namespace"], meta["name"], meta["uid"]),
            daemon=True,
            name=f"kube-emulator-katib-{meta['name']}",
        )
        self._threads.append(thread)
        thread.start()

    def _alive(self, namespace: str, name: str, uid: str) -> Obj | None:
        current = self.cluster.get(KATIB, "Experiment", name, namespace)
        if current is None or current["metadata"]["uid"] != uid or self._stopping.is_set():
            return None
        return current

    def _update_status(self, namespace: str, name: str, uid: str, change: Callable[[Obj], None]) -> Obj | None:
        with self.cluster.store.lock:
            current = self._alive(namespace, name, uid)
            if current is None:
                return None
            updated = clone(current)
            change(updated.setdefault("status", {}))
            return self.cluster.write(updated)

    def _event(self, obj: Obj | None, reason: str, message: str, type_: str = "Normal") -> None:
        if obj is not None:
            component = "experiment-controller" if obj["kind"] == "Experiment" else "trial-controller"
            self.cluster.record_event(
                obj["metadata"]["namespace"], involved_ref(obj), reason, message, type_, component
            )

    # ---------------------------------------------------------------- driving
    def _drive_safely(self, namespace: str, name: str, uid: str) -> None:
        try:
            self.drive(namespace, name, uid)
        except LookupError:
            pass

    def drive(self, namespace: str, name: str, uid: str) -> None:
        """Run one Experiment to its end (called on a worker thread in auto mode)."""
        experiment = self._alive(namespace, name, uid)
        if experiment is None:
            return
        spec = experiment["spec"]
        self._event(self._update_status(namespace, name, uid, self._start_status), "ExperimentCreated", "created")
        self._ensure_suggestion(experiment)
        max_trials = int(spec.get("maxTrialCount") or 0) or None
        parallel = int(spec.get("parallelTrialCount") or 3)
        max_failed = spec.get("maxFailedTrialCount")
        assignments = self._assignments(experiment)
        running: dict[str, threading.Thread] = {}
        created = 0
        exhausted = False
        while True:
            if self._alive(namespace, name, uid) is None:
                return
            for trial_name, thread in list(running.items()):
                if not thread.is_alive():
                    del running[trial_name]
            status = self._refresh(namespace, name, uid)
            if status is None:
                return
            failed = int(status.get("trialsFailed") or 0)
            done = sum(int(status.get(k) or 0) for k in ("trialsSucceeded", "trialsFailed", "trialsKilled"))
            done += int(status.get("trialMetricsUnavailable") or 0) + int(status.get("trialsEarlyStopped") or 0)
            if max_failed is not None and failed > int(max_failed):
                self._end(
                    namespace,
                    name,
                    uid,
                    "Failed",
                    "ExperimentMaxFailedTrialsReached",
                    "Experiment has failed because max failed count has reached",
                )
                return
            if self._goal_reached(experiment, status):
                self._end(
                    namespace,
                    name,
                    uid,
                    "Succeeded",
                    "ExperimentGoalReached",
                    "Experiment has succeeded because Objective goal has reached",
                )
                return
            if max_trials is not None and done >= max_trials:
                self._end(
                    namespace,
                    name,
                    uid,
                    "Succeeded",
                    "ExperimentMaxTrialsReached",
                    "Experiment has succeeded because max trial count has reached",
                )
                return
            if exhausted and not running:
                self._end(
                    namespace,
                    name,
                    uid,
                    "Succeeded",
                    "ExperimentSuggestionEndReached",
                    "Experiment has succeeded because suggestion service has reached the end",
                )
                return
            while not exhausted and len(running) < parallel and (max_trials is None or created < max_trials):
                values = next(assignments, None)
                if values is None:
                    exhausted = True
                    break
                trial = self._create_trial(experiment, values)
                if self._alive(namespace, name, uid) is None:  # deleted meanwhile: the GC would take the Trial
                    self.cluster.remove(trial)
                    return
                created += 1
                self._record_suggestion(experiment, values, trial["metadata"]["name"])
                thread = threading.Thread(
                    target=self._run_trial_safely,
                    args=(namespace, trial["metadata"]["name"]),
                    daemon=True,
                    name=f"kube-emulator-trial-{trial['metadata']['name']}",
                )
                self._threads.append(thread)
                running[trial["metadata"]["name"]] = thread
                thread.start()
            self._stopping.wait(0.02)

    @staticmethod
    def _start_status(status: Obj) -> None:
        status.setdefault("startTime", rfc3339())
        _set_condition(status, "Created", "True", "ExperimentCreated", "Experiment is created")
        _set_condition(status, "Running", "True", "ExperimentRunning", "Experiment is running")

    def _end(self, namespace: str, name: str, uid: str, outcome: str, reason: str, message: str) -> None:
        def change(status: Obj) -> None:
            _set_condition(status, "Running", "False", reason, message)
            _set_condition(status, outcome, "True", reason, message)
            status["completionTime"] = rfc3339()

        self._event(
            self._update_status(namespace, name, uid, change),
            reason,
            message,
            "Normal" if outcome == "Succeeded" else "Warning",
        )
        suggestion = self.cluster.get(KATIB, "Suggestion", name, namespace)
        if suggestion is not None:
            updated = clone(suggestion)
            _set_condition(updated.setdefault("status", {}), "Succeeded", "True", "Succeeded", "Suggestion is done")
            self.cluster.write(updated)

    @staticmethod
    def _goal_reached(experiment: Obj, status: Obj) -> bool:
        objective = experiment["spec"].get("objective") or {}
        goal = objective.get("goal")
        best = (status.get("currentOptimalTrial") or {}).get("observation") or {}
        metric = next((m for m in best.get("metrics") or [] if m["name"] == objective.get("objectiveMetricName")), None)
        if goal is None or metric is None:
            return False
        value = float(metric["latest"])
        return value <= float(goal) if objective.get("type") == "minimize" else value >= float(goal)

    def _assignments(self, experiment: Obj) -> Any:
        parameters = experiment["spec"].get("parameters") or []
        algorithm = (experiment["spec"].get("algorithm") or {}).get("algorithmName", "random")
        if algorithm == "grid":
            names = [p["name"] for p in parameters]
            return (
                dict(zip(names, combo, strict=True)) for combo in itertools.product(*[_values(p) for p in parameters])
            )
        settings = {
            s.get("name"): s.get("value")
            for s in (experiment["spec"].get("algorithm") or {}).get("algorithmSettings") or []
        }
        seed = settings.get("random_state")
        rng = random.Random(seed if seed is not None else experiment["metadata"]["name"])
        return ({p["name"]: _sample(p, rng) for p in parameters} for _ in itertools.count())

    def _ensure_suggestion(self, experiment: Obj) -> None:
        meta = experiment["metadata"]
        if self.cluster.get(KATIB, "Suggestion", meta["name"], meta["namespace"]) is not None:
            return
        self.cluster.insert(
            {
                "apiVersion": KATIB,
                "kind": "Suggestion",
                "metadata": {
                    "name": meta["name"],
                    "namespace": meta["namespace"],
                    "labels": {EXPERIMENT_LABEL: meta["name"]},
                    "ownerReferences": [owner_reference(experiment)],
                },
                "spec": {
                    "algorithm": experiment["spec"].get("algorithm") or {},
                    "requests": 0,
                    "resumePolicy": experiment["spec"].get("resumePolicy", "Never"),
                },
                "status": {"suggestionCount": 0, "suggestions": []},
            }
        )

    def _record_suggestion(self, experiment: Obj, values: dict[str, str], trial: str) -> None:
        meta = experiment["metadata"]
        with self.cluster.store.lock:
            suggestion = self.cluster.get(KATIB, "Suggestion", meta["name"], meta["namespace"])
            if suggestion is None:
                return
            updated = clone(suggestion)
            updated["spec"]["requests"] = int(updated["spec"].get("requests") or 0) + 1
            status = updated.setdefault("status", {})
            status.setdefault("suggestions", []).append(
                {"name": trial, "parameterAssignments": [{"name": k, "value": v} for k, v in values.items()]}
            )
            status["suggestionCount"] = len(status["suggestions"])
            self.cluster.write(updated)

    # ----------------------------------------------------------------- trials
    def _create_trial(self, experiment: Obj, values: dict[str, str]) -> Obj:
        meta = experiment["metadata"]
        spec = experiment["spec"]
        template = spec.get("trialTemplate") or {}
        rng = random.Random()
        name = f"{meta['name']}-{''.join(rng.choice(_NAME_CHARS) for _ in range(8))}"
        by_parameter = {p.get("reference"): p["name"] for p in template.get("trialParameters") or []}
        trial_values = {by_parameter.get(k, k): v for k, v in values.items()}
        run_spec = substitute(template.get("trialSpec") or {}, trial_values)
        run_meta = run_spec.setdefault("metadata", {})
        run_meta["name"] = name
        run_meta["namespace"] = meta["namespace"]
        collector = (spec.get("metricsCollectorSpec") or {}).get("collector") or {"kind": "StdOut"}
        trial = {
            "apiVersion": KATIB,
            "kind": "Trial",
            "metadata": {
                "name": name,
                "namespace": meta["namespace"],
                "labels": {EXPERIMENT_LABEL: meta["name"]},
                "ownerReferences": [owner_reference(experiment)],
            },
            "spec": {
                "objective": spec.get("objective") or {},
                "parameterAssignments": [{"name": k, "value": v} for k, v in values.items()],
                "runSpec": run_spec,
                "metricsCollector": {"collector": collector},
                "primaryPodLabels": template.get("primaryPodLabels") or {},
                "primaryContainerName": template.get("primaryContainerName", ""),
                "successCondition": template.get("successCondition", ""),
                "failureCondition": template.get("failureCondition", ""),
            },
            "status": {"startTime": rfc3339()},
        }
        _set_condition(trial["status"], "Created", "True", "TrialCreated", "Trial is created")
        stored = self.cluster.insert(trial)
        self._event(stored, "TrialCreated", "Trial is created")
        return stored

    def _write_trial(self, namespace: str, name: str, change: Callable[[Obj], None]) -> Obj | None:
        with self.cluster.store.lock:
            trial = self.cluster.get(KATIB, "Trial", name, namespace)
            if trial is None:
                return None
            updated = clone(trial)
            change(updated.setdefault("status", {}))
            return self.cluster.write(updated)

    def _run_trial_safely(self, namespace: str, name: str) -> None:
        try:
            self.run_trial(namespace, name)
        except LookupError:
            pass

    def run_trial(self, namespace: str, name: str) -> None:
        """Create a Trial's TrainJob, run it, collect its metrics and write the Trial's status."""
        trial = self.cluster.require(KATIB, "Trial", name, namespace)
        spec = trial["spec"]
        run_spec = clone(spec["runSpec"])
        run_spec["metadata"]["ownerReferences"] = [owner_reference(trial)]
        run_spec["metadata"]["uid"] = uid = new_uid()
        self.trainer.claim(uid)
        try:
            self.cluster.registry.apply(run_spec, validate=True)
        except (ApiError, KeyError) as exc:
            message = getattr(exc, "message", None) or str(exc)

            def failed(status: Obj) -> None:
                _set_condition(status, "Failed", "True", "ReconcileFailed", f"cannot create the run object: {message}")
                status["completionTime"] = rfc3339()

            self._write_trial(namespace, name, failed)
            return
        if self.cluster.get(KATIB, "Trial", name, namespace) is None:  # deleted meanwhile: the GC takes its run
            self.cluster.remove(run_spec)
            return
        self._write_trial(
            namespace, name, lambda s: _set_condition(s, "Running", "True", "TrialRunning", "Trial is running")
        )
        values = {a["name"]: a["value"] for a in spec.get("parameterAssignments") or []}
        outcome, lines = self._execute(run_spec, values)
        if self._stopping.is_set() or self.cluster.get(KATIB, "Trial", name, namespace) is None:
            return
        self.trainer.run_job(
            namespace,
            name,
            outcome=outcome,
            failing_step="node-0" if outcome == "Failed" else None,
            log_lines={"node-0": lines},
            step_delay=self.step_delay,
        )
        run = self.cluster.get(run_spec["apiVersion"], run_spec["kind"], name, namespace)
        if run is None:
            return
        objective = spec.get("objective") or {}
        names = [objective.get("objectiveMetricName", ""), *(objective.get("additionalMetricNames") or [])]
        metrics = collect(self._primary_log(trial), names)

        def finished(status: Obj) -> None:
            status["completionTime"] = rfc3339()
            _set_condition(status, "Running", "False", "TrialRunning", "Trial is not running")
            if condition_holds(spec.get("failureCondition", ""), run):
                _set_condition(status, "Failed", "True", "TrialFailed", "Trial has failed")
                if metrics:
                    status["observation"] = {"metrics": metrics}
            elif condition_holds(spec.get("successCondition", ""), run):
                if any(m["name"] == names[0] for m in metrics):
                    status["observation"] = {"metrics": metrics}
                    _set_condition(status, "Succeeded", "True", "TrialSucceeded", "Trial has succeeded")
                else:
                    _set_condition(
                        status, "MetricsUnavailable", "True", "MetricsUnavailable", "Metrics are not available"
                    )

        done = self._write_trial(namespace, name, finished)
        last = [c for c in ((done or {}).get("status") or {}).get("conditions") or [] if c["status"] == "True"]
        if done is not None and last:
            self._event(
                done, last[-1]["reason"], last[-1]["message"], "Warning" if last[-1]["type"] == "Failed" else "Normal"
            )

    def _execute(self, run_spec: Obj, values: dict[str, str]) -> tuple[str, list[str]]:
        """(outcome, node-0 log lines) of a trial's run."""
        trainer = (run_spec.get("spec") or {}).get("trainer") or {}
        command, args = trainer.get("command") or [], trainer.get("args") or []
        if self.run_scripts and len(command) >= 2 and command[-2] == "-c" and len(args) == 2:
            try:
                done = subprocess.run(
                    [sys.executable, "-u", "-c", args[1]],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=self.script_timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                out = exc.stdout if isinstance(exc.stdout, str) else ""
                return "Failed", [*out.splitlines(), "kube-emulator: trial script timed out"]
            return ("Complete" if done.returncode == 0 else "Failed"), done.stdout.splitlines()
        if self.metrics is not None:
            return "Complete", [f"{k}={v}" for k, v in self.metrics(values).items()]
        return "Complete", ["[node-0] done"]

    def _primary_log(self, trial: Obj) -> list[str]:
        namespace, name = trial["metadata"]["namespace"], trial["metadata"]["name"]
        labels = dict(trial["spec"].get("primaryPodLabels") or {}) or {
            JS + "replicatedjob-name": "node",
            "batch.kubernetes.io/job-completion-index": "0",
        }
        labels[JS + "jobset-name"] = name
        pods = self.cluster.list("v1", "Pod", namespace, labels)
        if not pods:
            return []
        pod = pods[-1]
        containers = [c["name"] for c in pod["spec"].get("containers", [])]
        container = trial["spec"].get("primaryContainerName") or ""
        if container not in containers:
            container = "node" if "node" in containers else containers[0]
        return [line.text for line in self.cluster.logs.lines(namespace, pod["metadata"]["name"], container)]

    # ----------------------------------------------------------------- status
    def _refresh(self, namespace: str, name: str, uid: str) -> Obj | None:
        experiment = self._alive(namespace, name, uid)
        if experiment is None:
            return None
        objective = experiment["spec"].get("objective") or {}
        metric = objective.get("objectiveMetricName", "")
        minimize = objective.get("type") == "minimize"
        trials = sorted(
            self.cluster.list(KATIB, "Trial", namespace, {EXPERIMENT_LABEL: name}),
            key=lambda t: t["metadata"]["creationTimestamp"],
        )
        lists: dict[str, list[str]] = {
            k: [] for k in ("pending", "running", "succeeded", "failed", "killed", "metricsUnavailable", "earlyStopped")
        }
        best: tuple[float, Obj] | None = None
        for trial in trials:
            tname = trial["metadata"]["name"]
            if _has(trial, "Succeeded"):
                lists["succeeded"].append(tname)
                observed = {m["name"]: m for m in (trial["status"].get("observation") or {}).get("metrics") or []}
                if metric in observed:
                    value = float(observed[metric]["latest"])
                    score = value if minimize else -value
                    if best is None or score < best[0]:
                        best = (score, trial)
            elif _has(trial, "Failed"):
                lists["failed"].append(tname)
            elif _has(trial, "MetricsUnavailable"):
                lists["metricsUnavailable"].append(tname)
            elif _has(trial, "Running"):
                lists["running"].append(tname)
            else:
                lists["pending"].append(tname)

        def change(status: Obj) -> None:
            status["trials"] = len(trials)
            for key, names in lists.items():
                count_key = (
                    "trialMetricsUnavailable" if key == "metricsUnavailable" else "trials" + key[0].upper() + key[1:]
                )
                status[count_key] = len(names)
                status[f"{key}TrialList"] = names
            if best is not None:
                chosen = best[1]
                status["currentOptimalTrial"] = {
                    "bestTrialName": chosen["metadata"]["name"],
                    "parameterAssignments": chosen["spec"]["parameterAssignments"],
                    "observation": chosen["status"]["observation"],
                }

        updated = self._update_status(namespace, name, uid, change)
        return None if updated is None else updated["status"]
